#include "runtime/reconnect_backoff.h"

#include <algorithm>

namespace ocpp::runtime {

ReconnectBackoff::ReconnectBackoff(Milliseconds base, Milliseconds cap, std::uint64_t seed)
    : base_(std::max(base, Milliseconds(1))), cap_(std::max(cap, base_)), random_(seed) {}

Milliseconds ReconnectBackoff::NextCeiling() const {
  // Double step by step so large attempt counts cannot overflow.
  Milliseconds ceiling = base_;
  for (int i = 0; i < attempts_ && ceiling < cap_; ++i) ceiling *= 2;
  return std::min(ceiling, cap_);
}

Milliseconds ReconnectBackoff::Next() {
  const auto ceiling = static_cast<std::uint64_t>(NextCeiling().count());
  // The modulo bias over a 64-bit draw is below 2^-40 for any sane cap.
  const auto delay = static_cast<Milliseconds::rep>(random_() % (ceiling + 1));
  if (attempts_ < 64) ++attempts_;
  return Milliseconds(delay);
}

}  // namespace ocpp::runtime
