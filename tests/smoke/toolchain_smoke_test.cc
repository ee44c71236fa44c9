#include <gtest/gtest.h>
#include <rapidjson/document.h>

TEST(Toolchain, RapidJsonParses) {
  rapidjson::Document doc;
  doc.Parse("[2,\"1\",\"Heartbeat\",{}]");
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc.Size(), 4u);
}
