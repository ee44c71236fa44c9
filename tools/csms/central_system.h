// A small OCPP 1.6 central system built from the project's own runtime
// (WsServer + RpcEndpoint in the CentralSystem role). The demo, the
// conformance suite and the benchmarks run it on 127.0.0.1; every
// station-initiated action gets a sensible default answer that a test or a
// script can override, and every frame is recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/lws_event_loop.h"
#include "runtime/rpc_endpoint.h"
#include "runtime/ws_server.h"

namespace ocpp::tools {

class CentralSystem {
 public:
  struct Options {
    int port = 0;                                     // 0 = any free port on 127.0.0.1
    std::string cert_file, key_file, client_ca_file;  // wss when cert_file is set
    std::function<runtime::WsServer::Verdict(const runtime::WsServer::UpgradeRequest&)> accept;
    int heartbeat_interval = 30;  // BootNotification.conf interval
    // First transactionId handed out; tests start beyond 2^31 or 2^53.
    std::int64_t first_transaction_id = 1;
    // Many stations at once (station_fleet, load tests): every connection
    // keeps its own RpcEndpoint with the default answers and the overrides,
    // and frames are not recorded (see fleet_stats()). Without it a new
    // connection replaces the previous one, as a single-station test wants.
    // The process must allow the descriptors: lws sizes its table from
    // RLIMIT_NOFILE when the loop is created (raise it before).
    bool multi_station = false;
  };

  // Counters of multi_station mode.
  struct FleetStats {
    std::size_t connections = 0;  // open now
    std::uint64_t connections_opened = 0;
    std::uint64_t boot_notifications = 0;
    std::uint64_t calls_received = 0;  // CALLs from stations
    std::uint64_t transactions_started = 0;
    std::uint64_t transactions_stopped = 0;
  };

  struct Frame {
    runtime::TraceDirection dir;  // kReceived = sent by the station
    std::string text;
  };

  static std::unique_ptr<CentralSystem> Create(runtime::LwsEventLoop& loop, Options options,
                                               std::string* error);
  ~CentralSystem();

  int port() const { return server_->port(); }
  std::string url() const;  // ws(s)://127.0.0.1:PORT (append /ID to connect)
  bool connected() const { return rpc_ != nullptr; }
  std::optional<std::string> charge_point_id() const { return charge_point_id_; }

  // Overrides the answer to a station-initiated action.
  template <v16::Action A>
  void Handle(std::function<runtime::HandlerResult<typename v16::ActionTraits<A>::Response>(
                  const typename v16::ActionTraits<A>::Request&)>
                  handler) {
    auto install = [handler](runtime::RpcEndpoint& rpc) { rpc.Handle<A>(handler); };
    overrides_[A] = install;
    if (rpc_) install(*rpc_);
  }

  // Sends a CALL to the connected station.
  template <class Request>
  bool Call(
      const Request& request,
      std::function<void(runtime::CallOutcome<typename v16::RequestTraits<Request>::Response>)>
          done) {
    if (!rpc_) return false;
    rpc_->Call(request, std::move(done));
    return true;
  }

  // Sends raw text (for malformed-frame tests).
  bool SendRaw(std::string text);
  void Drop();   // cut the connection without a close frame
  void Close();  // close frame
  // multi_station: cut every connection at once without close frames (a
  // central system crash or a load balancer failover: a reconnect storm).
  std::size_t DropAll();
  FleetStats fleet_stats() const;

  const std::vector<Frame>& frames() const { return frames_; }
  void ClearFrames() { frames_.clear(); }
  // Actions of the CALLs the station sent, in order.
  std::vector<std::string> ReceivedCalls() const;
  // Payloads (JSON text) of the CALLs of `action` the station sent.
  std::vector<std::string> ReceivedPayloads(std::string_view action) const;
  std::int64_t next_transaction_id() const { return next_transaction_id_; }
  // Distinct transactions started (repeated identical StartTransactions count once).
  int transactions_started() const { return static_cast<int>(started_.size()); }
  void set_trace(std::function<void(const Frame&)> trace) { trace_ = std::move(trace); }
  // Close codes of the close frames stations sent (1005: a frame without a
  // code), in order; a connection lost without a close frame adds nothing.
  const std::vector<std::uint16_t>& peer_close_codes() const { return peer_close_codes_; }

 private:
  CentralSystem(runtime::LwsEventLoop& loop, Options options)
      : loop_(loop),
        options_(std::move(options)),
        next_transaction_id_(options_.first_transaction_id) {}
  void InstallDefaults(runtime::RpcEndpoint& rpc);
  void OpenFleetSession(runtime::WsServer::ConnectionId id);
  void CloseFleetSession(runtime::WsServer::ConnectionId id);

  runtime::LwsEventLoop& loop_;
  Options options_;
  std::unique_ptr<runtime::WsServer> server_;
  std::unique_ptr<runtime::RpcEndpoint> rpc_;
  runtime::WsServer::ConnectionId connection_ = 0;
  std::optional<std::string> charge_point_id_;
  std::map<v16::Action, std::function<void(runtime::RpcEndpoint&)>> overrides_;
  std::vector<Frame> frames_;
  std::function<void(const Frame&)> trace_;
  std::int64_t next_transaction_id_;
  std::map<std::string, std::int64_t> started_;  // StartTransaction payload -> id
  std::vector<std::uint16_t> peer_close_codes_;
  // multi_station: one endpoint per open connection.
  std::unordered_map<runtime::WsServer::ConnectionId, std::unique_ptr<runtime::RpcEndpoint>>
      sessions_;
  FleetStats fleet_;
};

}  // namespace ocpp::tools
