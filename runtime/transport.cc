#include "runtime/transport.h"

namespace ocpp::runtime {

const char* ToString(DisconnectReason reason) {
  switch (reason) {
    case DisconnectReason::kConnectFailed:
      return "ConnectFailed";
    case DisconnectReason::kSubprotocolRefused:
      return "SubprotocolRefused";
    case DisconnectReason::kClosedByPeer:
      return "ClosedByPeer";
    case DisconnectReason::kPongTimeout:
      return "PongTimeout";
    case DisconnectReason::kClosedLocally:
      return "ClosedLocally";
    case DisconnectReason::kProtocolError:
      return "ProtocolError";
  }
  return "Unknown";
}

}  // namespace ocpp::runtime
