#include "station/config/configuration.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "hal/hardware.h"

namespace ocpp::station {
namespace {

constexpr std::string_view kPrefix = "config/";
constexpr std::string_view kEnergyRegister = "Energy.Active.Import.Register";
// What the meter and the pilot can report (metering/metering.cc).
const std::vector<std::string_view> kMeasurands = {
    kEnergyRegister, "Power.Active.Import", "Current.Import", "Current.Offered", "Power.Offered"};
// Every measurand at once, in each list.
constexpr std::size_t kMaxMeasurands = 5;
const std::vector<std::string_view> kPhaseRotations = {"NotApplicable", "Unknown", "RST", "RTS",
                                                       "SRT",           "STR",     "TRS", "TSR"};

std::vector<std::string> SplitCsl(std::string_view text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

std::optional<std::int64_t> ParseInt(std::string_view text) {
  std::int64_t value = 0;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

// Rotation items may carry a connector prefix: "0.RST", "1.NotApplicable".
bool RotationItemAllowed(std::string_view item) {
  const std::size_t dot = item.find('.');
  if (dot != std::string_view::npos) {
    const auto connector = ParseInt(item.substr(0, dot));
    if (!connector || *connector < 0 || *connector > hal::kMaxConnectors) return false;
    item = item.substr(dot + 1);
  }
  return std::find(kPhaseRotations.begin(), kPhaseRotations.end(), item) != kPhaseRotations.end();
}

}  // namespace

const std::vector<KeyDefinition>& KeyDefinitions() {
  using K = KeyType;
  using A = Access;
  static const std::vector<KeyDefinition> keys = {
      // Security whitepaper 7.1: one CentralSystemRootCertificate at a time
      // (M05.FR.08) is not this product's choice (product-config.md).
      {keys::kAdditionalRootCertificateCheck.name, K::kBoolean, A::kReadOnly, "false"},
      {keys::kAllowOfflineTxForUnknownId.name, K::kBoolean, A::kReadWrite, "true"},
      {keys::kAuthorizationCacheEnabled.name, K::kBoolean, A::kReadWrite, "true"},
      // Security whitepaper 7.2: write-only, 16 to 40 characters.
      {keys::kAuthorizationKey.name, K::kString, A::kWriteOnly, "", 16, 40},
      {keys::kAuthorizeRemoteTxRequests.name, K::kBoolean, A::kReadWrite, "false"},
      // Security whitepaper 7.3 and 7.4 (docs/security.md).
      {keys::kCertificateSignedMaxChainSize.name, K::kInteger, A::kReadOnly, "10000"},
      {keys::kCertificateStoreMaxLength.name, K::kInteger, A::kReadOnly, "20"},
      // Smart Charging (section 9.4), product values: docs/smart-charging.md.
      {keys::kChargeProfileMaxStackLevel.name, K::kInteger, A::kReadOnly, "10"},
      {keys::kChargingScheduleAllowedChargingRateUnit.name, K::kCsl, A::kReadOnly, "Current,Power"},
      {keys::kChargingScheduleMaxPeriods.name, K::kInteger, A::kReadOnly, "48"},
      {keys::kClockAlignedDataInterval.name, K::kInteger, A::kReadWrite, "900", 0, 86400},
      {keys::kConnectionTimeOut.name, K::kInteger, A::kReadWrite, "60", 1, 86400},
      {keys::kConnectorPhaseRotation.name,
       K::kCsl,
       A::kReadWrite,
       "NotApplicable",
       0,
       0,
       {},
       hal::kMaxConnectors + 1},
      {keys::kConnectorSwitch3to1PhaseSupported.name, K::kBoolean, A::kReadOnly, "false"},
      // Security whitepaper 7.5: the O of the station certificate's CSR (an
      // X.520 organizationName holds at most 64 characters).
      {keys::kCpoName.name, K::kString, A::kReadWrite, "", 0, 64},
      {keys::kGetConfigurationMaxKeys.name, K::kInteger, A::kReadOnly, "16"},
      {keys::kHeartbeatInterval.name, K::kInteger, A::kReadWrite, "30", 0, 86400},
      // Local Auth List Management (section 9.2): docs/local-auth-list.md.
      {keys::kLocalAuthListEnabled.name, K::kBoolean, A::kReadWrite, "true"},
      {keys::kLocalAuthListMaxLength.name, K::kInteger, A::kReadOnly, "10000", 0, 10000},
      {keys::kLocalAuthorizeOffline.name, K::kBoolean, A::kReadWrite, "true"},
      {keys::kLocalPreAuthorize.name, K::kBoolean, A::kReadWrite, "false"},
      {keys::kMaxChargingProfilesInstalled.name, K::kInteger, A::kReadOnly, "32"},
      {keys::kMeterValuesAlignedData.name, K::kCsl, A::kReadWrite, kEnergyRegister, 0, 0,
       kMeasurands, kMaxMeasurands},
      {keys::kMeterValuesAlignedDataMaxLength.name, K::kInteger, A::kReadOnly, "5"},
      {keys::kMeterValuesSampledData.name, K::kCsl, A::kReadWrite, kEnergyRegister, 0, 0,
       kMeasurands, kMaxMeasurands},
      {keys::kMeterValuesSampledDataMaxLength.name, K::kInteger, A::kReadOnly, "5"},
      {keys::kMeterValueSampleInterval.name, K::kInteger, A::kReadWrite, "0", 0, 86400},
      {keys::kMinimumStatusDuration.name, K::kInteger, A::kReadWrite, "0", 0, 3600},
      {keys::kNumberOfConnectors.name, K::kInteger, A::kReadOnly, "1"},
      {keys::kReserveConnectorZeroSupported.name, K::kBoolean, A::kReadOnly, "true"},
      {keys::kResetRetries.name, K::kInteger, A::kReadWrite, "1", 0, 10},
      // Whitepaper 7.6: read-write, only upward (station/security/security_profile.h).
      {keys::kSecurityProfile.name, K::kInteger, A::kReadWrite, "0", 0, 3},
      {keys::kSendLocalListMaxLength.name, K::kInteger, A::kReadOnly, "1000", 0, 10000},
      {keys::kStopTransactionMaxMeterValues.name, K::kInteger, A::kReadOnly, "20"},
      {keys::kStopTransactionOnEVSideDisconnect.name, K::kBoolean, A::kReadWrite, "true"},
      {keys::kStopTransactionOnInvalidId.name, K::kBoolean, A::kReadWrite, "true"},
      {keys::kStopTxnAlignedData.name, K::kCsl, A::kReadWrite, "", 0, 0, kMeasurands,
       kMaxMeasurands},
      {keys::kStopTxnAlignedDataMaxLength.name, K::kInteger, A::kReadOnly, "5"},
      {keys::kStopTxnSampledData.name, K::kCsl, A::kReadWrite, "", 0, 0, kMeasurands,
       kMaxMeasurands},
      {keys::kStopTxnSampledDataMaxLength.name, K::kInteger, A::kReadOnly, "5"},
      {keys::kSupportedFeatureProfiles.name, K::kCsl, A::kReadOnly,
       "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"},
      // Every 1.6 profile is offered: six names (product-config.md says 5,
      // the count before Firmware Management and the Local Auth List).
      {keys::kSupportedFeatureProfilesMaxLength.name, K::kInteger, A::kReadOnly, "6"},
      // Firmware Management's transfers (docs/firmware-management.md).
      {keys::kSupportedFileTransferProtocols.name, K::kCsl, A::kReadOnly,
       "FTP,FTPS,HTTP,HTTPS,SFTP"},
      {keys::kTransactionMessageAttempts.name, K::kInteger, A::kReadWrite, "2", 1, 100},
      {keys::kTransactionMessageRetryInterval.name, K::kInteger, A::kReadWrite, "5", 0, 86400},
      // Fixed cable: always false and not changeable (errata v4 3.83).
      {keys::kUnlockConnectorOnEVSideDisconnect.name, K::kBoolean, A::kReadOnly, "false"},
      {keys::kWebSocketPingInterval.name, K::kInteger, A::kReadWrite, "0", 0, 86400},
  };
  return keys;
}

const KeyDefinition* FindKey(std::string_view name) {
  for (const KeyDefinition& key : KeyDefinitions()) {
    if (codec::EqualsIgnoreAsciiCase(key.name, name)) return &key;  // CiString keys
  }
  return nullptr;
}

bool Configuration::IsValid(const KeyDefinition& key, std::string_view value) {
  if (value.size() > 500) return false;  // ChangeConfiguration value is CiString500
  switch (key.type) {
    case KeyType::kBoolean:
      return ParseBool(value).has_value();
    case KeyType::kInteger: {
      const auto number = ParseInt(value);
      return number && *number >= key.min && *number <= key.max;
    }
    case KeyType::kString:
      return static_cast<std::int64_t>(value.size()) >= key.min &&
             static_cast<std::int64_t>(value.size()) <= key.max;
    case KeyType::kCsl: {
      const auto items = SplitCsl(value);
      if (key.max_items != 0 && items.size() > key.max_items) return false;
      for (const std::string& item : items) {
        if (item.empty()) return false;
        if (key.name == keys::kConnectorPhaseRotation.name) {
          if (!RotationItemAllowed(item)) return false;
        } else if (!key.allowed_items.empty() &&
                   std::find(key.allowed_items.begin(), key.allowed_items.end(), item) ==
                       key.allowed_items.end()) {
          return false;  // unsupported measurand: Rejected (section 3.16.4)
        }
      }
      return true;
    }
  }
  return false;
}

Configuration Configuration::Load(hal::KeyValueStore& store,
                                  const std::map<std::string, std::string>& factory_overrides,
                                  const std::map<std::string, std::string>& hardware_facts,
                                  std::vector<std::string>* errors) {
  Configuration config(store);
  for (const auto& [name, value] : factory_overrides) {
    const KeyDefinition* key = FindKey(name);
    if (key == nullptr) {
      if (errors) errors->push_back("unknown configuration key " + name);
    } else if (hardware_facts.count(std::string(key->name)) != 0) {
      if (errors) errors->push_back(name + " is a fact of the hardware; ignored");
    } else if (!IsValid(*key, value)) {
      if (errors) errors->push_back("invalid value for " + name);
    }
  }
  // One read of every stored key instead of one per key (start-up time).
  std::map<std::string, std::string, std::less<>> stored;
  if (auto all = store.List(kPrefix); all.ok()) {
    for (auto& [stored_key, stored_value] : *all) {
      stored.emplace(stored_key.substr(kPrefix.size()), std::move(stored_value));
    }
  }
  for (const KeyDefinition& key : KeyDefinitions()) {
    std::string name(key.name);
    std::string value(key.factory_value);
    if (auto fact = hardware_facts.find(name); fact != hardware_facts.end()) {
      value = fact->second;  // what the hardware reports, never configured
    } else if (auto found = stored.find(name); found != stored.end()) {
      value = found->second;
    } else if (auto it = factory_overrides.find(name);
               it != factory_overrides.end() && IsValid(key, it->second)) {
      value = it->second;
    }
    if (!IsValid(key, value) && !(key.access == Access::kWriteOnly && value.empty())) {
      value = std::string(key.factory_value);  // a corrupt stored value never sticks
    }
    config.values_[name] = value;
  }
  return config;
}

std::string Configuration::GetString(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

std::int64_t Configuration::GetInt(std::string_view key) const {
  return ParseInt(GetString(key)).value_or(0);
}

bool Configuration::GetBool(std::string_view key) const {
  return ParseBool(GetString(key)).value_or(false);
}

std::vector<std::string> Configuration::GetList(std::string_view key) const {
  return SplitCsl(GetString(key));
}

bool Configuration::Store(const KeyDefinition& key, std::string_view value) {
  std::string normalized(value);
  if (key.type == KeyType::kBoolean) normalized = *ParseBool(value) ? "true" : "false";
  if (!store_->Put(std::string(kPrefix) + std::string(key.name), normalized).ok()) return false;
  values_[std::string(key.name)] = normalized;
  if (observer_) observer_(key.name);
  if (auto it = subscribers_.find(key.name); it != subscribers_.end()) {
    const std::vector<std::function<void()>> subscribers = it->second;  // may subscribe more
    for (const auto& subscriber : subscribers) subscriber();
  }
  return true;
}

std::optional<std::string> Configuration::ReadStored(hal::KeyValueStore& store,
                                                     std::string_view key) {
  auto value = store.Get(std::string(kPrefix) + std::string(key));
  if (!value.ok()) return std::nullopt;
  return std::move(*value);
}

v16::ConfigurationStatus Configuration::Change(std::string_view name, std::string_view value) {
  const KeyDefinition* key = FindKey(name);
  if (key == nullptr) return v16::ConfigurationStatus::kNotSupported;
  if (key->access == Access::kReadOnly || !IsValid(*key, value)) {
    return v16::ConfigurationStatus::kRejected;
  }
  if (auto check = change_checks_.find(key->name);
      check != change_checks_.end() && !check->second(value)) {
    return v16::ConfigurationStatus::kRejected;
  }
  return Store(*key, value) ? v16::ConfigurationStatus::kAccepted
                            : v16::ConfigurationStatus::kRejected;
}

bool Configuration::SetInternal(std::string_view name, std::string_view value) {
  const KeyDefinition* key = FindKey(name);
  return key != nullptr && IsValid(*key, value) && Store(*key, value);
}

v16::GetConfigurationConf Configuration::Get(
    const std::optional<std::vector<codec::CiString<50>>>& keys) const {
  v16::GetConfigurationConf conf;
  const auto max_keys =
      static_cast<std::size_t>(std::max<std::int64_t>(1, Get(keys::kGetConfigurationMaxKeys)));
  auto add = [&](const KeyDefinition& key) {
    v16::KeyValue kv;
    kv.key = *codec::CiString<50>::From(key.name);
    kv.readonly = key.access == Access::kReadOnly;
    if (auto value = codec::CiString<500>::From(GetString(key.name))) kv.value = *value;
    if (!conf.configuration_key) conf.configuration_key.emplace();
    conf.configuration_key->push_back(std::move(kv));
  };
  if (!keys || keys->empty()) {
    for (const KeyDefinition& key : KeyDefinitions()) {
      if (key.access != Access::kWriteOnly) add(key);
    }
    return conf;
  }
  std::size_t answered = 0;
  for (const auto& requested : *keys) {
    if (answered++ == max_keys) break;  // at most GetConfigurationMaxKeys per request
    const KeyDefinition* key = FindKey(requested.view());
    if (key == nullptr || key->access == Access::kWriteOnly) {
      if (!conf.unknown_key) conf.unknown_key.emplace();
      conf.unknown_key->push_back(requested);
    } else {
      add(*key);
    }
  }
  return conf;
}

}  // namespace ocpp::station
