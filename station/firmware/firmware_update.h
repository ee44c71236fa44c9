// Firmware updates (OCPP 1.6 sections 4.5, 5.19; errata): UpdateFirmware,
// the download at retrieveDate with retries, the install once no transaction
// runs, the reboot that activates the image, and FirmwareStatusNotification.
//
//  * Statuses, once per attempt and in order: Downloading, then Downloaded or
//    DownloadFailed; Installing, then InstallationFailed, or Installed only
//    after the reboot (when the running version is the installed one).
//  * retries is the number of download attempts (0 still makes one; absent:
//    kDefaultAttempts), retryInterval the wait between them.
//  * Installing waits until no transaction runs; meanwhile no new session
//    starts (Connectors::set_sessions_blocked), running ones go on. The
//    reboot is the hardware's, as for Reset (in-process in station_sim).
//  * The update's state is persisted after every step, and so are the
//    statuses not yet acknowledged by the central system (sent in order once
//    online). After a power cut: an interrupted download counts as a failed
//    attempt (DownloadFailed, then the next attempt if any); an interrupted
//    install is InstallationFailed, never a second install. A Downloading or
//    Installing still queued then is dropped: it may have been delivered
//    before the power went, and its outcome follows anyway.
//  * SignedUpdateFirmware (security whitepaper L01, once EnableSignedUpdates
//    is called): the signing certificate must chain to an installed
//    ManufacturerRootCertificate, else InvalidCertificate and the security
//    event InvalidFirmwareSigningCertificate; after the download the
//    signature (RSA or ECDSA over SHA-256 of the file) is verified before
//    anything is installed: SignatureVerified, or InvalidSignature with the
//    event InvalidFirmwareSignature and the end of the update. The same
//    steps otherwise, reported as SignedFirmwareStatusNotification with the
//    requestId. A new request while one is under way replaces it
//    (AcceptedCanceled); during an install it is Rejected.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "hal/firmware.h"
#include "hal/system_info.h"
#include "runtime/file_transfer.h"
#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/security/x509.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

class FirmwareUpdate {
 public:
  static constexpr int kDefaultAttempts = 3;
  static constexpr std::int64_t kDefaultRetryIntervalS = 60;

  // Loads an update in progress and registers UpdateFirmware.
  FirmwareUpdate(StationContext& context, Connectors& connectors, TransactionsView& transactions,
                 hal::SystemInfoProvider& system_info, hal::SystemControl& system_control,
                 hal::FirmwareInstaller& installer, runtime::FileTransfer& transfer);
  ~FirmwareUpdate();
  FirmwareUpdate(const FirmwareUpdate&) = delete;
  FirmwareUpdate& operator=(const FirmwareUpdate&) = delete;

  // Online (BootNotification accepted or reconnected): unsent statuses go
  // out, and after the activating reboot Installed or InstallationFailed.
  void OnOnline();
  // A transaction ended: a waiting install may begin.
  void OnTransactionStopped();
  // For TriggerMessage: the state of the update under way, Idle when none.
  v16::FirmwareStatus CurrentStatus() const;
  struct SignedUpdates {
    // The installed ManufacturerRootCertificates.
    std::function<std::vector<x509::Certificate>()> manufacturer_roots;
    // A security event the central system is told about (`type`, `info`).
    std::function<void(std::string_view type, std::string_view info)> security_event;
  };
  // Registers SignedUpdateFirmware.
  void EnableSignedUpdates(SignedUpdates hooks);
  // Told when a reboot activated a new image (security event FirmwareUpdated).
  void SetUpdatedObserver(std::function<void(const std::string& version)> observer) {
    on_updated_ = std::move(observer);
  }

 private:
  enum class Phase { kNone, kScheduled, kDownloading, kDownloaded, kInstalling, kRebooting };
  struct State {
    Phase phase = Phase::kNone;
    std::string location;
    std::int64_t retrieve_ms = 0;
    int attempts_left = 0;
    std::int64_t interval_s = kDefaultRetryIntervalS;
    std::string target_version;  // what the install said the reboot brings
    // SignedUpdateFirmware: statuses go as SignedFirmwareStatusNotification.
    bool is_signed = false;
    std::int64_t request_id = 0;
    std::string signing_certificate;  // PEM
    std::string signature;            // base64
  };
  // A status waiting for the central system; request_id: a signed update's.
  struct Unsent {
    std::string status;
    std::optional<std::int64_t> request_id;
  };

  void Accept(const v16::UpdateFirmwareReq& req);
  v16::UpdateFirmwareStatusEnumType AcceptSigned(const v16::SignedUpdateFirmwareReq& req);
  // A request's schedule: retries (0 still makes one attempt) and interval.
  static State Scheduled(std::string location, std::int64_t retrieve_ms, std::optional<int> retries,
                         std::optional<int> retry_interval);
  // A new request: cancels the download under way; false during an install.
  bool Replace();
  // Signed updates: the downloaded image's signature; false ends the update.
  bool SignatureVerifies();
  void Load();
  void Persist();
  void ArmDownload();
  void StartDownload();
  void OnDownloaded(const runtime::TransferResult& result);
  void FailAttempt(const std::string& why);
  void TryInstall();
  void Install();
  void Finish();
  // Queues a status (persisted) and sends what can be sent.
  void Notify(v16::FirmwareStatus status) { Notify(v16::ToString(status)); }
  void Notify(std::string_view status);
  void Flush();
  // After a restart: an intermediate status whose outcome follows is not
  // sent (again); see Load().
  void DropQueued(v16::FirmwareStatus status);
  std::string ImagePath() const;

  StationContext& context_;
  Connectors& connectors_;
  TransactionsView& transactions_;
  hal::SystemInfoProvider& system_info_;
  hal::SystemControl& system_control_;
  hal::FirmwareInstaller& installer_;
  runtime::FileTransfer& transfer_;
  State state_;
  std::deque<Unsent> unsent_;
  SignedUpdates signed_;
  bool sending_ = false;
  bool reboot_check_due_ = false;  // booted from an install: report the outcome
  runtime::TimerId timer_ = 0;
  std::optional<runtime::FileTransfer::TransferId> download_;
  std::function<void(const std::string&)> on_updated_;
};

}  // namespace ocpp::station
