#include "station/sim/sim_flags.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace ocpp::station::sim {
namespace {

TEST(SplitFlagArgumentTest, SplitsLongFlagsAtTheFirstEquals) {
  const FlagArgument flag = SplitFlagArgument("--config=a=b.json");
  EXPECT_EQ(flag.name, "--config");
  EXPECT_EQ(flag.value, "a=b.json");
  EXPECT_TRUE(flag.has_inline_value);
  const FlagArgument empty = SplitFlagArgument("--password=");
  EXPECT_EQ(empty.name, "--password");
  EXPECT_EQ(empty.value, "");
  EXPECT_TRUE(empty.has_inline_value);
}

TEST(SplitFlagArgumentTest, LeavesOtherWordsWhole) {
  for (const char* word : {"--csms", "-h", "-x=1", "value=with=equals", ""}) {
    const FlagArgument flag = SplitFlagArgument(word);
    EXPECT_EQ(flag.name, word);
    EXPECT_EQ(flag.value, "");
    EXPECT_FALSE(flag.has_inline_value);
  }
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ReadFactoryConfigTest, TakesStringsNumbersAndBooleans) {
  std::map<std::string, std::string> values;
  std::string error;
  ASSERT_TRUE(ReadFactoryConfig(WriteFile("ok.json", R"({"A":"x","B":30,"C":true,"D":false})"),
                                &values, &error))
      << error;
  EXPECT_EQ(values, (std::map<std::string, std::string>{
                        {"A", "x"}, {"B", "30"}, {"C", "true"}, {"D", "false"}}));
  EXPECT_TRUE(ReadFactoryConfig("", &values, &error));
}

TEST(ReadFactoryConfigTest, RefusesWithOneLineReasons) {
  std::map<std::string, std::string> values;
  std::string error;
  EXPECT_FALSE(ReadFactoryConfig(WriteFile("list.json", "[1]"), &values, &error));
  EXPECT_NE(error.find("is not a JSON object"), std::string::npos) << error;
  EXPECT_FALSE(ReadFactoryConfig(WriteFile("float.json", R"({"A":1.5})"), &values, &error));
  EXPECT_EQ(error, "--config: value of A must be a string, number or boolean");
  EXPECT_FALSE(ReadFactoryConfig("/nonexistent/config.json", &values, &error));
  EXPECT_EQ(error.rfind("cannot read --config /nonexistent/config.json: ", 0), 0u) << error;
  // Iterative parsing: deep nesting is refused, not a stack overflow.
  const std::string deep = "{\"A\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_FALSE(ReadFactoryConfig(WriteFile("deep.json", deep), &values, &error));
  EXPECT_EQ(values.count("A"), 0u);
}

}  // namespace
}  // namespace ocpp::station::sim
