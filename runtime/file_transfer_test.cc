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

}  // namespace
}  // namespace ocpp::runtime
