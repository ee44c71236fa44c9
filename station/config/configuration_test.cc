#include "station/config/configuration.h"

#include <gtest/gtest.h>

#include "hal/testing/in_memory_storage.h"

namespace ocpp::station {
namespace {

using v16::ConfigurationStatus;

class ConfigurationTest : public ::testing::Test {
 protected:
  Configuration Load(std::map<std::string, std::string> overrides = {}) {
    return Configuration::Load(store_, overrides, &errors_);
  }
  hal::testing::InMemoryStorage store_;
  std::vector<std::string> errors_;
};

TEST_F(ConfigurationTest, FactoryValuesMatchTheProductConfiguration) {
  Configuration c = Load();
  EXPECT_EQ(c.GetInt("HeartbeatInterval"), 30);
  EXPECT_EQ(c.GetInt("ClockAlignedDataInterval"), 900);
  EXPECT_EQ(c.GetInt("ConnectionTimeOut"), 60);
  EXPECT_EQ(c.GetInt("GetConfigurationMaxKeys"), 16);
  EXPECT_EQ(c.GetInt("TransactionMessageAttempts"), 2);
  EXPECT_EQ(c.GetInt("TransactionMessageRetryInterval"), 5);
  EXPECT_EQ(c.GetInt("StopTransactionMaxMeterValues"), 20);
  EXPECT_TRUE(c.GetBool("AllowOfflineTxForUnknownId"));
  EXPECT_FALSE(c.GetBool("LocalPreAuthorize"));
  EXPECT_FALSE(c.GetBool("UnlockConnectorOnEVSideDisconnect"));
  EXPECT_NE(c.GetString("SupportedFeatureProfiles").find("LocalAuthListManagement"),
            std::string::npos);
  // Smart Charging's keys (product-config.md, optional profiles).
  EXPECT_EQ(c.GetInt("ChargeProfileMaxStackLevel"), 10);
  EXPECT_EQ(c.GetString("ChargingScheduleAllowedChargingRateUnit"), "Current,Power");
  EXPECT_EQ(c.GetInt("ChargingScheduleMaxPeriods"), 48);
  EXPECT_EQ(c.GetInt("MaxChargingProfilesInstalled"), 32);
  EXPECT_FALSE(c.GetBool("ConnectorSwitch3to1PhaseSupported"));
  EXPECT_EQ(c.GetInt("MeterValuesSampledDataMaxLength"), 5);
  EXPECT_TRUE(c.GetBool("ReserveConnectorZeroSupported"));
  EXPECT_TRUE(c.GetList("StopTxnSampledData").empty());
  // Local Auth List Management's keys.
  EXPECT_TRUE(c.GetBool("LocalAuthListEnabled"));
  EXPECT_EQ(c.GetInt("LocalAuthListMaxLength"), 10000);
  EXPECT_EQ(c.GetInt("SendLocalListMaxLength"), 1000);
}

TEST_F(ConfigurationTest, ChangeFollowsTheProductDecisions) {
  Configuration c = Load();
  EXPECT_EQ(c.Change("HeartbeatInterval", "60"), ConfigurationStatus::kAccepted);
  EXPECT_EQ(c.Change("NumberOfConnectors", "2"), ConfigurationStatus::kRejected) << "read-only";
  EXPECT_EQ(c.Change("Testing", "1"), ConfigurationStatus::kNotSupported) << "unknown";
  EXPECT_EQ(c.Change("MeterValueSampleInterval", "-1"), ConfigurationStatus::kRejected);
  EXPECT_EQ(c.Change("MeterValueSampleInterval", "ten"), ConfigurationStatus::kRejected);
  EXPECT_EQ(c.Change("StopTransactionOnInvalidId", "maybe"), ConfigurationStatus::kRejected);
  EXPECT_EQ(c.Change("StopTransactionOnInvalidId", "FALSE"), ConfigurationStatus::kAccepted);
  EXPECT_FALSE(c.GetBool("StopTransactionOnInvalidId"));
  EXPECT_EQ(c.Change("MeterValuesSampledData", "Voltage"), ConfigurationStatus::kRejected)
      << "unsupported measurand";
  EXPECT_EQ(c.Change("MeterValuesSampledData",
                     "Energy.Active.Import.Register,Current.Offered,Power.Offered,"
                     "Current.Import,Power.Active.Import"),
            ConfigurationStatus::kAccepted);
  EXPECT_EQ(c.Change("MeterValuesSampledData",
                     "Energy.Active.Import.Register,Current.Offered,Power.Offered,"
                     "Current.Import,Power.Active.Import,Current.Offered"),
            ConfigurationStatus::kRejected)
      << "MaxLength 5";
  EXPECT_EQ(c.Change("ChargeProfileMaxStackLevel", "20"), ConfigurationStatus::kRejected)
      << "read-only";
  EXPECT_EQ(c.Change("StopTxnSampledData", "Energy.Active.Import.Register"),
            ConfigurationStatus::kAccepted);
  EXPECT_EQ(c.Change("UnlockConnectorOnEVSideDisconnect", "true"), ConfigurationStatus::kRejected);
  EXPECT_EQ(c.Change("AuthorizationKey", "short"), ConfigurationStatus::kRejected);
  EXPECT_EQ(c.Change("AuthorizationKey", "0123456789abcdef0123"), ConfigurationStatus::kAccepted);
}

TEST_F(ConfigurationTest, ChangesArePersisted) {
  {
    Configuration c = Load();
    ASSERT_EQ(c.Change("HeartbeatInterval", "45"), ConfigurationStatus::kAccepted);
  }
  Configuration again = Load({{"HeartbeatInterval", "10"}});
  EXPECT_EQ(again.GetInt("HeartbeatInterval"), 45) << "stored value beats factory override";
}

TEST_F(ConfigurationTest, FactoryOverridesApplyOnFirstStartAndBadOnesAreReported) {
  Configuration c = Load({{"HeartbeatInterval", "10"}, {"Bogus", "1"}, {"ConnectionTimeOut", "x"}});
  EXPECT_EQ(c.GetInt("HeartbeatInterval"), 10);
  EXPECT_EQ(c.GetInt("ConnectionTimeOut"), 60);
  EXPECT_EQ(errors_.size(), 2u);
}

TEST_F(ConfigurationTest, GetConfigurationListsKnownUnknownAndNeverTheAuthorizationKey) {
  Configuration c = Load();
  ASSERT_EQ(c.Change("AuthorizationKey", "0123456789abcdef0123"), ConfigurationStatus::kAccepted);
  auto all = c.Get(std::nullopt);
  ASSERT_TRUE(all.configuration_key);
  for (const auto& kv : *all.configuration_key) {
    EXPECT_NE(kv.key.view(), "AuthorizationKey");
    if (kv.value) {
      EXPECT_EQ(kv.value->view().find("0123456789abcdef"), std::string_view::npos);
    }
  }
  std::vector<codec::CiString<50>> keys = {*codec::CiString<50>::From("heartbeatinterval"),
                                           *codec::CiString<50>::From("Nope"),
                                           *codec::CiString<50>::From("AuthorizationKey")};
  auto some = c.Get(keys);
  ASSERT_TRUE(some.configuration_key);
  ASSERT_EQ(some.configuration_key->size(), 1u);
  EXPECT_EQ(some.configuration_key->at(0).value->view(), "30");
  EXPECT_FALSE(some.configuration_key->at(0).readonly);
  ASSERT_TRUE(some.unknown_key);
  EXPECT_EQ(some.unknown_key->size(), 2u);
}

TEST_F(ConfigurationTest, GetConfigurationAnswersAtMostMaxKeys) {
  Configuration c = Load();
  std::vector<codec::CiString<50>> keys(20, *codec::CiString<50>::From("HeartbeatInterval"));
  auto conf = c.Get(keys);
  EXPECT_EQ(conf.configuration_key->size(), 16u);
}

}  // namespace
}  // namespace ocpp::station
