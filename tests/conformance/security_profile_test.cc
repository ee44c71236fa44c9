// Security profile 1 (OCPP 1.6 security whitepaper, edition 2): HTTP Basic
// authentication with the AuthorizationKey, and its change by the central
// system (use case A01), over the real loopback WebSocket.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class SecurityProfile1 : public Harness {
 protected:
  static std::string Header(const std::string& key) {
    return runtime::WsClientTransport::BasicAuthorizationValue("CP-OCTT-1", key, false);
  }
};

TEST_F(SecurityProfile1, basic_auth_accepted_with_the_installed_key) {
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
}

TEST_F(SecurityProfile1, a01_changed_authorization_key_is_used_from_the_next_connection) {
  basic_auth_password_ = "installed-key-0123456789";
  required_authorization_ = Header(basic_auth_password_);
  StartStation();
  const std::string new_key = "rotated-key-abcdef012345";
  v16::ChangeConfigurationReq change{*codec::CiString<50>::From("AuthorizationKey"),
                                     *codec::CiString<500>::From(new_key)};
  EXPECT_EQ(CsmsCall(change).status, v16::ConfigurationStatus::kAccepted);
  // The key is write-only and never shows in a trace.
  v16::GetConfigurationReq get;
  auto all = CsmsCall(get);
  for (const auto& kv : *all.configuration_key) EXPECT_NE(kv.key.view(), "AuthorizationKey");
  for (const auto& frame : csms().frames()) {
    EXPECT_EQ(frame.text.find(new_key), std::string::npos) << frame.text;
  }
  // From now on only the new key opens the door.
  required_authorization_ = Header(new_key);
  csms().Drop();
  ASSERT_TRUE(WaitUntil([&] { return !csms().connected(); }));
  Advance(Seconds(10));
  ASSERT_TRUE(WaitUntil([&] { return csms().connected(); }));
  EXPECT_EQ(refused_authorizations_, 0);
  // And after a reboot (the key is persisted), still the new one.
  PowerCut();
  StartStation();
  EXPECT_EQ(refused_authorizations_, 0);
}

}  // namespace
}  // namespace ocpp::conformance
