#include "runtime/curl_transfer_failure.h"

#include <gtest/gtest.h>

#include "runtime/curl_api.h"

namespace ocpp::runtime::curl_internal {
namespace {

TEST(SecretsOf, PasswordAsWrittenAndDecoded) {
  EXPECT_TRUE(SecretsOf("ftp://127.0.0.1/fw.bin").empty());
  EXPECT_TRUE(SecretsOf("ftp://user@127.0.0.1/fw.bin").empty());
  EXPECT_EQ(SecretsOf("ftp://user:pw@127.0.0.1/fw.bin"), std::vector<std::string>{"pw"});
  EXPECT_EQ(SecretsOf("sftp://u:p%40ss:x@h/x"), (std::vector<std::string>{"p%40ss:x", "p@ss:x"}));
}

TEST(Scrub, ReplacesEveryOccurrence) {
  EXPECT_EQ(Scrub("a pw b pw", {"pw"}), "a *** b ***");
  EXPECT_EQ(Scrub("p@ss and p%40ss", {"p%40ss", "p@ss"}), "*** and ***");
  EXPECT_EQ(Scrub("nothing", {}), "nothing");
  EXPECT_EQ(Scrub("nothing", {""}), "nothing");
}

TEST(Duration, SecondsWhenWhole) {
  EXPECT_EQ(Duration(base::Milliseconds(30'000)), "30 s");
  EXPECT_EQ(Duration(base::Milliseconds(1'500)), "1500 ms");
}

TEST(DescribeFailure, OneLinePerKind) {
  FailureContext context;
  context.connect_timeout = base::Milliseconds(30'000);
  context.stall_timeout = std::chrono::seconds(60);
  context.local_file = "/data/fw.bin.part";
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_LOGIN_DENIED, context), "login denied");
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_REMOTE_FILE_NOT_FOUND, context), "file not found");
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_WRITE_ERROR, context), "cannot write /data/fw.bin.part");
  context.error_buffer = "SSL certificate problem: unable to get local issuer certificate";
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_PEER_FAILED_VERIFICATION, context),
            "TLS: SSL certificate problem: unable to get local issuer certificate");
  context.error_buffer =
      "Operation too slow. Less than 1 bytes/sec transferred the last 60 seconds";
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_OPERATION_TIMEDOUT, context),
            "timed out (no data for 60 s)");
  context.error_buffer = "Connection timed out after 30001 milliseconds";
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_OPERATION_TIMEDOUT, context),
            "timed out connecting (30 s)");
  context.error_buffer = "";
  context.bytes = 10;
  context.total = 20;
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_PARTIAL_FILE, context),
            "connection closed early (10 of 20 bytes)");
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_GOT_NOTHING, context), "empty reply from server");
  EXPECT_EQ(DescribeFailure(nullptr, CURLE_BAD_CONTENT_ENCODING, context),
            curl::easy_strerror(CURLE_BAD_CONTENT_ENCODING));
}

}  // namespace
}  // namespace ocpp::runtime::curl_internal
