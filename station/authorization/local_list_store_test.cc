// The Local Authorization List's content rules on in-memory storage:
// versions, Full and Differential updates, removals, size limits,
// duplicates, refused updates (storage failures included) leaving every
// stored byte unchanged, one Commit per update, restarts, damaged records.
#include "station/authorization/local_list_store.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "hal/testing/in_memory_storage.h"

namespace ocpp::station {
namespace {

using v16::AuthorizationStatus;
using v16::UpdateStatus;
using v16::UpdateType;

v16::AuthorizationData Item(const std::string& tag,
                            AuthorizationStatus status = AuthorizationStatus::kAccepted) {
  v16::AuthorizationData item;
  item.id_tag = *codec::CiString<20>::From(tag);
  item.id_tag_info.emplace();
  item.id_tag_info->status = status;
  return item;
}

v16::AuthorizationData Removal(const std::string& tag) {
  v16::AuthorizationData item;
  item.id_tag = *codec::CiString<20>::From(tag);
  return item;
}

v16::SendLocalListReq Req(UpdateType type, std::int64_t version,
                          std::vector<v16::AuthorizationData> items) {
  v16::SendLocalListReq req;
  req.update_type = type;
  req.list_version = version;
  req.local_authorization_list = std::move(items);
  return req;
}

v16::SendLocalListReq Full(std::int64_t version, std::vector<v16::AuthorizationData> items) {
  return Req(UpdateType::kFull, version, std::move(items));
}

v16::SendLocalListReq Diff(std::int64_t version, std::vector<v16::AuthorizationData> items) {
  return Req(UpdateType::kDifferential, version, std::move(items));
}

class LocalListStoreTest : public ::testing::Test {
 protected:
  UpdateStatus Apply(const v16::SendLocalListReq& req) { return list_.Apply(req, limits_).status; }
  // The status of `tag` in the list, "-" when absent.
  std::string StatusOf(const std::string& tag) {
    auto entry = list_.Find(tag);
    return entry ? std::string(v16::ToString(entry->status)) : "-";
  }
  std::map<std::string, std::string> Stored() { return storage_.raw_kv(); }

  hal::testing::InMemoryStorage storage_;
  LocalListStore list_{storage_};
  LocalListStore::Limits limits_;
};

TEST_F(LocalListStoreTest, NoListIsVersionZeroAndKnowsNothing) {
  EXPECT_EQ(list_.version(), 0);
  EXPECT_EQ(list_.size(), 0);
  EXPECT_EQ(StatusOf("TAG"), "-");
  EXPECT_TRUE(Stored().empty()) << "opening writes nothing";
}

TEST_F(LocalListStoreTest, FullReplacesEverything) {
  ASSERT_EQ(Apply(Full(1, {Item("A"), Item("B", AuthorizationStatus::kBlocked)})),
            UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 1);
  EXPECT_EQ(list_.size(), 2);
  EXPECT_EQ(StatusOf("A"), "Accepted");
  EXPECT_EQ(StatusOf("B"), "Blocked");
  ASSERT_EQ(Apply(Full(2, {Item("C", AuthorizationStatus::kInvalid)})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 2);
  EXPECT_EQ(list_.size(), 1);
  EXPECT_EQ(StatusOf("A"), "-");
  EXPECT_EQ(StatusOf("B"), "-");
  EXPECT_EQ(StatusOf("C"), "Invalid");
  EXPECT_EQ(Stored(), (std::map<std::string, std::string>{{"authlist/meta", "2|1"},
                                                          {"authlist/tag/C", "Invalid|"}}));
}

TEST_F(LocalListStoreTest, AFullUpdateNeedNotRaiseTheVersion) {
  ASSERT_EQ(Apply(Full(5, {Item("A")})), UpdateStatus::kAccepted);
  ASSERT_EQ(Apply(Full(3, {Item("B")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 3);
}

TEST_F(LocalListStoreTest, AnEmptyFullUpdateClearsTheListToVersionZero) {
  ASSERT_EQ(Apply(Full(4, {Item("A"), Item("B")})), UpdateStatus::kAccepted);
  v16::SendLocalListReq omitted = Full(7, {});
  omitted.local_authorization_list.reset();  // OCTT TC_042_2 omits the list
  ASSERT_EQ(Apply(omitted), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 0) << "0 = empty (section 5.10)";
  EXPECT_EQ(list_.size(), 0);
  EXPECT_EQ(StatusOf("A"), "-");
  EXPECT_EQ(Stored(), (std::map<std::string, std::string>{{"authlist/meta", "0|0"}}));
  ASSERT_EQ(Apply(Full(3, {Item("A")})), UpdateStatus::kAccepted);
  ASSERT_EQ(Apply(Full(9, {})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 0);
}

TEST_F(LocalListStoreTest, DifferentialAddsUpdatesAndRemoves) {
  ASSERT_EQ(Apply(Full(1, {Item("A"), Item("B")})), UpdateStatus::kAccepted);
  ASSERT_EQ(Apply(Diff(2, {Item("A", AuthorizationStatus::kBlocked), Removal("B"), Item("C"),
                           Removal("NEVER-LISTED")})),
            UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 2);
  EXPECT_EQ(list_.size(), 2);
  EXPECT_EQ(StatusOf("A"), "Blocked");
  EXPECT_EQ(StatusOf("B"), "-");
  EXPECT_EQ(StatusOf("C"), "Accepted");
  EXPECT_EQ(StatusOf("NEVER-LISTED"), "-");
}

TEST_F(LocalListStoreTest, ADifferentialThatRemovesEverythingGivesVersionZero) {
  ASSERT_EQ(Apply(Full(1, {Item("A")})), UpdateStatus::kAccepted);
  ASSERT_EQ(Apply(Diff(2, {Removal("A")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 0);
  EXPECT_EQ(list_.size(), 0);
  // From empty, any Differential from version 1 on builds a list again.
  ASSERT_EQ(Apply(Diff(1, {Item("B")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 1);
}

TEST_F(LocalListStoreTest, ADifferentialNeedsAHigherVersion) {
  ASSERT_EQ(Apply(Full(5, {Item("A")})), UpdateStatus::kAccepted);
  const auto before = Stored();
  const int writes = storage_.successful_writes();
  EXPECT_EQ(Apply(Diff(5, {Item("B")})), UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Apply(Diff(4, {Item("B")})), UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Apply(Diff(-1, {Item("B")})), UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(storage_.successful_writes(), writes) << "a refused update writes nothing";
  EXPECT_EQ(list_.version(), 5);
  EXPECT_EQ(StatusOf("B"), "-");
  EXPECT_EQ(Apply(Diff(6, {Item("B")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 6);
}

TEST_F(LocalListStoreTest, OnAnEmptyListADifferentialNeedsVersionOneOrMore) {
  EXPECT_EQ(Apply(Diff(0, {Item("A")})), UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Apply(Diff(1, {Item("A")})), UpdateStatus::kAccepted);
}

// Errata 3.52: listVersion is never 0 or -1. A list with entries under such
// a version would read as "empty" or "not supported".
TEST_F(LocalListStoreTest, AListWithEntriesNeedsVersionOneOrMore) {
  ASSERT_EQ(Apply(Full(2, {Item("A")})), UpdateStatus::kAccepted);
  const auto before = Stored();
  EXPECT_EQ(Apply(Full(0, {Item("B")})), UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Apply(Full(-1, {Item("B")})), UpdateStatus::kVersionMismatch);
  EXPECT_EQ(Stored(), before);
  // Emptying it is unambiguous whatever the version says.
  EXPECT_EQ(Apply(Full(0, {})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 0);
}

TEST_F(LocalListStoreTest, MoreEntriesThanSendLocalListMaxLengthFail) {
  limits_.max_request_entries = 3;
  ASSERT_EQ(Apply(Full(1, {Item("A")})), UpdateStatus::kAccepted);
  const auto before = Stored();
  EXPECT_EQ(Apply(Full(2, {Item("B"), Item("C"), Item("D"), Item("E")})), UpdateStatus::kFailed);
  // Duplicates count: the request has 4 entries.
  EXPECT_EQ(Apply(Diff(2, {Item("B"), Item("B"), Item("B"), Item("B")})), UpdateStatus::kFailed);
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(list_.version(), 1);
  EXPECT_EQ(Apply(Full(2, {Item("B"), Item("C"), Item("D")})), UpdateStatus::kAccepted);
}

TEST_F(LocalListStoreTest, ALongerListThanLocalAuthListMaxLengthFails) {
  limits_.max_entries = 3;
  ASSERT_EQ(Apply(Full(1, {Item("A"), Item("B"), Item("C")})), UpdateStatus::kAccepted);
  const auto before = Stored();
  EXPECT_EQ(Apply(Diff(2, {Item("D")})), UpdateStatus::kFailed);
  EXPECT_EQ(Apply(Full(2, {Item("A"), Item("B"), Item("C"), Item("D")})), UpdateStatus::kFailed);
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(list_.size(), 3);
  // Updating listed tags and removing before adding keep it within bounds.
  EXPECT_EQ(Apply(Diff(2, {Item("C", AuthorizationStatus::kBlocked)})), UpdateStatus::kAccepted);
  EXPECT_EQ(Apply(Diff(3, {Removal("A"), Item("D")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.size(), 3);
  EXPECT_EQ(StatusOf("D"), "Accepted");
}

// Lenient and deterministic: the entries of one request apply in order.
TEST_F(LocalListStoreTest, DuplicateIdTagsInOneUpdateTheLastOneWins) {
  ASSERT_EQ(Apply(Full(
                1, {Item("A"), Item("a", AuthorizationStatus::kBlocked), Item("B"), Removal("B")})),
            UpdateStatus::kAccepted);
  EXPECT_EQ(list_.size(), 1);
  EXPECT_EQ(StatusOf("A"), "Blocked");
  EXPECT_EQ(StatusOf("B"), "-");
  ASSERT_EQ(Apply(Diff(2, {Item("C"), Removal("C"), Removal("A"), Item("A")})),
            UpdateStatus::kAccepted);
  EXPECT_EQ(StatusOf("C"), "-");
  EXPECT_EQ(StatusOf("A"), "Accepted");
  EXPECT_EQ(list_.size(), 1);
}

TEST_F(LocalListStoreTest, IdTagsCompareCaseInsensitively) {
  ASSERT_EQ(Apply(Full(1, {Item("Tag-Mixed")})), UpdateStatus::kAccepted);
  EXPECT_EQ(StatusOf("TAG-MIXED"), "Accepted");
  EXPECT_EQ(StatusOf("tag-mixed"), "Accepted");
  ASSERT_EQ(Apply(Diff(2, {Removal("TAG-mixed")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.size(), 0);
}

TEST_F(LocalListStoreTest, ExpiryAndParentAreKept) {
  v16::AuthorizationData item = Item("A");
  item.id_tag_info->expiry_date = codec::DateTime::FromUnixMillis(1767268800000);
  item.id_tag_info->parent_id_tag = *codec::CiString<20>::From("GROUP-1");
  ASSERT_EQ(Apply(Full(1, {item})), UpdateStatus::kAccepted);
  auto entry = list_.Find("A");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->expiry, codec::DateTime::FromUnixMillis(1767268800000));
  EXPECT_EQ(entry->parent_id_tag, "GROUP-1");
}

TEST_F(LocalListStoreTest, AStorageFailureLeavesEverythingUnchanged) {
  ASSERT_EQ(Apply(Full(1, {Item("A"), Item("B")})), UpdateStatus::kAccepted);
  const auto before = Stored();
  storage_.FailNextWrites(1);
  EXPECT_EQ(Apply(Full(2, {Item("C")})), UpdateStatus::kFailed);
  storage_.FailNextWrites(1);
  EXPECT_EQ(Apply(Diff(2, {Removal("A"), Item("C")})), UpdateStatus::kFailed);
  EXPECT_EQ(Stored(), before);
  EXPECT_EQ(list_.version(), 1);
  EXPECT_EQ(list_.size(), 2);
  EXPECT_EQ(StatusOf("A"), "Accepted");
  EXPECT_EQ(StatusOf("C"), "-");
  // And after a restart.
  LocalListStore reopened(storage_);
  EXPECT_EQ(reopened.version(), 1);
  EXPECT_EQ(reopened.size(), 2);
  // The same update goes through once the storage works.
  EXPECT_EQ(Apply(Diff(2, {Removal("A"), Item("C")})), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.version(), 2);
}

TEST_F(LocalListStoreTest, EachUpdateIsOneCommit) {
  int writes = storage_.successful_writes();
  ASSERT_EQ(Apply(Full(1, {Item("A"), Item("B"), Item("C")})), UpdateStatus::kAccepted);
  EXPECT_EQ(storage_.successful_writes(), writes + 1);
  writes = storage_.successful_writes();
  ASSERT_EQ(Apply(Diff(2, {Removal("A"), Item("D")})), UpdateStatus::kAccepted);
  EXPECT_EQ(storage_.successful_writes(), writes + 1);
  writes = storage_.successful_writes();
  ASSERT_EQ(Apply(Full(3, {})), UpdateStatus::kAccepted);
  EXPECT_EQ(storage_.successful_writes(), writes + 1);
}

TEST_F(LocalListStoreTest, TheListSurvivesARestart) {
  ASSERT_EQ(Apply(Full(8, {Item("A"), Item("B", AuthorizationStatus::kExpired)})),
            UpdateStatus::kAccepted);
  LocalListStore reopened(storage_);
  EXPECT_EQ(reopened.version(), 8);
  EXPECT_EQ(reopened.size(), 2);
  ASSERT_TRUE(reopened.Find("b"));
  EXPECT_EQ(reopened.Find("b")->status, AuthorizationStatus::kExpired);
  EXPECT_EQ(reopened.Apply(Diff(8, {Item("C")}), limits_).status, UpdateStatus::kVersionMismatch);
}

TEST_F(LocalListStoreTest, ADamagedVersionRecordClearsTheList) {
  ASSERT_EQ(Apply(Full(3, {Item("A"), Item("B")})), UpdateStatus::kAccepted);
  storage_.raw_kv()["authlist/meta"] = "3|x";
  std::vector<std::string> problems;
  LocalListStore reopened(storage_, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("unreadable"), std::string::npos) << problems[0];
  EXPECT_EQ(reopened.version(), 0);
  EXPECT_FALSE(reopened.Find("A"));
  EXPECT_EQ(Stored(), (std::map<std::string, std::string>{{"authlist/meta", "0|0"}}));
}

TEST_F(LocalListStoreTest, ADamagedEntryReadsAsInvalid) {
  ASSERT_EQ(Apply(Full(3, {Item("A")})), UpdateStatus::kAccepted);
  storage_.raw_kv()["authlist/tag/A"] = "Maybe|";
  bool damaged = false;
  auto entry = list_.Find("A", &damaged);
  ASSERT_TRUE(entry);
  EXPECT_TRUE(damaged);
  EXPECT_EQ(entry->status, AuthorizationStatus::kInvalid);
}

// Sized for the product: 10 Differentials of 1000 fill LocalAuthListMaxLength,
// then a Full of 1000 replaces all 10000.
TEST_F(LocalListStoreTest, TenThousandEntries) {
  for (int round = 0; round < 10; ++round) {
    std::vector<v16::AuthorizationData> items;
    for (int i = 0; i < 1000; ++i) items.push_back(Item("T" + std::to_string(round * 1000 + i)));
    ASSERT_EQ(Apply(Diff(round + 1, std::move(items))), UpdateStatus::kAccepted) << round;
  }
  EXPECT_EQ(list_.size(), 10000);
  EXPECT_EQ(Apply(Diff(11, {Item("ONE-TOO-MANY")})), UpdateStatus::kFailed);
  EXPECT_EQ(StatusOf("T9999"), "Accepted");
  std::vector<v16::AuthorizationData> items;
  for (int i = 0; i < 1000; ++i) items.push_back(Item("N" + std::to_string(i)));
  ASSERT_EQ(Apply(Full(12, std::move(items))), UpdateStatus::kAccepted);
  EXPECT_EQ(list_.size(), 1000);
  EXPECT_EQ(Stored().size(), 1001u);
  EXPECT_EQ(StatusOf("T0"), "-");
  EXPECT_EQ(StatusOf("N999"), "Accepted");
}

}  // namespace
}  // namespace ocpp::station
