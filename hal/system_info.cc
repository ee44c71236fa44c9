#include "hal/system_info.h"

#include <tuple>

namespace ocpp::hal {

bool operator==(const SystemInfo& a, const SystemInfo& b) {
  auto fields = [](const SystemInfo& s) {
    return std::tie(s.vendor, s.model, s.charge_point_serial_number, s.charge_box_serial_number,
                    s.firmware_version, s.iccid, s.imsi, s.meter_type, s.meter_serial_number);
  };
  return fields(a) == fields(b);
}

}  // namespace ocpp::hal
