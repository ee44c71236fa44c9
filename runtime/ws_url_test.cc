#include "runtime/ws_url.h"

#include <gtest/gtest.h>

namespace ocpp::runtime {
namespace {

TEST(ParseWsUrlTest, PlainAndSecureWithDefaults) {
  auto plain = ParseWsUrl("ws://centralsystem.example.com/ocpp");
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->secure);
  EXPECT_EQ(plain->host, "centralsystem.example.com");
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->path, "/ocpp");

  auto secure = ParseWsUrl("WSS://cs.example.com");
  ASSERT_TRUE(secure.has_value());
  EXPECT_TRUE(secure->secure);
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(secure->path, "/");
}

TEST(ParseWsUrlTest, PortsQueryAndIpv6) {
  auto url = ParseWsUrl("ws://127.0.0.1:33033/webServices/ocpp?tenant=7");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 33033);
  EXPECT_EQ(url->path, "/webServices/ocpp");
  EXPECT_EQ(url->query, "tenant=7");

  auto v6 = ParseWsUrl("wss://[::1]:8443/ocpp");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8443);
}

TEST(ParseWsUrlTest, RejectsWhatIsNotAWebSocketUrl) {
  for (const char* bad :
       {"http://cs/ocpp", "ws://", "ws://:80/x", "ws://cs:0/x", "ws://cs:65536/x", "ws://cs:8a/x",
        "ws://cs:/x", "ws://user:pw@cs/x", "ws://cs/x#frag", "ws://[::1/x", "ws://cs/a b",
        "ws://c s/x", "ws://[::1]x/y", "wss://cs:123456/x"}) {
    std::string error;
    EXPECT_FALSE(ParseWsUrl(bad, &error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(PercentEncodePathSegment("CP001"), "CP001");
  EXPECT_EQ(PercentEncodePathSegment("a-b.c_d~e"), "a-b.c_d~e");
  // OCPP-J 1.6 §3.1.1 example 2.
  EXPECT_EQ(PercentEncodePathSegment("RDAM 123"), "RDAM%20123");
  EXPECT_EQ(PercentEncodePathSegment("a/b%c?d#e"), "a%2Fb%25c%3Fd%23e");
  EXPECT_EQ(PercentEncodePathSegment("\xC3\xA4"), "%C3%A4");
}

TEST(PercentDecodeTest, RoundTripsAndRejectsBrokenEscapes) {
  const std::string odd = "RDAM 123/\xC3\xA4%?#+";
  EXPECT_EQ(PercentDecode(PercentEncodePathSegment(odd)), odd);
  EXPECT_EQ(PercentDecode("a%2fb"), "a/b");
  EXPECT_FALSE(PercentDecode("%").has_value());
  EXPECT_FALSE(PercentDecode("%4").has_value());
  EXPECT_FALSE(PercentDecode("abc%zz").has_value());
}

TEST(ConnectionRequestPathTest, AppendsTheEncodedIdentity) {
  EXPECT_EQ(ConnectionRequestPath(*ParseWsUrl("ws://cs/ocpp"), "CP001"), "/ocpp/CP001");
  EXPECT_EQ(ConnectionRequestPath(*ParseWsUrl("ws://cs/ocpp/"), "CP001"), "/ocpp/CP001");
  EXPECT_EQ(ConnectionRequestPath(*ParseWsUrl("ws://cs"), "CP001"), "/CP001");
  EXPECT_EQ(ConnectionRequestPath(*ParseWsUrl("wss://cs/ocppj"), "RDAM 123"), "/ocppj/RDAM%20123");
  EXPECT_EQ(ConnectionRequestPath(*ParseWsUrl("ws://cs/o?x=1"), "CP"), "/o/CP?x=1");
}

}  // namespace
}  // namespace ocpp::runtime
