// station_sim's security profiles (sim interface, "Security profiles";
// whitepaper A05, M05): a real station_sim child process moves from
// profile 1 on the ws:// central system to profile 2 on the wss:// one of
// --csms-tls, trusting only the CentralSystemRootCertificate the central
// system installed; it keeps the profile across a SIGKILL; and an upgrade
// it cannot connect with falls back to the previous profile.
#include <signal.h>

#include <fstream>
#include <sstream>

#include "runtime/testing/test_pki.h"
#include "runtime/ws_client_transport.h"
#include "tests/integration/sim_process.h"

namespace ocpp::integration {
namespace {

constexpr char kKey[] = "sim-key-0123456789abcdef";

class StationSimSecurityProfile : public StationSimTest {
 protected:
  void SetUp() override {
    auto pki = runtime::testing::CreateTestPki(TempDir("sp-pki"), "SIM-1");
    ASSERT_TRUE(pki.has_value());
    pki_ = *pki;
  }
  // The wss:// central system; `cert`/`key` is the server certificate.
  void StartTlsCsms(const std::string& cert, const std::string& key) {
    tools::CentralSystem::Options options;
    options.cert_file = cert;
    options.key_file = key;
    options.accept = [this](const runtime::WsServer::UpgradeRequest& request) {
      tls_authorizations_.push_back(request.authorization);
      return runtime::WsServer::Verdict::kAccept;
    };
    std::string error;
    tls_csms_ = tools::CentralSystem::Create(*loop_, options, &error);
    ASSERT_NE(tls_csms_, nullptr) << error;
  }
  std::vector<std::string> Flags() const {
    return {"--password", kKey, "--csms-tls", tls_csms_->url()};
  }
  void InstallRootAndUpgrade() {
    v16::InstallCertificateReq install;
    install.certificate_type = v16::CertificateUseEnumType::kCentralSystemRootCertificate;
    install.certificate =
        *codec::CiString<5500>::From(runtime::testing::ReadTextFile(pki_.ca_cert));
    ASSERT_EQ(CallSync(install).status, v16::InstallCertificateStatusEnumType::kAccepted);
    v16::ChangeConfigurationReq change{*codec::CiString<50>::From("SecurityProfile"),
                                       *codec::CiString<500>::From("2")};
    ASSERT_EQ(CallSync(change).status, v16::ConfigurationStatus::kAccepted);
  }

  runtime::testing::TestPki pki_;
  std::unique_ptr<tools::CentralSystem> tls_csms_;
  std::vector<std::string> tls_authorizations_;
};

TEST_F(StationSimSecurityProfile, UpgradesToTlsWithTheInstalledRootAndKeepsItAfterAPowerCut) {
  StartTlsCsms(pki_.server_cert, pki_.server_key);
  const std::string dir = TempDir("sp-upgrade");
  auto sim = Start(dir, Flags());
  ASSERT_TRUE(WaitUntil([&] { return Count("BootNotification") == 1; }));
  EXPECT_EQ(GetConfiguration("SecurityProfile"), "1");
  InstallRootAndUpgrade();
  if (HasFailure()) ADD_FAILURE() << "station_sim stderr:\n" << sim->err();
  // The station leaves the ws:// central system for the wss:// one.
  ASSERT_TRUE(WaitUntil([&] { return tls_csms_->connected() && !csms_->connected(); }, 20));
  ASSERT_EQ(tls_authorizations_.size(), 1u);
  EXPECT_EQ(tls_authorizations_[0],
            runtime::WsClientTransport::BasicAuthorizationValue("SIM-1", kKey, false));

  sim->Kill(SIGKILL);
  sim->Poll();
  ASSERT_TRUE(WaitUntil([&] { return !tls_csms_->connected(); }));
  auto again = Start(dir, Flags());
  ASSERT_TRUE(WaitUntil([&] { return tls_csms_->connected(); }, 20)) << again->err();
  EXPECT_FALSE(csms_->connected());
  EXPECT_EQ(Count("BootNotification"), 1) << "the plain central system saw only the first boot";
}

TEST_F(StationSimSecurityProfile, AnUpgradeThatCannotConnectFallsBack) {
  // The TLS endpoint presents a certificate of a CA the station never trusts.
  StartTlsCsms(pki_.rogue_client_cert, pki_.rogue_client_key);
  auto sim = Start(TempDir("sp-fallback"), Flags());
  ASSERT_TRUE(WaitUntil([&] { return Count("BootNotification") == 1; }));
  InstallRootAndUpgrade();
  ASSERT_TRUE(WaitUntil([&] { return !csms_->connected(); }));
  // Three failed attempts (back-off of up to 2, 4 and 8 s), then back.
  ASSERT_TRUE(WaitUntil([&] { return csms_->connected(); }, 40)) << sim->err();
  EXPECT_EQ(GetConfiguration("SecurityProfile"), "1") << sim->err();
  EXPECT_TRUE(tls_authorizations_.empty()) << "no password went to an untrusted server";
  EXPECT_NE(sim->err().find("back to 1"), std::string::npos) << sim->err();
  if (HasFailure()) ADD_FAILURE() << "station_sim stderr:\n" << sim->err();
}

}  // namespace
}  // namespace ocpp::integration
