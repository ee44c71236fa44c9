#include "runtime/reconnect_backoff.h"

#include <algorithm>

namespace ocpp::runtime {

ReconnectBackoff::ReconnectBackoff(base::Milliseconds base, base::Milliseconds cap,
                                   std::uint64_t seed)
    : base_(std::max(base, base::Milliseconds(1))), cap_(std::max(cap, base_)), random_(seed) {}

base::Milliseconds ReconnectBackoff::NextCeiling() const {
  // Double step by step so large attempt counts cannot overflow.
  base::Milliseconds ceiling = base_;
  for (int i = 0; i < attempts_ && ceiling < cap_; ++i) ceiling *= 2;
  return std::min(ceiling, cap_);
}

base::Milliseconds ReconnectBackoff::Next() {
  const auto ceiling = static_cast<std::uint64_t>(NextCeiling().count());
  // The modulo bias over a 64-bit draw is below 2^-40 for any sane cap.
  const auto delay = static_cast<base::Milliseconds::rep>(random_() % (ceiling + 1));
  if (attempts_ < 64) ++attempts_;
  return base::Milliseconds(delay);
}

}  // namespace ocpp::runtime
