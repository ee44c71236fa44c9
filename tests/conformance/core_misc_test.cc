// OCTT charge-point cases: fault behaviour and DataTransfer (Core: TC_041,
// TC_062), and the non-Core cases that apply while their profile is not
// implemented: none any more (TC_042_1 is in local_list_test.cc; TC_043_1,
// TC_048_4 and TC_050_4 stopped applying with their profiles).
// Steps: docs/core-behaviour-checklist.md sections 4 and 5.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class CoreMisc : public Harness {};

TEST_F(CoreMisc, tc041_fault_behaviour) {
  StartStation();
  ClearFrames();
  // 1. A charging-preventing fault of the connector.
  Do("fault GroundFailure");
  ASSERT_TRUE(WaitForStatus(1, "Faulted"));
  auto faulted = LastPayload("StatusNotification");
  EXPECT_EQ(faulted["connectorId"], 1);
  EXPECT_EQ(Str(faulted, "errorCode"), "GroundFailure");
  // 2. Plug-in and a tag: nothing starts, nothing is sent.
  Do("cp C");
  Do("rfid TAG-0001");
  Advance(Seconds(10));
  EXPECT_EQ(CountCalls("StartTransaction"), 0);
  // With a second, healthy connector the tag is authorized for that one.
  const Strings authorize = connectors() == 1 ? Strings{} : Strings{"Authorize"};
  EXPECT_EQ(CountCalls("Authorize"), static_cast<int>(authorize.size()));
  if (connectors() > 1) {
    EXPECT_EQ(LastStatus(2), "Preparing");
  }
  EXPECT_EQ(Statuses(), (Strings{"1:Faulted"})) << "connector 0 keeps Available";
  EXPECT_FALSE(connector().contactor_commanded_closed());
  // 3. A remote start is refused too.
  EXPECT_EQ(RemoteStart("TAG-0001"), v16::RemoteStartStopStatus::kRejected);
  Advance(Seconds(5));
  Strings expected = {"StatusNotification"};
  expected.insert(expected.end(), authorize.begin(), authorize.end());
  EXPECT_EQ(CallsExcept(), expected);
  // 4. Cleanup: unplug and clear the fault.
  Do("cp A");
  Do("fault NoError");
  ASSERT_TRUE(WaitForStatus(1, "Available"));
  auto cleared = LastPayload("StatusNotification");
  EXPECT_EQ(Str(cleared, "errorCode"), "NoError");
  EXPECT_EQ(Statuses(), (Strings{"1:Faulted", "1:Available"}));
}

TEST_F(CoreMisc, tc062_data_transfer_unknown_vendor) {
  StartStation();
  v16::DataTransferReq req;
  req.vendor_id = *codec::CiString<255>::From("org.example.unknown");
  req.message_id = *codec::CiString<50>::From("x");
  req.data = "y";
  const auto conf = CsmsCall(req);
  EXPECT_EQ(conf.status, v16::DataTransferStatus::kUnknownVendorId);
  EXPECT_FALSE(conf.data.has_value());
  // On the wire, too: the CALLRESULT has no "data" key.
  const auto& last = csms().frames().back();
  EXPECT_EQ(last.dir, runtime::TraceDirection::kReceived);
  EXPECT_EQ(last.text.find("\"data\""), std::string::npos) << last.text;
}

}  // namespace
}  // namespace ocpp::conformance
