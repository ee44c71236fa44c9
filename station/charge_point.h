// The charge point: OCPP 1.6 Core behaviour of a single-connector J1772 AC
// station with a fixed cable and one RFID reader, on top of the runtime
// (RpcEndpoint, durable transaction queue) and the hal interfaces.
//
// Everything runs on the EventLoop thread. Hardware observers are re-posted
// onto the loop, so a HAL backend may call them from any thread.
//
// Integrator API: construct with ChargePoint::Create(), call Start(); the
// Callbacks report what an integrator must react to (status for a display,
// frames for a trace, DataTransfer for vendor extensions).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "generated/ocpp16/registry.h"
#include "hal/hardware.h"
#include "base/status.h"
#include "hal/storage.h"
#include "runtime/durable_queue.h"
#include "runtime/event_loop.h"
#include "runtime/rpc_endpoint.h"
#include "runtime/transaction_sender.h"
#include "runtime/transport.h"
#include "station/authorization_cache.h"
#include "station/configuration.h"
#include "station/connector_state.h"

namespace ocpp::station {

inline constexpr int kConnectorId = 1;  // the one connector

class ChargePoint {
 public:
  struct Callbacks {
    // Every StatusNotification-worthy change of connector 0 or 1.
    std::function<void(int connector, v16::ChargePointStatus, v16::ChargePointErrorCode)> on_status;
    std::function<void(runtime::TraceDirection, std::string_view frame)> on_frame;
    std::function<void(bool connected)> on_connection;
    std::function<void(std::string_view line)> log;
    // A DataTransfer.req from the central system. Return nullopt when the
    // vendorId is not yours: the station answers UnknownVendorId.
    std::function<std::optional<v16::DataTransferConf>(const v16::DataTransferReq&)>
        on_data_transfer;
    // Settings of the connection itself: "AuthorizationKey" (Basic auth
    // password for the next connection) and "WebSocketPingInterval"
    // (seconds). Called at Create with the persisted values and after every
    // change; hand them to your transport (WsClientTransport::ApplyConfigurationKey).
    std::function<void(std::string_view key, const std::string& value)> on_connection_setting;
  };

  struct Options {
    // Factory configuration (first start only), e.g. {"HeartbeatInterval", "30"}.
    std::map<std::string, std::string> factory_config;
    // The current the supply circuit allows; advertised on the control pilot.
    int max_current_amps = 32;
    base::Milliseconds response_timeout{15000};
    // How long a Reset waits for queued StopTransactions before rebooting.
    base::Milliseconds reset_grace{10000};
    // A reboot request not carried out within this time failed (ResetRetries).
    base::Milliseconds reboot_timeout{60000};
    // How often the HAL is polled (hal::Hardware::Poll).
    base::Milliseconds poll_interval{hal::kHardwarePollInterval};
    Callbacks callbacks;
  };

  struct Dependencies {
    runtime::EventLoop& loop;
    runtime::Transport& transport;
    hal::Hardware& hardware;
    hal::KeyValueStore& store;
    hal::MessageLog& message_log;
  };

  // Loads configuration and state; stops a transaction that a power cut
  // interrupted (reason PowerLoss). Errors are one-line descriptions.
  static base::Result<std::unique_ptr<ChargePoint>> Create(Dependencies deps, Options options,
                                                          std::vector<std::string>* warnings);
  ~ChargePoint();

  void Start();  // connect and boot
  void Stop();   // close the connection (state is always persisted already)

  // Read-only views for integrators and tests.
  v16::ChargePointStatus connector_status() const { return last_status_[kConnectorId]; }
  bool transaction_active() const { return tx_.has_value(); }
  std::optional<int> csms_transaction_id() const;
  bool registered() const { return registration_ == Registration::kAccepted; }
  const Configuration& configuration() const { return config_; }
  codec::DateTime Now() const;

 private:
  enum class Registration { kNone, kPending, kRejected, kAccepted };

  struct Transaction {
    std::int64_t local_id = 0;
    std::string id_tag;
    std::optional<std::string> parent_id_tag;
    std::int64_t meter_start_wh = 0;
    codec::DateTime started;
    bool confirmed = false;                  // StartTransaction.conf Accepted
    bool suspended_evse = false;             // not Accepted and StopTransactionOnInvalidId false
    std::vector<v16::MeterValue> stop_data;  // transactionData for StopTransaction
    // Sampled meter values: sample k is due at sample_base + k * interval
    // and stamped sample_base_time + k * interval (section 3.16.2).
    base::SteadyTime sample_base{};
    codec::DateTime sample_base_time;
    std::int64_t samples = 0;
  };

  ChargePoint(Dependencies deps, Options options, Configuration config);

  // Connection and registration.
  void OnConnected();
  void OnDisconnected(runtime::DisconnectReason reason);
  void SendBootNotification();
  // Sets the clock from a central system's currentTime (whole seconds).
  void SyncClock(codec::DateTime central_time);
  // After BootNotification Accepted (`force`: every connector) or a
  // reconnect (connectors whose status differs from the acknowledged one):
  // the StatusNotifications first, then the transaction queue.
  void ReportStatusesThenDrainQueue(bool force);
  void ScheduleHeartbeat();
  void SchedulePoll();
  void RegisterHandlers();

  // Hardware events.
  void OnPilot(hal::PilotState state);
  void OnTag(const std::string& id_tag);
  void OnFault(hal::Fault fault);

  // Authorization.
  using AuthResult = std::function<void(bool accepted, std::optional<std::string> parent)>;
  void Authorize(const std::string& id_tag, AuthResult done);
  bool OfflineAuthorization(const std::string& id_tag, std::optional<std::string>* parent);
  void BeginSession(const std::string& id_tag, std::optional<std::string> parent);
  void DropAuthorization();
  // No fault, operative, no reset under way: a session may start.
  bool Usable() const;

  // Transactions.
  void TryStartTransaction();
  void StopTransaction(v16::Reason reason, std::optional<std::string> id_tag);
  void OnStartAccepted(std::int64_t local_id, const v16::StartTransactionConf& conf);
  // Stores the open transaction with the register reading now, taken at
  // `reading_time` (default: now).
  void PersistTransaction(std::optional<codec::DateTime> reading_time = std::nullopt);
  void RecoverInterruptedTransaction();
  void Enqueue(runtime::TransactionMessageKind kind, const std::string& action,
               const std::string& payload, std::int64_t local_id);

  // Meter values.
  v16::MeterValue Sample(v16::ReadingContext context, const std::vector<std::string>& measurands,
                         codec::DateTime when);
  void ScheduleSampledMeterValues();
  void ScheduleClockAlignedMeterValues();
  void AddStopData(const v16::MeterValue& value);
  std::int64_t ReadEnergyWh();

  // Status and outputs.
  ConnectorInputs Inputs() const;
  void Update();  // recompute outputs and status after any event
  void ReportStatus(int connector, bool force);
  // `done` runs when the StatusNotification was answered or failed.
  void SendStatus(int connector, codec::DateTime timestamp, std::function<void()> done = {});
  void SetFinishing(bool finishing);  // persisted (section 1.10 of the checklist)
  void ApplyScheduledAvailability();
  void ArmConnectionTimeout();

  // CSMS operations.
  void ScheduleReset(v16::ResetType type);
  void RequestReboot(v16::ResetType type, int retries_left);
  void OnConfigurationChanged(std::string_view key);
  void Log(const std::string& line);
  void Post(std::function<void()> task);

  Dependencies deps_;
  Options options_;
  Configuration config_;
  AuthorizationCache cache_;
  std::unique_ptr<runtime::TransactionMessageQueue> queue_;
  std::unique_ptr<runtime::RpcEndpoint> rpc_;
  std::unique_ptr<runtime::TransactionMessageSender> sender_;

  Registration registration_ = Registration::kNone;
  bool booted_this_power_cycle_ = false;  // a BootNotification was Accepted
  std::int64_t wall_offset_ms_ = 0;       // central system time minus local time

  hal::PilotState pilot_ = hal::PilotState::kA;
  hal::Fault fault_ = hal::Fault::kNoError;
  bool operative_[2] = {true, true};
  std::optional<bool> scheduled_operative_;  // ChangeAvailability Scheduled
  // A pending authorization (tag and parent) without a transaction yet.
  std::optional<std::string> session_id_tag_;
  std::optional<std::string> session_parent_;
  bool authorizing_ = false;  // an Authorize for a new session is under way
  bool finishing_ = false;
  std::optional<Transaction> tx_;
  bool reset_pending_ = false;
  base::SteadyTime last_persisted_{};
  bool started_ = false;
  std::shared_ptr<std::function<void()>> reset_check_;

  v16::ChargePointStatus last_status_[2] = {v16::ChargePointStatus::kAvailable,
                                            v16::ChargePointStatus::kAvailable};
  std::optional<v16::ChargePointStatus> last_sent_[2];
  std::optional<v16::ChargePointStatus> last_acked_[2];  // answered by the central system
  codec::DateTime status_since_[2];                      // when last_status_ began
  std::uint64_t connection_epoch_ = 0;                   // counts (re)connections
  runtime::TimerId status_timer_[2] = {0, 0};
  runtime::TimerId heartbeat_timer_ = 0;
  runtime::TimerId boot_timer_ = 0;
  runtime::TimerId connection_timer_ = 0;
  runtime::TimerId sample_timer_ = 0;
  runtime::TimerId aligned_timer_ = 0;
  runtime::TimerId poll_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ocpp::station
