#include "tools/csms/central_system.h"

#include <rapidjson/document.h>

namespace ocpp::tools {

using runtime::HandlerResult;

std::unique_ptr<CentralSystem> CentralSystem::Create(runtime::LwsEventLoop& loop, Options options,
                                                     std::string* error) {
  std::unique_ptr<CentralSystem> cs(new CentralSystem(loop, std::move(options)));
  CentralSystem* self = cs.get();
  runtime::WsServer::Options server;
  server.listen_address = "127.0.0.1";
  server.port = self->options_.port;
  server.cert_file = self->options_.cert_file;
  server.key_file = self->options_.key_file;
  server.client_ca_file = self->options_.client_ca_file;
  server.accept = self->options_.accept;
  server.on_open = [self](runtime::WsServer::ConnectionId id,
                          const runtime::WsServer::UpgradeRequest& request) {
    ++self->fleet_.connections_opened;
    if (self->options_.multi_station) return self->OpenFleetSession(id);
    self->rpc_.reset();
    self->connection_ = id;
    self->charge_point_id_ = request.charge_point_id;
    runtime::RpcEndpoint::Options rpc_options;
    rpc_options.role = runtime::Role::kCentralSystem;
    // The trace of a central system is shown in demos and tests: keep the
    // station's Basic auth password out of it.
    rpc_options.secret_configuration_keys = {"AuthorizationKey"};
    self->rpc_ = std::make_unique<runtime::RpcEndpoint>(
        self->loop_,
        [self, id](std::string text) { return self->server_->Send(id, std::move(text)); },
        rpc_options);
    self->rpc_->SetTrace([self](runtime::TraceDirection dir, std::string_view text) {
      self->frames_.push_back(Frame{dir, std::string(text)});
      if (self->trace_) self->trace_(self->frames_.back());
    });
    self->InstallDefaults(*self->rpc_);
    for (auto& [action, install] : self->overrides_) install(*self->rpc_);
    self->rpc_->OnConnected();
  };
  server.on_text = [self](runtime::WsServer::ConnectionId id, std::string_view text) {
    if (self->options_.multi_station) {
      if (auto session = self->sessions_.find(id); session != self->sessions_.end()) {
        session->second->OnText(text);
      }
      return;
    }
    if (self->rpc_ && id == self->connection_) self->rpc_->OnText(text);
  };
  server.on_peer_close = [self](runtime::WsServer::ConnectionId, std::uint16_t code) {
    self->peer_close_codes_.push_back(code);
  };
  server.on_close = [self](runtime::WsServer::ConnectionId id) {
    if (self->options_.multi_station) return self->CloseFleetSession(id);
    if (id != self->connection_) return;
    if (self->rpc_) self->rpc_->OnDisconnected();
    // Destroy later: we may be inside one of its callbacks.
    std::shared_ptr<runtime::RpcEndpoint> old(self->rpc_.release());
    self->loop_.Post([old] {});
    self->connection_ = 0;
  };
  cs->server_ = runtime::WsServer::Create(loop, server, error);
  if (!cs->server_) return nullptr;
  return cs;
}

void CentralSystem::OpenFleetSession(runtime::WsServer::ConnectionId id) {
  runtime::RpcEndpoint::Options rpc_options;
  rpc_options.role = runtime::Role::kCentralSystem;
  auto rpc = std::make_unique<runtime::RpcEndpoint>(
      loop_, [this, id](std::string text) { return server_->Send(id, std::move(text)); },
      rpc_options);
  // No frame log (thousands of stations); CALLs are counted.
  rpc->SetTrace([this](runtime::TraceDirection dir, std::string_view text) {
    if (dir == runtime::TraceDirection::kReceived && text.size() > 1 && text[1] == '2') {
      ++fleet_.calls_received;
    }
  });
  InstallDefaults(*rpc);
  for (auto& [action, install] : overrides_) install(*rpc);
  rpc->OnConnected();
  sessions_[id] = std::move(rpc);
}

void CentralSystem::CloseFleetSession(runtime::WsServer::ConnectionId id) {
  auto session = sessions_.find(id);
  if (session == sessions_.end()) return;
  session->second->OnDisconnected();
  // Destroy later: we may be inside one of its callbacks.
  std::shared_ptr<runtime::RpcEndpoint> old(session->second.release());
  sessions_.erase(session);
  loop_.Post([old] {});
}

std::size_t CentralSystem::DropAll() {
  std::vector<runtime::WsServer::ConnectionId> ids;
  for (const auto& [id, rpc] : sessions_) ids.push_back(id);
  if (connection_ != 0) ids.push_back(connection_);
  std::size_t dropped = 0;
  for (auto id : ids) dropped += server_->Drop(id) ? 1 : 0;
  return dropped;
}

CentralSystem::FleetStats CentralSystem::fleet_stats() const {
  FleetStats stats = fleet_;
  stats.connections = server_->connection_count();
  return stats;
}

CentralSystem::~CentralSystem() {
  sessions_.clear();
  rpc_.reset();
  server_.reset();
}

std::string CentralSystem::url() const {
  return std::string(options_.cert_file.empty() ? "ws" : "wss") +
         "://127.0.0.1:" + std::to_string(port());
}

bool CentralSystem::SendRaw(std::string text) {
  if (!rpc_) return false;
  frames_.push_back(Frame{runtime::TraceDirection::kSent, text});
  return server_->Send(connection_, std::move(text));
}

void CentralSystem::Drop() {
  if (connection_ != 0) server_->Drop(connection_);
}

void CentralSystem::Close() {
  if (connection_ != 0) server_->Close(connection_);
}

std::vector<std::string> CentralSystem::ReceivedCalls() const {
  std::vector<std::string> actions;
  for (const Frame& f : frames_) {
    if (f.dir != runtime::TraceDirection::kReceived) continue;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(f.text.c_str());
    if (!doc.HasParseError() && doc.IsArray() && doc.Size() == 4 && doc[0] == 2 &&
        doc[2].IsString()) {
      actions.emplace_back(doc[2].GetString());
    }
  }
  return actions;
}

std::vector<std::string> CentralSystem::ReceivedPayloads(std::string_view action) const {
  std::vector<std::string> payloads;
  for (const Frame& f : frames_) {
    if (f.dir != runtime::TraceDirection::kReceived) continue;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(f.text.c_str());
    if (doc.HasParseError() || !doc.IsArray() || doc.Size() != 4 || !(doc[0] == 2) ||
        !doc[2].IsString() || action != doc[2].GetString()) {
      continue;
    }
    const std::size_t start = f.text.find('{');
    payloads.push_back(f.text.substr(start, f.text.size() - start - 1));
  }
  return payloads;
}

void CentralSystem::InstallDefaults(runtime::RpcEndpoint& rpc) {
  using namespace v16;
  auto now = [this] { return codec::DateTime::FromSystemTime(loop_.clock().WallNow()); };
  rpc.Handle<Action::kBootNotification>([this, now](const BootNotificationReq&)
                                            -> HandlerResult<BootNotificationConf> {
    ++fleet_.boot_notifications;
    return BootNotificationConf{RegistrationStatus::kAccepted, now(), options_.heartbeat_interval};
  });
  rpc.Handle<Action::kHeartbeat>(
      [now](const HeartbeatReq&) -> HandlerResult<HeartbeatConf> { return HeartbeatConf{now()}; });
  rpc.Handle<Action::kStatusNotification>(
      [](const StatusNotificationReq&) -> HandlerResult<StatusNotificationConf> {
        return StatusNotificationConf{};
      });
  rpc.Handle<Action::kAuthorize>([](const AuthorizeReq&) -> HandlerResult<AuthorizeConf> {
    AuthorizeConf conf;
    conf.id_tag_info.status = AuthorizationStatus::kAccepted;
    return conf;
  });
  rpc.Handle<Action::kStartTransaction>(
      [this](const StartTransactionReq& req) -> HandlerResult<StartTransactionConf> {
        ++fleet_.transactions_started;
        StartTransactionConf conf;
        conf.id_tag_info.status = AuthorizationStatus::kAccepted;
        // A station that lost power between sending and recording the answer
        // sends the same StartTransaction again: give it the same id.
        const std::string key = codec::EncodeJson(req);
        auto known = started_.find(key);
        conf.transaction_id =
            known != started_.end() ? known->second : (started_[key] = next_transaction_id_++);
        return conf;
      });
  rpc.Handle<Action::kStopTransaction>(
      [this](const StopTransactionReq&) -> HandlerResult<StopTransactionConf> {
        ++fleet_.transactions_stopped;
        return StopTransactionConf{};
      });
  rpc.Handle<Action::kMeterValues>(
      [](const MeterValuesReq&) -> HandlerResult<MeterValuesConf> { return MeterValuesConf{}; });
  rpc.Handle<Action::kDataTransfer>([](const DataTransferReq&) -> HandlerResult<DataTransferConf> {
    return DataTransferConf{DataTransferStatus::kRejected, std::nullopt};
  });
  rpc.Handle<Action::kDiagnosticsStatusNotification>(
      [](const DiagnosticsStatusNotificationReq&)
          -> HandlerResult<DiagnosticsStatusNotificationConf> { return {}; });
  rpc.Handle<Action::kFirmwareStatusNotification>(
      [](const FirmwareStatusNotificationReq&) -> HandlerResult<FirmwareStatusNotificationConf> {
        return {};
      });
  // The security whitepaper's station messages: acknowledged; a CSR is
  // accepted (the certificate, if any, is the test's to send).
  rpc.Handle<Action::kSecurityEventNotification>(
      [](const SecurityEventNotificationReq&) -> HandlerResult<SecurityEventNotificationConf> {
        return {};
      });
  rpc.Handle<Action::kLogStatusNotification>(
      [](const LogStatusNotificationReq&) -> HandlerResult<LogStatusNotificationConf> {
        return {};
      });
  rpc.Handle<Action::kSignedFirmwareStatusNotification>(
      [](const SignedFirmwareStatusNotificationReq&)
          -> HandlerResult<SignedFirmwareStatusNotificationConf> { return {}; });
  rpc.Handle<Action::kSignCertificate>(
      [](const SignCertificateReq&) -> HandlerResult<SignCertificateConf> {
        return SignCertificateConf{GenericStatusEnumType::kAccepted};
      });
}

}  // namespace ocpp::tools
