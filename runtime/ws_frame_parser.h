// The client side of RFC 6455 framing, without I/O: an incremental parser for
// what a server sends and an encoder for what a client sends.
//
// WsFrameParser takes the bytes after the upgrade in any chunking and turns
// them into events: whole text messages (reassembled from fragments, checked
// for UTF-8), binary messages (their size only: OCPP-J is text), pings,
// pongs, the peer's close, or one protocol error with the close code to send
// (1002 protocol error, 1007 invalid UTF-8, 1009 too big). No extension is
// ever negotiated, so any RSV bit is an error; so is a masked frame (5.1).
// Lengths in a longer encoding than needed are accepted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ocpp::runtime {

// Close codes (RFC 6455 7.4.1) this stack sends or checks.
inline constexpr std::uint16_t kWsCloseNormal = 1000;
inline constexpr std::uint16_t kWsCloseGoingAway = 1001;
inline constexpr std::uint16_t kWsCloseProtocolError = 1002;
inline constexpr std::uint16_t kWsCloseNoStatus = 1005;  // never on the wire
inline constexpr std::uint16_t kWsCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kWsCloseMessageTooBig = 1009;

// A code a peer may put in a close frame: 1000-1003, 1007-1014, 3000-4999.
bool IsValidWireCloseCode(std::uint32_t code);

// Incremental UTF-8 check (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), so a message split anywhere is checked as a whole.
class Utf8Validator {
 public:
  // False at the first byte that cannot continue a valid sequence.
  bool Feed(const unsigned char* data, std::size_t size);
  // No code point is left unfinished.
  bool complete() const { return needed_ == 0; }
  void Reset() { *this = Utf8Validator(); }

 private:
  int needed_ = 0;
  unsigned char lower_ = 0x80;
  unsigned char upper_ = 0xbf;
};

class WsFrameParser {
 public:
  struct Event {
    enum class Kind {
      kText,    // payload: the whole message, valid UTF-8
      kBinary,  // size: its length; the payload is not kept
      kPing,    // payload: at most 125 bytes, to be echoed in a pong
      kPong,    // payload: at most 125 bytes
      kClose,   // code (kWsCloseNoStatus if the frame had none), payload: the reason
      kError,   // code: what to close with, payload: a one-line reason
    };
    Kind kind;
    std::uint16_t code = 0;
    std::string payload;
    std::uint64_t size = 0;
  };

  // Messages (text or binary, all fragments together) longer than
  // `max_message_bytes` are an error 1009 as soon as a frame header says so.
  explicit WsFrameParser(std::size_t max_message_bytes);

  // Parses `size` more bytes and appends what they complete to `events`.
  // After a kError or a kClose no further event is produced: what follows is
  // only skimmed for the peer's close frame (see close_frame_seen()).
  void Feed(const unsigned char* data, std::size_t size, std::vector<Event>* events);
  void Feed(std::string_view bytes, std::vector<Event>* events) {
    Feed(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), events);
  }

  bool failed() const { return failed_; }
  // A close frame arrived: as the kClose event, or, after a kError, while
  // skimming (the peer's answer to the close we sent because of the error).
  bool close_frame_seen() const { return close_seen_; }

 private:
  enum class Stage { kHeader, kExtendedLength, kMaskKey, kPayload, kDone };

  void Fail(std::uint16_t code, std::string reason, std::vector<Event>* events);
  // Checks the two header bytes; false (after Fail) on a violation.
  bool CheckHeader(std::vector<Event>* events);
  // The length is known: checks it, then payload or end of frame.
  void StartPayload(std::vector<Event>* events);
  void ConsumePayload(const unsigned char* data, std::size_t size, std::vector<Event>* events);
  void EndFrame(std::vector<Event>* events);
  bool IsControl() const { return (opcode_ & 0x08) != 0; }

  const std::size_t max_message_bytes_;
  Stage stage_ = Stage::kHeader;
  bool failed_ = false;  // an error was reported: skimming only
  bool closed_ = false;  // the peer's close was reported: skimming only
  bool close_seen_ = false;

  // The frame being read.
  unsigned char header_[2] = {0, 0};
  std::size_t header_bytes_ = 0;
  unsigned char extended_[8] = {};
  std::size_t extended_needed_ = 0;
  std::size_t extended_bytes_ = 0;
  std::size_t mask_bytes_ = 0;  // masked frames are only skimmed past
  int opcode_ = 0;
  bool fin_ = false;
  std::uint64_t remaining_ = 0;  // payload bytes of this frame still to come

  // The message being reassembled (opcode 1 or 2 with FIN=0 seen).
  bool in_message_ = false;
  bool message_is_text_ = false;
  std::uint64_t message_size_ = 0;
  std::string message_;
  Utf8Validator utf8_;
  std::string control_;  // a control frame's payload
};

// Client frames (RFC 6455 5.3: always masked). `mask_key` must come from a
// strong random source; tests pass fixed keys.
enum class WsOpcode : unsigned char { kText = 0x1, kClose = 0x8, kPing = 0x9, kPong = 0xa };
std::string EncodeClientFrame(WsOpcode opcode, std::string_view payload,
                              const unsigned char mask_key[4]);
// A close frame's payload: the code and a reason cut to fit 123 bytes (on a
// UTF-8 boundary).
std::string ClosePayload(std::uint16_t code, std::string_view reason);

}  // namespace ocpp::runtime
