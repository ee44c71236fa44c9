// Every message, every constraint: runs the vectors that codegen derives
// from the schemas (generated/ocpp16/test_vectors.json) through the generated
// decoders and encoders, and validates every encoded example with RapidJSON's
// SchemaValidator against our schemas and, when present, OCA's.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/registry.h"
#include "tests/codec/runfiles.h"

namespace ocpp::v16 {
namespace {

using codec::DecodeError;
using codec::DecodeOptions;

struct Vector {
  std::string label;
  const rapidjson::Value* json;
};

const rapidjson::Document& Vectors() {
  static const rapidjson::Document* doc = [] {
    auto* d = new rapidjson::Document;
    auto text = testing::ReadFile(testing::RunfilePath("generated/ocpp16/test_vectors.json"));
    EXPECT_TRUE(text.has_value());
    d->Parse(text.value_or("{}").c_str());
    EXPECT_FALSE(d->HasParseError());
    return d;
  }();
  return *doc;
}

std::string ToText(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

struct Outcome {
  std::optional<DecodeError> error;
  std::string reencoded;
  std::optional<DecodeError> check;
};

// Decodes `payload` as the request or response of `action`; on success also
// re-encodes and checks the decoded message.
Outcome DecodeAs(Action action, bool response, const rapidjson::Value& payload,
                 DecodeOptions options = {}) {
  return VisitAction(action, [&](auto traits) {
    using Traits = decltype(traits);
    Outcome out;
    auto run = [&](auto message) {
      out.error = codec::DecodePayload(payload, message, options);
      if (!out.error) {
        out.reencoded = codec::EncodeJson(message);
        out.check = codec::CheckMessage(message);
      }
    };
    if (response) {
      run(typename Traits::Response{});
    } else {
      run(typename Traits::Request{});
    }
    return out;
  });
}

class SchemaSet {
 public:
  explicit SchemaSet(std::string dir) : dir_(std::move(dir)) {}
  // nullptr when the schema file is missing.
  const rapidjson::SchemaDocument* Get(const std::string& relative) {
    auto it = cache_.find(relative);
    if (it != cache_.end()) return it->second.get();
    auto text = testing::ReadFile(dir_ + "/" + relative);
    std::unique_ptr<rapidjson::SchemaDocument> schema;
    if (text) {
      rapidjson::Document doc;
      doc.Parse(text->c_str());
      if (!doc.HasParseError()) schema = std::make_unique<rapidjson::SchemaDocument>(doc);
    }
    return (cache_[relative] = std::move(schema)).get();
  }

 private:
  std::string dir_;
  std::map<std::string, std::unique_ptr<rapidjson::SchemaDocument>> cache_;
};

// Empty when valid, else the validator's complaint.
std::string Validate(const rapidjson::SchemaDocument& schema, const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  rapidjson::SchemaValidator validator(schema);
  if (doc.Accept(validator)) return "";
  rapidjson::StringBuffer where;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(where);
  return std::string("violates ") + validator.GetInvalidSchemaKeyword() + " at " +
         where.GetString();
}

const ActionInfo& ActionOf(const rapidjson::Value& v) {
  const ActionInfo* info = FindAction(v["action"].GetString());
  EXPECT_NE(info, nullptr) << v["action"].GetString();
  return *info;
}

bool IsResponse(const rapidjson::Value& v) {
  return std::string(v["message"].GetString()) == "conf";
}

std::string Label(const rapidjson::Value& v) {
  return std::string(v["action"].GetString()) + "." + v["message"].GetString() + " " +
         v["name"].GetString();
}

TEST(MessageVectors, EveryActionHasMinimalAndMaximalExamplesBothWays) {
  std::set<std::string> seen;
  for (const auto& v : Vectors()["positive"].GetArray()) {
    seen.insert(std::string(v["action"].GetString()) + v["message"].GetString() +
                v["name"].GetString());
  }
  for (const ActionInfo& info : kActions) {
    for (const char* which : {"req", "conf"}) {
      for (const char* name : {"minimal", "maximal"}) {
        EXPECT_TRUE(seen.count(std::string(info.name) + which + name))
            << info.name << " " << which << " " << name;
      }
    }
  }
  EXPECT_EQ(kActionCount, 39u);
}

TEST(MessageVectors, PositiveExamplesRoundTripExactly) {
  int count = 0;
  for (const auto& v : Vectors()["positive"].GetArray()) {
    const Outcome out = DecodeAs(ActionOf(v).action, IsResponse(v), v["payload"]);
    ASSERT_FALSE(out.error) << Label(v) << ": " << out.error->pointer << " " << out.error->message;
    rapidjson::Document again;
    again.Parse(out.reencoded.c_str());
    ASSERT_FALSE(again.HasParseError()) << Label(v);
    EXPECT_TRUE(again == v["payload"])
        << Label(v) << "\n in:  " << ToText(v["payload"]) << "\n out: " << out.reencoded;
    EXPECT_FALSE(out.check) << Label(v) << ": " << out.check->message;
    ++count;
  }
  EXPECT_EQ(count, 39 * 4);
}

TEST(MessageVectors, NegativeExamplesFailWithTheMappedCodeAndPointer) {
  int count = 0;
  for (const auto& v : Vectors()["negative"].GetArray()) {
    DecodeOptions strict;
    if (v["default_ok"].GetBool()) {
      // Lenient by default (an integer written 10.0); the strict option rejects it.
      EXPECT_FALSE(DecodeAs(ActionOf(v).action, IsResponse(v), v["payload"]).error)
          << Label(v) << " must decode with the default options";
      strict.accept_integral_numbers = false;
    }
    const Outcome out = DecodeAs(ActionOf(v).action, IsResponse(v), v["payload"], strict);
    ASSERT_TRUE(out.error) << Label(v) << " decoded although invalid";
    EXPECT_EQ(codec::ToString(out.error->code), v["code"].GetString())
        << Label(v) << ": " << out.error->message;
    EXPECT_EQ(out.error->pointer, v["pointer"].GetString()) << Label(v);
    EXPECT_FALSE(out.error->message.empty()) << Label(v);
    if (v["lenient_ok"].GetBool()) {
      const Outcome lenient =
          DecodeAs(ActionOf(v).action, IsResponse(v), v["payload"], DecodeOptions{true, true});
      EXPECT_FALSE(lenient.error) << Label(v) << " must decode in lenient mode";
    }
    ++count;
  }
  EXPECT_GT(count, 800) << "the vectors file lost its negative cases";
}

void ValidateAllEncodedExamples(const std::string& schema_dir) {
  SchemaSet schemas(schema_dir);
  for (const auto& v : Vectors()["positive"].GetArray()) {
    const Outcome out = DecodeAs(ActionOf(v).action, IsResponse(v), v["payload"]);
    ASSERT_FALSE(out.error) << Label(v);
    std::string relative = v["schema"].GetString();  // schemas/core/X.json
    relative = relative.substr(relative.find('/') + 1);
    const rapidjson::SchemaDocument* schema = schemas.Get(relative);
    ASSERT_NE(schema, nullptr) << schema_dir << "/" << relative;
    EXPECT_EQ(Validate(*schema, out.reencoded), "") << Label(v) << ": " << out.reencoded;
  }
}

TEST(MessageVectors, EncodedExamplesValidateAgainstOurSchemas) {
  ValidateAllEncodedExamples(testing::RunfilePath("schemas"));
}

TEST(MessageVectors, EncodedExamplesValidateAgainstOcaSchemas) {
  const auto oracle = testing::OracleDir();
  if (!oracle) GTEST_SKIP() << "OCA schemas (../shared/ocpp16) not present";
  // OCA's folders are schemas/ and schemas-security/; ours core/ and security/.
  const std::string root = *oracle;
  SchemaSet core(root + "/schemas"), security(root + "/schemas-security");
  for (const auto& v : Vectors()["positive"].GetArray()) {
    const Outcome out = DecodeAs(ActionOf(v).action, IsResponse(v), v["payload"]);
    ASSERT_FALSE(out.error) << Label(v);
    std::string relative = v["schema"].GetString();
    const bool is_security = relative.rfind("schemas/security/", 0) == 0;
    const std::string file = relative.substr(relative.rfind('/') + 1);
    const rapidjson::SchemaDocument* schema = (is_security ? security : core).Get(file);
    ASSERT_NE(schema, nullptr) << file;
    EXPECT_EQ(Validate(*schema, out.reencoded), "") << Label(v) << ": " << out.reencoded;
  }
}

TEST(MessageVectors, NegativeExamplesAreRejectedByOurSchemasToo) {
  // Cross-check of the vectors themselves: what the decoders must reject,
  // RapidJSON's validator rejects as well (except what it cannot see:
  // formats, and 32/64-bit integer range).
  SchemaSet schemas(testing::RunfilePath("schemas"));
  for (const auto& v : Vectors()["negative"].GetArray()) {
    const std::string name = v["name"].GetString();
    if (name.find("date-time") != std::string::npos || name.find("uri") != std::string::npos ||
        name.find("beyond 32 bits") != std::string::npos ||
        name.find("beyond 64 bits") != std::string::npos) {
      continue;
    }
    std::string relative = v["schema"].GetString();
    relative = relative.substr(relative.find('/') + 1);
    const rapidjson::SchemaDocument* schema = schemas.Get(relative);
    ASSERT_NE(schema, nullptr);
    EXPECT_NE(Validate(*schema, ToText(v["payload"])), "") << Label(v);
  }
}

}  // namespace
}  // namespace ocpp::v16
