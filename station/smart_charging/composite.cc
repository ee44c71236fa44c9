#include "station/smart_charging/composite.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ocpp::station::smart_charging {
namespace {

using v16::ChargingProfile;
using v16::ChargingProfileKindType;
using v16::ChargingProfilePurposeType;
using v16::ChargingRateUnitType;

constexpr UnixSeconds kForever = std::numeric_limits<UnixSeconds>::max() / 4;
constexpr UnixSeconds kDay = 86400;
constexpr UnixSeconds kWeek = 7 * kDay;
constexpr double kEpsilon = 1e-9;

// One stretch of time in which a profile says "at most `amps` per phase on
// `phases` phases".
struct Segment {
  UnixSeconds from;
  UnixSeconds to;
  double amps;
  int phases;
  double min_amps;  // minChargingRate in A, 0 when absent
};

// One profile's segments inside the window, in time order (they never overlap).
struct Layer {
  std::int32_t stack_level;
  std::vector<Segment> segments;
  std::size_t cursor = 0;

  // The segment covering t, for non-decreasing t over the layer's lifetime.
  const Segment* Covering(UnixSeconds t) {
    while (cursor < segments.size() && segments[cursor].to <= t) ++cursor;
    if (cursor < segments.size() && segments[cursor].from <= t) return &segments[cursor];
    return nullptr;
  }
};

// Profiles of one purpose for one connector; the highest stack level that
// covers an instant wins there, a lower one shows through elsewhere (3.13.2).
struct Stack {
  std::vector<Layer> layers;  // sorted by stack level, highest first

  const Segment* Top(UnixSeconds t) {
    for (Layer& layer : layers) {
      if (const Segment* s = layer.Covering(t)) return s;
    }
    return nullptr;
  }
};

int EffectivePhases(std::optional<std::int32_t> number_phases, const StationFacts& facts) {
  const int station = std::max(1, facts.phases);
  const int asked = number_phases && *number_phases > 0 ? *number_phases : station;
  return std::min(asked, station);  // errata 3.34: never more than the station has
}

double ToAmps(codec::Decimal value, ChargingRateUnitType unit, int phases,
              const StationFacts& facts) {
  const double v = value.ToDouble();
  if (unit == ChargingRateUnitType::kA) return v;
  return v / (facts.nominal_voltage * phases);  // section 7.12
}

// Periods of one occurrence of a schedule starting at `anchor`, clipped to [lo, hi).
void AppendOccurrence(const ChargingProfile& p, const StationFacts& facts, UnixSeconds anchor,
                      UnixSeconds length, UnixSeconds lo, UnixSeconds hi,
                      std::vector<Segment>& out) {
  const v16::ChargingSchedule& s = p.charging_schedule;
  const UnixSeconds end = std::min(hi, length >= kForever ? kForever : anchor + length);
  const auto& periods = s.charging_schedule_period;
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const UnixSeconds from = std::max(lo, anchor + periods[i].start_period);
    const UnixSeconds to =
        std::min(end, i + 1 < periods.size() ? anchor + periods[i + 1].start_period : kForever);
    if (from >= to) {
      if (anchor + periods[i].start_period >= end) break;  // beyond duration: not executed
      continue;
    }
    Segment seg;
    seg.from = from;
    seg.to = to;
    seg.phases = EffectivePhases(periods[i].number_phases, facts);
    seg.amps = std::max(0.0, ToAmps(periods[i].limit, s.charging_rate_unit, seg.phases, facts));
    seg.min_amps = s.min_charging_rate
                       ? ToAmps(*s.min_charging_rate, s.charging_rate_unit, seg.phases, facts)
                       : 0.0;
    out.push_back(seg);
  }
}

// All segments of `p` inside [ws, we). Relative schedules count from `relative_anchor`.
std::vector<Segment> Segments(const ChargingProfile& p, const StationFacts& facts,
                              UnixSeconds relative_anchor, UnixSeconds ws, UnixSeconds we) {
  std::vector<Segment> out;
  const UnixSeconds lo = std::max(ws, p.valid_from ? ToUnixSeconds(*p.valid_from) : -kForever);
  const UnixSeconds hi = std::min(we, p.valid_to ? ToUnixSeconds(*p.valid_to) : kForever);
  if (lo >= hi) return out;
  const v16::ChargingSchedule& s = p.charging_schedule;
  const UnixSeconds length = s.duration ? std::max<UnixSeconds>(0, *s.duration) : kForever;
  switch (p.charging_profile_kind) {
    case ChargingProfileKindType::kAbsolute: {
      // InstallProfile fills a missing startSchedule with the install time;
      // a profile that bypassed it counts from validFrom, else like Relative.
      const UnixSeconds anchor = s.start_schedule ? ToUnixSeconds(*s.start_schedule)
                                 : p.valid_from   ? ToUnixSeconds(*p.valid_from)
                                                  : relative_anchor;
      AppendOccurrence(p, facts, anchor, length, lo, hi, out);
      break;
    }
    case ChargingProfileKindType::kRelative:
      // startSchedule, if sent at all, is ignored: the kind decides (7.9).
      AppendOccurrence(p, facts, relative_anchor, length, lo, hi, out);
      break;
    case ChargingProfileKindType::kRecurring: {
      if (!s.start_schedule) break;  // rejected by ValidateChargingProfile
      const UnixSeconds period =
          p.recurrency_kind == v16::RecurrencyKindType::kWeekly ? kWeek : kDay;
      const UnixSeconds first = ToUnixSeconds(*s.start_schedule);
      // Errata 3.43/3.44: what lies beyond the recurrence period is not executed.
      const UnixSeconds occurrence = std::min(length, period);
      UnixSeconds k = lo <= first ? 0 : (lo - first) / period;
      for (; first + k * period < hi; ++k) {
        AppendOccurrence(p, facts, first + k * period, occurrence, lo, hi, out);
      }
      break;
    }
  }
  return out;
}

const ActiveTransaction* TransactionOn(const std::vector<ActiveTransaction>& transactions,
                                       std::int32_t connector_id) {
  for (const ActiveTransaction& tx : transactions) {
    if (tx.connector_id == connector_id) return &tx;
  }
  return nullptr;
}

bool TxProfileApplies(const InstalledProfile& ip, const ActiveTransaction* tx) {
  if (tx == nullptr) return false;
  const auto& wanted = ip.profile.transaction_id;
  return !wanted || (tx->transaction_id && *tx->transaction_id == *wanted);
}

void AddLayer(Stack& stack, const ChargingProfile& p, const StationFacts& facts, UnixSeconds anchor,
              UnixSeconds ws, UnixSeconds we) {
  stack.layers.push_back(Layer{p.stack_level, Segments(p, facts, anchor, ws, we)});
}

void SortStack(Stack& stack) {
  std::stable_sort(stack.layers.begin(), stack.layers.end(),
                   [](const Layer& a, const Layer& b) { return a.stack_level > b.stack_level; });
}

// The TxProfile stack of a connector when one is present for its
// transaction, otherwise its TxDefaultProfile stack (3.13.1): its own ones,
// plus connector 0's at stack levels it does not have itself.
Stack TxStack(const std::vector<InstalledProfile>& profiles,
              const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
              std::int32_t connector_id, UnixSeconds anchor_without_tx, UnixSeconds ws,
              UnixSeconds we) {
  Stack stack;
  const ActiveTransaction* tx = TransactionOn(transactions, connector_id);
  const UnixSeconds anchor = tx ? tx->start : anchor_without_tx;
  for (const InstalledProfile& ip : profiles) {
    if (ip.connector_id == connector_id &&
        ip.profile.charging_profile_purpose == ChargingProfilePurposeType::kTxProfile &&
        TxProfileApplies(ip, tx)) {
      AddLayer(stack, ip.profile, facts, anchor, ws, we);
    }
  }
  if (stack.layers.empty()) {
    auto is_default = [](const InstalledProfile& ip) {
      return ip.profile.charging_profile_purpose == ChargingProfilePurposeType::kTxDefaultProfile;
    };
    for (const InstalledProfile& ip : profiles) {
      if (is_default(ip) && ip.connector_id == connector_id) {
        AddLayer(stack, ip.profile, facts, anchor, ws, we);
      }
    }
    for (const InstalledProfile& ip : profiles) {
      if (!is_default(ip) || ip.connector_id != 0) continue;
      const bool replaced =
          std::any_of(profiles.begin(), profiles.end(), [&](const InstalledProfile& own) {
            return is_default(own) && own.connector_id == connector_id &&
                   own.profile.stack_level == ip.profile.stack_level;
          });
      if (!replaced) AddLayer(stack, ip.profile, facts, anchor, ws, we);
    }
  }
  SortStack(stack);
  return stack;
}

Stack MaxStack(const std::vector<InstalledProfile>& profiles, const StationFacts& facts,
               UnixSeconds anchor, UnixSeconds ws, UnixSeconds we) {
  Stack stack;
  for (const InstalledProfile& ip : profiles) {
    if (ip.connector_id == 0 &&
        ip.profile.charging_profile_purpose == ChargingProfilePurposeType::kChargePointMaxProfile) {
      AddLayer(stack, ip.profile, facts, anchor, ws, we);
    }
  }
  SortStack(stack);
  return stack;
}

void CollectBreakpoints(const Stack& stack, std::vector<UnixSeconds>& out) {
  for (const Layer& layer : stack.layers) {
    for (const Segment& s : layer.segments) {
      out.push_back(s.from);
      out.push_back(s.to);
    }
  }
}

// The limit a connector's own stack leaves at t: Tx/TxDefault capped by the
// connector's local limit and by `cap` (the ChargePointMaxProfile), 0 when
// that is below the profile's minChargingRate.
LimitInForce ConnectorLimit(Stack& tx_stack, const StationFacts& facts, UnixSeconds t,
                            const Segment* cap) {
  LimitInForce limit{facts.connector_max_current, std::max(1, facts.phases)};
  double min_amps = 0;
  if (const Segment* s = tx_stack.Top(t)) {
    limit.amps = std::min(limit.amps, s->amps);
    limit.phases = s->phases;
    min_amps = s->min_amps;
  }
  if (cap != nullptr) {
    limit.amps = std::min(limit.amps, cap->amps);
    limit.phases = std::min(limit.phases, cap->phases);
  }
  if (min_amps > 0 && limit.amps + kEpsilon < min_amps) limit.amps = 0;
  return limit;
}

struct Step {
  UnixSeconds from;
  LimitInForce limit;
};

bool Same(const LimitInForce& a, const LimitInForce& b) {
  return a.phases == b.phases && std::fabs(a.amps - b.amps) < kEpsilon;
}

// The limit of `connector_id` over [ws, we) as steps in time order, adjacent
// steps different. Relative profiles without a transaction count from `anchor`.
std::vector<Step> Sweep(const std::vector<InstalledProfile>& profiles,
                        const std::vector<ActiveTransaction>& transactions,
                        const StationFacts& facts, std::int32_t connector_id, UnixSeconds anchor,
                        UnixSeconds ws, UnixSeconds we) {
  // Relative profiles count from the connector's transaction start, the
  // ChargePointMaxProfile too; without one (and for connector 0) from `anchor`.
  const ActiveTransaction* tx =
      connector_id == 0 ? nullptr : TransactionOn(transactions, connector_id);
  Stack max_stack = MaxStack(profiles, facts, tx ? tx->start : anchor, ws, we);
  std::vector<Stack> tx_stacks;
  if (connector_id == 0) {
    for (std::int32_t c = 1; c <= facts.number_of_connectors; ++c) {
      tx_stacks.push_back(TxStack(profiles, transactions, facts, c, anchor, ws, we));
    }
  } else {
    tx_stacks.push_back(TxStack(profiles, transactions, facts, connector_id, anchor, ws, we));
  }
  std::vector<UnixSeconds> points{ws};
  CollectBreakpoints(max_stack, points);
  for (const Stack& s : tx_stacks) CollectBreakpoints(s, points);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());

  std::vector<Step> steps;
  for (UnixSeconds t : points) {
    if (t < ws) continue;
    if (t >= we) break;
    const Segment* max = max_stack.Top(t);
    LimitInForce limit;
    if (connector_id == 0) {
      // What the station may draw: the sum of what its connectors may draw,
      // capped by ChargePointMaxProfile (3.13.3, 5.7 connectorId 0).
      limit.phases = 1;
      for (Stack& s : tx_stacks) {
        const LimitInForce c = ConnectorLimit(s, facts, t, nullptr);
        limit.amps += c.amps;
        limit.phases = std::max(limit.phases, c.phases);
      }
      if (max != nullptr) {
        limit.amps = std::min(limit.amps, max->amps);
        limit.phases = std::min(limit.phases, max->phases);
      }
    } else {
      limit = ConnectorLimit(tx_stacks.front(), facts, t, max);
    }
    if (steps.empty() || !Same(steps.back().limit, limit)) steps.push_back(Step{t, limit});
  }
  return steps;
}

bool KnownConnector(const StationFacts& facts, std::int32_t connector_id) {
  return connector_id >= 0 && connector_id <= facts.number_of_connectors;
}

codec::Decimal RoundDownToTenth(double value) {
  // The epsilon absorbs the binary error of W -> A -> W (6000 W stays 6000).
  return codec::Decimal::FromTenths(
      static_cast<std::int64_t>(std::floor(std::max(0.0, value) * 10 + 1e-6)));
}

}  // namespace

UnixSeconds ToUnixSeconds(codec::DateTime t) {
  const std::int64_t ms = t.unix_millis();
  return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

codec::DateTime ToDateTime(UnixSeconds t) { return codec::DateTime::FromUnixMillis(t * 1000); }

bool operator==(const InstalledProfile& a, const InstalledProfile& b) {
  return a.connector_id == b.connector_id && a.profile == b.profile;
}

bool operator==(const CompositePeriod& a, const CompositePeriod& b) {
  return a.start_offset_s == b.start_offset_s && a.limit == b.limit &&
         a.number_phases == b.number_phases;
}

std::optional<CompositeSchedule> ComputeCompositeSchedule(
    const std::vector<InstalledProfile>& profiles,
    const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
    const CompositeRequest& request) {
  if (!KnownConnector(facts, request.connector_id) || request.duration_s < 0) return std::nullopt;
  CompositeSchedule out;
  out.connector_id = request.connector_id;
  out.start = request.start;
  out.duration_s = request.duration_s;
  out.unit = request.unit;
  // Duration 0 still reports the limit in force at the start.
  const UnixSeconds end = request.start + std::max<std::int32_t>(1, request.duration_s);
  for (const Step& step : Sweep(profiles, transactions, facts, request.connector_id, request.start,
                                request.start, end)) {
    const double value = request.unit == ChargingRateUnitType::kA
                             ? step.limit.amps
                             : step.limit.amps * facts.nominal_voltage * step.limit.phases;
    CompositePeriod period;
    period.start_offset_s = static_cast<std::int32_t>(step.from - request.start);
    period.limit = RoundDownToTenth(value);
    period.number_phases = step.limit.phases;
    if (!out.periods.empty() && out.periods.back().limit == period.limit &&
        out.periods.back().number_phases == period.number_phases) {
      continue;  // equal after rounding: merged
    }
    out.periods.push_back(period);
  }
  return out;
}

LimitInForce LimitAt(const std::vector<InstalledProfile>& profiles,
                     const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
                     std::int32_t connector_id, UnixSeconds t) {
  if (!KnownConnector(facts, connector_id)) return LimitInForce{};
  const std::vector<Step> steps = Sweep(profiles, transactions, facts, connector_id, t, t, t + 1);
  return steps.empty() ? LimitInForce{} : steps.front().limit;
}

double LimitAmpsAt(const std::vector<InstalledProfile>& profiles,
                   const std::vector<ActiveTransaction>& transactions, const StationFacts& facts,
                   std::int32_t connector_id, UnixSeconds t) {
  return LimitAt(profiles, transactions, facts, connector_id, t).amps;
}

std::optional<UnixSeconds> NextChangeAfter(const std::vector<InstalledProfile>& profiles,
                                           const std::vector<ActiveTransaction>& transactions,
                                           const StationFacts& facts, std::int32_t connector_id,
                                           UnixSeconds t, std::int32_t horizon_s) {
  if (!KnownConnector(facts, connector_id)) return std::nullopt;
  const UnixSeconds until = t + std::max<std::int32_t>(1, horizon_s);
  std::optional<LimitInForce> now;
  // Growing windows: most changes are near, and a window costs in
  // proportion to the boundaries inside it (8 days covers a weekly recurrence).
  UnixSeconds window = 3600;
  for (UnixSeconds from = t; from < until;
       from += window, window = std::min(window * 4, 8 * kDay)) {
    const UnixSeconds to = std::min(until, from + window);
    for (const Step& step : Sweep(profiles, transactions, facts, connector_id, t, from, to)) {
      if (!now) {
        now = step.limit;
      } else if (!Same(*now, step.limit)) {
        return step.from;
      }
    }
  }
  return std::nullopt;
}

v16::ChargingSchedule ToChargingSchedule(const CompositeSchedule& schedule,
                                         bool with_start_schedule) {
  v16::ChargingSchedule out;
  out.duration = schedule.duration_s;
  if (with_start_schedule) out.start_schedule = ToDateTime(schedule.start);
  out.charging_rate_unit = schedule.unit;
  for (const CompositePeriod& p : schedule.periods) {
    v16::ChargingSchedulePeriod period;
    period.start_period = p.start_offset_s;
    period.limit = p.limit;
    period.number_phases = p.number_phases;
    out.charging_schedule_period.push_back(period);
  }
  return out;
}

v16::GetCompositeScheduleConf ToGetCompositeScheduleConf(
    const std::optional<CompositeSchedule>& schedule, bool with_start_schedule) {
  v16::GetCompositeScheduleConf conf;
  if (!schedule) {
    conf.status = v16::GetCompositeScheduleStatus::kRejected;
    return conf;
  }
  conf.status = v16::GetCompositeScheduleStatus::kAccepted;
  conf.connector_id = schedule->connector_id;
  conf.schedule_start = ToDateTime(schedule->start);
  conf.charging_schedule = ToChargingSchedule(*schedule, with_start_schedule);
  return conf;
}

}  // namespace ocpp::station::smart_charging
