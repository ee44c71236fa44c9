#include "runtime/file_transfer.h"

#include <gtest/gtest.h>

namespace ocpp::runtime {
namespace {

TEST(RedactUrl, HidesPasswordsOnly) {
  EXPECT_EQ(RedactUrl("ftp://user:secret@127.0.0.1:2121/fw.bin"),
            "ftp://user:***@127.0.0.1:2121/fw.bin");
  EXPECT_EQ(RedactUrl("ftp://user@127.0.0.1/fw.bin"), "ftp://user@127.0.0.1/fw.bin");
  EXPECT_EQ(RedactUrl("https://127.0.0.1/a@b"), "https://127.0.0.1/a@b") << "@ in the path";
  EXPECT_EQ(RedactUrl("sftp://u:p:q@host/x"), "sftp://u:***@host/x");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
  EXPECT_EQ(RedactUrl("http://u:pw@h"), "http://u:***@h");
}

TEST(RedactCredentials, EveryUrlInAText) {
  EXPECT_EQ(RedactCredentials(R"([2,"1","GetDiagnostics",{"location":"ftp://u:pw@127.0.0.1/d/"}])"),
            R"([2,"1","GetDiagnostics",{"location":"ftp://u:***@127.0.0.1/d/"}])");
  EXPECT_EQ(RedactCredentials("a ftp://x:1@h/ b https://y:2@k c http://z@m"),
            "a ftp://x:***@h/ b https://y:***@k c http://z@m");
  EXPECT_EQ(RedactCredentials("no urls here"), "no urls here");
  EXPECT_EQ(RedactCredentials("://:@"), "://:***@");
  EXPECT_EQ(RedactCredentials("ftp://a:b@c:d@host/x"), "ftp://a:***@host/x");
  EXPECT_EQ(RedactCredentials(":///"), ":///");
  EXPECT_EQ(RedactCredentials(""), "");
}

}  // namespace
}  // namespace ocpp::runtime
