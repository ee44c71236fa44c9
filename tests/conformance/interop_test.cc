// What real central systems send that the schemas allow but naive stacks
// mishandle (issue 7, defect 5): transaction ids beyond 32 bits.
#include "tests/conformance/harness.h"

namespace ocpp::conformance {
namespace {

class Interop : public Harness {};

TEST_F(Interop, transaction_ids_beyond_32_bits_are_used_unchanged) {
  for (const std::int64_t id : {std::int64_t{2147483648}, std::int64_t{9007199254740993}}) {
    csms().Handle<Action::kStartTransaction>(
        [id](const v16::StartTransactionReq&) -> runtime::HandlerResult<v16::StartTransactionConf> {
          v16::StartTransactionConf conf;
          conf.id_tag_info.status = v16::AuthorizationStatus::kAccepted;
          conf.transaction_id = id;
          return conf;
        });
    if (id == 2147483648) StartStation();
    ClearFrames();
    Set("MeterValueSampleInterval", "10");
    Do("cp C");
    Do("rfid TAG-BIG");
    ASSERT_TRUE(WaitUntil([&] { return station().csms_transaction_id() == id; }));
    Advance(Seconds(10));
    ASSERT_TRUE(WaitForCall("MeterValues"));
    EXPECT_EQ(LastPayload("MeterValues")["transactionId"].GetInt64(), id);
    EXPECT_EQ(RemoteStop(id), v16::RemoteStartStopStatus::kAccepted);
    ASSERT_TRUE(WaitForCall("StopTransaction"));
    EXPECT_EQ(LastPayload("StopTransaction")["transactionId"].GetInt64(), id);
    EXPECT_EQ(CountCalls("StartTransaction"), 1) << "accepted once, not resent";
    Do("cp A");
    ASSERT_TRUE(WaitForStatus(1, "Available"));
  }
}

}  // namespace
}  // namespace ocpp::conformance
