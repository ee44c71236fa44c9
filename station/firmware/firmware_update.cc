#include "station/firmware/firmware_update.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ocpp::station {

using v16::FirmwareStatus;

namespace {

constexpr std::string_view kStateKey = "station/firmware/update";
constexpr std::string_view kUnsentKey = "station/firmware/unsent";
// The Installing notification gets this long to be acknowledged before the
// station reboots anyway (it stays queued and goes out after the boot).
constexpr base::Milliseconds kRebootGrace{10000};

const char* PhaseName(int phase) {
  static const char* const kNames[] = {"none",       "scheduled",  "downloading",
                                       "downloaded", "installing", "rebooting"};
  return phase >= 0 && phase < 6 ? kNames[phase] : "none";
}

}  // namespace

FirmwareUpdate::FirmwareUpdate(StationContext& context, Connectors& connectors,
                               TransactionsView& transactions, hal::SystemInfoProvider& system_info,
                               hal::SystemControl& system_control,
                               hal::FirmwareInstaller& installer, runtime::FileTransfer& transfer)
    : context_(context),
      connectors_(connectors),
      transactions_(transactions),
      system_info_(system_info),
      system_control_(system_control),
      installer_(installer),
      transfer_(transfer) {
  Load();
  context_.rpc().Handle<v16::Action::kUpdateFirmware>(
      [this](const v16::UpdateFirmwareReq& req) -> runtime::HandlerResult<v16::UpdateFirmwareConf> {
        Accept(req);
        return v16::UpdateFirmwareConf{};
      });
}

FirmwareUpdate::~FirmwareUpdate() {
  context_.CancelTimer(&timer_);
  if (download_) transfer_.Cancel(*download_);
}

FirmwareUpdate::State FirmwareUpdate::Scheduled(std::string location, std::int64_t retrieve_ms,
                                                std::optional<int> retries,
                                                std::optional<int> retry_interval) {
  State state;
  state.phase = Phase::kScheduled;
  state.location = std::move(location);
  state.retrieve_ms = retrieve_ms;
  state.attempts_left = retries ? std::max(1, *retries) : kDefaultAttempts;
  state.interval_s = retry_interval ? std::max(0, *retry_interval) : kDefaultRetryIntervalS;
  return state;
}

bool FirmwareUpdate::Replace() {
  if (state_.phase == Phase::kInstalling || state_.phase == Phase::kRebooting) {
    context_.Log("firmware update refused: an install is under way", LogLevel::kWarning);
    return false;
  }
  if (download_) {  // a new request replaces the one under way
    transfer_.Cancel(*download_);
    download_.reset();
  }
  context_.CancelTimer(&timer_);
  return true;
}

void FirmwareUpdate::EnableSignedUpdates(SignedUpdates hooks) {
  signed_ = std::move(hooks);
  context_.rpc().Handle<v16::Action::kSignedUpdateFirmware>(
      [this](const v16::SignedUpdateFirmwareReq& req)
          -> runtime::HandlerResult<v16::SignedUpdateFirmwareConf> {
        return v16::SignedUpdateFirmwareConf{AcceptSigned(req)};
      });
}

v16::UpdateFirmwareStatusEnumType FirmwareUpdate::AcceptSigned(
    const v16::SignedUpdateFirmwareReq& req) {
  using S = v16::UpdateFirmwareStatusEnumType;
  const std::string pem(req.firmware.signing_certificate.view());
  auto chain = x509::Certificate::ChainFromPem(pem, 4);
  base::Status trusted =
      chain.ok() ? x509::VerifyChain(*chain,
                                     signed_.manufacturer_roots ? signed_.manufacturer_roots()
                                                                : std::vector<x509::Certificate>{},
                                     context_.Now().unix_millis() / 1000)
                 : chain.status();
  if (!trusted.ok()) {
    context_.Log("SignedUpdateFirmware: signing certificate refused: " + trusted.message(),
                 LogLevel::kWarning);
    const std::string info = trusted.message();
    // After the conf (L01.FR.02).
    context_.PostAfterReply([this, info] {
      if (signed_.security_event) signed_.security_event("InvalidFirmwareSigningCertificate", info);
    });
    return S::kInvalidCertificate;
  }
  const bool under_way = state_.phase != Phase::kNone;
  if (!Replace()) return S::kRejected;
  state_ =
      Scheduled(std::string(req.firmware.location.view()),
                req.firmware.retrieve_date_time.unix_millis(), req.retries, req.retry_interval);
  state_.is_signed = true;
  state_.request_id = req.request_id;
  state_.signing_certificate = pem;
  state_.signature = std::string(req.firmware.signature.view());
  context_.Log("signed firmware update " + std::to_string(req.request_id) + " from " +
               runtime::RedactUrl(state_.location) + " scheduled");
  Persist();
  context_.PostAfterReply([this] { ArmDownload(); });
  return under_way ? S::kAcceptedCanceled : S::kAccepted;
}

void FirmwareUpdate::Accept(const v16::UpdateFirmwareReq& req) {
  if (!Replace()) return;
  state_ =
      Scheduled(req.location, req.retrieve_date.unix_millis(), req.retries, req.retry_interval);
  context_.Log("firmware update from " + runtime::RedactUrl(state_.location) + " scheduled");
  Persist();
  // The download begins after the UpdateFirmware.conf.
  context_.PostAfterReply([this] { ArmDownload(); });
}

void FirmwareUpdate::ArmDownload() {
  context_.CancelTimer(&timer_);
  if (state_.phase != Phase::kScheduled) return;
  const std::int64_t wait =
      std::max<std::int64_t>(0, state_.retrieve_ms - context_.Now().unix_millis());
  timer_ = context_.AddTimer(base::Milliseconds(wait), [this] {
    timer_ = 0;
    StartDownload();
  });
}

std::string FirmwareUpdate::ImagePath() const {
  return installer_.DownloadDirectory() + "/firmware.img";
}

void FirmwareUpdate::StartDownload() {
  if (state_.phase != Phase::kScheduled) return;
  state_.phase = Phase::kDownloading;
  Persist();
  Notify(FirmwareStatus::kDownloading);
  download_ = transfer_.Download(state_.location, ImagePath(),
                                 context_.Guard([this](const runtime::TransferResult& result) {
                                   download_.reset();
                                   OnDownloaded(result);
                                 }));
}

void FirmwareUpdate::OnDownloaded(const runtime::TransferResult& result) {
  if (state_.phase != Phase::kDownloading) return;
  if (!result.ok) return FailAttempt(result.error);
  context_.Log("firmware downloaded (" + std::to_string(result.bytes) + " bytes)");
  state_.phase = Phase::kDownloaded;
  Persist();
  Notify(FirmwareStatus::kDownloaded);
  if (state_.is_signed && !SignatureVerifies()) return;
  TryInstall();
}

bool FirmwareUpdate::SignatureVerifies() {
  auto signer = x509::Certificate::ChainFromPem(state_.signing_certificate, 4);
  const base::Status verified =
      signer.ok() ? x509::VerifyFileSignature(ImagePath(), state_.signature, signer->front())
                  : signer.status();
  if (verified.ok()) {
    Notify("SignatureVerified");
    return true;
  }
  context_.Log("firmware signature refused: " + verified.message(), LogLevel::kError);
  std::remove(ImagePath().c_str());
  Notify("InvalidSignature");
  if (signed_.security_event)
    signed_.security_event("InvalidFirmwareSignature", verified.message());
  Finish();
  return false;
}

void FirmwareUpdate::FailAttempt(const std::string& why) {
  context_.Log("firmware download failed: " + why, LogLevel::kWarning);
  Notify(FirmwareStatus::kDownloadFailed);
  state_.attempts_left -= 1;
  if (state_.attempts_left <= 0) return Finish();
  state_.phase = Phase::kScheduled;
  state_.retrieve_ms = context_.Now().unix_millis() + state_.interval_s * 1000;
  Persist();
  ArmDownload();
}

void FirmwareUpdate::TryInstall() {
  if (state_.phase != Phase::kDownloaded) return;
  // No new sessions from now on; running ones finish first.
  connectors_.set_sessions_blocked(true);
  for (int c = 1; c <= connectors_.count(); ++c) {
    if (transactions_.Active(c) != nullptr) {
      context_.Log("firmware install waits for the transaction on connector " + std::to_string(c));
      return;
    }
  }
  context_.Post([this] { Install(); });
}

void FirmwareUpdate::OnTransactionStopped() {
  if (state_.phase == Phase::kDownloaded) TryInstall();
}

void FirmwareUpdate::Install() {
  if (state_.phase != Phase::kDownloaded) return;
  state_.phase = Phase::kInstalling;
  Persist();
  Notify(FirmwareStatus::kInstalling);
  base::Result<std::string> installed = installer_.Install(ImagePath());
  std::remove(ImagePath().c_str());
  if (!installed.ok()) {
    context_.Log("firmware installation failed: " + installed.status().message(), LogLevel::kError);
    Notify(FirmwareStatus::kInstallationFailed);
    connectors_.set_sessions_blocked(false);
    connectors_.Refresh();
    return Finish();
  }
  // Installed is reported once the reboot has activated it.
  state_.phase = Phase::kRebooting;
  state_.target_version = *installed;
  Persist();
  context_.Log("firmware " + *installed + " installed; rebooting to activate it");
  timer_ = context_.AddTimer(kRebootGrace, [this] {
    timer_ = 0;
    system_control_.RequestReboot(hal::RebootKind::kSoft);
  });
  if (unsent_.empty()) {
    context_.CancelTimer(&timer_);
    system_control_.RequestReboot(hal::RebootKind::kSoft);
  }
}

void FirmwareUpdate::Finish() {
  context_.CancelTimer(&timer_);
  state_ = State{};
  Persist();
}

void FirmwareUpdate::OnOnline() {
  if (reboot_check_due_) {
    reboot_check_due_ = false;
    const std::string running = system_info_.ReadSystemInfo().firmware_version;
    const bool activated = running == state_.target_version;
    context_.Log("firmware after the reboot: " + running +
                 (activated ? " (installed)" : " (expected " + state_.target_version + ")"));
    Notify(activated ? FirmwareStatus::kInstalled : FirmwareStatus::kInstallationFailed);
    if (activated && on_updated_) on_updated_(running);
    Finish();
  }
  Flush();
}

v16::FirmwareStatus FirmwareUpdate::CurrentStatus() const {
  switch (state_.phase) {
    case Phase::kDownloading:
      return FirmwareStatus::kDownloading;
    case Phase::kDownloaded:
      return FirmwareStatus::kDownloaded;
    case Phase::kInstalling:
    case Phase::kRebooting:
      return FirmwareStatus::kInstalling;
    default:
      return FirmwareStatus::kIdle;
  }
}

void FirmwareUpdate::Notify(std::string_view status) {
  unsent_.push_back(Unsent{std::string(status), state_.is_signed
                                                    ? std::optional<std::int64_t>(state_.request_id)
                                                    : std::nullopt});
  Persist();
  Flush();
}

void FirmwareUpdate::Flush() {
  if (sending_ || unsent_.empty() || !context_.online()) return;
  sending_ = true;
  auto on_outcome = [this](const auto& outcome) {
    sending_ = false;
    // An answer, even a CALLERROR, is delivery; no answer is sent again.
    const auto* failure = std::get_if<runtime::CallFailure>(&outcome);
    const bool delivered = failure == nullptr ||
                           failure->kind == runtime::CallFailure::Kind::kCallError ||
                           failure->kind == runtime::CallFailure::Kind::kInvalidResponse;
    if (!delivered) return;  // sent again once online
    unsent_.pop_front();
    Persist();
    if (unsent_.empty() && state_.phase == Phase::kRebooting && timer_ != 0) {
      context_.CancelTimer(&timer_);
      system_control_.RequestReboot(hal::RebootKind::kSoft);
      return;
    }
    Flush();
  };
  const Unsent& next = unsent_.front();
  if (next.request_id) {
    v16::SignedFirmwareStatusNotificationReq req;
    req.status = v16::FirmwareStatusEnumTypeFromString(next.status)
                     .value_or(v16::FirmwareStatusEnumType::kIdle);
    req.request_id = next.request_id;
    context_.rpc().Call(
        req, context_.Guard(
                 [on_outcome](runtime::CallOutcome<v16::SignedFirmwareStatusNotificationConf> o) {
                   on_outcome(o);
                 }));
  } else {
    context_.rpc().Call(
        v16::FirmwareStatusNotificationReq{
            v16::FirmwareStatusFromString(next.status).value_or(FirmwareStatus::kIdle)},
        context_.Guard([on_outcome](runtime::CallOutcome<v16::FirmwareStatusNotificationConf> o) {
          on_outcome(o);
        }));
  }
}

void FirmwareUpdate::Persist() {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("phase");
  w.String(PhaseName(static_cast<int>(state_.phase)));
  w.Key("location");
  w.String(state_.location.c_str());
  w.Key("retrieve_ms");
  w.Int64(state_.retrieve_ms);
  w.Key("attempts_left");
  w.Int(state_.attempts_left);
  w.Key("interval_s");
  w.Int64(state_.interval_s);
  w.Key("target");
  w.String(state_.target_version.c_str());
  if (state_.is_signed) {
    w.Key("request_id");
    w.Int64(state_.request_id);
    w.Key("signing_certificate");
    w.String(state_.signing_certificate.c_str());
    w.Key("signature");
    w.String(state_.signature.c_str());
  }
  w.EndObject();
  // "Status" for UpdateFirmware, "Status@requestId" for a signed update.
  std::string unsent;
  for (const Unsent& u : unsent_) {
    unsent += std::string(unsent.empty() ? "" : ",") + u.status +
              (u.request_id ? "@" + std::to_string(*u.request_id) : "");
  }
  const base::Status status = context_.store().Commit(
      {{std::string(kStateKey), state_.phase == Phase::kNone
                                    ? std::nullopt
                                    : std::optional<std::string>(buffer.GetString())},
       {std::string(kUnsentKey),
        unsent_.empty() ? std::nullopt : std::optional<std::string>(unsent)}});
  if (!status.ok()) {
    context_.Log("cannot persist the firmware update: " + status.message(), LogLevel::kError);
  }
}

void FirmwareUpdate::DropQueued(FirmwareStatus status) {
  const std::string_view name = v16::ToString(status);
  unsent_.erase(std::remove_if(unsent_.begin(), unsent_.end(),
                               [name](const Unsent& u) { return u.status == name; }),
                unsent_.end());
}

void FirmwareUpdate::Load() {
  if (auto unsent = context_.store().Get(kUnsentKey); unsent.ok()) {
    std::size_t start = 0;
    while (start <= unsent->size()) {
      const std::size_t comma = unsent->find(',', start);
      const std::string item =
          unsent->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const std::size_t at = item.find('@');
      Unsent u{item.substr(0, at), std::nullopt};
      if (at != std::string::npos) {
        char* end = nullptr;
        const long long id = std::strtoll(item.c_str() + at + 1, &end, 10);
        if (end && *end == '\0') u.request_id = id;
      }
      const bool known = u.request_id ? v16::FirmwareStatusEnumTypeFromString(u.status).has_value()
                                      : v16::FirmwareStatusFromString(u.status).has_value();
      if (known) unsent_.push_back(std::move(u));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  auto stored = context_.store().Get(kStateKey);
  if (!stored.ok()) return;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(stored->c_str());
  auto str = [&doc](const char* name) -> std::string {
    auto it = doc.IsObject() ? doc.FindMember(name) : doc.MemberEnd();
    return doc.IsObject() && it != doc.MemberEnd() && it->value.IsString() ? it->value.GetString()
                                                                           : "";
  };
  auto num = [&doc](const char* name) -> std::int64_t {
    auto it = doc.IsObject() ? doc.FindMember(name) : doc.MemberEnd();
    return doc.IsObject() && it != doc.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64()
                                                                          : 0;
  };
  if (doc.HasParseError() || !doc.IsObject()) {
    context_.Log("discarding an unreadable firmware update record", LogLevel::kError);
    return Finish();
  }
  const std::string phase = str("phase");
  state_.location = str("location");
  state_.retrieve_ms = num("retrieve_ms");
  state_.attempts_left = static_cast<int>(num("attempts_left"));
  state_.interval_s = num("interval_s");
  state_.target_version = str("target");
  if (doc.HasMember("request_id")) {
    state_.is_signed = true;
    state_.request_id = num("request_id");
    state_.signing_certificate = str("signing_certificate");
    state_.signature = str("signature");
  }
  if (phase == "scheduled") {
    state_.phase = Phase::kScheduled;
    context_.Post([this] { ArmDownload(); });
  } else if (phase == "downloading") {
    // The power went during the download: that attempt failed. A queued
    // Downloading is stale now (DownloadFailed follows); it may also have
    // been delivered already, so it is not sent again.
    DropQueued(FirmwareStatus::kDownloading);
    state_.phase = Phase::kDownloading;
    context_.Post([this] { FailAttempt("interrupted by a restart"); });
  } else if (phase == "downloaded") {
    state_.phase = Phase::kDownloaded;
    context_.Post([this] { TryInstall(); });
  } else if (phase == "installing") {
    // Interrupted installs are failures; never install twice.
    context_.Log("the firmware install was interrupted by a restart", LogLevel::kError);
    DropQueued(FirmwareStatus::kInstalling);
    Notify(FirmwareStatus::kInstallationFailed);
    Finish();
  } else if (phase == "rebooting") {
    DropQueued(FirmwareStatus::kInstalling);  // the outcome follows
    state_.phase = Phase::kRebooting;
    reboot_check_due_ = true;
  } else {
    Finish();
  }
}

}  // namespace ocpp::station
