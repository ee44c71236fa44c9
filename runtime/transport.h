// A text-message connection to the central system. Implementations own
// connecting, TLS, authentication, reconnecting and keep-alive; the RPC layer
// above sees only whole text frames.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace ocpp::runtime {

enum class DisconnectReason {
  kConnectFailed,       // TCP/TLS/HTTP upgrade failed (incl. 401/404, bad certificate)
  kSubprotocolRefused,  // server did not select ocpp1.6
  kClosedByPeer,
  kPongTimeout,
  kClosedLocally,
  kProtocolError,  // peer sent what we must refuse: too big (closed 1009), not UTF-8 (1007)
};

const char* ToString(DisconnectReason reason);

class Transport {
 public:
  struct Callbacks {
    std::function<void()> on_connected;
    std::function<void(std::string_view text)> on_text;
    std::function<void(DisconnectReason reason)> on_disconnected;
  };

  virtual ~Transport() = default;
  // The security whitepaper's event type for why the last connection
  // attempt failed, when it is one (e.g. "InvalidCentralSystemCertificate",
  // "FailedToAuthenticateAtCentralSystem", "InvalidTLSVersion"); empty
  // otherwise. Read it in on_disconnected(kConnectFailed).
  virtual std::string SecurityFailure() const { return {}; }
  virtual void SetCallbacks(Callbacks callbacks) = 0;
  // Connects, and keeps reconnecting with back-off until Stop().
  virtual void Start() = 0;
  // Closes with a close frame and stops reconnecting.
  virtual void Stop() = 0;
  // Queues one text frame; false when not connected (nothing is queued).
  virtual bool Send(std::string text) = 0;
  virtual bool IsConnected() const = 0;
};

}  // namespace ocpp::runtime
