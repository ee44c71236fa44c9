#include "station/sim/sim_connection.h"

#include <gtest/gtest.h>

namespace ocpp::station::sim {
namespace {

TEST(SimConnection, FlagsImplyTheFactoryProfile) {
  ConnectionFlags flags{"ws://127.0.0.1:1/ocpp"};
  EXPECT_EQ(ImpliedSecurityProfile(flags), 0);
  flags.password = "0123456789abcdef";
  EXPECT_EQ(ImpliedSecurityProfile(flags), 1);
  flags.csms = "wss://127.0.0.1:1/ocpp";
  EXPECT_EQ(ImpliedSecurityProfile(flags), 2);
  flags.cert = "c.pem";
  EXPECT_EQ(ImpliedSecurityProfile(flags), 3);
  flags.csms_tls = "wss://127.0.0.1:2/ocpp";  // --csms-tls does not change the start
  flags.csms = "ws://127.0.0.1:1/ocpp";
  flags.cert.clear();
  EXPECT_EQ(ImpliedSecurityProfile(flags), 1);
}

TEST(SimConnection, ProfilesTwoAndThreeUseTheTlsEndpoint) {
  ConnectionFlags flags{"ws://127.0.0.1:1/ocpp", "", "CP1", "0123456789abcdef"};
  EXPECT_TRUE(ProfileAvailable(flags, 0));
  EXPECT_TRUE(ProfileAvailable(flags, 1));
  EXPECT_FALSE(ProfileAvailable(flags, 2)) << "without --csms-tls";
  flags.csms_tls = "wss://127.0.0.1:2/ocpp";
  EXPECT_TRUE(ProfileAvailable(flags, 2));
  EXPECT_FALSE(ProfileAvailable(flags, 3)) << "no client certificate";
  flags.cert = "c.pem";
  flags.key = "k.pem";
  EXPECT_TRUE(ProfileAvailable(flags, 3));
  EXPECT_FALSE(ProfileAvailable(flags, 4));

  const auto two = TransportOptionsFor(flags, 2, "key-0123456789abcd");
  EXPECT_EQ(two.central_system_url, "wss://127.0.0.1:2/ocpp");
  EXPECT_EQ(two.security_profile, runtime::SecurityProfile::kTlsWithBasicAuth);
  EXPECT_EQ(two.authorization_key, "key-0123456789abcd");
  const auto three = TransportOptionsFor(flags, 3, "key-0123456789abcd");
  EXPECT_TRUE(three.authorization_key.empty());
  EXPECT_EQ(three.client_cert_file, "c.pem");
  const auto zero = TransportOptionsFor(flags, 0, "key-0123456789abcd");
  EXPECT_EQ(zero.central_system_url, "ws://127.0.0.1:1/ocpp");
  EXPECT_TRUE(zero.authorization_key.empty());
}

TEST(SimConnection, AWssCsmsUrlServesOnlyTheTlsProfiles) {
  ConnectionFlags flags{"wss://127.0.0.1:1/ocpp"};
  EXPECT_FALSE(ProfileAvailable(flags, 0));
  EXPECT_FALSE(ProfileAvailable(flags, 1));
  EXPECT_TRUE(ProfileAvailable(flags, 2));
  EXPECT_EQ(EndpointFor(flags, 2), "wss://127.0.0.1:1/ocpp");
}

}  // namespace
}  // namespace ocpp::station::sim
