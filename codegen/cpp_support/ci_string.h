// CiString<N>: OCPP's case-insensitive string of at most N characters
// (OCPP 1.6 section 7 "CiString"). The length limit is a class invariant, so
// an over-long value can never be built, sent or stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace ocpp::codec {

// Number of Unicode code points in UTF-8 text (what JSON Schema's maxLength
// counts): every byte that is not a continuation byte starts one.
std::size_t CountCodePoints(std::string_view utf8);

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

template <std::size_t N>
class CiString {
 public:
  static constexpr std::size_t kMaxLength = N;

  CiString() = default;

  // nullopt when `text` is longer than N characters.
  static std::optional<CiString> From(std::string_view text) {
    CiString result;
    if (!result.Assign(text)) return std::nullopt;
    return result;
  }

  // Replaces the value; returns false (and keeps the old value) when too long.
  bool Assign(std::string_view text) {
    if (text.size() > N && CountCodePoints(text) > N) return false;
    if constexpr (kInline) {
      if (text.size() <= N) {
        if (!text.empty()) std::memcpy(inline_, text.data(), text.size());
        size_ = static_cast<std::uint8_t>(text.size());
        heap_.clear();
        return true;
      }
      size_ = kOnHeap;  // multi-byte characters: more bytes than N
    }
    heap_.assign(text.data(), text.size());
    return true;
  }

  std::string_view view() const {
    if constexpr (kInline) {
      if (size_ != kOnHeap) return std::string_view(inline_, size_);
    }
    return heap_;
  }
  std::string ToString() const { return std::string(view()); }
  bool empty() const { return view().empty(); }

  // OCPP compares CiStrings case-insensitively (idTags in particular).
  friend bool operator==(const CiString& a, const CiString& b) {
    return EqualsIgnoreAsciiCase(a.view(), b.view());
  }
  friend bool operator!=(const CiString& a, const CiString& b) { return !(a == b); }
  friend bool operator==(const CiString& a, std::string_view b) {
    return EqualsIgnoreAsciiCase(a.view(), b);
  }

 private:
  // Short strings (idTags, vendor names, keys) live inline: decoding them
  // allocates nothing. Longer limits use the heap.
  static constexpr bool kInline = N <= 64;
  static constexpr std::uint8_t kOnHeap = 0xFF;
  char inline_[kInline ? N : 1] = {};
  std::uint8_t size_ = 0;
  std::string heap_;
};

}  // namespace ocpp::codec
