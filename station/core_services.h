// The small CSMS operations that need no state of their own:
// ChangeConfiguration and GetConfiguration (and what a change of a
// connection setting means), DataTransfer (handed to the integrator),
// UnlockConnector (fixed cable: NotSupported), and defined answers for the
// profiles this product does not offer yet (OCTT TC_048_4, TC_050_4).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "generated/ocpp16/registry.h"
#include "station/context.h"

namespace ocpp::station {

// A DataTransfer.req for the integrator; nullopt: not their vendorId.
using DataTransferHandler =
    std::function<std::optional<v16::DataTransferConf>(const v16::DataTransferReq&)>;
// Where the connection's own settings go (AuthorizationKey,
// WebSocketPingInterval): the transport; false when it refuses a value.
struct ConnectionSettings {
  std::function<bool(std::string key)> set_authorization_key;
  std::function<bool(std::chrono::seconds interval)> set_ping_interval;
};

// Registers the handlers; the connection settings are also applied now with
// the persisted values (a key the central system set wins over the
// installed one).
void RegisterCoreServices(StationContext& context, DataTransferHandler data_transfer,
                          ConnectionSettings connection);

}  // namespace ocpp::station
