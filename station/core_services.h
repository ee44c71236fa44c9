// The small CSMS operations that need no state of their own:
// ChangeConfiguration and GetConfiguration (and what a change of a
// connection setting means), DataTransfer (handed to the integrator),
// UnlockConnector (fixed cable: NotSupported), and defined answers for the
// profiles this product does not offer yet (OCTT TC_042_1, TC_043_1,
// TC_048_4, TC_050_4).
#pragma once

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
// A setting of the connection itself changed (AuthorizationKey,
// WebSocketPingInterval): the value to hand to the transport.
using ConnectionSettingHandler =
    std::function<void(std::string_view key, const std::string& value)>;

// Registers the handlers; `connection_setting` is also called now with the
// persisted values (a key the central system set wins over the installed one).
void RegisterCoreServices(StationContext& context, DataTransferHandler data_transfer,
                          ConnectionSettingHandler connection_setting);

}  // namespace ocpp::station
