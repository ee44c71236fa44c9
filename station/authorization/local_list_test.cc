// The Local Auth List Management module on a fake central system: the two
// handlers over the wire, LocalAuthListEnabled, the keys, and the list as the
// authoritative first source of the authorization chain (precedence over the
// cache, online with LocalPreAuthorize, offline with LocalAuthorizeOffline,
// expiry, never changed by Authorize answers, never copied into the cache).
#include "station/authorization/local_list.h"

#include <gtest/gtest.h>

#include "station/authorization/authorization.h"
#include "station/testing/module_test_support.h"

namespace ocpp::station {
namespace {

using base::Milliseconds;
using testing::Field;
using testing::ModuleEnv;

constexpr Milliseconds kHour(3600 * 1000);

class LocalListTest : public ::testing::Test {
 protected:
  explicit LocalListTest(std::map<std::string, std::string> factory = {})
      : env_(std::move(factory)),
        cache_(env_.storage()),
        authorization_(env_.context(), cache_),
        list_(env_.context()) {
    authorization_.AddSourceFirst(list_);
    env_.Connect();  // the central system's calls reach the station
  }

  std::string Send(const std::string& payload) {
    return Field(env_.CsmsCallPayload("SendLocalList", payload), "status");
  }
  std::string Version() {
    return Field(env_.CsmsCallPayload("GetLocalListVersion", "{}"), "listVersion");
  }
  // A Full update of `entries` (JSON AuthorizationData objects, comma-separated).
  std::string SendFull(int version, const std::string& entries) {
    return Send(R"({"listVersion":)" + std::to_string(version) +
                R"(,"updateType":"Full","localAuthorizationList":[)" + entries + "]}");
  }
  std::string SendDiff(int version, const std::string& entries) {
    return Send(R"({"listVersion":)" + std::to_string(version) +
                R"(,"updateType":"Differential","localAuthorizationList":[)" + entries + "]}");
  }
  static std::string Entry(const std::string& tag, const std::string& status,
                           const std::string& more = "") {
    return R"({"idTag":")" + tag + R"(","idTagInfo":{"status":")" + status + "\"" + more + "}}";
  }
  void Set(const std::string& key, const std::string& value) {
    ASSERT_EQ(env_.config().Change(key, value), v16::ConfigurationStatus::kAccepted) << key;
  }
  void Cache(const std::string& tag, v16::AuthorizationStatus status) {
    v16::IdTagInfo info;
    info.status = status;
    cache_.Update(tag, info, env_.context().Now());
  }
  // Authorizes `tag`; the decision (nullopt while the station waits).
  std::optional<AuthorizationDecision> Authorize(const std::string& tag) {
    decision_.reset();
    authorization_.Authorize(tag, [this](AuthorizationDecision d) { decision_ = d; });
    env_.Run();
    return decision_;
  }
  bool Accepted(const std::string& tag) {
    auto decision = Authorize(tag);
    EXPECT_TRUE(decision) << tag << ": no decision";
    return decision && decision->accepted;
  }
  void GoOffline() {
    env_.Disconnect();
    env_.context().set_registration(RegistrationState::kAccepted);
  }

  ModuleEnv env_;
  AuthorizationCache cache_;
  Authorization authorization_;
  LocalAuthList list_;
  std::optional<AuthorizationDecision> decision_;  // of the last Authorize
};

TEST_F(LocalListTest, VersionZeroUntilAListIsSent) {
  EXPECT_EQ(Version(), "0");
  EXPECT_EQ(SendFull(3, Entry("A", "Accepted") + "," + Entry("B", "Blocked")), "Accepted");
  EXPECT_EQ(Version(), "3");
  EXPECT_EQ(list_.list().size(), 2);
  // TC_042_2: a Full update without a list empties it: version 0.
  EXPECT_EQ(Send(R"({"listVersion":1,"updateType":"Full"})"), "Accepted");
  EXPECT_EQ(Version(), "0");
}

TEST_F(LocalListTest, DifferentialVersionMismatchOverTheWire) {
  ASSERT_EQ(SendFull(2, Entry("A", "Accepted")), "Accepted");
  EXPECT_EQ(SendDiff(5, Entry("B", "Accepted")), "Accepted");
  EXPECT_EQ(Version(), "5");
  EXPECT_EQ(SendDiff(4, Entry("C", "Accepted")), "VersionMismatch");
  EXPECT_EQ(SendDiff(5, R"({"idTag":"A"})"), "VersionMismatch");
  EXPECT_EQ(Version(), "5");
  EXPECT_EQ(list_.list().size(), 2);
  EXPECT_EQ(SendDiff(6, R"({"idTag":"A"})"), "Accepted") << "an entry without idTagInfo removes";
  EXPECT_EQ(list_.list().size(), 1);
}

TEST_F(LocalListTest, TheKeysAndTheProfile) {
  EXPECT_TRUE(env_.config().Get(keys::kLocalAuthListEnabled));
  EXPECT_EQ(env_.config().Get(keys::kLocalAuthListMaxLength), 10000);
  EXPECT_EQ(env_.config().Get(keys::kSendLocalListMaxLength), 1000);
  const auto profiles = env_.config().Get(keys::kSupportedFeatureProfiles);
  EXPECT_NE(std::find(profiles.begin(), profiles.end(), "LocalAuthListManagement"), profiles.end());
  EXPECT_EQ(env_.config().Change("LocalAuthListMaxLength", "5"),
            v16::ConfigurationStatus::kRejected);
  EXPECT_EQ(env_.config().Change("SendLocalListMaxLength", "5"),
            v16::ConfigurationStatus::kRejected);
  EXPECT_EQ(env_.config().Change("LocalAuthListEnabled", "maybe"),
            v16::ConfigurationStatus::kRejected);
}

class SmallLocalListTest : public LocalListTest {
 protected:
  SmallLocalListTest()
      : LocalListTest({{"LocalAuthListMaxLength", "3"}, {"SendLocalListMaxLength", "2"}}) {}
};

TEST_F(SmallLocalListTest, UpdatesThatDoNotFitFailAndChangeNothing) {
  ASSERT_EQ(SendFull(1, Entry("A", "Accepted") + "," + Entry("B", "Accepted")), "Accepted");
  EXPECT_EQ(SendFull(2, Entry("C", "Accepted") + "," + Entry("D", "Accepted") + "," +
                            Entry("E", "Accepted")),
            "Failed")
      << "3 entries, SendLocalListMaxLength 2";
  ASSERT_EQ(SendDiff(2, Entry("C", "Accepted")), "Accepted");
  EXPECT_EQ(SendDiff(3, Entry("D", "Accepted")), "Failed") << "4 entries, LocalAuthListMaxLength 3";
  EXPECT_EQ(Version(), "2");
  EXPECT_EQ(list_.list().size(), 3);
  EXPECT_NE(env_.log().back().find("LocalAuthListMaxLength"), std::string::npos)
      << env_.log().back();
}

TEST_F(LocalListTest, AStorageFailureAnswersFailedAndChangesNothing) {
  ASSERT_EQ(SendFull(1, Entry("A", "Blocked")), "Accepted");
  env_.storage().FailNextWrites(1);
  EXPECT_EQ(SendFull(2, Entry("A", "Accepted")), "Failed");
  EXPECT_EQ(Version(), "1");
  GoOffline();
  EXPECT_FALSE(Accepted("A")) << "still Blocked";
}

TEST_F(LocalListTest, DisabledItKnowsNothingAndAnswersMinusOne) {
  ASSERT_EQ(SendFull(4, Entry("LISTED", "Accepted") + "," + Entry("BLOCKED", "Blocked")),
            "Accepted");
  Set("LocalAuthListEnabled", "false");
  EXPECT_EQ(Version(), "-1") << "OCTT TC_042_1";
  GoOffline();
  Set("AllowOfflineTxForUnknownId", "false");
  EXPECT_FALSE(Accepted("LISTED")) << "unknown while disabled";
  Set("AllowOfflineTxForUnknownId", "true");
  EXPECT_TRUE(Accepted("BLOCKED")) << "unknown while disabled";
  // Updates still apply while disabled; the list is back once enabled.
  env_.Connect();
  EXPECT_EQ(SendDiff(5, Entry("NEW", "Invalid")), "Accepted");
  Set("LocalAuthListEnabled", "true");
  EXPECT_EQ(Version(), "5");
  GoOffline();
  EXPECT_FALSE(Accepted("BLOCKED"));
  EXPECT_FALSE(Accepted("NEW"));
  Set("AllowOfflineTxForUnknownId", "false");
  EXPECT_TRUE(Accepted("LISTED"));
}

TEST_F(LocalListTest, OfflineTheListDecidesWithLocalAuthorizeOffline) {
  ASSERT_EQ(SendFull(1, Entry("OK", "Accepted", R"(,"parentIdTag":"GROUP")") + "," +
                            Entry("BLOCKED", "Blocked") + "," + Entry("EXPIRED", "Expired") + "," +
                            Entry("INVALID", "Invalid")),
            "Accepted");
  GoOffline();
  Set("AllowOfflineTxForUnknownId", "false");
  auto ok = Authorize("OK");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->accepted);
  EXPECT_EQ(ok->parent_id_tag, "GROUP");
  Set("AllowOfflineTxForUnknownId", "true");
  EXPECT_FALSE(Accepted("BLOCKED"));
  EXPECT_FALSE(Accepted("EXPIRED"));
  EXPECT_FALSE(Accepted("INVALID"));
  EXPECT_TRUE(Accepted("UNKNOWN"));
  Set("LocalAuthorizeOffline", "false");
  EXPECT_FALSE(Accepted("OK"));
  EXPECT_TRUE(env_.calls().empty());
}

TEST_F(LocalListTest, TheListTakesPrecedenceOverTheCache) {
  ASSERT_EQ(SendFull(1, Entry("TAG", "Blocked") + "," + Entry("TAG2", "Accepted")), "Accepted");
  Cache("TAG", v16::AuthorizationStatus::kAccepted);
  Cache("TAG2", v16::AuthorizationStatus::kBlocked);
  GoOffline();
  EXPECT_FALSE(Accepted("TAG"));
  EXPECT_TRUE(Accepted("TAG2"));
  // Online: a listed Blocked tag is refused without asking (authoritative),
  // whatever LocalPreAuthorize says.
  env_.GoOnline();
  EXPECT_FALSE(Accepted("TAG"));
  Set("LocalPreAuthorize", "true");
  EXPECT_FALSE(Accepted("TAG"));
  EXPECT_TRUE(Accepted("TAG2")) << "the list's Accepted wins over the cached Blocked";
  EXPECT_TRUE(env_.calls().empty());
}

TEST_F(LocalListTest, OnlineAListedTagStartsAtOnceOnlyWithLocalPreAuthorize) {
  ASSERT_EQ(SendFull(1, Entry("TAG", "Accepted")), "Accepted");
  env_.GoOnline();
  EXPECT_FALSE(Authorize("TAG")) << "LocalPreAuthorize false: waits for Authorize.conf";
  ASSERT_EQ(env_.Actions(), std::vector<std::string>{"Authorize"});
  // The central system's answer decides, but never changes the list, and a
  // tag of the list never goes into the cache (section 3.5.3).
  env_.Reply(R"({"idTagInfo":{"status":"Blocked"}})");
  EXPECT_FALSE(cache_.Lookup("TAG", env_.context().Now()));
  ASSERT_TRUE(list_.list().Find("TAG"));
  EXPECT_EQ(list_.list().Find("TAG")->status, v16::AuthorizationStatus::kAccepted);
  env_.ClearCalls();
  Set("LocalPreAuthorize", "true");
  EXPECT_TRUE(Accepted("TAG"));
  EXPECT_TRUE(env_.calls().empty());
  // An unlisted tag still goes to the central system and into the cache.
  EXPECT_FALSE(Authorize("OTHER"));
  env_.Reply(R"({"idTagInfo":{"status":"Accepted"}})");
  EXPECT_TRUE(cache_.Lookup("OTHER", env_.context().Now()));
}

TEST_F(LocalListTest, TransactionAnswersNeverEnterTheCacheForListedTags) {
  ASSERT_EQ(SendFull(1, Entry("TAG", "Accepted")), "Accepted");
  v16::IdTagInfo info;
  info.status = v16::AuthorizationStatus::kInvalid;
  authorization_.Learn("TAG", info);  // StartTransaction.conf
  EXPECT_FALSE(cache_.Lookup("TAG", env_.context().Now()));
  EXPECT_EQ(list_.list().Find("TAG")->status, v16::AuthorizationStatus::kAccepted);
  // Disabled, the list knows nothing: the cache learns as usual.
  Set("LocalAuthListEnabled", "false");
  authorization_.Learn("TAG", info);
  EXPECT_TRUE(cache_.Lookup("TAG", env_.context().Now()));
}

TEST_F(LocalListTest, ExpiryDateIsHonoured) {
  const std::string in_an_hour =
      codec::DateTime::FromUnixMillis(env_.context().Now().unix_millis() + kHour.count())
          .ToString();
  ASSERT_EQ(SendFull(1, Entry("TAG", "Accepted", R"(,"expiryDate":")" + in_an_hour + "\"")),
            "Accepted");
  GoOffline();
  EXPECT_TRUE(Accepted("TAG"));
  env_.Run(2 * kHour);
  auto known = list_.Find("TAG", env_.context().Now());
  ASSERT_TRUE(known);
  EXPECT_EQ(known->status, v16::AuthorizationStatus::kExpired);
  EXPECT_FALSE(Accepted("TAG")) << "offline, even with AllowOfflineTxForUnknownId";
  env_.GoOnline();
  Set("LocalPreAuthorize", "true");
  EXPECT_FALSE(Accepted("TAG")) << "online: refused without Authorize";
  EXPECT_TRUE(env_.calls().empty());
}

TEST_F(LocalListTest, ADamagedEntryIsRefusedAndLogged) {
  ASSERT_EQ(SendFull(1, Entry("TAG", "Accepted")), "Accepted");
  env_.storage().raw_kv()["authlist/tag/TAG"] = "garbage";
  GoOffline();
  EXPECT_FALSE(Accepted("TAG"));
  bool logged = false;
  for (const auto& line : env_.log()) logged |= line.find("unreadable") != std::string::npos;
  EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace ocpp::station
