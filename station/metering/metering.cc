#include "station/metering/metering.h"

#include <cmath>

#include "runtime/durable_queue.h"

namespace ocpp::station {
namespace {

constexpr std::string_view kEnergyRegister = "Energy.Active.Import.Register";

}  // namespace

namespace {

v16::SampledValue Value(std::string text, v16::ReadingContext context, v16::Measurand measurand,
                        v16::UnitOfMeasure unit) {
  v16::SampledValue sv;
  sv.value = std::move(text);
  sv.context = context;
  sv.measurand = measurand;
  sv.location = v16::Location::kOutlet;
  sv.unit = unit;
  return sv;
}

// Amps with one decimal, without trailing zeros ("16", "15.5").
std::string Amps(double amps) {
  const auto tenths = static_cast<long long>(std::floor(amps * 10 + 1e-6));
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
  return text;
}

}  // namespace

v16::MeterValue SampleMeter(const MeterReading& reading, v16::ReadingContext context,
                            const std::vector<std::string>& measurands, codec::DateTime when) {
  using M = v16::Measurand;
  using U = v16::UnitOfMeasure;
  v16::MeterValue value;
  value.timestamp = when;
  for (const std::string& measurand : measurands) {
    auto& out = value.sampled_value;
    if (measurand == kEnergyRegister) {
      out.push_back(Value(std::to_string(reading.energy_wh), context,
                          M::kEnergyActiveImportRegister, U::kWh));
    } else if (measurand == "Power.Active.Import" && reading.power_w) {
      out.push_back(Value(std::to_string(*reading.power_w), context, M::kPowerActiveImport, U::kW));
    } else if (measurand == "Current.Import" && reading.current_deciamps) {
      out.push_back(
          Value(Amps(*reading.current_deciamps / 10.0), context, M::kCurrentImport, U::kA));
    } else if (measurand == "Current.Offered") {
      out.push_back(Value(Amps(reading.offered_amps), context, M::kCurrentOffered, U::kA));
    } else if (measurand == "Power.Offered") {
      out.push_back(Value(std::to_string(static_cast<long long>(reading.offered_w)), context,
                          M::kPowerOffered, U::kW));
    }
  }
  return value;
}

Metering::Metering(StationContext& context, Connectors& connectors, TransactionsView& transactions,
                   Outbox& outbox)
    : context_(context),
      connectors_(connectors),
      transactions_(transactions),
      outbox_(outbox),
      series_(static_cast<std::size_t>(connectors.count()) + 1) {
  context_.config().Subscribe(keys::kMeterValueSampleInterval, [this] { RestartSeries(); });
  context_.config().Subscribe(keys::kClockAlignedDataInterval, [this] { ScheduleClockAligned(); });
}

Metering::~Metering() {
  for (Series& s : series_) context_.CancelTimer(&s.timer);
  context_.CancelTimer(&aligned_timer_);
}

void Metering::Start() { ScheduleClockAligned(); }

v16::MeterValue Metering::Sample(int c, v16::ReadingContext reading, const ListKey& measurands,
                                 codec::DateTime when) {
  const std::vector<std::string> wanted = context_.config().Get(measurands);
  return SampleMeter(Read(c, wanted), reading, wanted, when);
}

MeterReading Metering::Read(int c, const std::vector<std::string>& measurands) {
  MeterReading reading;
  reading.energy_wh = transactions_.ReadEnergyWh(c);
  for (const std::string& m : measurands) {
    if (m == "Power.Active.Import") reading.power_w = connectors_.meter(c).ReadPowerActiveImportW();
    if (m == "Current.Import") {
      reading.current_deciamps = connectors_.meter(c).ReadCurrentImportDeciamps();
    }
  }
  const hal::SupplyRating& supply = connectors_.supply();
  reading.offered_amps = connectors_.offered_amps(c);
  // Power.Offered: the offer on the phases the station has, at its nominal voltage.
  reading.offered_w = std::floor(std::floor(reading.offered_amps * 10 + 1e-6) / 10.0 *
                                 supply.nominal_voltage_v * supply.phases);
  return reading;
}

void Metering::OnTransactionStarted(int c) {
  const Transaction* tx = transactions_.Active(c);
  if (tx == nullptr) return;
  transactions_.AddStopData(
      c, Sample(c, v16::ReadingContext::kTransactionBegin, keys::kStopTxnSampledData, tx->started));
  Series& s = series_[static_cast<std::size_t>(c)];
  s.base = context_.clock().Now();
  s.base_time = tx->started;
  s.samples = 0;
  ScheduleSampled(c);
}

void Metering::OnTransactionStopping(int c, codec::DateTime now) {
  transactions_.AddStopData(
      c, Sample(c, v16::ReadingContext::kTransactionEnd, keys::kStopTxnSampledData, now));
  context_.CancelTimer(&series_[static_cast<std::size_t>(c)].timer);
}

void Metering::SendTriggered(int c) {
  v16::MeterValuesReq req;
  req.connector_id = c;
  if (transactions_.Active(c) != nullptr) {
    if (auto id = transactions_.CsmsTransactionId(c)) {
      req.transaction_id = static_cast<decltype(req.transaction_id)::value_type>(*id);
    }
  }
  std::vector<std::string> measurands = context_.config().Get(keys::kMeterValuesSampledData);
  // A MeterValues.req needs one value at least: the register when none is configured.
  if (measurands.empty()) measurands.emplace_back(kEnergyRegister);
  req.meter_value.push_back(
      SampleMeter(Read(c, measurands), v16::ReadingContext::kTrigger, measurands, context_.Now()));
  context_.rpc().Call(req, [](runtime::CallOutcome<v16::MeterValuesConf>) {});
}

void Metering::RestartSeries() {
  for (int c = 1; c <= connectors_.count(); ++c) {
    Series& s = series_[static_cast<std::size_t>(c)];
    if (transactions_.Active(c) != nullptr) {  // a new series from now on
      s.base = context_.clock().Now();
      s.base_time = context_.Now();
      s.samples = 0;
    }
    ScheduleSampled(c);
  }
}

void Metering::ScheduleSampled(int c) {
  Series& s = series_[static_cast<std::size_t>(c)];
  context_.CancelTimer(&s.timer);
  const std::int64_t interval = context_.config().Get(keys::kMeterValueSampleInterval);
  if (interval <= 0 || transactions_.Active(c) == nullptr) return;
  const std::int64_t k = s.samples + 1;
  const base::SteadyTime due = s.base + base::Milliseconds(k * interval * 1000);
  const base::SteadyTime now = context_.clock().Now();
  const base::Milliseconds delay =
      due > now ? std::chrono::duration_cast<base::Milliseconds>(due - now) : base::Milliseconds(0);
  s.timer = context_.AddTimer(delay, [this, c, k, interval] {
    Series& series = series_[static_cast<std::size_t>(c)];
    series.timer = 0;
    const Transaction* tx = transactions_.Active(c);
    if (tx == nullptr) return;
    series.samples = k;
    const codec::DateTime when =
        codec::DateTime::FromUnixMillis(series.base_time.unix_millis() + k * interval * 1000);
    v16::MeterValue value =
        Sample(c, v16::ReadingContext::kSamplePeriodic, keys::kMeterValuesSampledData, when);
    if (!value.sampled_value.empty()) {
      v16::MeterValuesReq req;
      req.connector_id = c;
      req.transaction_id =
          static_cast<decltype(req.transaction_id)::value_type>(runtime::kUnknownTransactionId);
      req.meter_value.push_back(value);
      outbox_.Enqueue(req, tx->local_id);
    }
    transactions_.AddStopData(
        c, Sample(c, v16::ReadingContext::kSamplePeriodic, keys::kStopTxnSampledData, when));
    transactions_.PersistReading(c, when);  // the reading a power cut would stop with
    ScheduleSampled(c);
  });
}

void Metering::ScheduleClockAligned() {
  context_.CancelTimer(&aligned_timer_);
  const std::int64_t interval = context_.config().Get(keys::kClockAlignedDataInterval);
  if (interval <= 0) return;
  // Intervals start at midnight UTC (section 9.1.5).
  const std::int64_t now_ms = context_.Now().unix_millis();
  const std::int64_t day_ms = 86400000;
  const std::int64_t since_midnight = ((now_ms % day_ms) + day_ms) % day_ms;
  std::int64_t next = (since_midnight / (interval * 1000) + 1) * interval * 1000;
  if (next > day_ms) next = day_ms;
  const std::int64_t boundary_ms = now_ms - since_midnight + next;
  aligned_timer_ = context_.AddTimer(base::Milliseconds(next - since_midnight),
                                     [this, boundary_ms] { OnClockAligned(boundary_ms); });
}

void Metering::OnClockAligned(std::int64_t boundary_ms) {
  aligned_timer_ = 0;
  const codec::DateTime boundary = codec::DateTime::FromUnixMillis(boundary_ms);
  for (int c = 1; c <= connectors_.count(); ++c) {
    const Transaction* tx = transactions_.Active(c);
    v16::MeterValue value =
        Sample(c, v16::ReadingContext::kSampleClock, keys::kMeterValuesAlignedData, boundary);
    if (!value.sampled_value.empty()) {
      v16::MeterValuesReq req;
      req.connector_id = c;
      req.meter_value.push_back(value);
      if (tx != nullptr) {
        req.transaction_id =
            static_cast<decltype(req.transaction_id)::value_type>(runtime::kUnknownTransactionId);
        outbox_.Enqueue(req, tx->local_id);
      } else if (context_.online()) {
        // Not transaction-related: not queued while offline.
        context_.rpc().Call(req, [](runtime::CallOutcome<v16::MeterValuesConf>) {});
      }
    }
    transactions_.AddStopData(
        c, Sample(c, v16::ReadingContext::kSampleClock, keys::kStopTxnAlignedData, boundary));
    if (tx != nullptr) transactions_.PersistReading(c, boundary);
  }
  ScheduleClockAligned();
}

}  // namespace ocpp::station
