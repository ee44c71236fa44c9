// Decode+validate and encode speed of the generated codecs, against two
// baselines measured in the same run on the same bytes:
//   parse           plain RapidJSON DOM parse, no validation (the floor)
//   parse+schema    DOM parse + RapidJSON SchemaValidator with the message's
//                   schema from schemas/ (what schema-at-runtime stacks do)
//   decode          our generated validating decoder (parse included)
//   encode          our generated encoder, typed struct -> JSON text
// At the end it prints decode/parse and (parse+schema)/decode ratios.
//
//   bazel run -c opt //bench:codec_bench
#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "bench/sample_messages.h"
#include "codegen/cpp_support/message_codec.h"
#include "generated/ocpp16/registry.h"

namespace ocpp::v16 {
namespace {

std::string g_runfiles;

template <std::size_t N>
codec::CiString<N> Ci(const std::string& s) {
  return *codec::CiString<N>::From(s);
}

const codec::DateTime kNow = codec::DateTime::FromUnixMillis(1767268800000);

BootNotificationReq MakeBoot() {
  BootNotificationReq m;
  m.charge_point_vendor = Ci<20>("ExampleVendor");
  m.charge_point_model = Ci<20>("AC-22-J1772");
  m.charge_point_serial_number = Ci<25>("SN-0012345678");
  m.firmware_version = Ci<50>("1.4.2+build.77");
  m.iccid = Ci<20>("8944500102198304826");
  m.imsi = Ci<20>("234150999999999");
  m.meter_type = Ci<25>("DZG DSZ15DZ");
  m.meter_serial_number = Ci<25>("MTR-998877");
  return m;
}

StartTransactionReq MakeStart() {
  StartTransactionReq m;
  m.connector_id = 1;
  m.id_tag = Ci<20>("04A2B3C4D5E6F7");
  m.meter_start = 1234567;
  m.timestamp = kNow;
  m.reservation_id = 42;
  return m;
}

SetChargingProfileReq MakeProfile() {
  SetChargingProfileReq m;
  m.connector_id = 1;
  ChargingProfile& p = m.cs_charging_profiles;
  p.charging_profile_id = 7;
  p.stack_level = 1;
  p.charging_profile_purpose = ChargingProfilePurposeType::kTxDefaultProfile;
  p.charging_profile_kind = ChargingProfileKindType::kRecurring;
  p.recurrency_kind = RecurrencyKindType::kDaily;
  p.valid_from = kNow;
  p.charging_schedule.duration = 86400;
  p.charging_schedule.start_schedule = kNow;
  p.charging_schedule.charging_rate_unit = ChargingRateUnitType::kA;
  p.charging_schedule.min_charging_rate = codec::Decimal::FromTenths(60);
  for (int i = 0; i < 48; ++i) {
    ChargingSchedulePeriod period;
    period.start_period = i * 1800;
    period.limit = codec::Decimal::FromTenths(60 + (i * 7) % 260);
    period.number_phases = 3;
    p.charging_schedule.charging_schedule_period.push_back(period);
  }
  return m;
}

GetConfigurationConf MakeConfiguration() {
  GetConfigurationConf m;
  m.configuration_key.emplace();
  for (int i = 0; i < 40; ++i) {
    KeyValue kv;
    kv.key = Ci<50>("ConfigurationKeyNumber" + std::to_string(i));
    kv.readonly = i % 3 == 0;
    kv.value = Ci<500>("Energy.Active.Import.Register,Power.Active.Import");
    m.configuration_key->push_back(kv);
  }
  return m;
}

struct Case {
  std::string name;
  std::string schema_file;
  std::string json;
  std::function<bool(const std::string&)> decode;
  std::function<std::string()> encode;
};

template <class T>
Case MakeCase(const std::string& name, const std::string& schema_file, T message) {
  Case c;
  c.name = name;
  c.schema_file = schema_file;
  c.json = codec::EncodeJson(message);
  c.decode = [](const std::string& json) {
    T out;
    return !codec::DecodeJson(json, out).has_value();
  };
  c.encode = [message] { return codec::EncodeJson(message); };
  return c;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "codec_bench: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Register(const Case& c) {
  auto schema_doc = std::make_shared<rapidjson::Document>();
  schema_doc->Parse(ReadFile(g_runfiles + "/schemas/" + c.schema_file).c_str());
  auto schema = std::make_shared<rapidjson::SchemaDocument>(*schema_doc);
  const std::size_t bytes = c.json.size();

  benchmark::RegisterBenchmark((c.name + "/parse").c_str(), [c, bytes](benchmark::State& s) {
    for (auto _ : s) {
      rapidjson::Document doc;
      doc.Parse(c.json.c_str(), c.json.size());
      benchmark::DoNotOptimize(doc.IsObject());
    }
    s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations() * bytes));
  });
  benchmark::RegisterBenchmark(
      (c.name + "/parse+schema").c_str(), [c, bytes, schema](benchmark::State& s) {
        for (auto _ : s) {
          rapidjson::Document doc;
          doc.Parse(c.json.c_str(), c.json.size());
          rapidjson::SchemaValidator validator(*schema);
          // RapidJSON checks multipleOf 0.1 in floating point
          // and rejects some valid limits; timed all the same.
          benchmark::DoNotOptimize(doc.Accept(validator));
        }
        s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations() * bytes));
      });
  benchmark::RegisterBenchmark((c.name + "/decode").c_str(), [c, bytes](benchmark::State& s) {
    for (auto _ : s) {
      if (!c.decode(c.json)) s.SkipWithError("decode failed");
    }
    s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations() * bytes));
  });
  benchmark::RegisterBenchmark((c.name + "/encode").c_str(), [c, bytes](benchmark::State& s) {
    for (auto _ : s) benchmark::DoNotOptimize(c.encode());
    s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations() * bytes));
  });
}

// Collects ns/op per benchmark so ratios can be printed after the run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.iterations > 0 && !run.error_occurred) {
        ns_[run.benchmark_name()] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintRatios(const std::vector<Case>& cases) {
    std::printf("\n%-22s %10s %10s %12s %12s\n", "message", "bytes", "decode ns", "decode/parse",
                "schema/decode");
    for (const Case& c : cases) {
      const double parse = ns_[c.name + "/parse"];
      const double schema = ns_[c.name + "/parse+schema"];
      const double decode = ns_[c.name + "/decode"];
      if (parse <= 0 || decode <= 0) continue;
      std::printf("%-22s %10zu %10.0f %11.2fx %11.2fx\n", c.name.c_str(), c.json.size(), decode,
                  decode / parse, schema / decode);
    }
  }

 private:
  std::map<std::string, double> ns_;
};

}  // namespace
}  // namespace ocpp::v16

int main(int argc, char** argv) {
  using namespace ocpp::v16;
  if (const char* dir = std::getenv("RUNFILES_DIR")) {
    g_runfiles = std::string(dir) + "/ocpp16_stack";
  } else {
    g_runfiles = std::string(argv[0]) + ".runfiles/ocpp16_stack";
  }
  const std::vector<Case> cases = {
      MakeCase("BootNotification", "core/BootNotification.json", MakeBoot()),
      MakeCase("MeterValues20", "core/MeterValues.json", ocpp::bench::MeterValuesWithSamples(20)),
      MakeCase("StartTransaction", "core/StartTransaction.json", MakeStart()),
      MakeCase("SetChargingProfile48", "core/SetChargingProfile.json", MakeProfile()),
      MakeCase("GetConfigurationConf40", "core/GetConfigurationResponse.json", MakeConfiguration()),
  };
  for (const Case& c : cases) Register(c);
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios(cases);
  return 0;
}
