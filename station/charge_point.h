// The charge point: OCPP 1.6 Core, Smart Charging, Reservation and Remote
// Trigger behaviour of a J1772 AC station with 1 to 8 connectors (fixed cables) and one RFID
// reader, on top of the runtime (RpcEndpoint, durable transaction queue) and the hal interfaces.
//
// ChargePoint is the composition root: it builds the feature modules
// (registration, connectors, availability, reset, authorization,
// transactions, metering, configuration and the small services), wires them
// to each other and to the transport, and holds no feature logic itself.
// See docs/architecture.md for the module map.
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

#include "base/status.h"
#include "generated/ocpp16/registry.h"
#include "hal/credential_store.h"
#include "hal/firmware.h"
#include "hal/hardware.h"
#include "hal/storage.h"
#include "runtime/event_loop.h"
#include "runtime/file_transfer.h"
#include "runtime/rpc_endpoint.h"
#include "runtime/transport.h"
#include "station/config/configuration.h"
#include "station/context.h"

namespace ocpp::station {

class Outbox;
class AuthorizationCache;
class StatusReporter;
class Connectors;
class Registration;
class Authorization;
class Transactions;
class Metering;
class Availability;
class Reset;
class SmartCharging;
class Reservations;
class RemoteTrigger;
class FirmwareUpdate;
class Diagnostics;
class SecurityEvents;
class LogUpload;
class ReportingSystemControl;
class LocalAuthList;
class CertificateStore;
class SecurityProfileSwitch;
class ChargePointCertificate;

class ChargePoint {
 public:
  // The longest message the central system may send this station: a
  // SendLocalList of SendLocalListMaxLength (1000) entries each with every
  // field is about 153 KB of compact JSON. Give the transport at least this
  // (WsClientTransport::Options::max_message_bytes; its default, 64 KiB, is
  // too small for it).
  static constexpr std::size_t kMaxIncomingMessageBytes = 256 * 1024;

  struct Callbacks {
    // Every change of a connector's status (0 is the station as a whole).
    std::function<void(int connector, v16::ChargePointStatus, v16::ChargePointErrorCode)> on_status;
    std::function<void(runtime::TraceDirection, std::string_view frame)> on_frame;
    std::function<void(bool connected)> on_connection;
    // Log lines for people (info level), unless `log_at_level` is set.
    std::function<void(std::string_view line)> log;
    std::function<void(LogLevel level, std::string_view line)> log_at_level;
    // A DataTransfer.req from the central system. Return nullopt when the
    // vendorId is not yours: the station answers UnknownVendorId.
    std::function<std::optional<v16::DataTransferConf>(const v16::DataTransferReq&)>
        on_data_transfer;
    // Settings of the connection itself that the central system controls
    // (configuration keys AuthorizationKey and WebSocketPingInterval):
    // called at Create with the persisted values and after every change;
    // hand them to your transport (WsClientTransport::SetAuthorizationKey,
    // SetPingInterval). A false return is logged.
    std::function<bool(std::string key)> set_authorization_key;
    std::function<bool(std::chrono::seconds interval)> set_ping_interval;
    // The installed CentralSystemRootCertificates (PEM), at Create and
    // after every InstallCertificate / DeleteCertificate: the roots the TLS
    // connection trusts besides the factory ones
    // (WsClientTransport::SetTrustedRoots).
    std::function<void(const std::vector<std::string>& pems)> set_trusted_roots;
    // Security profile switching (whitepaper A05, key SecurityProfile):
    // whether the transport can connect with a profile, whether it has
    // trust anchors of its own, and how to reconnect with another profile
    // (WsClientTransport::Reconfigure). Without `available` the key only
    // takes the value it has (every change Rejected).
    struct SecurityProfiles {
      std::function<bool(int profile)> available;
      bool factory_trust_anchors = false;
      std::function<void(int profile)> switch_to;
    };
    SecurityProfiles security_profiles;
    // A new station certificate is installed (CertificateSigned): use the
    // chain and key (PEM files; the same file holds both) for security
    // profile 3, reconnecting if that is the profile in use.
    std::function<void(const std::string& chain_path, const std::string& key_path)>
        set_client_certificate;
  };

  struct Options {
    // Factory configuration (first start only), e.g. {"HeartbeatInterval", "30"}.
    std::map<std::string, std::string> factory_config;
    base::Milliseconds response_timeout{15000};
    // How long a Reset waits for queued StopTransactions before rebooting.
    base::Milliseconds reset_grace{10000};
    // A reboot request not carried out within this time failed (ResetRetries).
    base::Milliseconds reboot_timeout{60000};
    // How often the HAL is polled (hal::Hardware::Poll); 0: never, for
    // backends that push their events (no wake-ups while idle).
    base::Milliseconds poll_interval{0};
    // What the storage backend found wrong when it opened (e.g.
    // SqliteStorage::OpenReport::warnings), one line each: logged at error
    // level and reported to the central system once online (connector 0,
    // errorCode OtherError).
    std::vector<std::string> storage_problems;
    // The central system speaks the security whitepaper's messages: critical
    // security events are sent as SecurityEventNotification. Off for a plain
    // OCPP 1.6 central system (security profile 0): they are only logged.
    bool security_extension = false;
    // The charge point identity (the CN of the station's CSR).
    std::string charge_point_identity;
    Callbacks callbacks;
  };

  struct Dependencies {
    runtime::EventLoop& loop;
    runtime::Transport& transport;
    hal::Hardware& hardware;
    hal::KeyValueStore& store;
    hal::MessageLog& message_log;
    // Optional: the storage's write groups (SqliteStorage has them), so that
    // each event the station handles costs one sync (group commit).
    hal::WriteGrouping* write_grouping = nullptr;
    // Optional, all three together: the Firmware Management profile
    // (UpdateFirmware, GetDiagnostics). Without them it is not offered.
    runtime::FileTransfer* file_transfer = nullptr;
    hal::FirmwareInstaller* firmware_installer = nullptr;
    hal::DiagnosticsLog* diagnostics_log = nullptr;
    // Optional: the security log (security events; GetLog SecurityLog).
    hal::DiagnosticsLog* security_log = nullptr;
    // Optional: where the station's own key and certificate live (security
    // profile 3, CSR / CertificateSigned). Without it
    // SignChargePointCertificate is NotImplemented.
    hal::CredentialStore* credentials = nullptr;
  };

  // Loads configuration and state; stops transactions that a power cut
  // interrupted (reason PowerLoss). Errors are one-line descriptions;
  // `warnings` receives problems with the factory configuration.
  static base::Result<std::unique_ptr<ChargePoint>> Create(Dependencies deps, Options options,
                                                           std::vector<std::string>* warnings);
  ~ChargePoint();

  void Start();  // connect and boot
  void Stop();   // close the connection (state is always persisted already)

  // The feature profiles this station offers (SupportedFeatureProfiles).
  static std::string FeatureProfiles(const Dependencies& deps);

  // Read-only views for integrators and tests; `connector` is 1..N.
  int connector_count() const;
  v16::ChargePointStatus connector_status(int connector = 1) const;
  bool transaction_active(int connector = 1) const;
  std::optional<std::int64_t> csms_transaction_id(int connector = 1) const;
  bool registered() const;
  const Configuration& configuration() const { return config_; }
  codec::DateTime Now() const;

 private:
  ChargePoint(Dependencies deps, Options options, Configuration config);
  void Wire();
  void OnConnected();
  void OnDisconnected(runtime::DisconnectReason reason);
  void OnOnline(bool boot);
  void SchedulePoll();
  void OnStorageDegraded(bool degraded);

  Dependencies deps_;
  Options options_;
  Configuration config_;
  std::unique_ptr<runtime::RpcEndpoint> rpc_;
  std::unique_ptr<StationContext> context_;
  std::unique_ptr<AuthorizationCache> cache_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<StatusReporter> reporter_;
  std::unique_ptr<Connectors> connectors_;
  std::unique_ptr<Registration> registration_;
  std::unique_ptr<Authorization> authorization_;
  std::unique_ptr<Transactions> transactions_;
  std::unique_ptr<Metering> metering_;
  std::unique_ptr<Availability> availability_;
  std::unique_ptr<Reset> reset_;
  std::unique_ptr<SmartCharging> smart_charging_;
  std::unique_ptr<Reservations> reservations_;
  std::unique_ptr<RemoteTrigger> remote_trigger_;
  std::unique_ptr<FirmwareUpdate> firmware_;
  std::unique_ptr<Diagnostics> diagnostics_;
  std::unique_ptr<SecurityEvents> security_;
  std::unique_ptr<LogUpload> log_upload_;
  // Reports ResetOrReboot before the hardware reboots (Reset, firmware).
  std::unique_ptr<ReportingSystemControl> system_control_;
  std::unique_ptr<LocalAuthList> local_list_;
  std::unique_ptr<CertificateStore> certificates_;
  std::unique_ptr<SecurityProfileSwitch> profile_switch_;
  std::unique_ptr<ChargePointCertificate> own_certificate_;
  runtime::TimerId poll_timer_ = 0;
  bool started_ = false;
  bool storage_lost_notice_ = false;  // reported once, then cleared
  std::string last_security_failure_;
  bool invalid_message_reported_ =
      false;  // InvalidMessages, once per connection  // of the last failed attempt (security log)
};

}  // namespace ocpp::station
