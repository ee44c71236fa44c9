#include "station/core_services.h"

namespace ocpp::station {

using runtime::HandlerResult;

void RegisterCoreServices(StationContext& context, DataTransferHandler data_transfer,
                          ConnectionSettings connection) {
  runtime::RpcEndpoint& rpc = context.rpc();
  Configuration& config = context.config();
  rpc.Handle<v16::Action::kChangeConfiguration>([&config](const v16::ChangeConfigurationReq& req)
                                                    -> HandlerResult<v16::ChangeConfigurationConf> {
    return v16::ChangeConfigurationConf{config.Change(req.key.view(), req.value.view())};
  });
  rpc.Handle<v16::Action::kGetConfiguration>(
      [&config](const v16::GetConfigurationReq& req) -> HandlerResult<v16::GetConfigurationConf> {
        return config.Get(req.key);
      });

  auto apply_key = [&context, set = connection.set_authorization_key](bool changed) {
    const std::string key = context.config().Get(keys::kAuthorizationKey);
    // Security whitepaper A01.FR.11: the change is logged, the key never is.
    if (changed) context.Log("security: AuthorizationKey changed");
    if (set && !key.empty() && !set(key)) {
      context.Log("the transport refused the AuthorizationKey", LogLevel::kError);
    }
  };
  auto apply_ping = [&context, set = connection.set_ping_interval] {
    const std::int64_t seconds = context.config().Get(keys::kWebSocketPingInterval);
    if (set && !set(std::chrono::seconds(seconds))) {
      context.Log("the transport refused WebSocketPingInterval", LogLevel::kError);
    }
  };
  apply_key(false);
  apply_ping();
  config.Subscribe(keys::kAuthorizationKey, [apply_key] { apply_key(true); });
  config.Subscribe(keys::kWebSocketPingInterval, apply_ping);

  rpc.Handle<v16::Action::kDataTransfer>(
      [data_transfer](const v16::DataTransferReq& req) -> HandlerResult<v16::DataTransferConf> {
        if (data_transfer) {
          if (auto conf = data_transfer(req)) return *conf;
        }
        return v16::DataTransferConf{v16::DataTransferStatus::kUnknownVendorId, std::nullopt};
      });

  rpc.Handle<v16::Action::kUnlockConnector>(
      [](const v16::UnlockConnectorReq&) -> HandlerResult<v16::UnlockConnectorConf> {
        // Fixed cable, no connector lock (errata 3.85).
        return v16::UnlockConnectorConf{v16::UnlockStatus::kNotSupported};
      });
}

}  // namespace ocpp::station
