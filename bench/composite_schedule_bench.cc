// GetCompositeSchedule cost: a connector with 10 installed profiles of 48
// periods each, over a 24 h window, against a baseline measured in the same
// run on the same machine:
//   decode SetChargingProfile48   the generated decoder on one SetChargingProfile.req
//                                 with 48 periods (as codec_bench's SetChargingProfile48)
//   composite 24h                 ComputeCompositeSchedule, connector 1, unit A
//   composite 24h W               the same in W
//   composite connector 0         the station total
//   limit now                     LimitAmpsAt (what drives the J1772 PWM)
//   next change                   NextChangeAfter (the timer to the next boundary)
//   conf                          composite + ToGetCompositeScheduleConf + encode
// At the end it prints each CPU time as a ratio to the decode baseline (CPU
// time: the machine is shared, wall time moves with the load).
//
//   bazel run -c opt //bench:composite_schedule_bench [-- --benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/set_charging_profile.h"
#include "station/smart_charging/composite.h"

namespace ocpp::station::smart_charging {
namespace {

constexpr UnixSeconds kNow = 1767268800;  // 2026-01-01T12:00:00Z

// 48 half-hour periods, limits spread over 6..32 A (or the same in W).
v16::ChargingProfile MakeProfile(std::int32_t id, v16::ChargingProfilePurposeType purpose,
                                 std::int32_t stack, bool watts, UnixSeconds offset) {
  v16::ChargingProfile p;
  p.charging_profile_id = id;
  p.stack_level = stack;
  p.charging_profile_purpose = purpose;
  p.charging_profile_kind = v16::ChargingProfileKindType::kRecurring;
  p.recurrency_kind = v16::RecurrencyKindType::kDaily;
  p.valid_from = ToDateTime(kNow - 86400);
  p.charging_schedule.duration = 86400 - 3600 * (id % 3);  // gaps: lower levels show through
  p.charging_schedule.start_schedule = ToDateTime(kNow - 86400 + offset);
  p.charging_schedule.charging_rate_unit =
      watts ? v16::ChargingRateUnitType::kW : v16::ChargingRateUnitType::kA;
  p.charging_schedule.min_charging_rate = codec::Decimal::FromTenths(watts ? 41400 : 60);
  for (int i = 0; i < 48; ++i) {
    v16::ChargingSchedulePeriod period;
    period.start_period = i * 1800;
    const std::int64_t amps_tenths = 60 + (i * 7 + id * 13) % 260;
    period.limit = codec::Decimal::FromTenths(watts ? amps_tenths * 690 : amps_tenths);
    period.number_phases = 3;
    p.charging_schedule.charging_schedule_period.push_back(period);
  }
  return p;
}

// 2 ChargePointMaxProfiles, 4 TxDefaultProfiles on connector 0 and 4 on
// connector 1 (every one of them takes part: no TxProfile hides them), with
// boundaries that do not coincide.
std::vector<InstalledProfile> TenProfiles() {
  using v16::ChargingProfilePurposeType;
  std::vector<InstalledProfile> set;
  for (std::int32_t i = 0; i < 10; ++i) {
    const auto purpose = i < 2 ? ChargingProfilePurposeType::kChargePointMaxProfile
                               : ChargingProfilePurposeType::kTxDefaultProfile;
    const std::int32_t connector = i < 2 ? 0 : (i < 6 ? 0 : 1);
    const std::int32_t stack = i < 2 ? i : (i - 2) % 4;
    set.push_back(
        InstalledProfile{connector, MakeProfile(100 + i, purpose, stack, i % 2 == 1, i * 97)});
  }
  return set;
}

const std::vector<InstalledProfile> kProfiles = TenProfiles();
const std::vector<ActiveTransaction> kTransactions = {{1, 4711, kNow - 1200}};
const StationFacts kFacts;

std::string SetChargingProfileJson() {
  v16::SetChargingProfileReq req;
  req.connector_id = 1;
  req.cs_charging_profiles =
      MakeProfile(7, v16::ChargingProfilePurposeType::kTxDefaultProfile, 1, false, 0);
  return codec::EncodeJson(req);
}

void BM_DecodeSetChargingProfile(benchmark::State& s) {
  const std::string json = SetChargingProfileJson();
  for (auto _ : s) {
    v16::SetChargingProfileReq out;
    if (codec::DecodeJson(json, out).has_value()) s.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out);
  }
  s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations() * json.size()));
}
BENCHMARK(BM_DecodeSetChargingProfile)->Name("decode SetChargingProfile48");

void Composite(benchmark::State& s, std::int32_t connector, v16::ChargingRateUnitType unit) {
  std::size_t periods = 0;
  for (auto _ : s) {
    auto schedule =
        ComputeCompositeSchedule(kProfiles, kTransactions, kFacts, {connector, kNow, 86400, unit});
    periods = schedule->periods.size();
    benchmark::DoNotOptimize(schedule);
  }
  s.counters["periods"] = static_cast<double>(periods);
}
BENCHMARK_CAPTURE(Composite, 24h, 1, v16::ChargingRateUnitType::kA)->Name("composite 24h");
BENCHMARK_CAPTURE(Composite, 24hW, 1, v16::ChargingRateUnitType::kW)->Name("composite 24h W");
BENCHMARK_CAPTURE(Composite, station, 0, v16::ChargingRateUnitType::kA)
    ->Name("composite connector 0");

void BM_LimitNow(benchmark::State& s) {
  UnixSeconds t = kNow;
  for (auto _ : s) {
    benchmark::DoNotOptimize(LimitAmpsAt(kProfiles, kTransactions, kFacts, 1, t));
    t = kNow + (t - kNow + 611) % 86400;
  }
}
BENCHMARK(BM_LimitNow)->Name("limit now");

void BM_NextChange(benchmark::State& s) {
  UnixSeconds t = kNow;
  for (auto _ : s) {
    benchmark::DoNotOptimize(NextChangeAfter(kProfiles, kTransactions, kFacts, 1, t));
    t = kNow + (t - kNow + 611) % 86400;
  }
}
BENCHMARK(BM_NextChange)->Name("next change");

void BM_Conf(benchmark::State& s) {
  std::size_t bytes = 0;
  for (auto _ : s) {
    auto schedule = ComputeCompositeSchedule(kProfiles, kTransactions, kFacts,
                                             {1, kNow, 86400, v16::ChargingRateUnitType::kA});
    const std::string json = codec::EncodeJson(ToGetCompositeScheduleConf(schedule));
    bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  s.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Conf)->Name("composite 24h + conf encode");

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      // With --benchmark_repetitions the median stands for the benchmark.
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      const std::string name = run.run_name.str();
      auto same =
          std::find_if(ns_.begin(), ns_.end(), [&](const auto& e) { return e.first == name; });
      if (same != ns_.end()) {
        same->second = run.GetAdjustedCPUTime();
      } else {
        ns_.emplace_back(name, run.GetAdjustedCPUTime());
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintRatios() const {
    double base = 0;
    for (const auto& [name, ns] : ns_) {
      if (name.rfind("decode", 0) == 0) base = ns;
    }
    if (base <= 0) return;
    std::printf("\n%-30s %12s %14s\n", "benchmark", "CPU ns/call", "x decode");
    for (const auto& [name, ns] : ns_) {
      std::printf("%-30s %12.0f %13.2fx\n", name.c_str(), ns, ns / base);
    }
  }

 private:
  std::vector<std::pair<std::string, double>> ns_;
};

}  // namespace
}  // namespace ocpp::station::smart_charging

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ocpp::station::smart_charging::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  return 0;
}
