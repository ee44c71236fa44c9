// libFuzzer target: the bounded parser of the server's upgrade answer
// (runtime/ws_handshake.h) on arbitrary bytes in arbitrary chunking.
// Properties checked:
//  - nothing crashes or trips a sanitizer;
//  - the header block is never longer than the limit, and what is consumed
//    is never more than what was given;
//  - kAccepted only with status 101; kFailed always says why, in one
//    printable line; the verdict and the bytes consumed do not depend on
//    the chunking.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/ws_handshake.h"

namespace {

using ocpp::runtime::WsHandshakeParser;
using Result = WsHandshakeParser::Result;

constexpr char kKey[] = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::size_t kLimit = 1024;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned chunking = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  WsHandshakeParser whole(kKey, "ocpp1.6", kLimit);
  std::size_t whole_consumed = 0;
  const Result expected = whole.Feed(bytes, &whole_consumed);
  Check(whole_consumed <= bytes.size());
  if (expected == Result::kAccepted) {
    Check(whole.http_status() == 101 && whole_consumed <= kLimit);
  } else if (expected == Result::kFailed) {
    Check(!whole.detail().empty() && whole.failure() != WsHandshakeParser::Failure::kNone);
    for (char c : whole.detail()) Check(c >= 0x20 && c < 0x7f);
  } else {
    Check(whole_consumed == bytes.size() && bytes.size() <= kLimit);
  }

  WsHandshakeParser chunked(kKey, "ocpp1.6", kLimit);
  std::size_t at = 0;
  std::size_t consumed_total = 0;
  Result result = Result::kIncomplete;
  unsigned state = chunking | 1;
  while (at < bytes.size() && result == Result::kIncomplete) {
    state = state * 1103515245u + 12345u;
    std::size_t n = 1 + (state >> 16) % ((chunking & 0x80) ? 64 : 7);
    if (n > bytes.size() - at) n = bytes.size() - at;
    std::size_t consumed = 0;
    result = chunked.Feed(bytes.substr(at, n), &consumed);
    Check(consumed <= n);
    consumed_total += consumed;
    at += n;
  }
  Check(result == expected);
  Check(consumed_total == whole_consumed);
  Check(chunked.failure() == whole.failure() && chunked.http_status() == whole.http_status());
  return 0;
}
