// libFuzzer target: the pure RFC 6455 frame parser (runtime/ws_frame_parser.h)
// on arbitrary server bytes in arbitrary chunking. The first input byte
// picks the chunking; the rest is the stream. Properties checked:
//  - nothing crashes or trips a sanitizer;
//  - no event follows an error or a close, and an error is reported once;
//  - no message is longer than the limit, text is valid UTF-8, control
//    payloads are at most 125 bytes;
//  - chunking does not matter: the events equal those of one whole feed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "runtime/ws_frame_parser.h"

namespace {

using ocpp::runtime::Utf8Validator;
using ocpp::runtime::WsFrameParser;
using Event = WsFrameParser::Event;
using Kind = Event::Kind;

constexpr std::size_t kLimit = 1024;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckEvents(const std::vector<Event>& events, const WsFrameParser& parser) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& event = events[i];
    // Nothing after an error or the peer's close.
    if (event.kind == Kind::kError || event.kind == Kind::kClose) Check(i + 1 == events.size());
    switch (event.kind) {
      case Kind::kText: {
        Check(event.payload.size() <= kLimit);
        Utf8Validator utf8;
        Check(utf8.Feed(reinterpret_cast<const unsigned char*>(event.payload.data()),
                        event.payload.size()) &&
              utf8.complete());
        break;
      }
      case Kind::kBinary:
        Check(event.size <= kLimit && event.payload.empty());
        break;
      case Kind::kPing:
      case Kind::kPong:
        Check(event.payload.size() <= 125);
        break;
      case Kind::kClose:
        Check(event.payload.size() <= 123 && parser.close_frame_seen());
        break;
      case Kind::kError:
        Check(event.code == 1002 || event.code == 1007 || event.code == 1009);
        Check(!event.payload.empty() && parser.failed());
        break;
    }
  }
}

bool SameEvents(const std::vector<Event>& a, const std::vector<Event>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind || a[i].code != b[i].code || a[i].payload != b[i].payload ||
        a[i].size != b[i].size) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned chunking = data[0];
  const std::uint8_t* stream = data + 1;
  const std::size_t length = size - 1;

  WsFrameParser whole(kLimit);
  std::vector<Event> expected;
  whole.Feed(stream, length, &expected);
  CheckEvents(expected, whole);

  // Chunk sizes from a small generator seeded by the first byte: 1..16 or
  // 1..256 bytes, so splits land everywhere in headers and payloads.
  WsFrameParser chunked(kLimit);
  std::vector<Event> events;
  std::size_t at = 0;
  unsigned state = chunking | 1;
  const unsigned spread = (chunking & 0x80) ? 256 : 16;
  while (at < length) {
    state = state * 1103515245u + 12345u;
    std::size_t n = 1 + (state >> 16) % spread;
    if (n > length - at) n = length - at;
    const std::size_t before = events.size();
    const bool done_before = chunked.failed() || chunked.close_frame_seen();
    chunked.Feed(stream + at, n, &events);
    if (done_before) Check(events.size() == before);  // nothing after an error or close
    at += n;
  }
  CheckEvents(events, chunked);
  Check(SameEvents(events, expected));
  Check(chunked.failed() == whole.failed());
  Check(chunked.close_frame_seen() == whole.close_frame_seen());
  return 0;
}
