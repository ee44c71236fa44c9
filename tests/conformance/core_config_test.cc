// OCTT charge-point cases of the Core profile: configuration keys and the
// authorization cache (TC_019, TC_021, TC_040_1, TC_040_2, TC_061, TC_007,
// TC_023 with MinimumStatusDuration). Steps: docs/core-behaviour-checklist.md.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

using v16::ConfigurationStatus;

class CoreConfig : public Harness {
 protected:
  v16::GetConfigurationConf GetConfiguration(const std::vector<std::string>& keys) {
    v16::GetConfigurationReq req;
    if (!keys.empty()) {
      req.key.emplace();
      for (const auto& k : keys) req.key->push_back(*codec::CiString<50>::From(k));
    }
    return CsmsCall(req);
  }
  ConfigurationStatus Change(const std::string& key, const std::string& value) {
    return CsmsCall(v16::ChangeConfigurationReq{*codec::CiString<50>::From(key),
                                                *codec::CiString<500>::From(value)})
        .status;
  }
  // Authorize answers Invalid for TINV, Accepted for every other tag.
  void AnswerInvalidFor(const std::string& invalid) {
    csms().Handle<v16::Action::kAuthorize>(
        [invalid](const v16::AuthorizeReq& req) -> runtime::HandlerResult<v16::AuthorizeConf> {
          v16::AuthorizeConf conf;
          conf.id_tag_info.status = req.id_tag.view() == invalid
                                        ? v16::AuthorizationStatus::kInvalid
                                        : v16::AuthorizationStatus::kAccepted;
          return conf;
        });
  }
};

TEST_F(CoreConfig, tc019_retrieve_configuration) {
  StartStation();
  ClearFrames();
  // 1. One key.
  auto profiles = GetConfiguration({"SupportedFeatureProfiles"});
  ASSERT_TRUE(profiles.configuration_key);
  ASSERT_EQ(profiles.configuration_key->size(), 1u);
  const auto& kv = profiles.configuration_key->front();
  EXPECT_EQ(kv.key.view(), "SupportedFeatureProfiles");
  EXPECT_TRUE(kv.readonly);
  ASSERT_TRUE(kv.value);
  EXPECT_NE(kv.value->ToString().find("Core"), std::string::npos);
  EXPECT_TRUE(!profiles.unknown_key || profiles.unknown_key->empty());

  // 2. Every key; each required Core key with the right accessibility.
  auto all = GetConfiguration({});
  ASSERT_TRUE(all.configuration_key);
  std::map<std::string, bool> readonly;
  std::map<std::string, std::string> values;
  for (const auto& k : *all.configuration_key) {
    readonly[k.key.ToString()] = k.readonly;
    values[k.key.ToString()] = k.value ? k.value->ToString() : "<absent>";
  }
  const std::vector<std::pair<std::string, bool>> required = {
      {"AuthorizeRemoteTxRequests", false},  // R or RW; the product: RW
      {"ClockAlignedDataInterval", false},
      {"ConnectionTimeOut", false},
      {"ConnectorPhaseRotation", false},
      {"GetConfigurationMaxKeys", true},
      {"HeartbeatInterval", false},
      {"LocalAuthorizeOffline", false},
      {"LocalPreAuthorize", false},
      {"MeterValuesAlignedData", false},
      {"MeterValuesSampledData", false},
      {"MeterValueSampleInterval", false},
      {"NumberOfConnectors", true},
      {"ResetRetries", false},
      {"StopTransactionOnEVSideDisconnect", false},  // RW: TC_005_3 applies
      {"StopTransactionOnInvalidId", false},
      {"StopTxnAlignedData", false},
      {"StopTxnSampledData", false},
      {"SupportedFeatureProfiles", true},
      {"TransactionMessageAttempts", false},
      {"TransactionMessageRetryInterval", false},
      {"UnlockConnectorOnEVSideDisconnect", true},  // R or RW; fixed cable: R
  };
  for (const auto& [key, ro] : required) {
    ASSERT_EQ(readonly.count(key), 1u) << key << " missing";
    EXPECT_EQ(readonly[key], ro) << key;
  }
  // The other keys of the checklist table (section 1.9), with their values.
  const std::map<std::string, std::string> expected_values = {
      {"AllowOfflineTxForUnknownId", "true"},
      {"AuthorizationCacheEnabled", "true"},
      {"AuthorizeRemoteTxRequests", "false"},
      {"ClockAlignedDataInterval", "0"},  // the harness default
      {"ConnectionTimeOut", "60"},
      {"ConnectorPhaseRotation", "NotApplicable"},
      {"GetConfigurationMaxKeys", "16"},
      {"HeartbeatInterval", "30"},
      {"LocalAuthorizeOffline", "true"},
      {"LocalPreAuthorize", "false"},
      {"MeterValuesAlignedData", "Energy.Active.Import.Register"},
      {"MeterValuesAlignedDataMaxLength", "5"},
      {"MeterValuesSampledData", "Energy.Active.Import.Register"},
      {"MeterValuesSampledDataMaxLength", "5"},
      {"MeterValueSampleInterval", "0"},
      {"MinimumStatusDuration", "0"},
      {"NumberOfConnectors", "1"},
      {"ResetRetries", "1"},
      {"StopTransactionMaxMeterValues", "20"},
      {"StopTransactionOnEVSideDisconnect", "true"},
      {"StopTransactionOnInvalidId", "true"},
      {"StopTxnAlignedData", ""},
      {"StopTxnAlignedDataMaxLength", "5"},
      {"StopTxnSampledData", ""},
      {"StopTxnSampledDataMaxLength", "5"},
      {"SupportedFeatureProfiles",
       "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"},
      {"SupportedFileTransferProtocols", "FTP,FTPS,HTTP,HTTPS,SFTP"},
      {"ReserveConnectorZeroSupported", "true"},
      // Smart Charging (product-config.md, "Factory values of the optional profiles' keys").
      {"ChargeProfileMaxStackLevel", "10"},
      {"ChargingScheduleAllowedChargingRateUnit", "Current,Power"},
      {"ChargingScheduleMaxPeriods", "48"},
      {"MaxChargingProfilesInstalled", "32"},
      {"ConnectorSwitch3to1PhaseSupported", "false"},
      // Local Auth List Management (product-config.md).
      {"LocalAuthListEnabled", "true"},
      {"LocalAuthListMaxLength", "10000"},
      {"SendLocalListMaxLength", "1000"},
      {"SupportedFeatureProfilesMaxLength", "6"},
      {"TransactionMessageAttempts", "2"},
      {"TransactionMessageRetryInterval", "5"},
      {"UnlockConnectorOnEVSideDisconnect", "false"},
  };
  for (const auto& [key, value] : expected_values) {
    // NumberOfConnectors is what the hardware has.
    EXPECT_EQ(values[key], key == "NumberOfConnectors" ? std::to_string(connectors()) : value)
        << key;
  }
  EXPECT_EQ(readonly.count("AuthorizationKey"), 0u) << "write-only, never reported";

  // 3. GetConfigurationMaxKeys.
  auto max_keys = GetConfiguration({"GetConfigurationMaxKeys"});
  ASSERT_TRUE(max_keys.configuration_key);
  ASSERT_EQ(max_keys.configuration_key->size(), 1u);
  EXPECT_EQ(max_keys.configuration_key->front().value->ToString(), "16");

  // 4. 16 distinct keys from step 2: all 16 returned, no unknownKey.
  std::vector<std::string> sixteen;
  for (const auto& [key, ro] : readonly) {
    if (sixteen.size() < 16) sixteen.push_back(key);
  }
  ASSERT_EQ(sixteen.size(), 16u);
  auto some = GetConfiguration(sixteen);
  ASSERT_TRUE(some.configuration_key);
  EXPECT_EQ(some.configuration_key->size(), 16u);
  EXPECT_TRUE(!some.unknown_key || some.unknown_key->empty());
  EXPECT_EQ(CallsExcept(), Strings{}) << "reading the configuration sends nothing";
}

TEST_F(CoreConfig, tc021_change_configuration) {
  StartStation();
  ASSERT_NE(GetConfig("MeterValueSampleInterval"), "10");
  EXPECT_EQ(Change("MeterValueSampleInterval", "10"), ConfigurationStatus::kAccepted);
  EXPECT_EQ(GetConfig("MeterValueSampleInterval"), "10");
}

TEST_F(CoreConfig, tc040_1_unknown_configuration_key) {
  StartStation();
  EXPECT_EQ(Change("Testing", "true"), ConfigurationStatus::kNotSupported);
  EXPECT_EQ(GetConfig("Testing"), "<unknown>");
}

TEST_F(CoreConfig, tc040_2_invalid_configuration_value) {
  StartStation();
  const std::string before = GetConfig("MeterValueSampleInterval");
  EXPECT_EQ(Change("MeterValueSampleInterval", "-1"), ConfigurationStatus::kRejected);
  EXPECT_EQ(GetConfig("MeterValueSampleInterval"), before);
  // Other unusable values are refused the same way, without a change.
  EXPECT_EQ(Change("MeterValueSampleInterval", "ten"), ConfigurationStatus::kRejected);
  EXPECT_EQ(Change("StopTransactionOnInvalidId", "maybe"), ConfigurationStatus::kRejected);
  EXPECT_EQ(Change("MeterValuesSampledData", "Voltage"), ConfigurationStatus::kRejected);
  EXPECT_EQ(Change("NumberOfConnectors", "2"), ConfigurationStatus::kRejected) << "read-only";
  EXPECT_EQ(GetConfig("MeterValueSampleInterval"), before);
}

TEST_F(CoreConfig, tc061_clear_authorization_cache) {
  StartStation();
  Set("AuthorizationCacheEnabled", "true");
  Set("LocalPreAuthorize", "true");
  Set("ConnectionTimeOut", "30");
  ClearFrames();
  // 1. F-Authorized: the cache now holds TAG-0001.
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(CallsExcept(), (Strings{"Authorize", "StatusNotification"}));
  // 2. The same tag again cancels the authorization: Available at once.
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(CountCalls("Authorize"), 1);
  // 3. ClearCache.
  EXPECT_EQ(CsmsCall(v16::ClearCacheReq{}).status, v16::ClearCacheStatus::kAccepted);
  // 4. The cache is empty: no pre-authorization, Authorize is sent.
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForCall("Authorize", 2));
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(Str(LastPayload("Authorize"), "idTag"), "TAG-0001");
  // 5. Cleanup: ConnectionTimeOut.
  Advance(Seconds(29));
  EXPECT_EQ(LastStatus(1), "Preparing");
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(CallsExcept(), (Strings{"Authorize", "StatusNotification", "StatusNotification",
                                    "Authorize", "StatusNotification", "StatusNotification"}));
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
}

// Remote flavour (T24): a cached id with LocalPreAuthorize needs no Authorize.
TEST_F(CoreConfig, tc007_start_with_cached_id) {
  StartStation();
  Set("AuthorizationCacheEnabled", "true");
  Set("AuthorizeRemoteTxRequests", "true");
  Set("LocalPreAuthorize", "true");
  ClearFrames();
  CacheIdTag("TAG-0001");
  EXPECT_EQ(CountCalls("Authorize"), 1) << "the cache was empty during F-IdTagCached";
  ClearFrames();
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(RemoteStart("TAG-0001"), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "StartTransaction", "StatusNotification"}));
  auto start = LastPayload("StartTransaction");
  EXPECT_EQ(start["connectorId"], 1);
  EXPECT_EQ(Str(start, "idTag"), "TAG-0001");
}

// Local flavour (T25, [EVT] TC_007_1): the tag is presented at the reader.
TEST_F(CoreConfig, tc007_start_with_cached_id_local) {
  StartStation();
  Set("AuthorizationCacheEnabled", "true");
  Set("AuthorizeRemoteTxRequests", "true");
  Set("LocalPreAuthorize", "true");
  CacheIdTag("TAG-0001");
  ClearFrames();
  Do("rfid TAG-0001");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  Do("cp C");
  ASSERT_TRUE(WaitForCall("StartTransaction"));
  ASSERT_TRUE(WaitForStatus(1, "Charging"));
  EXPECT_EQ(CallsExcept(),
            (Strings{"StatusNotification", "StartTransaction", "StatusNotification"}));
  EXPECT_EQ(Str(LastPayload("StartTransaction"), "idTag"), "TAG-0001");
}

// T24 order: plug in first. MinimumStatusDuration = 10 delays every report
// by 10 s, stamped with the time the status began.
TEST_F(CoreConfig, tc023_authorize_invalid) {
  AnswerInvalidFor("TINV");
  StartStation();
  Set("MinimumStatusDuration", "10");
  Set("LocalPreAuthorize", "true");
  ClearFrames();
  const std::int64_t t0 = WallSeconds();
  Do("cp C");
  Advance(Seconds(9));
  EXPECT_EQ(CountCalls("StatusNotification"), 0);
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(EpochSeconds(LastPayload("StatusNotification")), t0) << "entry time";
  Do("rfid TINV");
  ASSERT_TRUE(WaitForCall("Authorize"));
  EXPECT_EQ(Str(LastPayload("Authorize"), "idTag"), "TINV");
  Advance(Seconds(15));
  EXPECT_EQ(CallsExcept(), (Strings{"StatusNotification", "Authorize"}));
  EXPECT_FALSE(station().transaction_active());
  EXPECT_FALSE(connector().contactor_commanded_closed());
  // Cleanup.
  const std::int64_t t1 = WallSeconds();
  Do("cp A");
  Advance(Seconds(9));
  EXPECT_EQ(LastStatus(1), "Preparing");
  Advance(Seconds(1));
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  EXPECT_EQ(EpochSeconds(LastPayload("StatusNotification")), t1);
  Set("MinimumStatusDuration", "0");
  EXPECT_EQ(Statuses(), (Strings{"1:Preparing", "1:Available"}));
}

// T25 order: the invalid tag first. The status does not change, so there is
// no StatusNotification until the plug-in (reported 10 s later).
TEST_F(CoreConfig, tc023_authorize_invalid_id_first) {
  AnswerInvalidFor("TINV");
  StartStation();
  Set("MinimumStatusDuration", "10");
  Set("LocalPreAuthorize", "true");
  ClearFrames();
  Do("rfid TINV");
  ASSERT_TRUE(WaitForCall("Authorize"));
  Advance(Seconds(15));
  EXPECT_EQ(CallsExcept(), (Strings{"Authorize"}));
  const std::int64_t t0 = WallSeconds();
  Do("cp C");
  Advance(Seconds(10));
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  EXPECT_EQ(EpochSeconds(LastPayload("StatusNotification")), t0);
  Advance(Seconds(15));
  EXPECT_EQ(CallsExcept(), (Strings{"Authorize", "StatusNotification"}));
  Set("MinimumStatusDuration", "0");
}

// Without MinimumStatusDuration the invalid tag still changes nothing.
TEST_F(CoreConfig, tc023_authorize_invalid_id_first_no_minimum_duration) {
  AnswerInvalidFor("TINV");
  StartStation();
  ClearFrames();
  Do("rfid TINV");
  ASSERT_TRUE(WaitForCall("Authorize"));
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), (Strings{"Authorize"})) << "no Preparing/Available flicker";
}

// The remote flavour ([EVT] TC_023_5), as the checklist assumes it.
TEST_F(CoreConfig, tc023_authorize_invalid_remote) {
  AnswerInvalidFor("TINV");
  StartStation();
  Set("AuthorizeRemoteTxRequests", "true");
  Do("cp C");
  ASSERT_TRUE(WaitForStatus(1, "Preparing"));
  ClearFrames();
  EXPECT_EQ(RemoteStart("TINV"), v16::RemoteStartStopStatus::kAccepted);
  ASSERT_TRUE(WaitForCall("Authorize"));
  Advance(Seconds(5));
  EXPECT_EQ(CallsExcept(), (Strings{"Authorize"}));
  EXPECT_FALSE(station().transaction_active());
}

}  // namespace
}  // namespace ocpp::conformance
