// The configuration keys of this station, typed: modules read them through
// these constants (config.Get(keys::kHeartbeatInterval) is an int64), so a
// mistyped key name or a wrong type is a compile error, not a silent `false`.
// The table of access rights, defaults and ranges is in configuration.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocpp::station {

template <class T>
struct ConfigKey {
  std::string_view name;
};
using BoolKey = ConfigKey<bool>;
using IntKey = ConfigKey<std::int64_t>;
using StringKey = ConfigKey<std::string>;
using ListKey = ConfigKey<std::vector<std::string>>;  // comma-separated list

// X(type, name) for every key: Bool, Int, String or List.
#define OCPP_STATION_CONFIG_KEYS(X)                \
  X(Bool, AdditionalRootCertificateCheck)          \
  X(Bool, AllowOfflineTxForUnknownId)              \
  X(Bool, AuthorizationCacheEnabled)               \
  X(String, AuthorizationKey)                      \
  X(Bool, AuthorizeRemoteTxRequests)               \
  X(Int, CertificateSignedMaxChainSize)            \
  X(Int, CertificateStoreMaxLength)                \
  X(Int, ChargeProfileMaxStackLevel)               \
  X(List, ChargingScheduleAllowedChargingRateUnit) \
  X(Int, ChargingScheduleMaxPeriods)               \
  X(Int, ClockAlignedDataInterval)                 \
  X(Int, ConnectionTimeOut)                        \
  X(List, ConnectorPhaseRotation)                  \
  X(Bool, ConnectorSwitch3to1PhaseSupported)       \
  X(String, CpoName)                               \
  X(Int, GetConfigurationMaxKeys)                  \
  X(Int, HeartbeatInterval)                        \
  X(Bool, LocalAuthListEnabled)                    \
  X(Int, LocalAuthListMaxLength)                   \
  X(Bool, LocalAuthorizeOffline)                   \
  X(Bool, LocalPreAuthorize)                       \
  X(Int, MaxChargingProfilesInstalled)             \
  X(List, MeterValuesAlignedData)                  \
  X(Int, MeterValuesAlignedDataMaxLength)          \
  X(List, MeterValuesSampledData)                  \
  X(Int, MeterValuesSampledDataMaxLength)          \
  X(Int, MeterValueSampleInterval)                 \
  X(Int, MinimumStatusDuration)                    \
  X(Int, NumberOfConnectors)                       \
  X(Bool, ReserveConnectorZeroSupported)           \
  X(Int, ResetRetries)                             \
  X(Int, SecurityProfile)                          \
  X(Int, SendLocalListMaxLength)                   \
  X(Int, StopTransactionMaxMeterValues)            \
  X(Bool, StopTransactionOnEVSideDisconnect)       \
  X(Bool, StopTransactionOnInvalidId)              \
  X(List, StopTxnAlignedData)                      \
  X(Int, StopTxnAlignedDataMaxLength)              \
  X(List, StopTxnSampledData)                      \
  X(Int, StopTxnSampledDataMaxLength)              \
  X(List, SupportedFeatureProfiles)                \
  X(Int, SupportedFeatureProfilesMaxLength)        \
  X(List, SupportedFileTransferProtocols)          \
  X(Int, TransactionMessageAttempts)               \
  X(Int, TransactionMessageRetryInterval)          \
  X(Bool, UnlockConnectorOnEVSideDisconnect)       \
  X(Int, WebSocketPingInterval)

namespace keys {
#define OCPP_STATION_DECLARE_KEY(type, name) inline constexpr type##Key k##name{#name};
OCPP_STATION_CONFIG_KEYS(OCPP_STATION_DECLARE_KEY)
#undef OCPP_STATION_DECLARE_KEY
}  // namespace keys

}  // namespace ocpp::station
