// The Local Authorization List (station/authorization/local_list_store.h):
// what a lookup costs when the list is read through the store (one Get per
// lookup, no in-memory copy), and what a 1000-entry update costs, against
// baselines measured in the same run on the same machine:
//   cache lookup                  AuthorizationCache::Lookup, 256 entries in memory
//   decode SendLocalList 1000     the generated decoder on a 1000-entry request
// The list has 10,000 entries (LocalAuthListMaxLength) in SQLite (the
// product's backend, hal/linux, in a temporary directory, synchronous=FULL)
// or in the bench's in-memory store.
//   list lookup sqlite hit/miss   LocalListStore::Find
//   list lookup memory hit        the same on an in-memory store: the store's share
//   full 1000 over 1000 / 10000   Apply of a Full update: List, Commit (fsync)
//   differential 1000 of 10000    Apply of a Differential changing 1000 entries
// Updates are timed in wall time (the fsync is part of the cost); lookups in
// CPU time. Heap: every operator new of the binary is counted, so each
// benchmark reports its C++ allocations per call and the peak C++ heap above
// the level before the call ("peak KiB"); SQLite's own page cache is malloc
// outside that count and bounded by SQLite's cache_size (2 MB by default).
//
//   bazel run -c opt //bench:local_list_bench [-- --benchmark_repetitions=5]
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "bench/memory_storage.h"
#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/send_local_list.h"
#include "hal/linux/sqlite_storage.h"
#include "station/authorization/authorization_cache.h"
#include "station/authorization/local_list_store.h"

// --- Heap accounting ---------------------------------------------------------

namespace {
std::atomic<std::size_t> g_heap{0}, g_peak{0}, g_allocs{0};
}  // namespace

void* operator new(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  const std::size_t now = g_heap += malloc_usable_size(p);
  std::size_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  ++g_allocs;
  return p;
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_heap -= malloc_usable_size(p);
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { operator delete(p); }

namespace ocpp::station {
namespace {

constexpr int kListSize = 10000;
constexpr int kUpdateSize = 1000;
constexpr codec::DateTime kNow = codec::DateTime::FromUnixMillis(1767268800000);

std::string Tag(const char* prefix, int i) {
  char tag[21];
  std::snprintf(tag, sizeof(tag), "%s%08d", prefix, i);
  return tag;
}

std::vector<v16::AuthorizationData> Entries(const char* prefix, int first, int count,
                                            v16::AuthorizationStatus status) {
  std::vector<v16::AuthorizationData> entries;
  for (int i = first; i < first + count; ++i) {
    v16::AuthorizationData entry;
    entry.id_tag = *codec::CiString<20>::From(Tag(prefix, i));
    auto& info = entry.id_tag_info.emplace();
    info.status = status;
    if (i % 3 == 0)
      info.expiry_date = codec::DateTime::FromUnixMillis(kNow.unix_millis() + 86400000);
    if (i % 4 == 0)
      info.parent_id_tag = *codec::CiString<20>::From("GROUP-" + std::to_string(i % 50));
    entries.push_back(std::move(entry));
  }
  return entries;
}

v16::SendLocalListReq Request(v16::UpdateType type, std::int64_t version,
                              std::vector<v16::AuthorizationData> entries) {
  v16::SendLocalListReq req;
  req.update_type = type;
  req.list_version = version;
  req.local_authorization_list = std::move(entries);
  return req;
}

// A fresh SQLite database in a temporary directory.
class TempSqlite {
 public:
  TempSqlite() {
    char dir[] = "/tmp/local_list_bench.XXXXXX";
    dir_ = mkdtemp(dir);
    storage_ = std::move(*hal::SqliteStorage::Open(dir_));
  }
  ~TempSqlite() {
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }
  hal::SqliteStorage& storage() { return *storage_; }

 private:
  std::string dir_;
  std::unique_ptr<hal::SqliteStorage> storage_;
};

// Fills `list` to 10,000 entries with ten 1000-entry Differentials.
void Fill(LocalListStore& list, std::int64_t* version) {
  for (int round = 0; round < kListSize / kUpdateSize; ++round) {
    list.Apply(Request(v16::UpdateType::kDifferential, ++*version,
                       Entries("L", round * kUpdateSize, kUpdateSize,
                               v16::AuthorizationStatus::kAccepted)),
               {});
  }
}

// Heap counters for the loop of `s`, measured from `heap_before`.
void ReportHeap(benchmark::State& s, std::size_t allocs_before, std::size_t heap_before) {
  s.counters["allocs"] = benchmark::Counter(static_cast<double>(g_allocs - allocs_before),
                                            benchmark::Counter::kAvgIterations);
  s.counters["peak KiB"] = static_cast<double>(g_peak - heap_before) / 1024.0;
}

void BM_CacheLookup(benchmark::State& s) {
  bench::MemoryStorage storage;
  AuthorizationCache cache(storage);
  v16::IdTagInfo info;
  info.status = v16::AuthorizationStatus::kAccepted;
  for (int i = 0; i < 256; ++i) cache.Update(Tag("C", i), info, kNow);
  int i = 0;
  const std::size_t allocs = g_allocs, heap = g_peak = g_heap.load();
  for (auto _ : s) {
    benchmark::DoNotOptimize(cache.Lookup(Tag("C", i), kNow));
    i = (i + 97) % 256;
  }
  ReportHeap(s, allocs, heap);
}
BENCHMARK(BM_CacheLookup)->Name("cache lookup");

void ListLookup(benchmark::State& s, bool sqlite, bool hit) {
  TempSqlite db;
  bench::MemoryStorage memory;
  hal::KeyValueStore& store = sqlite ? static_cast<hal::KeyValueStore&>(db.storage())
                                     : static_cast<hal::KeyValueStore&>(memory);
  LocalListStore list(store);
  std::int64_t version = 0;
  Fill(list, &version);
  int i = 0;
  const std::size_t allocs = g_allocs, heap = g_peak = g_heap.load();
  for (auto _ : s) {
    auto entry = list.Find(Tag(hit ? "L" : "X", i));
    if (entry.has_value() != hit) s.SkipWithError("wrong answer");
    benchmark::DoNotOptimize(entry);
    i = (i + 7919) % kListSize;
  }
  ReportHeap(s, allocs, heap);
}
BENCHMARK_CAPTURE(ListLookup, sqlite_hit, true, true)->Name("list lookup sqlite hit");
BENCHMARK_CAPTURE(ListLookup, sqlite_miss, true, false)->Name("list lookup sqlite miss");
BENCHMARK_CAPTURE(ListLookup, memory_hit, false, true)->Name("list lookup memory hit");

void BM_DecodeSendLocalList(benchmark::State& s) {
  const std::string json =
      codec::EncodeJson(Request(v16::UpdateType::kFull, 1,
                                Entries("F", 0, kUpdateSize, v16::AuthorizationStatus::kAccepted)));
  for (auto _ : s) {
    v16::SendLocalListReq out;
    if (codec::DecodeJson(json, out).has_value()) s.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out);
  }
  s.counters["bytes"] = static_cast<double>(json.size());
}
BENCHMARK(BM_DecodeSendLocalList)->Name("decode SendLocalList 1000")->UseRealTime();

// A Full update of 1000 entries over a list of `existing` entries.
void FullUpdate(benchmark::State& s, int existing) {
  TempSqlite db;
  LocalListStore list(db.storage());
  std::int64_t version = 0;
  const auto a = Entries("A", 0, kUpdateSize, v16::AuthorizationStatus::kAccepted);
  const auto b = Entries("B", 0, kUpdateSize, v16::AuthorizationStatus::kBlocked);
  std::size_t peak = 0;
  int n = 0;
  for (auto _ : s) {
    s.PauseTiming();
    if (existing == kListSize) {
      Fill(list, &version);
    } else {
      list.Apply(Request(v16::UpdateType::kFull, ++version, n % 2 ? a : b), {});
    }
    auto req = Request(v16::UpdateType::kFull, ++version, n++ % 2 ? b : a);
    const std::size_t heap = g_peak = g_heap.load();
    s.ResumeTiming();
    const auto outcome = list.Apply(req, {});
    s.PauseTiming();
    peak = std::max(peak, g_peak - heap);
    if (outcome.status != v16::UpdateStatus::kAccepted || list.size() != kUpdateSize) {
      s.SkipWithError(outcome.reason.c_str());
    }
    s.ResumeTiming();
  }
  s.counters["peak KiB"] = static_cast<double>(peak) / 1024.0;
}
BENCHMARK_CAPTURE(FullUpdate, over_1000, kUpdateSize)
    ->Name("full 1000 over 1000")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(FullUpdate, over_10000, kListSize)
    ->Name("full 1000 over 10000")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_Differential(benchmark::State& s) {
  TempSqlite db;
  LocalListStore list(db.storage());
  std::int64_t version = 0;
  Fill(list, &version);
  const auto blocked = Entries("L", 4000, kUpdateSize, v16::AuthorizationStatus::kBlocked);
  const auto accepted = Entries("L", 4000, kUpdateSize, v16::AuthorizationStatus::kAccepted);
  std::size_t peak = 0;
  int n = 0;
  for (auto _ : s) {
    s.PauseTiming();
    auto req = Request(v16::UpdateType::kDifferential, ++version, n++ % 2 ? accepted : blocked);
    const std::size_t heap = g_peak = g_heap.load();
    s.ResumeTiming();
    const auto outcome = list.Apply(req, {});
    s.PauseTiming();
    peak = std::max(peak, g_peak - heap);
    if (outcome.status != v16::UpdateStatus::kAccepted) s.SkipWithError(outcome.reason.c_str());
    s.ResumeTiming();
  }
  s.counters["peak KiB"] = static_cast<double>(peak) / 1024.0;
}
BENCHMARK(BM_Differential)
    ->Name("differential 1000 of 10000")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// What a 10,000-entry list holds in memory: LocalListStore keeps the
// version and the size (C++ heap held after every entry was looked up once),
// SQLite keeps its connection and page cache (all malloc in use, measured
// from before the database was opened), and, for comparison, what an
// in-memory copy of the same entries (std::map idTag -> Entry) would hold.
void PrintResidentCost() {
  const std::size_t malloc_before = mallinfo2().uordblks;
  TempSqlite db;
  {
    LocalListStore list(db.storage());
    std::int64_t version = 0;
    Fill(list, &version);
  }
  const std::size_t heap_before = g_heap;
  auto list = std::make_unique<LocalListStore>(db.storage());
  for (int i = 0; i < kListSize; ++i) benchmark::DoNotOptimize(list->Find(Tag("L", i)));
  const std::size_t held = g_heap - heap_before;
  const std::size_t sqlite = mallinfo2().uordblks - malloc_before;
  const std::size_t copy_before = g_heap;
  std::map<std::string, local_list::Entry> copy;
  for (int round = 0; round < kListSize / kUpdateSize; ++round) {
    for (const auto& item :
         Entries("L", round * kUpdateSize, kUpdateSize, v16::AuthorizationStatus::kAccepted)) {
      copy[local_list::NormalizeIdTag(item.id_tag.view())] =
          local_list::EntryFromIdTagInfo(*item.id_tag_info);
    }
  }
  std::printf(
      "\n10,000-entry list, every entry looked up once: LocalListStore holds %zu bytes "
      "(sizeof %zu); SQLite connection + page cache: %zu KiB of malloc; an in-memory copy "
      "(std::map) would hold %zu KiB\n",
      held, sizeof(LocalListStore), sqlite / 1024, (g_heap - copy_before) / 1024);
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      std::string name = run.run_name.str();
      if (const auto suffix = name.find("/real_time"); suffix != std::string::npos) {
        name.erase(suffix);
      }
      // Adjusted times are in the benchmark's unit (ns or ms here).
      const double to_ns = 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
      auto same =
          std::find_if(rows_.begin(), rows_.end(), [&](const auto& r) { return r.name == name; });
      if (same == rows_.end()) same = rows_.insert(rows_.end(), Row{name, 0, 0});
      same->cpu_ns = run.GetAdjustedCPUTime() * to_ns;
      same->wall_ns = run.GetAdjustedRealTime() * to_ns;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintRatios() const {
    double lookup_base = 0, update_base = 0;
    for (const Row& r : rows_) {
      if (r.name == "cache lookup") lookup_base = r.cpu_ns;
      if (r.name.rfind("decode", 0) == 0) update_base = r.wall_ns;
    }
    std::printf("\n%-30s %14s %14s %12s\n", "benchmark", "CPU ns/call", "wall ns/call", "x base");
    for (const Row& r : rows_) {
      const bool lookup = r.name.find("lookup") != std::string::npos;
      const double base = lookup ? lookup_base : update_base;
      const double mine = lookup ? r.cpu_ns : r.wall_ns;
      std::printf("%-30s %14.0f %14.0f %11.2fx\n", r.name.c_str(), r.cpu_ns, r.wall_ns,
                  base > 0 ? mine / base : 0.0);
    }
  }

 private:
  struct Row {
    std::string name;
    double cpu_ns, wall_ns;
  };
  std::vector<Row> rows_;
};

}  // namespace
}  // namespace ocpp::station

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ocpp::station::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  ocpp::station::PrintResidentCost();
  return 0;
}
