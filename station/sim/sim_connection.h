// How station_sim connects in each security profile (sim interface,
// "Security profiles"): 0 and 1 use the ws:// URL of --csms, 2 and 3 the
// wss:// URL of --csms-tls (or --csms itself when that is wss://, as before
// --csms-tls existed); 1 and 2 authenticate with the AuthorizationKey, 3
// with --cert/--key; --ca-file adds trust anchors to the installed roots.
#pragma once

#include <string>

#include "runtime/ws_client_transport.h"

namespace ocpp::station::sim {

struct ConnectionFlags {
  std::string csms;
  std::string csms_tls;
  std::string id;
  std::string password;
  std::string ca_file;
  std::string cert;
  std::string key;
};

// The profile the flags describe, the factory SecurityProfile of a first
// start: wss:// with --cert 3, wss:// 2, --password 1, else 0.
int ImpliedSecurityProfile(const ConnectionFlags& flags);

// The endpoint for `profile`, "" when the flags have none.
std::string EndpointFor(const ConnectionFlags& flags, int profile);

// The flags have what `profile` needs besides the AuthorizationKey: an
// endpoint and, for 3, a client certificate.
bool ProfileAvailable(const ConnectionFlags& flags, int profile);

// Transport options for `profile`; `authorization_key` for 1 and 2.
runtime::WsClientTransport::Options TransportOptionsFor(const ConnectionFlags& flags, int profile,
                                                        const std::string& authorization_key);

}  // namespace ocpp::station::sim
