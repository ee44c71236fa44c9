#include "station/core_services.h"

namespace ocpp::station {

using runtime::HandlerResult;

void RegisterCoreServices(StationContext& context, DataTransferHandler data_transfer,
                          ConnectionSettingHandler connection_setting) {
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

  if (connection_setting) {
    auto apply = [&context, connection_setting](auto key, bool changed) {
      const std::string value = context.config().GetString(key.name);
      // Security whitepaper A01.FR.11: the change is logged, the key never is.
      if (changed && key.name == keys::kAuthorizationKey.name) {
        context.Log("security: AuthorizationKey changed");
      }
      if (!value.empty()) connection_setting(key.name, value);
    };
    apply(keys::kAuthorizationKey, false);
    apply(keys::kWebSocketPingInterval, false);
    config.Subscribe(keys::kAuthorizationKey, [apply] { apply(keys::kAuthorizationKey, true); });
    config.Subscribe(keys::kWebSocketPingInterval,
                     [apply] { apply(keys::kWebSocketPingInterval, true); });
  }

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

  rpc.Handle<v16::Action::kGetLocalListVersion>(
      [](const v16::GetLocalListVersionReq&) -> HandlerResult<v16::GetLocalListVersionConf> {
        return v16::GetLocalListVersionConf{-1};  // no local list (section 5.10)
      });
  rpc.Handle<v16::Action::kSendLocalList>(
      [](const v16::SendLocalListReq&) -> HandlerResult<v16::SendLocalListConf> {
        return v16::SendLocalListConf{v16::UpdateStatus::kNotSupported};
      });
  rpc.Handle<v16::Action::kReserveNow>(
      [](const v16::ReserveNowReq&) -> HandlerResult<v16::ReserveNowConf> {
        return v16::ReserveNowConf{v16::ReservationStatus::kRejected};
      });
  rpc.Handle<v16::Action::kCancelReservation>(
      [](const v16::CancelReservationReq&) -> HandlerResult<v16::CancelReservationConf> {
        return v16::CancelReservationConf{v16::CancelReservationStatus::kRejected};
      });
}

}  // namespace ocpp::station
