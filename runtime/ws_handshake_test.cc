#include "runtime/ws_handshake.h"

#include <gtest/gtest.h>

#include <string>

namespace ocpp::runtime {
namespace {

using Result = WsHandshakeParser::Result;
using Failure = WsHandshakeParser::Failure;

// RFC 6455 1.3's example key and answer.
constexpr char kKey[] = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr char kAccept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string Response(const std::string& extra_headers = "",
                     const std::string& protocol_line = "Sec-WebSocket-Protocol: ocpp1.6\r\n") {
  return std::string("HTTP/1.1 101 Switching Protocols\r\n") +
         "Upgrade: websocket\r\nConnection: Upgrade\r\n" + "Sec-WebSocket-Accept: " + kAccept +
         "\r\n" + protocol_line + extra_headers + "\r\n";
}

Result ParseAll(const std::string& text, WsHandshakeParser* parser, size_t* consumed = nullptr) {
  size_t taken = 0;
  const Result result = parser->Feed(text, &taken);
  if (consumed) *consumed = taken;
  return result;
}

TEST(WsHandshakeTest, AcceptValueOfTheRfcExample) { EXPECT_EQ(WebSocketAcceptFor(kKey), kAccept); }

TEST(WsHandshakeTest, KeysAreSixteenRandomBytes) {
  const std::string a = NewWebSocketKey();
  const std::string b = NewWebSocketKey();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a.substr(22), "==");
  EXPECT_NE(a, b);
}

TEST(WsHandshakeTest, RequestHasEveryHeader) {
  WsUpgradeRequest request;
  request.host = "csms.example.com";
  request.port = 8080;
  request.path = "/ocpp/CP%201";
  request.key = kKey;
  request.subprotocol = "ocpp1.6";
  request.authorization = "Basic Q1A6a2V5";
  EXPECT_EQ(BuildUpgradeRequest(request),
            "GET /ocpp/CP%201 HTTP/1.1\r\n"
            "Host: csms.example.com:8080\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: ocpp1.6\r\n"
            "Authorization: Basic Q1A6a2V5\r\n"
            "\r\n");
}

TEST(WsHandshakeTest, HostHeaderLeavesOutDefaultPortsAndBracketsIpv6) {
  WsUpgradeRequest request;
  request.host = "::1";
  request.port = 443;
  request.secure = true;
  request.path = "/";
  request.key = kKey;
  request.subprotocol = "ocpp1.6";
  const std::string text = BuildUpgradeRequest(request);
  EXPECT_NE(text.find("Host: [::1]\r\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Authorization"), std::string::npos);
  request.secure = false;
  EXPECT_NE(BuildUpgradeRequest(request).find("Host: [::1]:443\r\n"), std::string::npos);
}

TEST(WsHandshakeTest, AcceptsACorrectAnswerAndLeavesTheFrameBytes) {
  WsHandshakeParser parser(kKey, "ocpp1.6");
  const std::string text = Response() + "\x81\x02hi";
  size_t consumed = 0;
  EXPECT_EQ(ParseAll(text, &parser, &consumed), Result::kAccepted);
  EXPECT_EQ(text.substr(consumed), "\x81\x02hi");
  EXPECT_EQ(parser.http_status(), 101);
}

TEST(WsHandshakeTest, AcceptsAnySplitAndAnyCase) {
  const std::string text =
      std::string("HTTP/1.1 101 \r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n") +
      "SEC-WEBSOCKET-ACCEPT:" + kAccept +
      "  \r\nsec-websocket-protocol:ocpp1.6\r\nX-Other: 1\r\n\r\n";
  for (size_t split = 0; split <= text.size(); ++split) {
    SCOPED_TRACE(split);
    WsHandshakeParser parser(kKey, "ocpp1.6");
    size_t consumed = 0;
    const Result first = parser.Feed(std::string_view(text).substr(0, split), &consumed);
    if (split < text.size()) {
      EXPECT_EQ(first, Result::kIncomplete);
      EXPECT_EQ(consumed, split);
      EXPECT_EQ(parser.Feed(std::string_view(text).substr(split), &consumed), Result::kAccepted);
      EXPECT_EQ(consumed, text.size() - split);
    } else {
      EXPECT_EQ(first, Result::kAccepted);
    }
  }
}

TEST(WsHandshakeTest, BareLineFeedsAreTolerated) {
  WsHandshakeParser parser(kKey, "ocpp1.6");
  std::string text = Response();
  for (size_t at; (at = text.find("\r\n")) != std::string::npos;) text.erase(at, 1);
  EXPECT_EQ(ParseAll(text, &parser), Result::kAccepted);
}

TEST(WsHandshakeTest, OtherStatusIsReportedAtOnce) {
  WsHandshakeParser parser(kKey, "ocpp1.6");
  EXPECT_EQ(ParseAll("HTTP/1.1 401 Unauthorized\r\n", &parser), Result::kFailed);
  EXPECT_EQ(parser.failure(), Failure::kHttpStatus);
  EXPECT_EQ(parser.http_status(), 401);
  EXPECT_NE(parser.detail().find("401"), std::string::npos);
  size_t consumed = 1;
  EXPECT_EQ(parser.Feed("more", &consumed), Result::kFailed);
  EXPECT_EQ(consumed, 0u);
}

TEST(WsHandshakeTest, Garbage) {
  for (const std::string text :
       {std::string("\x16\x03\x01 not http at all\r\n\r\n\0\xff", 26),
        std::string("HTTP/2 101\r\n"), std::string("HTTP/1.1 1O1 Switching\r\n"),
        std::string("HTTP/1.1 101x\r\n")}) {
    WsHandshakeParser parser(kKey, "ocpp1.6");
    EXPECT_EQ(ParseAll(text, &parser), Result::kFailed) << text;
    EXPECT_EQ(parser.failure(), Failure::kMalformed);
    for (char c : parser.detail()) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
  }
  WsHandshakeParser folded(kKey, "ocpp1.6");
  EXPECT_EQ(ParseAll("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n  folded\r\n", &folded),
            Result::kFailed);
  EXPECT_EQ(folded.failure(), Failure::kMalformed);
}

TEST(WsHandshakeTest, HeaderBlockIsBounded) {
  WsHandshakeParser parser(kKey, "ocpp1.6", 8 * 1024);
  std::string text = "HTTP/1.1 101 Switching Protocols\r\n";
  while (text.size() < 9000)
    text += "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  EXPECT_EQ(ParseAll(text, &parser), Result::kFailed);
  EXPECT_EQ(parser.failure(), Failure::kTooLarge);
  WsHandshakeParser endless(kKey, "ocpp1.6", 8 * 1024);
  EXPECT_EQ(ParseAll("HTTP/1.1 101 OK\r\nX: " + std::string(10'000, 'a'), &endless),
            Result::kFailed);
}

TEST(WsHandshakeTest, MissingUpgradeTokens) {
  WsHandshakeParser parser(kKey, "ocpp1.6");
  EXPECT_EQ(
      ParseAll(std::string("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ") +
                   kAccept + "\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n",
               &parser),
      Result::kFailed);
  EXPECT_EQ(parser.failure(), Failure::kNotUpgrade);
  WsHandshakeParser no_connection(kKey, "ocpp1.6");
  EXPECT_EQ(ParseAll(std::string("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: close\r\n") +
                         "Sec-WebSocket-Accept: " + kAccept + "\r\n\r\n",
                     &no_connection),
            Result::kFailed);
  EXPECT_EQ(no_connection.failure(), Failure::kNotUpgrade);
}

TEST(WsHandshakeTest, WrongOrMissingAccept) {
  WsHandshakeParser wrong("another key", "ocpp1.6");
  EXPECT_EQ(ParseAll(Response(), &wrong), Result::kFailed);
  EXPECT_EQ(wrong.failure(), Failure::kBadAccept);
  WsHandshakeParser twice(kKey, "ocpp1.6");
  EXPECT_EQ(ParseAll(Response(std::string("Sec-WebSocket-Accept: ") + kAccept + "\r\n"), &twice),
            Result::kFailed);
  EXPECT_EQ(twice.failure(), Failure::kBadAccept);
}

TEST(WsHandshakeTest, SubprotocolMustBeExactlyTheOneOffered) {
  for (const std::string& line :
       {std::string(""), std::string("Sec-WebSocket-Protocol: ocpp2.0\r\n"),
        std::string("Sec-WebSocket-Protocol: OCPP1.6\r\n"),
        std::string("Sec-WebSocket-Protocol: ocpp1.6\r\n"
                    "Sec-WebSocket-Protocol: ocpp1.6\r\n")}) {
    WsHandshakeParser parser(kKey, "ocpp1.6");
    EXPECT_EQ(ParseAll(Response("", line), &parser), Result::kFailed) << line;
    EXPECT_EQ(parser.failure(), Failure::kSubprotocol);
  }
}

TEST(WsHandshakeTest, ExtensionsAreRefused) {
  WsHandshakeParser parser(kKey, "ocpp1.6");
  EXPECT_EQ(ParseAll(Response("Sec-WebSocket-Extensions: permessage-deflate\r\n"), &parser),
            Result::kFailed);
  EXPECT_EQ(parser.failure(), Failure::kExtension);
}

}  // namespace
}  // namespace ocpp::runtime
