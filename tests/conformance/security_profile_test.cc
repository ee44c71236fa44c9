// Security profile 1 (OCPP 1.6 security whitepaper, edition 2): HTTP Basic
// authentication with the AuthorizationKey, and its change by the central
// system (use case A01), over the real loopback WebSocket.
#include <fstream>
#include <iterator>

#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class SecurityProfile1 : public Harness {
 protected:
  static std::string Header(const std::string& key) {
    return runtime::WsClientTransport::BasicAuthorizationValue("CP-OCTT-1", key, false);
  }
  v16::ConfigurationStatus Change(const std::string& key, const std::string& value) {
    return CsmsCall(v16::ChangeConfigurationReq{*codec::CiString<50>::From(key),
                                                *codec::CiString<500>::From(value)})
        .status;
  }
  // Moves the clock through the reconnect back-off until `done`.
  bool AdvanceUntil(const std::function<bool()>& done, int seconds = 60) {
    for (int i = 0; i < seconds && !done(); ++i) Advance(Seconds(1));
    return done();
  }
  static constexpr char kKey[] = "factory-key-0123456789";
};

TEST_F(SecurityProfile1, TC_085_CS_basic_auth_valid_username_and_password) {
  basic_auth_password_ = "installed-key-0123456789";
  required_authorization_ = Header(basic_auth_password_);
  StartStation();
  EXPECT_EQ(refused_authorizations_, 0);
}

TEST_F(SecurityProfile1, wrong_key_is_refused_and_never_registers) {
  basic_auth_password_ = "wrong-key-0123456789abc";
  required_authorization_ = Header("installed-key-0123456789");
  StartStation({}, /*wait_for_boot=*/false);
  Advance(Seconds(20));  // several reconnect attempts, all refused with 401
  EXPECT_GE(refused_authorizations_, 2);
  EXPECT_FALSE(station().registered());
  EXPECT_EQ(CountCalls("BootNotification"), 0);
  // In the security log once, not at every retry.
  std::ifstream log(data_dir() + "/security/diagnostics.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  const auto first = text.find("FailedToAuthenticateAtCentralSystem");
  EXPECT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("FailedToAuthenticateAtCentralSystem", first + 1), std::string::npos) << text;
}

TEST_F(SecurityProfile1, TC_073_CS_update_basic_auth_password) {
  basic_auth_password_ = "installed-key-0123456789";
  required_authorization_ = Header(basic_auth_password_);
  StartStation();
  const std::string new_key = "rotated-key-abcdef012345";
  // From now on only the new key opens the door.
  required_authorization_ = Header(new_key);
  v16::ChangeConfigurationReq change{*codec::CiString<50>::From("AuthorizationKey"),
                                     *codec::CiString<500>::From(new_key)};
  EXPECT_EQ(CsmsCall(change).status, v16::ConfigurationStatus::kAccepted);
  // The station reconnects with the new key by itself, at once (no clock
  // movement).
  EXPECT_EQ(profile_switches_, std::vector<int>{1}) << "a reconnect with the same profile";
  ASSERT_TRUE(WaitUntil([&] { return accepted_upgrades_ >= 2 && station_connected(); }));
  EXPECT_EQ(refused_authorizations_, 0);
  // The key is write-only and never shows in a trace.
  v16::GetConfigurationReq get;
  auto all = CsmsCall(get);
  ASSERT_TRUE(all.configuration_key.has_value());
  for (const auto& kv : *all.configuration_key) EXPECT_NE(kv.key.view(), "AuthorizationKey");
  for (const auto& frame : csms().frames()) {
    EXPECT_EQ(frame.text.find(new_key), std::string::npos) << frame.text;
  }
  // Nor in any log of the station.
  for (const char* log : {"/diagnostics/diagnostics.log", "/security/diagnostics.log"}) {
    std::ifstream in(data_dir() + log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(text.empty()) << log;
    EXPECT_EQ(text.find(new_key), std::string::npos) << log;
  }
  // And after a reboot (the key is persisted), still the new one.
  PowerCut();
  StartStation();
  EXPECT_EQ(refused_authorizations_, 0);
}

// Whitepaper A05 (SecurityProfile, 7.6): an upgrade is persisted, answered
// Accepted, and the station reconnects with the new profile at once.
TEST_F(SecurityProfile1, TC_083_CS_upgrade_security_profile) {
  StartStation({{"AuthorizationKey", kKey}});
  EXPECT_EQ(GetConfig("SecurityProfile"), "0");
  required_authorization_ = Header(kKey);  // only profile 1 gets in from now on
  EXPECT_EQ(Change("SecurityProfile", "1"), v16::ConfigurationStatus::kAccepted);
  EXPECT_EQ(profile_switches_, std::vector<int>{1});
  ASSERT_TRUE(WaitUntil([&] { return station_connected() && csms().connected(); }));
  EXPECT_EQ(refused_authorizations_, 0);
  EXPECT_EQ(GetConfig("SecurityProfile"), "1");
  // Persisted: after a power cut the station starts with profile 1.
  PowerCut();
  StartStation({{"AuthorizationKey", kKey}});
  EXPECT_EQ(refused_authorizations_, 0);
  EXPECT_EQ(GetConfig("SecurityProfile"), "1");
}

// A05.FR.01: never down, never sideways.
TEST_F(SecurityProfile1, TC_084_CS_downgrade_security_profile_is_rejected) {
  basic_auth_password_ = kKey;
  required_authorization_ = Header(kKey);
  StartStation({{"AuthorizationKey", kKey}, {"SecurityProfile", "1"}});
  EXPECT_EQ(Change("SecurityProfile", "0"), v16::ConfigurationStatus::kRejected);
  EXPECT_EQ(Change("SecurityProfile", "1"), v16::ConfigurationStatus::kRejected);
  EXPECT_EQ(GetConfig("SecurityProfile"), "1");
  EXPECT_TRUE(profile_switches_.empty());
  EXPECT_TRUE(station_connected());
}

// A05.FR.02-04: the prerequisites of the new profile must be there.
TEST_F(SecurityProfile1, upgrades_without_their_prerequisites_are_rejected) {
  StartStation();
  EXPECT_EQ(Change("SecurityProfile", "1"), v16::ConfigurationStatus::kRejected)
      << "no AuthorizationKey";
  Set("AuthorizationKey", kKey);
  EXPECT_EQ(Change("SecurityProfile", "2"), v16::ConfigurationStatus::kRejected)
      << "no CentralSystemRootCertificate and no TLS endpoint";
  EXPECT_EQ(Change("SecurityProfile", "3"), v16::ConfigurationStatus::kRejected);
  EXPECT_EQ(Change("SecurityProfile", "4"), v16::ConfigurationStatus::kRejected);
  EXPECT_TRUE(profile_switches_.empty());
  EXPECT_EQ(GetConfig("SecurityProfile"), "0");
}

// A05.FR.08: when the new profile cannot connect, back to the previous one.
TEST_F(SecurityProfile1, a_failed_upgrade_falls_back_to_the_previous_profile) {
  security_extension_ = true;
  StartStation({{"AuthorizationKey", kKey}});
  required_authorization_ = Header("the-central-system-expects-another-key");
  EXPECT_EQ(Change("SecurityProfile", "1"), v16::ConfigurationStatus::kAccepted);
  ASSERT_TRUE(AdvanceUntil([&] { return profile_switches_.size() == 2; }))
      << refused_authorizations_ << " refused";
  EXPECT_EQ(profile_switches_, (std::vector<int>{1, 0}));
  EXPECT_GE(refused_authorizations_, 3) << "SecurityProfileSwitch::kFailedAttempts";
  EXPECT_EQ(station().configuration().GetInt("SecurityProfile"), 0);
  required_authorization_.clear();  // profile 0 is welcome again
  ASSERT_TRUE(AdvanceUntil([&] { return station_connected(); }));
  EXPECT_EQ(GetConfig("SecurityProfile"), "0");
  // Both the change and the fallback are in the security log.
  std::ifstream log(data_dir() + "/security/diagnostics.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("ReconfigurationOfSecurityParameters: SecurityProfile 0 -> 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("SecurityProfile 1 failed, back to 0"), std::string::npos) << text;
  PowerCut();
  StartStation({{"AuthorizationKey", kKey}});
  EXPECT_EQ(GetConfig("SecurityProfile"), "0") << "the fallback is what was persisted";
  EXPECT_TRUE(profile_switches_.size() == 2) << "no trial left after the fallback";
}

}  // namespace
}  // namespace ocpp::conformance
