// The Local Authorization List across power cuts, with station_sim as a real
// child process against the project's central system on 127.0.0.1: a
// SIGKILL at several moments after a 1000-entry Full SendLocalList was sent
// (before it arrived, while it is decoded, stored, answered) leaves the old
// list or the new one, never a mix. After each cut the data directory is
// opened as the station would open it and every stored entry is compared
// with the list of that version; then the restarted station must answer
// GetLocalListVersion with that version. Every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "station/authorization/local_list_records.h"
#include "station/authorization/local_list_store.h"
#include "tests/integration/sim_process.h"

namespace ocpp {
namespace {

using integration::Process;
using integration::TempDir;
namespace list = station::local_list;

constexpr int kEntries = 1000;  // SendLocalListMaxLength

// The list of `version`: 1000 tags of its own, with varied statuses,
// expiry dates and parents, so that two versions share no stored byte.
std::vector<v16::AuthorizationData> ListOf(std::int64_t version) {
  std::vector<v16::AuthorizationData> entries;
  for (int i = 0; i < kEntries; ++i) {
    v16::AuthorizationData entry;
    char tag[21];
    std::snprintf(tag, sizeof(tag), "V%03lld-TAG-%04d", static_cast<long long>(version), i);
    entry.id_tag = *codec::CiString<20>::From(tag);
    auto& info = entry.id_tag_info.emplace();
    static const v16::AuthorizationStatus kStatuses[] = {
        v16::AuthorizationStatus::kAccepted, v16::AuthorizationStatus::kBlocked,
        v16::AuthorizationStatus::kExpired, v16::AuthorizationStatus::kInvalid,
        v16::AuthorizationStatus::kConcurrentTx};
    info.status = kStatuses[(i + version) % 5];
    if (i % 3 == 0) info.expiry_date = codec::DateTime::FromUnixMillis(1767268800000 + i * 1000);
    if (i % 4 == 0) info.parent_id_tag = *codec::CiString<20>::From("GROUP-" + std::to_string(i));
    entries.push_back(std::move(entry));
  }
  return entries;
}

class StationSimLocalList : public integration::StationSimTest {
 protected:
  // WaitUntil that keeps reading the station's stdout: it writes every
  // frame there (a 150 KB line for each SendLocalList), and a full pipe
  // would stop it.
  bool Wait(const std::function<bool()>& done, int seconds = 10) {
    return WaitUntil(
        [&] {
          if (sim_) sim_->Drain();
          return done();
        },
        seconds);
  }
  // Pumps the central system's loop in 1 ms turns for `ms` milliseconds
  // (0: not at all, so the request has not even left).
  void PumpFinely(int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < until) {
      loop_->RunOnce(std::chrono::milliseconds(1));
      sim_->Drain();
    }
  }

  // Opens the data directory of the killed station and checks that the
  // stored list is exactly ListOf(version) (nothing for version 0).
  // Returns the stored version, or -1 after a failure.
  std::int64_t CheckStoredList(const std::string& dir) {
    auto storage = hal::SqliteStorage::Open(dir);
    EXPECT_TRUE(storage.ok()) << storage.status().ToString();
    if (!storage.ok()) return -1;
    std::vector<std::string> problems;
    station::LocalListStore stored(**storage, &problems);
    EXPECT_TRUE(problems.empty()) << problems.front();
    const std::int64_t version = stored.version();
    std::map<std::string, list::Entry> expected;
    if (version != 0) {
      for (const auto& item : ListOf(version)) {
        expected[list::EntryKey(item.id_tag.view())] = list::EntryFromIdTagInfo(*item.id_tag_info);
      }
    }
    EXPECT_EQ(stored.size(), static_cast<std::int64_t>(expected.size()));
    auto entries = (*storage)->List(list::kEntryPrefix);
    EXPECT_TRUE(entries.ok());
    if (!entries.ok()) return -1;
    EXPECT_EQ(entries->size(), expected.size()) << "version " << version;
    int wrong = 0;
    for (const auto& [key, value] : *entries) {
      auto it = expected.find(key);
      auto entry = list::DecodeEntry(value);
      if (it == expected.end() || !entry || !(*entry == it->second)) ++wrong;
    }
    EXPECT_EQ(wrong, 0) << "entries that are not those of version " << version;
    return wrong == 0 ? version : -1;
  }

  std::int64_t AskVersion() {
    auto outcome =
        std::make_shared<std::optional<runtime::CallOutcome<v16::GetLocalListVersionConf>>>();
    if (!csms_->Call(v16::GetLocalListVersionReq{},
                     [outcome](auto result) { *outcome = std::move(result); }) ||
        !Wait([&] { return outcome->has_value(); })) {
      ADD_FAILURE() << "no GetLocalListVersion answer";
      return -2;
    }
    const auto* conf = std::get_if<v16::GetLocalListVersionConf>(&**outcome);
    return conf ? conf->list_version : -2;
  }

  // Sends SendLocalList Full `version`; the outcome arrives (or not) later.
  std::shared_ptr<std::optional<runtime::CallOutcome<v16::SendLocalListConf>>> SendFull(
      std::int64_t version) {
    v16::SendLocalListReq req;
    req.list_version = version;
    req.update_type = v16::UpdateType::kFull;
    req.local_authorization_list = ListOf(version);
    auto outcome = std::make_shared<std::optional<runtime::CallOutcome<v16::SendLocalListConf>>>();
    EXPECT_TRUE(csms_->Call(req, [outcome](auto result) { *outcome = std::move(result); }));
    return outcome;
  }

  std::unique_ptr<Process> sim_;
};

TEST_F(StationSimLocalList, APowerCutDuringSendLocalListLeavesTheOldOrTheNewList) {
  const std::string dir = TempDir("local-list");
  // When to kill, as a fraction of the last measured time from sending the
  // 150 KB request to its answer (the station decodes it, reads the old
  // list, commits the new one, answers); -1: wait for the answer, then kill
  // (and measure again). 0: the request has not left the central system.
  const std::vector<double> kill_at = {-1, 0,   0.3,  0.6,  0.8,  0.9,  1.0, 1.2,
                                       -1, 0.5, 0.75, 0.85, 0.95, 1.05, 0.7, -1};
  long long answer_ms = 50;    // until measured
  std::int64_t confirmed = 0;  // the last version the station answered Accepted
  std::int64_t stored = 0;
  int old_kept = 0, new_kept = 0;
  for (std::size_t round = 0; round < kill_at.size(); ++round) {
    sim_ = Start(dir);
    ASSERT_TRUE(Wait([&] { return Count("BootNotification") == int(round) + 1; }, 15))
        << round << sim_->err();
    EXPECT_EQ(AskVersion(), stored) << "the restarted station, round " << round;
    const std::int64_t next = stored + 1;
    const auto sent = Clock::now();
    auto outcome = SendFull(next);
    long long kill_ms = -1;
    if (kill_at[round] >= 0) {
      kill_ms = static_cast<long long>(kill_at[round] * static_cast<double>(answer_ms));
      PumpFinely(static_cast<int>(kill_ms));
    } else {
      ASSERT_TRUE(Wait([&] { return outcome->has_value(); }));
      answer_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count();
      ASSERT_TRUE(std::holds_alternative<v16::SendLocalListConf>(**outcome));
      EXPECT_EQ(std::get<v16::SendLocalListConf>(**outcome).status, v16::UpdateStatus::kAccepted);
    }
    if (outcome->has_value() && std::holds_alternative<v16::SendLocalListConf>(**outcome)) {
      confirmed = next;  // answered Accepted before the cut: it must be stored
    }
    sim_->Kill(SIGKILL);
    ASSERT_TRUE(Wait([&] { return sim_->Poll() >= 0; }));
    const std::int64_t after = CheckStoredList(dir);
    ASSERT_TRUE(after == stored || after == next)
        << "round " << round << ": version " << after << ", expected " << stored << " or " << next;
    EXPECT_GE(after, confirmed) << "an Accepted answer means stored";
    (after == next ? new_kept : old_kept)++;
    if (kill_ms < 0) {
      std::printf("round %zu: killed after the answer (%lld ms): new list (version %lld)\n", round,
                  answer_ms, static_cast<long long>(after));
    } else {
      std::printf("round %zu: killed %lld ms after sending: %s list (version %lld)\n", round,
                  kill_ms, after == next ? "new" : "old", static_cast<long long>(after));
    }
    stored = after;
  }
  std::printf("old list kept %d times, new list %d times\n", old_kept, new_kept);
  EXPECT_GE(new_kept, 3);
  EXPECT_GE(old_kept, 1);

  // The restarted station authorizes by the stored list: with
  // LocalPreAuthorize an Accepted tag of this version needs no Authorize.req,
  // a tag of an earlier version is not on the list any more.
  sim_ = Start(dir);
  ASSERT_TRUE(Wait([&] { return Count("BootNotification") == int(kill_at.size()) + 1; }, 15));
  EXPECT_EQ(AskVersion(), stored);
  ASSERT_EQ(GetConfiguration("LocalPreAuthorize"), "false");
  v16::ChangeConfigurationReq change{*codec::CiString<50>::From("LocalPreAuthorize"),
                                     *codec::CiString<500>::From("true")};
  auto changed = std::make_shared<bool>(false);
  ASSERT_TRUE(csms_->Call(change, [changed](auto) { *changed = true; }));
  ASSERT_TRUE(Wait([&] { return *changed; }));
  const auto current = ListOf(stored);
  std::string accepted_tag;
  for (const auto& item : current) {
    if (item.id_tag_info->status == v16::AuthorizationStatus::kAccepted &&
        !item.id_tag_info->expiry_date) {
      accepted_tag = item.id_tag.ToString();
      break;
    }
  }
  ASSERT_FALSE(accepted_tag.empty());
  const int authorizes = Count("Authorize");
  sim_->Send("rfid " + accepted_tag);
  sim_->Send("cp C");
  ASSERT_TRUE(Wait([&] { return Count("StartTransaction") == 1; })) << sim_->err();
  EXPECT_EQ(Count("Authorize"), authorizes) << "authorized by the list";
  sim_->Send("rfid " + accepted_tag);
  ASSERT_TRUE(Wait([&] { return Count("StopTransaction") == 1; })) << sim_->err();
  sim_->Send("cp A");
  sim_->Send("rfid " + ListOf(stored - 1)[0].id_tag.ToString());
  ASSERT_TRUE(Wait([&] { return Count("Authorize") == authorizes + 1; })) << sim_->err();
  sim_->Send("quit");
  ASSERT_TRUE(Wait([&] { return sim_->Poll() >= 0; }, 15));
}

}  // namespace
}  // namespace ocpp
