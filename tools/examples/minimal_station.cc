// The integrator's guide example (docs/integrating.md): a complete station
// binary. Replace `MyBoardHardware` with your board's hal::Hardware; the rest
// is what a production station needs.
//
//   minimal_station ws://csms.example:8080/ocpp CP-0001 /var/lib/ocpp
#include <csignal>
#include <cstdio>
#include <memory>

#include "base/clock.h"
#include "hal/create_hardware.h"
#include "hal/linux/sqlite_storage.h"
#include "runtime/lws_event_loop.h"
#include "runtime/ws_client_transport.h"
#include "station/charge_point.h"

namespace {
volatile std::sig_atomic_t g_quit = 0;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s CSMS_URL CHARGE_POINT_ID DATA_DIR\n", argv[0]);
    return 2;
  }
  std::signal(SIGTERM, [](int) { g_quit = 1; });
  std::signal(SIGINT, [](int) { g_quit = 1; });

  // 1. Time and the event loop everything runs on.
  ocpp::base::SystemClock clock;
  auto loop = ocpp::runtime::LwsEventLoop::Create(clock);

  // 2. Your hardware: the backend the build selects with
  //    --//hal:backend=//hal/myboard:hardware (the simulator by default).
  //    A backend implements the hal interfaces (hal/hardware.h).
  std::unique_ptr<ocpp::hal::Hardware> hardware = ocpp::hal::CreateHardware(clock);

  // 3. Persistent storage: configuration, cache, queued transaction
  //    messages. A damaged file is moved aside; the report says what was lost.
  ocpp::hal::SqliteStorage::OpenReport report;
  auto storage = ocpp::hal::SqliteStorage::Open(argv[3], {}, &report);
  if (!storage.ok()) {
    std::fprintf(stderr, "storage: %s\n", storage.status().message().c_str());
    return 1;
  }

  // 4. The connection: security profile 2 would set wss://, a CA file and
  //    the AuthorizationKey; profile 3 a client certificate and key.
  ocpp::runtime::WsClientTransport::Options connection;
  connection.central_system_url = argv[1];
  connection.charge_point_id = argv[2];
  std::string error;
  auto transport = ocpp::runtime::WsClientTransport::Create(*loop, connection, &error);
  if (!transport) {
    std::fprintf(stderr, "transport: %s\n", error.c_str());
    return 1;
  }

  // 5. The charge point, with the callbacks an integrator handles.
  ocpp::station::ChargePoint::Options options;
  options.factory_config = {{"HeartbeatInterval", "300"}};
  options.callbacks.on_status = [](int connector, ocpp::v16::ChargePointStatus status,
                                   ocpp::v16::ChargePointErrorCode) {
    std::printf("connector %d: %s\n", connector, std::string(ocpp::v16::ToString(status)).c_str());
  };
  options.callbacks.on_data_transfer =
      [](const ocpp::v16::DataTransferReq& req) -> std::optional<ocpp::v16::DataTransferConf> {
    if (req.vendor_id.view() != "com.example") return std::nullopt;  // UnknownVendorId
    return ocpp::v16::DataTransferConf{ocpp::v16::DataTransferStatus::kAccepted, std::nullopt};
  };
  options.callbacks.log = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  // AuthorizationKey / WebSocketPingInterval from the central system.
  options.callbacks.set_authorization_key = [&transport](std::string key) {
    return transport->SetAuthorizationKey(std::move(key));
  };
  options.callbacks.set_ping_interval = [&transport](std::chrono::seconds interval) {
    return transport->SetPingInterval(interval);
  };
  // CentralSystemRootCertificates installed by the central system.
  options.callbacks.set_trusted_roots = [&transport](const std::vector<std::string>& pems) {
    transport->SetTrustedRoots(pems);
  };
  options.storage_problems = report.warnings;  // logged and told to the central system
  // A Reset reaches the backend's SystemControl::RequestReboot: it reboots
  // the board (or exec()s this program again).

  std::vector<std::string> warnings;
  auto station = ocpp::station::ChargePoint::Create(
      {*loop, *transport, *hardware, **storage, **storage, storage->get()}, options, &warnings);
  if (!station.ok()) {
    std::fprintf(stderr, "station: %s\n", station.status().message().c_str());
    return 1;
  }
  (*station)->Start();

  // 6. Run. Hardware events reach the station through hal observers.
  while (!g_quit) loop->RunOnce(std::chrono::milliseconds(200));
  // 7. A closing handshake before exit (the transport gives up after 5 s).
  transport->Stop(LWS_CLOSE_STATUS_GOINGAWAY);
  while (!transport->IsStopped()) loop->RunOnce(std::chrono::milliseconds(50));
  return 0;
}
