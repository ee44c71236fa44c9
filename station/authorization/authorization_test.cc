// Authorization on a fake central system: the cache as a source,
// LocalPreAuthorize, the offline rules, what counts as offline, and a
// custom authoritative source.
#include "station/authorization/authorization.h"

#include <gtest/gtest.h>

#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using testing::ModuleEnv;

class AuthorizationTest : public ::testing::Test {
 protected:
  AuthorizationTest() : cache_(env_.storage()), authorization_(env_.context(), cache_) {}

  // Starts an authorization; the decision lands in decision_.
  void Start(const std::string& tag) {
    decision_.reset();
    authorization_.Authorize(tag, [this](AuthorizationDecision d) { decision_ = d; });
    env_.Run();
  }
  void Cache(const std::string& tag, v16::AuthorizationStatus status) {
    v16::IdTagInfo info;
    info.status = status;
    cache_.Update(tag, info, env_.context().Now());
  }
  void Set(const std::string& key, const std::string& value) {
    ASSERT_EQ(env_.config().Change(key, value), v16::ConfigurationStatus::kAccepted) << key;
  }

  ModuleEnv env_;
  AuthorizationCache cache_;
  Authorization authorization_;
  std::optional<AuthorizationDecision> decision_;
};

TEST_F(AuthorizationTest, OnlineTheCentralSystemDecidesAndTheCacheLearns) {
  env_.GoOnline();
  Start("TAG1");
  ASSERT_EQ(env_.Actions(), std::vector<std::string>{"Authorize"});
  EXPECT_EQ(env_.calls()[0].payload, R"({"idTag":"TAG1"})");
  EXPECT_FALSE(decision_);
  env_.Reply(R"({"idTagInfo":{"status":"Accepted","parentIdTag":"GROUP"}})");
  ASSERT_TRUE(decision_);
  EXPECT_TRUE(decision_->accepted);
  EXPECT_EQ(decision_->parent_id_tag, "GROUP");
  auto cached = cache_.Lookup("tag1", env_.context().Now());
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, v16::AuthorizationStatus::kAccepted);

  Start("TAG2");
  env_.Reply(R"({"idTagInfo":{"status":"Blocked"}})");
  EXPECT_FALSE(decision_->accepted);
  EXPECT_EQ(cache_.Lookup("TAG2", env_.context().Now())->status,
            v16::AuthorizationStatus::kBlocked);
}

TEST_F(AuthorizationTest, LocalPreAuthorizeStartsACachedTagWithoutAuthorize) {
  env_.GoOnline();
  Cache("TAG1", v16::AuthorizationStatus::kAccepted);
  Start("TAG1");
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"Authorize"}) << "LocalPreAuthorize false";
  env_.Reply(R"({"idTagInfo":{"status":"Accepted"}})");
  env_.ClearCalls();
  Set("LocalPreAuthorize", "true");
  Start("TAG1");
  EXPECT_TRUE(env_.calls().empty());
  ASSERT_TRUE(decision_);
  EXPECT_TRUE(decision_->accepted);
  // A cached Blocked entry is not authoritative: the central system is asked.
  Cache("TAG2", v16::AuthorizationStatus::kBlocked);
  Start("TAG2");
  EXPECT_EQ(env_.Actions(), std::vector<std::string>{"Authorize"});
}

TEST_F(AuthorizationTest, OfflineKnownTagsNeedLocalAuthorizeOffline) {
  Cache("KNOWN", v16::AuthorizationStatus::kAccepted);
  Cache("BLOCKED", v16::AuthorizationStatus::kBlocked);
  Start("KNOWN");
  EXPECT_TRUE(decision_->accepted);
  Start("BLOCKED");
  EXPECT_FALSE(decision_->accepted) << "even with AllowOfflineTxForUnknownId";
  Set("LocalAuthorizeOffline", "false");
  Start("KNOWN");
  EXPECT_FALSE(decision_->accepted);
  EXPECT_TRUE(env_.calls().empty());
}

TEST_F(AuthorizationTest, OfflineUnknownTagsNeedAllowOfflineTxForUnknownId) {
  Start("UNKNOWN");
  EXPECT_TRUE(decision_->accepted);
  Set("AllowOfflineTxForUnknownId", "false");
  Start("UNKNOWN");
  EXPECT_FALSE(decision_->accepted);
  // Connected but not Accepted is offline too.
  env_.Connect();
  Start("UNKNOWN");
  EXPECT_FALSE(decision_->accepted);
  EXPECT_TRUE(env_.calls().empty());
}

TEST_F(AuthorizationTest, ADisabledCacheKnowsNothing) {
  Cache("KNOWN", v16::AuthorizationStatus::kAccepted);
  Set("AllowOfflineTxForUnknownId", "false");
  Set("AuthorizationCacheEnabled", "false");
  Start("KNOWN");
  EXPECT_FALSE(decision_->accepted);
  EXPECT_EQ(cache_.size(), 0u) << "disabling clears the cache";
}

// The defect: a CALLERROR or an invalid answer is an answer, not "offline";
// AllowOfflineTxForUnknownId (true here) must not let the tag in.
TEST_F(AuthorizationTest, CallErrorIsARefusalNotOffline) {
  ASSERT_TRUE(env_.config().Get(keys::kAllowOfflineTxForUnknownId));
  env_.GoOnline();
  Start("UNKNOWN");
  env_.ReplyError("GenericError", "no");
  ASSERT_TRUE(decision_);
  EXPECT_FALSE(decision_->accepted);
  Start("UNKNOWN");
  env_.ReplyError("InternalError");
  ASSERT_TRUE(decision_);
  EXPECT_FALSE(decision_->accepted);
}

TEST_F(AuthorizationTest, AnInvalidAnswerIsARefusalNotOffline) {
  env_.GoOnline();
  Cache("KNOWN", v16::AuthorizationStatus::kAccepted);
  Start("KNOWN");
  env_.Reply(R"({"idTagInfo":{"status":"Maybe"}})");
  ASSERT_TRUE(decision_);
  EXPECT_FALSE(decision_->accepted) << "not even a cached Accepted tag";
  Start("UNKNOWN");
  env_.Reply("{}");
  ASSERT_TRUE(decision_);
  EXPECT_FALSE(decision_->accepted);
}

TEST_F(AuthorizationTest, NoAnswerInTimeIsOffline) {
  env_.GoOnline();
  Start("UNKNOWN");
  env_.Run(Milliseconds(14999));
  EXPECT_FALSE(decision_);
  env_.Run(Milliseconds(1));
  ASSERT_TRUE(decision_);
  EXPECT_TRUE(decision_->accepted) << "AllowOfflineTxForUnknownId";
}

TEST_F(AuthorizationTest, ALostConnectionIsOffline) {
  env_.GoOnline();
  Cache("BLOCKED", v16::AuthorizationStatus::kBlocked);
  Start("UNKNOWN");
  env_.Disconnect();
  ASSERT_TRUE(decision_);
  EXPECT_TRUE(decision_->accepted);
  env_.Connect();
  Start("BLOCKED");
  env_.Disconnect();
  ASSERT_TRUE(decision_);
  EXPECT_FALSE(decision_->accepted) << "offline rules: a known Blocked tag";
}

// A local list-like source ahead of the cache.
class ListSource : public AuthorizationSource {
 public:
  std::optional<CachedAuthorization> Find(const std::string& id_tag,
                                          codec::DateTime) const override {
    auto it = entries.find(id_tag);
    if (it == entries.end()) return std::nullopt;
    CachedAuthorization entry;
    entry.status = it->second;
    entry.parent_id_tag = "LIST";
    return entry;
  }
  bool authoritative() const override { return true; }
  std::map<std::string, v16::AuthorizationStatus> entries;
};

TEST_F(AuthorizationTest, AnAuthoritativeSourceRefusesOnlineWithoutAuthorize) {
  ListSource list;
  list.entries["BLOCKED"] = v16::AuthorizationStatus::kBlocked;
  list.entries["LISTED"] = v16::AuthorizationStatus::kAccepted;
  authorization_.AddSourceFirst(list);
  Cache("BLOCKED", v16::AuthorizationStatus::kAccepted);  // the list comes first
  env_.GoOnline();
  Start("BLOCKED");
  ASSERT_TRUE(decision_);
  EXPECT_FALSE(decision_->accepted);
  EXPECT_EQ(decision_->parent_id_tag, "LIST");
  EXPECT_TRUE(env_.calls().empty());
  Set("LocalPreAuthorize", "true");
  Start("LISTED");
  EXPECT_TRUE(decision_->accepted);
  EXPECT_TRUE(env_.calls().empty());
}

}  // namespace
}  // namespace ocpp::station
