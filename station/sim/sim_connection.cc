#include "station/sim/sim_connection.h"

namespace ocpp::station::sim {
namespace {

bool IsSecure(const std::string& url) { return url.rfind("wss://", 0) == 0; }

}  // namespace

int ImpliedSecurityProfile(const ConnectionFlags& flags) {
  if (IsSecure(flags.csms)) return flags.cert.empty() ? 2 : 3;
  return flags.password.empty() ? 0 : 1;
}

std::string EndpointFor(const ConnectionFlags& flags, int profile) {
  if (profile <= 1) return IsSecure(flags.csms) ? "" : flags.csms;
  if (!flags.csms_tls.empty()) return flags.csms_tls;
  return IsSecure(flags.csms) ? flags.csms : "";
}

bool ProfileAvailable(const ConnectionFlags& flags, int profile) {
  if (profile < 0 || profile > 3 || EndpointFor(flags, profile).empty()) return false;
  return profile != 3 || (!flags.cert.empty() && !flags.key.empty());
}

runtime::WsClientTransport::Options TransportOptionsFor(const ConnectionFlags& flags, int profile,
                                                        const std::string& authorization_key) {
  runtime::WsClientTransport::Options t;
  t.central_system_url = EndpointFor(flags, profile);
  t.charge_point_id = flags.id;
  t.security_profile = static_cast<runtime::SecurityProfile>(profile);
  if (profile == 1 || profile == 2) t.authorization_key = authorization_key;
  if (profile >= 2) t.ca_file = flags.ca_file;
  if (profile == 3) {
    t.client_cert_file = flags.cert;
    t.client_key_file = flags.key;
  }
  return t;
}

}  // namespace ocpp::station::sim
