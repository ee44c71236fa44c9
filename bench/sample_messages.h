// Messages the benchmarks share, so their figures describe the same bytes.
#pragma once

#include <string>

#include "generated/ocpp16/registry.h"

namespace ocpp::bench {

// A MeterValues.req of one MeterValue with `count` sampled values that
// cycle through measurands and phases, as a three-phase meter reports them.
inline v16::MeterValuesReq MeterValuesWithSamples(int count) {
  using namespace v16;
  MeterValuesReq m;
  m.connector_id = 1;
  m.transaction_id = 123456;
  MeterValue mv;
  mv.timestamp = codec::DateTime::FromUnixMillis(1767268800000);
  const Measurand measurands[] = {Measurand::kEnergyActiveImportRegister,
                                  Measurand::kPowerActiveImport, Measurand::kCurrentImport,
                                  Measurand::kVoltage, Measurand::kTemperature};
  const Phase phases[] = {Phase::kL1, Phase::kL2, Phase::kL3, Phase::kN};
  for (int i = 0; i < count; ++i) {
    SampledValue sv;
    sv.value = std::to_string(1000 + i * 37) + ".5";
    sv.context = ReadingContext::kSamplePeriodic;
    sv.format = ValueFormat::kRaw;
    sv.measurand = measurands[i % 5];
    sv.phase = phases[i % 4];
    sv.location = Location::kOutlet;
    sv.unit = UnitOfMeasure::kWh;
    mv.sampled_value.push_back(sv);
  }
  m.meter_value.push_back(mv);
  return m;
}

}  // namespace ocpp::bench
