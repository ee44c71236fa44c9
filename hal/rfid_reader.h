// An RFID reader: reports each card presented as an OCPP idTag.
//
//   reader.SetTagObserver([&](const std::string& id_tag) { auth.OnTag(id_tag); });
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace ocpp::hal {

// idTag is a CiString20 in OCPP 1.6: at most 20 printable ASCII characters.
inline constexpr std::size_t kMaxIdTagLength = 20;

class RfidReader {
 public:
  using TagObserver = std::function<void(const std::string& id_tag)>;

  virtual ~RfidReader() = default;

  // Called once per card presentation (a card held in the field counts
  // once) with a non-empty idTag of at most kMaxIdTagLength printable ASCII
  // characters; the backend converts the card UID to that form. Threading as
  // in control_pilot.h.
  virtual void SetTagObserver(TagObserver observer) = 0;
};

}  // namespace ocpp::hal
