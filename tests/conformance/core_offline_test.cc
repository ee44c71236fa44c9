// OCTT charge-point cases of the Core profile: power failure and connection
// loss (TC_032_2, TC_034, TC_036, TC_037_1, TC_037_2, TC_037_3, TC_038,
// TC_039). A power cut destroys the station objects with no shutdown and
// creates them again on the same data directory; the simulated hardware
// (pilot, meter register) lives on, like the real one. A connection loss
// is the central system dropping the socket and refusing upgrades until
// Restore(); the station reconnects with its back-off on the fake clock.
// Steps: docs/core-behaviour-checklist.md.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::AvailabilityType;

class CoreOffline : public Harness {
 protected:
  // The offline-authorization keys of TC_037_1 (the factory values already).
  void SetOfflineKeys() {
    Set("LocalAuthorizeOffline", "true");
    Set("AuthorizationCacheEnabled", "true");
    Set("AllowOfflineTxForUnknownId", "true");
  }
  // StartTransaction.conf: transactionId 100, 101, ...; `invalid` gets
  // idTagInfo Invalid, every other tag Accepted.
  void AnswerStartInvalidFor(const std::string& invalid) {
    csms().Handle<v16::Action::kStartTransaction>(
        [this, invalid](const v16::StartTransactionReq& req)
            -> runtime::HandlerResult<v16::StartTransactionConf> {
          v16::StartTransactionConf conf;
          conf.transaction_id = next_tx_++;
          conf.id_tag_info.status = req.id_tag.view() == invalid
                                        ? v16::AuthorizationStatus::kInvalid
                                        : v16::AuthorizationStatus::kAccepted;
          return conf;
        });
  }
  // TC_037_2 / TC_037_3 up to the StartTransaction.conf Invalid.
  void OfflineStartWithTagTurnedInvalid(bool stop_on_invalid) {
    StartStation();
    SetOfflineKeys();
    Set("StopTransactionOnInvalidId", stop_on_invalid ? "true" : "false");
    // Memory: F-IdTagCached(TINV), the central system accepting it then.
    CacheIdTag("TINV");
    AnswerStartInvalidFor("TINV");
    ClearFrames();
    GoOffline();
    Do("cp C");
    Do("rfid TINV");
    ASSERT_TRUE(station().transaction_active()) << "authorized from the cache";
    EXPECT_TRUE(connector().contactor_commanded_closed());
    ASSERT_TRUE(Restore());
    ASSERT_TRUE(WaitForCall("StartTransaction"));
    EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TINV");
  }

  int next_tx_ = 100;
};

TEST_F(CoreOffline, tc032_2_power_failure_stop_at_boot) {
  StartStation();
  Set("MeterValueSampleInterval", "10");
  const int tx = StartCharging();
  auto start = LastPayload("StartTransaction");
  const int meter_start = start["meterStart"].GetInt();
  // The last two samples are still queued (offline) when the power goes.
  Advance(Seconds(10));
  ASSERT_TRUE(WaitForCall("MeterValues", 1));
  GoOffline();
  Advance(Seconds(25));  // samples at +20 s and +30 s are queued
  const std::int64_t register_at_cut = *connector().ReadEnergyActiveImportWh();
  const std::int64_t cut_time = WallSeconds();
  ClearFrames();
  PowerCut();
  set_refuse_connections(false);
  // The EV stays connected (pilot C) across the cut.
  StartStation();
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  Settle();
  EXPECT_EQ(CallsExcept({"Heartbeat"}),
            (Strings{"BootNotification", "StatusNotification", "StatusNotification", "MeterValues",
                     "MeterValues", "StopTransaction"}));
  EXPECT_EQ(Statuses(), (Strings{"0:Available", "1:Finishing"}));
  const auto values = Payloads("MeterValues");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(EpochSeconds(values[0]["meterValue"][0]), EpochSeconds(start) + 20);
  EXPECT_EQ(EpochSeconds(values[1]["meterValue"][0]), EpochSeconds(start) + 30);
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(stop["transactionId"], tx);
  EXPECT_EQ(Str(stop, "reason"), "PowerLoss");
  EXPECT_FALSE(Has(stop, "idTag"));
  const int meter_stop = stop["meterStop"].GetInt();
  EXPECT_LE(meter_start, meter_stop);
  EXPECT_LE(meter_stop, register_at_cut);
  EXPECT_EQ(meter_stop, meter_start + 60) << "the last persisted reading: the +30 s sample";
  EXPECT_GE(EpochSeconds(stop), EpochSeconds(start));
  EXPECT_LE(EpochSeconds(stop), cut_time);
  EXPECT_FALSE(station().transaction_active());
  EXPECT_FALSE(connector().contactor_commanded_closed());
  // No further StatusNotification; cleanup: unplug.
  Advance(Seconds(5));
  EXPECT_EQ(CountCalls("StatusNotification"), 2);
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
}

TEST_F(CoreOffline, tc034_power_failure_unavailable_persists) {
  StartStation();
  ClearFrames();
  EXPECT_EQ(CsmsCall(v16::ChangeAvailabilityReq{0, AvailabilityType::kInoperative}).status,
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Unavailable"));
  EXPECT_EQ(Statuses(), (Strings{"0:Unavailable", "1:Unavailable"}));
  PowerCut();
  ClearFrames();
  StartStation();
  EXPECT_EQ(CallsExcept(),
            (Strings{"BootNotification", "StatusNotification", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"0:Unavailable", "1:Unavailable"}));
  // Unavailable means unusable: a tag starts nothing.
  Do("rfid TAG-0001");
  Settle();
  EXPECT_EQ(CountCalls("Authorize"), 0);
  // Cleanup.
  EXPECT_EQ(CsmsCall(v16::ChangeAvailabilityReq{0, AvailabilityType::kOperative}).status,
            v16::AvailabilityStatus::kAccepted);
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(Statuses(), (Strings{"0:Unavailable", "1:Unavailable", "0:Available", "1:Available"}));
}

TEST_F(CoreOffline, tc036_connection_loss_during_tx) {
  StartStation();
  Set("MeterValueSampleInterval", "5");
  const int tx = StartCharging();
  const std::int64_t tx_start = EpochSeconds(LastPayload("StartTransaction"));
  ClearFrames();
  // 1. Offline for four samples (+5, +10, +15, +20 s).
  GoOffline();
  Advance(Seconds(21));
  EXPECT_EQ(Calls(), Strings{}) << "nothing gets through while offline";
  // 2. Restore: no BootNotification, no StatusNotification (still Charging).
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("MeterValues", 4));
  // 3. The queued samples first, oldest first, then new ones, also across
  // the first Heartbeat after the reconnect (its whole-second currentTime
  // must not shift the station's clock by a fraction of a second).
  Advance(Seconds(40));
  EXPECT_GE(CountCalls("Heartbeat"), 1);
  EXPECT_EQ(CountCalls("BootNotification"), 0);
  EXPECT_EQ(CountCalls("StatusNotification"), 0);
  const auto values = Payloads("MeterValues");
  ASSERT_GE(values.size(), 6u);
  // 4. Consecutive timestamps exactly 5 s apart, no gap, none out of order.
  std::int64_t previous_wh = 0;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const auto& mv = values[k];
    EXPECT_EQ(mv["transactionId"], tx);
    const auto& value = mv["meterValue"][0];
    EXPECT_EQ(EpochSeconds(value), tx_start + 5 * static_cast<std::int64_t>(k + 1))
        << "sample " << k + 1;
    const auto& sv = value["sampledValue"][0];
    EXPECT_EQ(Str(sv, "context"), "Sample.Periodic");
    EXPECT_TRUE(!Has(sv, "format") || Str(sv, "format") == "Raw");
    const std::int64_t wh = std::stoll(Str(sv, "value"));
    EXPECT_GE(wh, previous_wh);
    previous_wh = wh;
  }
  EXPECT_TRUE(station().transaction_active());
  // The stop is stamped with the central system's time, to the second,
  // also on a whole second (the reconnect was at a random fraction of one).
  const auto wall_ms =
      std::chrono::duration_cast<Milliseconds>(clock().WallNow().time_since_epoch()).count();
  Advance(Milliseconds(1000 - wall_ms % 1000));
  EXPECT_EQ(RemoteStop(tx), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  EXPECT_EQ(EpochSeconds(LastPayload("StopTransaction")), WallSeconds());
}

TEST_F(CoreOffline, tc037_1_offline_start_valid_idtag) {
  StartStation();
  SetOfflineKeys();
  CacheIdTag("TAG-0001");
  ClearFrames();
  // 1. Offline: plug in and present the cached tag.
  GoOffline();
  Do("cp C");
  Advance(Seconds(3));
  const std::int64_t started = WallSeconds();
  Do("rfid TAG-0001");
  ASSERT_TRUE(station().transaction_active());
  EXPECT_TRUE(connector().contactor_commanded_closed());
  Advance(Seconds(5));
  EXPECT_EQ(Calls(), Strings{});
  // 2. Restore: the changed status, then the queued StartTransaction.
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "StartTransaction"}));
  EXPECT_EQ(Statuses(), (Strings{"1:Charging"}));
  auto start = LastPayload("StartTransaction");
  EXPECT_EQ(start["connectorId"], 1);
  EXPECT_EQ(Str(start, "idTag"), "TAG-0001");
  EXPECT_EQ(EpochSeconds(start), started) << "the offline start time";
  EXPECT_TRUE(start["meterStart"].IsInt());
  ASSERT_TRUE(WaitUntil([&] { return station().csms_transaction_id().has_value(); }));
}

TEST_F(CoreOffline, tc037_2_offline_start_invalid_keep_tx) {
  OfflineStartWithTagTurnedInvalid(/*stop_on_invalid=*/false);
  // C5: energy stops, the transaction stays open.
  ASSERT_TRUE(WaitForStatus(1, "SuspendedEVSE"));
  EXPECT_FALSE(connector().contactor_commanded_closed());
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "StartTransaction", "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"1:Charging", "1:SuspendedEVSE"}));
  EXPECT_TRUE(station().transaction_active());
  // Cleanup.
  const int tx = station().csms_transaction_id().value_or(-1);
  EXPECT_EQ(tx, 100);
  EXPECT_EQ(RemoteStop(tx), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  EXPECT_EQ(Str(LastPayload("StopTransaction"), "reason"), "Remote");
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
}

TEST_F(CoreOffline, tc037_3_offline_start_invalid_stop_tx) {
  OfflineStartWithTagTurnedInvalid(/*stop_on_invalid=*/true);
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "StartTransaction", "StopTransaction",
                                    "StatusNotification"}));
  EXPECT_EQ(Statuses(), (Strings{"1:Charging", "1:Finishing"}));
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(stop["transactionId"], 100);
  EXPECT_EQ(Str(stop, "reason"), "DeAuthorized");
  EXPECT_FALSE(Has(stop, "idTag"));
  EXPECT_FALSE(station().transaction_active());
  EXPECT_FALSE(connector().contactor_commanded_closed());
}

TEST_F(CoreOffline, tc038_offline_stop) {
  StartStation();
  const int tx = StartCharging("TAG-0001");
  ClearFrames();
  // 1. Offline: the same tag stops the transaction, without Authorize.
  GoOffline();
  Advance(Seconds(10));
  const std::int64_t stopped = WallSeconds();
  Do("rfid TAG-0001");
  EXPECT_FALSE(station().transaction_active());
  EXPECT_FALSE(connector().contactor_commanded_closed());
  EXPECT_EQ(station().connector_status(), v16::ChargePointStatus::kFinishing);
  // 2. Restore: the changed status, then the queued StopTransaction.
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Finishing"));
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "StopTransaction"}));
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(stop["transactionId"], tx);
  EXPECT_EQ(Str(stop, "idTag"), "TAG-0001");
  EXPECT_EQ(Str(stop, "reason"), "Local");
  EXPECT_EQ(EpochSeconds(stop), stopped);
  // 3. Cleanup.
  Do("cp A");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
}

TEST_F(CoreOffline, tc039_offline_transaction) {
  StartStation();
  SetOfflineKeys();
  CacheIdTag("TAG-0001");
  // Time passes, as it does between two sessions (the central system treats
  // an identical StartTransaction as a repeat of the same transaction).
  Advance(Seconds(5));
  ClearFrames();
  // 1. A whole transaction while offline; back to Available.
  GoOffline();
  Do("cp C");
  Do("rfid TAG-0001");
  ASSERT_TRUE(station().transaction_active());
  Advance(Seconds(30));
  Do("rfid TAG-0001");
  EXPECT_FALSE(station().transaction_active());
  Do("cp A");
  EXPECT_EQ(station().connector_status(), v16::ChargePointStatus::kAvailable);
  // 2. Restore: no StatusNotification (the status is the last reported).
  ASSERT_TRUE(Restore());
  ASSERT_TRUE(WaitForCall("StopTransaction"));
  Settle();
  EXPECT_EQ(CallsExcept(), (Strings{"StartTransaction", "StopTransaction"}));
  // 3. and 4. The queued stop carries the id from the StartTransaction.conf.
  auto start = LastPayload("StartTransaction");
  auto stop = LastPayload("StopTransaction");
  EXPECT_EQ(start["connectorId"], 1);
  EXPECT_EQ(Str(start, "idTag"), "TAG-0001");
  EXPECT_EQ(stop["transactionId"], 2) << "the central system's second transaction";
  EXPECT_EQ(Str(stop, "idTag"), "TAG-0001");
  EXPECT_EQ(Str(stop, "reason"), "Local");
  EXPECT_EQ(stop["meterStop"].GetInt() - start["meterStart"].GetInt(), 60) << "7.2 kW for 30 s";
}

}  // namespace
}  // namespace ocpp::conformance
