// Meter values (OCPP 1.6 sections 3.16, 4.7, 9.1): per connector, sampled
// values of a running transaction every MeterValueSampleInterval (on exact
// multiples of the interval from the start of the series), clock-aligned
// values every ClockAlignedDataInterval from midnight UTC for every
// connector, and the StopTxn*Data that go into StopTransaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hal/energy_meter.h"
#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/outbox.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

// What one connector's meter and pilot read at one instant.
struct MeterReading {
  std::int64_t energy_wh = 0;                    // Energy.Active.Import.Register
  std::optional<std::int32_t> power_w;           // Power.Active.Import
  std::optional<std::int32_t> current_deciamps;  // Current.Import, per phase
  double offered_amps = 0;                       // Current.Offered: what the PWM offers
  double offered_w = 0;                          // Power.Offered: the same in W
};

// One reading of the measurands asked for; those without a value (a meter
// that does not answer) are left out.
v16::MeterValue SampleMeter(const MeterReading& reading, v16::ReadingContext context,
                            const std::vector<std::string>& measurands, codec::DateTime when);

class Metering {
 public:
  Metering(StationContext& context, Connectors& connectors, TransactionsView& transactions,
           Outbox& outbox);
  ~Metering();

  void Start();  // clock-aligned values from now on
  void OnTransactionStarted(int connector);
  void OnTransactionStopping(int connector, codec::DateTime now);
  // TriggerMessage(MeterValues): the most recent values of every measurand
  // of MeterValuesSampledData, context Trigger, with the transaction's id
  // when one runs (section 5.17). Sent at once, not queued.
  void SendTriggered(int connector);

 private:
  // Sample k of a series is due at base + k * interval and stamped
  // base_time + k * interval (section 3.16.2): no drift, evenly spaced.
  struct Series {
    base::SteadyTime base{};
    codec::DateTime base_time;
    std::int64_t samples = 0;
    runtime::TimerId timer = 0;
  };
  v16::MeterValue Sample(int connector, v16::ReadingContext reading, const ListKey& measurands,
                         codec::DateTime when);
  MeterReading Read(int connector, const std::vector<std::string>& measurands);
  void ScheduleSampled(int connector);
  void RestartSeries();
  void ScheduleClockAligned();
  void OnClockAligned(std::int64_t boundary_ms);

  StationContext& context_;
  Connectors& connectors_;
  TransactionsView& transactions_;
  Outbox& outbox_;
  std::vector<Series> series_;  // index = connector id
  runtime::TimerId aligned_timer_ = 0;
};

}  // namespace ocpp::station
