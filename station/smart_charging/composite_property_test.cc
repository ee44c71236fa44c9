// Seeded random profile sets: the composite never exceeds the
// ChargePointMaxProfile in force (3.13.3 "SHALL be less than or equal"), and
// LimitAt / NextChangeAfter agree with the composite. The ChargePointMaxProfile
// in force is computed here by a separate, point-wise evaluator.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "station/smart_charging/composite.h"
#include "station/smart_charging/test_profiles.h"

namespace ocpp::station::smart_charging {
namespace {

using namespace testing;  // NOLINT: builders
using v16::ChargingProfileKindType;
using v16::ChargingRateUnitType;

class Random {
 public:
  explicit Random(std::uint32_t seed) : gen_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  bool Chance(int percent) { return Int(0, 99) < percent; }

 private:
  std::mt19937 gen_;
};

InstalledProfile RandomProfile(Random& r, std::int32_t id, ProfileBuilder b, UnixSeconds now) {
  b.Stack(r.Int(0, 3));
  switch (r.Int(0, 3)) {
    case 0:
      b.Relative();
      break;
    case 1:
      b.Daily(now - r.Int(-7200, 3 * 86400));
      break;
    case 2:
      b.Weekly(now - r.Int(-86400, 14 * 86400));
      break;
    default:
      b.Absolute(now + r.Int(-7200, 7200));
      break;
  }
  if (r.Chance(60)) b.Duration(r.Int(0, 10 * 86400) / (r.Chance(50) ? 1 : 40));
  if (r.Chance(30)) b.ValidFrom(now + r.Int(-3600, 7200));
  if (r.Chance(30)) b.ValidTo(now + r.Int(0, 2 * 86400));
  const bool watts = r.Chance(40);
  if (watts) b.Watts();
  if (r.Chance(20)) b.MinRate(r.Int(0, 120) / 10.0);
  int start = 0;
  for (int i = 0, n = r.Int(1, 6); i < n; ++i) {
    const double limit = watts ? r.Int(0, 300) * 100 : r.Int(0, 400) / 10.0;
    std::optional<std::int32_t> phases;
    if (r.Chance(50)) phases = r.Int(1, 3);
    b.Period(start, limit, phases);
    start += r.Int(1, 20000);
  }
  (void)id;
  return b;
}

// The limit in A of one profile at t, or nullopt where it says nothing.
std::optional<double> PointLimit(const v16::ChargingProfile& p, const StationFacts& facts,
                                 UnixSeconds t, UnixSeconds relative_anchor) {
  if (p.valid_from && t < ToUnixSeconds(*p.valid_from)) return std::nullopt;
  if (p.valid_to && t >= ToUnixSeconds(*p.valid_to)) return std::nullopt;
  const v16::ChargingSchedule& s = p.charging_schedule;
  UnixSeconds anchor = relative_anchor;
  std::optional<UnixSeconds> length;
  if (s.duration) length = *s.duration;
  if (p.charging_profile_kind == ChargingProfileKindType::kAbsolute) {
    anchor = ToUnixSeconds(*s.start_schedule);
  } else if (p.charging_profile_kind == ChargingProfileKindType::kRecurring) {
    const UnixSeconds period =
        p.recurrency_kind == v16::RecurrencyKindType::kWeekly ? 7 * 86400 : 86400;
    const UnixSeconds first = ToUnixSeconds(*s.start_schedule);
    if (t < first) return std::nullopt;
    anchor = first + (t - first) / period * period;
    length = std::min(length.value_or(period), period);
  }
  const UnixSeconds offset = t - anchor;
  if (offset < 0 || (length && offset >= *length)) return std::nullopt;
  const v16::ChargingSchedulePeriod* in_force = nullptr;
  for (const auto& period : s.charging_schedule_period) {
    if (period.start_period <= offset) in_force = &period;
  }
  if (in_force == nullptr) return std::nullopt;
  if (s.charging_rate_unit == ChargingRateUnitType::kA) return in_force->limit.ToDouble();
  const int phases = std::min(in_force->number_phases.value_or(facts.phases), facts.phases);
  return in_force->limit.ToDouble() / (facts.nominal_voltage * phases);
}

// The prevailing ChargePointMaxProfile's limit at t (highest stack level that covers t).
std::optional<double> MaxProfileLimit(const std::vector<InstalledProfile>& set,
                                      const StationFacts& facts, UnixSeconds t,
                                      UnixSeconds anchor) {
  std::optional<double> best;
  int best_level = -1;
  for (const InstalledProfile& ip : set) {
    if (ip.profile.charging_profile_purpose !=
        v16::ChargingProfilePurposeType::kChargePointMaxProfile) {
      continue;
    }
    const auto limit = PointLimit(ip.profile, facts, t, anchor);
    if (limit && ip.profile.stack_level > best_level) {
      best = limit;
      best_level = ip.profile.stack_level;
    }
  }
  return best;
}

TEST(CompositeProperty, NeverAboveTheChargePointMaxProfileInForce) {
  int checked_points = 0;
  int capped_points = 0;
  for (std::uint32_t seed = 1; seed <= 5000; ++seed) {
    Random r(seed);
    StationFacts facts;
    facts.number_of_connectors = 2;
    facts.phases = r.Chance(30) ? 1 : 3;
    facts.nominal_voltage = r.Chance(20) ? 110 : 230;
    const UnixSeconds now = kNoon + r.Int(0, 86400);
    std::vector<InstalledProfile> set;
    std::int32_t id = 1;
    // Stack levels may repeat here although InstallProfile would replace:
    // the property must hold for any set.
    for (int i = 0, n = r.Int(0, 3); i < n; ++i) {
      set.push_back(RandomProfile(r, id, MaxProfile(id), now));
      ++id;
    }
    for (int i = 0, n = r.Int(0, 4); i < n; ++i) {
      set.push_back(RandomProfile(r, id, TxDefault(id).Connector(r.Int(0, 2)), now));
      ++id;
    }
    std::vector<ActiveTransaction> txs;
    for (std::int32_t c = 1; c <= 2; ++c) {
      if (!r.Chance(50)) continue;
      txs.push_back({c, r.Int(1, 3), now - r.Int(0, 7200)});
      for (int i = 0, n = r.Int(0, 2); i < n; ++i) {
        auto b = TxProfile(id).Connector(c);
        if (r.Chance(50)) b.Transaction(r.Int(1, 3));
        set.push_back(RandomProfile(r, id, b, now));
        ++id;
      }
    }
    const std::int32_t connector = r.Int(0, 2);
    const auto unit = r.Chance(50) ? ChargingRateUnitType::kA : ChargingRateUnitType::kW;
    const std::int32_t duration = r.Int(1, 3 * 86400);
    auto schedule = ComputeCompositeSchedule(set, txs, facts, {connector, now, duration, unit});
    ASSERT_TRUE(schedule) << "seed " << seed;
    ASSERT_FALSE(schedule->periods.empty());
    ASSERT_EQ(schedule->periods.front().start_offset_s, 0);
    for (std::size_t i = 0; i < schedule->periods.size(); ++i) {
      const CompositePeriod& period = schedule->periods[i];
      const UnixSeconds from = now + period.start_offset_s;
      const UnixSeconds to = i + 1 < schedule->periods.size()
                                 ? now + schedule->periods[i + 1].start_offset_s
                                 : now + duration;
      ASSERT_LT(from, to) << "seed " << seed;
      if (i > 0) {
        ASSERT_FALSE(period.limit == schedule->periods[i - 1].limit &&
                     period.number_phases == schedule->periods[i - 1].number_phases)
            << "not merged, seed " << seed;
      }
      const int phases = period.number_phases.value_or(3);
      const double amps = unit == ChargingRateUnitType::kA
                              ? period.limit.ToDouble()
                              : period.limit.ToDouble() / (facts.nominal_voltage * phases);
      for (UnixSeconds t : {from, from + (to - from) / 2, to - 1}) {
        ++checked_points;
        UnixSeconds anchor = now;
        for (const auto& tx : txs) {
          if (connector != 0 && tx.connector_id == connector) anchor = tx.start;
        }
        const auto cap = MaxProfileLimit(set, facts, t, anchor);
        if (cap) {
          ++capped_points;
          ASSERT_LE(amps, *cap + 1e-6) << "seed " << seed << " t=" << t - now;
        }
        if (connector != 0) {
          ASSERT_LE(amps, facts.connector_max_current + 1e-6) << "seed " << seed;
        }
      }
    }
    // LimitAt and NextChangeAfter agree with the schedule (amps, before rounding).
    if (unit == ChargingRateUnitType::kA && connector != 0) {
      const double at_start = LimitAmpsAt(set, txs, facts, connector, now);
      EXPECT_LT(std::fabs(at_start - schedule->periods.front().limit.ToDouble()), 0.1 + 1e-6)
          << "seed " << seed;
      const auto next = NextChangeAfter(set, txs, facts, connector, now, duration);
      if (next) {
        ASSERT_GT(*next, now);
        const LimitInForce before = LimitAt(set, txs, facts, connector, *next - 1);
        const LimitInForce after = LimitAt(set, txs, facts, connector, *next);
        const LimitInForce first = LimitAt(set, txs, facts, connector, now);
        // Relative profiles without a transaction count from the asking
        // time, so only compare where a transaction anchors them.
        bool anchored = false;
        for (const auto& tx : txs) anchored |= tx.connector_id == connector;
        if (anchored) {
          EXPECT_NEAR(before.amps, first.amps, 1e-9) << "seed " << seed;
          EXPECT_FALSE(std::fabs(after.amps - first.amps) < 1e-9 && after.phases == first.phases)
              << "seed " << seed;
        }
      }
    }
  }
  EXPECT_GT(capped_points, checked_points / 4);  // the property was really exercised
}

}  // namespace
}  // namespace ocpp::station::smart_charging
