// OCTT charge-point cases of the Local Auth List Management profile
// (TC_042_1, TC_042_2, TC_043, TC_043_2, TC_043_3, TC_008), and the Core
// offline cases whose before-state includes IdTagLocalAuthList "(if
// implemented)" (TC_037_1, TC_037_3, TC_039) with that state. Behaviour:
// docs/local-auth-list.md.
#include <string>
#include <vector>

#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::AuthorizationStatus;
using v16::UpdateStatus;
using v16::UpdateType;

class LocalList : public Harness {
 protected:
  static v16::AuthorizationData Entry(const std::string& tag,
                                      AuthorizationStatus status = AuthorizationStatus::kAccepted) {
    v16::AuthorizationData entry;
    entry.id_tag = *codec::CiString<20>::From(tag);
    entry.id_tag_info.emplace();
    entry.id_tag_info->status = status;
    return entry;
  }
  UpdateStatus Send(UpdateType type, std::int64_t version,
                    std::optional<std::vector<v16::AuthorizationData>> entries) {
    v16::SendLocalListReq req;
    req.update_type = type;
    req.list_version = version;
    req.local_authorization_list = std::move(entries);
    return CsmsCall(req).status;
  }
  std::int64_t Version() { return CsmsCall(v16::GetLocalListVersionReq{}).list_version; }
  // Memory state IdTagLocalAuthList (T24 table 113): listVersion 1, the tag Accepted.
  void ListIdTag(const std::string& tag) {
    Set("LocalAuthListEnabled", "true");
    ASSERT_EQ(Send(UpdateType::kFull, 1, std::vector{Entry(tag)}), UpdateStatus::kAccepted);
  }
  // Before-state of TC_037_x and TC_039 with every "(if implemented)" item.
  void OfflineBefore(const std::string& tag) {
    Set("LocalAuthorizeOffline", "true");
    Set("AuthorizationCacheEnabled", "true");
    Set("AllowOfflineTxForUnknownId", "true");
    ListIdTag(tag);
    CacheIdTag(tag);  // a listed tag is not cached (section 3.5.3): the list decides
  }
  void AnswerStartWith(AuthorizationStatus status) {
    csms().Handle<v16::Action::kStartTransaction>(
        [this, status](
            const v16::StartTransactionReq&) -> runtime::HandlerResult<v16::StartTransactionConf> {
          v16::StartTransactionConf conf;
          conf.transaction_id = next_tx_++;
          conf.id_tag_info.status = status;
          return conf;
        });
  }
  int next_tx_ = 100;
};

// Prerequisite met: LocalAuthListEnabled may be false (it is RW).
TEST_F(LocalList, tc042_1_get_local_list_version_not_supported) {
  StartStation();
  ASSERT_EQ(Send(UpdateType::kFull, 3, std::vector{Entry("TAG-LIST-1")}), UpdateStatus::kAccepted);
  Set("LocalAuthListEnabled", "false");
  EXPECT_EQ(Version(), -1);
  // Disabled, the list authorizes nothing: the tag goes to the central system.
  Set("LocalPreAuthorize", "true");
  ClearFrames();
  Do("rfid TAG-LIST-1");
  ASSERT_TRUE(WaitForCall("Authorize"));
  // Cleanup: enabled again, the list is back as it was.
  Set("LocalAuthListEnabled", "true");
  EXPECT_EQ(Version(), 3);
}

TEST_F(LocalList, tc042_2_get_local_list_version_empty) {
  StartStation();
  Set("LocalAuthListEnabled", "true");
  ClearFrames();
  EXPECT_EQ(Send(UpdateType::kFull, 1, std::nullopt), UpdateStatus::kAccepted);
  EXPECT_EQ(Version(), 0);
  Settle();
  EXPECT_EQ(CallsExcept(), Strings{});
}

TEST_F(LocalList, tc043_send_local_list) {
  StartStation();
  Set("LocalAuthListEnabled", "true");
  EXPECT_EQ(Send(UpdateType::kFull, 1, std::vector{Entry("TAG-LIST-1")}), UpdateStatus::kAccepted);
  EXPECT_EQ(Send(UpdateType::kDifferential, 2, std::vector{Entry("TAG-LIST-2")}),
            UpdateStatus::kAccepted);
  EXPECT_EQ(Version(), 2);
  // Expected: EV drivers on the list are authorized by it (with
  // LocalPreAuthorize: no Authorize.req at all).
  Set("LocalPreAuthorize", "true");
  ClearFrames();
  Do("rfid TAG-LIST-2");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("cp C");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CountCalls("Authorize"), 0);
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-LIST-2");
  // Cleanup: the same tag stops it.
  Do("rfid TAG-LIST-2");
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(CountCalls("Authorize"), 0);
}

// The OCTT's list content is not specified: each update has one entry (an
// empty list would be version 0, section 5.10).
TEST_F(LocalList, tc043_2_send_local_list_version_mismatch) {
  StartStation();
  Set("LocalAuthListEnabled", "true");
  EXPECT_EQ(Send(UpdateType::kFull, 2, std::vector{Entry("TAG-LIST-1")}), UpdateStatus::kAccepted);
  EXPECT_EQ(Version(), 2);
  EXPECT_EQ(Send(UpdateType::kDifferential, 5, std::vector{Entry("TAG-LIST-2")}),
            UpdateStatus::kAccepted);
  EXPECT_EQ(Version(), 5);
  EXPECT_EQ(Send(UpdateType::kDifferential, 4, std::vector{Entry("TAG-LIST-3")}),
            UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Version(), 5);
  // The refused update changed nothing: TAG-LIST-3 is not on the list.
  Set("LocalPreAuthorize", "true");
  ClearFrames();
  Do("rfid TAG-LIST-3");
  ASSERT_TRUE(WaitForCall("Authorize"));
}

// "A state in which it will fail to set a Local List": a Full update with
// one entry more than SendLocalListMaxLength (1000). Every entry has every
// field at its longest, so the 1000 that fit are ~150 KB on the wire.
TEST_F(LocalList, tc043_3_send_local_list_failed) {
  StartStation();
  Set("LocalAuthListEnabled", "true");
  ASSERT_EQ(GetConfig("SendLocalListMaxLength"), "1000");
  std::vector<v16::AuthorizationData> entries;
  for (int i = 0; i <= 1000; ++i) {
    std::string digits = std::to_string(1000000 + i);
    auto entry = Entry("TAG-LIST-000" + digits, AuthorizationStatus::kConcurrentTx);
    entry.id_tag_info->parent_id_tag = *codec::CiString<20>::From("PARENT-GROUP-" + digits);
    entry.id_tag_info->expiry_date =
        codec::DateTime::FromUnixMillis((WallSeconds() + 86400) * 1000);
    entries.push_back(entry);
  }
  EXPECT_EQ(Send(UpdateType::kFull, 2, entries), UpdateStatus::kFailed);
  EXPECT_EQ(Version(), 0) << "nothing was stored";
  // One entry fewer fits (the largest update the station takes: 1000).
  entries.pop_back();
  EXPECT_EQ(Send(UpdateType::kFull, 2, entries), UpdateStatus::kAccepted);
  EXPECT_EQ(Version(), 2);
  EXPECT_TRUE(station_connected());
  std::size_t longest = 0;
  for (const auto& frame : csms().frames()) longest = std::max(longest, frame.text.size());
  EXPECT_GT(longest, 140u * 1000) << "the updates were as long as they get";
}

TEST_F(LocalList, tc008_start_with_local_list_id) {
  StartStation();
  Set("LocalPreAuthorize", "true");
  Set("AuthorizationCacheEnabled", "false");
  Set("LocalAuthListEnabled", "true");
  Set("AuthorizeRemoteTxRequests", "true");
  ClearFrames();
  EXPECT_EQ(Version(), 0);
  EXPECT_EQ(Send(UpdateType::kFull, 1, std::vector{Entry("TAG-0001")}), UpdateStatus::kAccepted);
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(RemoteStart("TAG-0001"), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  Settle();
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "StartTransaction", "StatusNotification"}))
      << "authorized by the list: no Authorize.req";
  EXPECT_EQ(Statuses(), (Strings{"1:Preparing", "1:Charging"}));
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-0001");
}

TEST_F(LocalList, tc037_1_offline_start_valid_idtag_local_list) {
  StartStation();
  OfflineBefore("TAG-0001");
  ClearFrames();
  GoOffline();
  Do("cp C");
  Do("rfid TAG-0001");
  ASSERT_TRUE(station().transaction_active()) << "authorized by the list";
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "StartTransaction"}));
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-0001");
}

TEST_F(LocalList, tc037_3_offline_start_invalid_stop_tx_local_list) {
  StartStation();
  OfflineBefore("TINV");
  Set("StopTransactionOnInvalidId", "true");
  AnswerStartWith(AuthorizationStatus::kInvalid);
  ClearFrames();
  GoOffline();
  Do("cp C");
  Do("rfid TINV");
  ASSERT_TRUE(station().transaction_active()) << "the list says Accepted";
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  EXPECT_EQ(Str(LastPayload("StopTransaction"), "reason"), "DeAuthorized");
  // The Invalid answer contradicts the list's Accepted: connector 0 tells it
  // (section 3.5.2, errorCode LocalListConflict; still Available).
  EXPECT_EQ(Statuses(), (Strings{"1:Charging", "0:Available", "1:Finishing"}));
  // The central system's answer does not change the list (section 3.5.2).
  EXPECT_EQ(Version(), 1);
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  GoOffline();
  Do("cp C");
  Do("rfid TINV");
  EXPECT_TRUE(station().transaction_active()) << "still Accepted on the list";
}

TEST_F(LocalList, tc039_offline_transaction_local_list) {
  StartStation();
  OfflineBefore("TAG-0001");
  Advance(Seconds(5));
  ClearFrames();
  GoOffline();
  Do("cp C");
  Do("rfid TAG-0001");
  ASSERT_TRUE(station().transaction_active());
  Advance(Seconds(30));
  Do("rfid TAG-0001");
  EXPECT_FALSE(station().transaction_active());
  Do("cp A");
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  Settle();
  EXPECT_EQ(CallsExcept(), (Strings{"StartTransaction", "StopTransaction"}));
  EXPECT_EQ(Str(LastPayload("StopTransaction"), "reason"), "Local");
}

// A listed Blocked tag is refused online without an Authorize.req, even when
// the cache (an earlier answer) says Accepted; the keys are as the product
// sheet says.
TEST_F(LocalList, blocked_on_the_list_wins_over_the_cache) {
  StartStation();
  std::map<std::string, bool> readonly;
  const auto all = CsmsCall(v16::GetConfigurationReq{});
  ASSERT_TRUE(all.configuration_key);
  for (const auto& key : *all.configuration_key) {
    readonly[key.key.ToString()] = key.readonly;
  }
  EXPECT_EQ(readonly.at("LocalAuthListEnabled"), false);
  EXPECT_EQ(readonly.at("LocalAuthListMaxLength"), true);
  EXPECT_EQ(readonly.at("SendLocalListMaxLength"), true);
  EXPECT_NE(GetConfig("SupportedFeatureProfiles").find("LocalAuthListManagement"),
            std::string::npos);
  CacheIdTag("TAG-0001");
  ASSERT_EQ(
      Send(UpdateType::kFull, 1, std::vector{Entry("TAG-0001", AuthorizationStatus::kBlocked)}),
      UpdateStatus::kAccepted);
  ClearFrames();
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("rfid TAG-0001");
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("Authorize"), 0);
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
  EXPECT_FALSE(station().transaction_active());
}

// Section 3.5.2: a StartTransaction.conf that contradicts the list is told
// on connector 0 (errorCode LocalListConflict) until a new list arrives.
TEST_F(LocalList, a_conflicting_answer_is_reported_as_local_list_conflict) {
  StartStation();
  ListIdTag("TAG-LISTED");
  Set("LocalPreAuthorize", "true");  // the list's Accepted starts at once
  AnswerStartWith(AuthorizationStatus::kBlocked);
  ClearFrames();
  Do("cp C");
  Do("rfid TAG-LISTED");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& p : Payloads("StatusNotification")) {
      if (p["connectorId"] == 0 && Str(p, "errorCode") == "LocalListConflict") return true;
    }
    return false;
  }));
  for (const auto& p : Payloads("StatusNotification")) {
    if (p["connectorId"] == 0) {
      EXPECT_EQ(Str(p, "status"), "Available") << "a warning: the station keeps working";
    }
  }
  ClearFrames();
  ASSERT_EQ(
      Send(UpdateType::kFull, 2, std::vector{Entry("TAG-LISTED", AuthorizationStatus::kBlocked)}),
      UpdateStatus::kAccepted);
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& p : Payloads("StatusNotification")) {
      if (p["connectorId"] == 0 && Str(p, "errorCode") == "NoError") return true;
    }
    return false;
  })) << "resolved by the new list";
}

}  // namespace
}  // namespace ocpp::conformance
