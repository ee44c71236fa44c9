// The station's OCPP configuration keys (OCPP 1.6 section 9.1, the security
// whitepaper's AuthorizationKey/SecurityProfile): one table that says each
// key's type, access, default and validation, values persisted in a
// KeyValueStore, and the ChangeConfiguration / GetConfiguration rules of
// product-config.md:
//   read-only key -> Rejected, unknown key -> NotSupported, value that does
//   not parse or is out of range (or an unsupported measurand) -> Rejected;
//   GetConfiguration returns at most GetConfigurationMaxKeys keys per list;
//   AuthorizationKey is write-only and never returned.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "generated/ocpp16/registry.h"
#include "hal/storage.h"
#include "station/config/config_keys.h"

namespace ocpp::station {

enum class KeyType { kBoolean, kInteger, kCsl, kString };
enum class Access { kReadOnly, kReadWrite, kWriteOnly };

struct KeyDefinition {
  std::string_view name;
  KeyType type;
  Access access;
  std::string_view factory_value;
  // Integers: inclusive range. CSL: allowed items (empty = any) and max items.
  std::int64_t min = 0;
  std::int64_t max = INT32_MAX;
  std::vector<std::string_view> allowed_items = {};
  std::size_t max_items = 0;  // 0 = unbounded
};

// The keys this product has, in the order GetConfiguration lists them.
const std::vector<KeyDefinition>& KeyDefinitions();
const KeyDefinition* FindKey(std::string_view name);

class Configuration {
 public:
  // Loads persisted values; keys never written use `factory_overrides` (from
  // --config, first start only) or the table's factory value. An override
  // that is unknown or invalid is reported in `errors` and ignored.
  // `hardware_facts` are read-only keys the hardware decides (e.g.
  // NumberOfConnectors): they win over stored values, and a factory override
  // of one is reported and ignored.
  static Configuration Load(hal::KeyValueStore& store,
                            const std::map<std::string, std::string>& factory_overrides,
                            const std::map<std::string, std::string>& hardware_facts,
                            std::vector<std::string>* errors);
  static Configuration Load(hal::KeyValueStore& store,
                            const std::map<std::string, std::string>& factory_overrides,
                            std::vector<std::string>* errors) {
    return Load(store, factory_overrides, {}, errors);
  }

  // Typed access through the constants of config_keys.h.
  bool Get(BoolKey key) const { return GetBool(key.name); }
  std::int64_t Get(IntKey key) const { return GetInt(key.name); }
  std::string Get(StringKey key) const { return GetString(key.name); }
  std::vector<std::string> Get(ListKey key) const { return GetList(key.name); }
  // Runs `on_change` after every accepted change of `key` (modules own the
  // reaction to their keys).
  template <class T>
  void Subscribe(ConfigKey<T> key, std::function<void()> on_change) {
    subscribers_[std::string(key.name)].push_back(std::move(on_change));
  }
  // A module's own rule for ChangeConfiguration of `key`, beyond the table's
  // validation (e.g. SecurityProfile only goes up): false answers Rejected.
  // SetInternal does not consult it.
  template <class T>
  void SetChangeCheck(ConfigKey<T> key, std::function<bool(std::string_view value)> check) {
    change_checks_[std::string(key.name)] = std::move(check);
  }
  template <class T>
  bool SetInternal(ConfigKey<T> key, std::string_view value) {
    return SetInternal(key.name, value);
  }

  std::string GetString(std::string_view key) const;
  std::int64_t GetInt(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  std::vector<std::string> GetList(std::string_view key) const;

  // ChangeConfiguration.req semantics; persists before answering Accepted.
  v16::ConfigurationStatus Change(std::string_view key, std::string_view value);
  // Sets a value the station itself decides (e.g. HeartbeatInterval from
  // BootNotification.conf), bypassing read-only checks but not validation.
  bool SetInternal(std::string_view key, std::string_view value);
  v16::GetConfigurationConf Get(const std::optional<std::vector<codec::CiString<50>>>& keys) const;

  // Runs after every accepted change of `key`.
  using ChangeObserver = std::function<void(std::string_view key)>;
  void SetChangeObserver(ChangeObserver observer) { observer_ = std::move(observer); }

  // The persisted value of `key`, before any Configuration is loaded (an
  // integrator choosing its transport by SecurityProfile); nullopt if none.
  static std::optional<std::string> ReadStored(hal::KeyValueStore& store, std::string_view key);

  // Validation used by Change and by the factory overrides.
  static bool IsValid(const KeyDefinition& key, std::string_view value);

 private:
  explicit Configuration(hal::KeyValueStore& store) : store_(&store) {}
  bool Store(const KeyDefinition& key, std::string_view value);

  hal::KeyValueStore* store_;
  std::map<std::string, std::string, std::less<>> values_;
  ChangeObserver observer_;
  std::map<std::string, std::vector<std::function<void()>>, std::less<>> subscribers_;
  std::map<std::string, std::function<bool(std::string_view)>, std::less<>> change_checks_;
};

}  // namespace ocpp::station
