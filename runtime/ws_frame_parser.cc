#include "runtime/ws_frame_parser.h"

#include <algorithm>
#include <utility>

namespace ocpp::runtime {

bool IsValidWireCloseCode(std::uint32_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

bool Utf8Validator::Feed(const unsigned char* data, std::size_t size) {
  // The WHATWG decoder's state machine: the allowed range of the next
  // continuation byte rules out overlong forms, surrogates and > U+10FFFF.
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned char byte = data[i];
    if (needed_ == 0) {
      if (byte < 0x80) continue;
      if (byte >= 0xc2 && byte <= 0xdf) {
        needed_ = 1;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte == 0xe0) lower_ = 0xa0;
        if (byte == 0xed) upper_ = 0x9f;
        needed_ = 2;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte == 0xf0) lower_ = 0x90;
        if (byte == 0xf4) upper_ = 0x8f;
        needed_ = 3;
      } else {
        return false;
      }
      continue;
    }
    if (byte < lower_ || byte > upper_) return false;
    lower_ = 0x80;
    upper_ = 0xbf;
    --needed_;
  }
  return true;
}

WsFrameParser::WsFrameParser(std::size_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

void WsFrameParser::Fail(std::uint16_t code, std::string reason, std::vector<Event>* events) {
  Event event{Event::Kind::kError, code, std::move(reason), 0};
  events->push_back(std::move(event));
  failed_ = true;
  in_message_ = false;
  std::string().swap(message_);
  control_.clear();
}

void WsFrameParser::Feed(const unsigned char* data, std::size_t size, std::vector<Event>* events) {
  std::size_t at = 0;
  while (at < size && stage_ != Stage::kDone) {
    switch (stage_) {
      case Stage::kHeader: {
        header_[header_bytes_++] = data[at++];
        if (header_bytes_ < 2) break;
        header_bytes_ = 0;
        fin_ = (header_[0] & 0x80) != 0;
        opcode_ = header_[0] & 0x0f;
        mask_bytes_ = (header_[1] & 0x80) ? 4 : 0;
        // A violation is reported here; the frame is still skimmed past.
        if (!failed_) CheckHeader(events);
        const unsigned length7 = header_[1] & 0x7f;
        if (length7 >= 126) {
          extended_needed_ = length7 == 126 ? 2 : 8;
          extended_bytes_ = 0;
          stage_ = Stage::kExtendedLength;
        } else {
          remaining_ = length7;
          StartPayload(events);
        }
        break;
      }
      case Stage::kExtendedLength: {
        extended_[extended_bytes_++] = data[at++];
        if (extended_bytes_ < extended_needed_) break;
        remaining_ = 0;
        for (std::size_t i = 0; i < extended_needed_; ++i)
          remaining_ = remaining_ << 8 | extended_[i];
        if (remaining_ >> 63) {
          // 5.2: the most significant bit must be 0. Nothing after this can
          // be followed, not even a close frame.
          if (!failed_)
            Fail(kWsCloseProtocolError, "64-bit frame length with the top bit set", events);
          stage_ = Stage::kDone;
          return;
        }
        StartPayload(events);
        break;
      }
      case Stage::kMaskKey: {
        const std::size_t n = std::min(mask_bytes_, size - at);
        mask_bytes_ -= n;
        at += n;
        if (mask_bytes_ > 0) break;
        if (remaining_ > 0) {
          stage_ = Stage::kPayload;
        } else {
          EndFrame(events);
        }
        break;
      }
      case Stage::kPayload: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - at));
        ConsumePayload(data + at, n, events);
        at += n;
        remaining_ -= n;
        if (remaining_ == 0) EndFrame(events);
        break;
      }
      case Stage::kDone:
        break;
    }
  }
}

bool WsFrameParser::CheckHeader(std::vector<Event>* events) {
  const unsigned length7 = header_[1] & 0x7f;
  if (header_[0] & 0x70) {
    Fail(kWsCloseProtocolError, "reserved bits set without an extension", events);
  } else if ((opcode_ >= 0x3 && opcode_ <= 0x7) || opcode_ >= 0xb) {
    Fail(kWsCloseProtocolError, "reserved opcode " + std::to_string(opcode_), events);
  } else if (mask_bytes_ != 0) {
    Fail(kWsCloseProtocolError, "masked frame from the server", events);
  } else if (IsControl() && !fin_) {
    Fail(kWsCloseProtocolError, "fragmented control frame", events);
  } else if (IsControl() && length7 > 125) {
    Fail(kWsCloseProtocolError, "control frame payload over 125 bytes", events);
  } else if (opcode_ == 0x8 && length7 == 1) {
    Fail(kWsCloseProtocolError, "close frame with a 1-byte payload", events);
  } else if (opcode_ == 0x0 && !in_message_) {
    Fail(kWsCloseProtocolError, "continuation frame without a started message", events);
  } else if ((opcode_ == 0x1 || opcode_ == 0x2) && in_message_) {
    Fail(kWsCloseProtocolError, "new data frame inside a fragmented message", events);
  } else {
    return true;
  }
  return false;
}

void WsFrameParser::StartPayload(std::vector<Event>* events) {
  if (!failed_) {
    if (IsControl()) {
      control_.clear();
    } else {
      if (opcode_ != 0x0) {
        in_message_ = true;
        message_is_text_ = opcode_ == 0x1;
        message_size_ = 0;
        message_.clear();
        utf8_.Reset();
      }
      // Refused on the header's word, before anything is buffered.
      if (remaining_ > max_message_bytes_ - message_size_) {
        Fail(kWsCloseMessageTooBig, "message over " + std::to_string(max_message_bytes_) + " bytes",
             events);
      } else {
        message_size_ += remaining_;
        if (message_is_text_) message_.reserve(static_cast<std::size_t>(message_size_));
      }
    }
  }
  if (mask_bytes_ > 0) {
    stage_ = Stage::kMaskKey;
  } else if (remaining_ > 0) {
    stage_ = Stage::kPayload;
  } else {
    EndFrame(events);
  }
}

void WsFrameParser::ConsumePayload(const unsigned char* data, std::size_t size,
                                   std::vector<Event>* events) {
  if (failed_ || size == 0) return;  // skimming
  if (IsControl()) {
    control_.append(reinterpret_cast<const char*>(data), size);
    return;
  }
  if (!message_is_text_) return;  // binary: counted, not kept
  if (!utf8_.Feed(data, size)) {
    Fail(kWsCloseInvalidPayload, "text message is not UTF-8", events);
    return;
  }
  message_.append(reinterpret_cast<const char*>(data), size);
}

void WsFrameParser::EndFrame(std::vector<Event>* events) {
  stage_ = Stage::kHeader;
  if (failed_) {
    // Skimming after an error: the peer's close frame (whatever is in it)
    // is its answer to ours.
    if (opcode_ == 0x8) {
      close_seen_ = true;
      stage_ = Stage::kDone;
    }
    return;
  }
  if (IsControl()) {
    if (opcode_ == 0x9 || opcode_ == 0xa) {
      Event event{opcode_ == 0x9 ? Event::Kind::kPing : Event::Kind::kPong, 0, std::move(control_),
                  0};
      events->push_back(std::move(event));
      control_.clear();
      return;
    }
    // A close frame: whatever follows is no concern of ours.
    close_seen_ = true;
    stage_ = Stage::kDone;
    std::uint16_t code = kWsCloseNoStatus;
    std::string reason;
    if (control_.size() >= 2) {
      code = static_cast<std::uint16_t>(static_cast<unsigned char>(control_[0]) << 8 |
                                        static_cast<unsigned char>(control_[1]));
      reason = control_.substr(2);
      if (!IsValidWireCloseCode(code)) {
        Fail(kWsCloseProtocolError, "invalid close code " + std::to_string(code), events);
        return;
      }
      Utf8Validator check;
      if (!check.Feed(reinterpret_cast<const unsigned char*>(reason.data()), reason.size()) ||
          !check.complete()) {
        Fail(kWsCloseInvalidPayload, "close reason is not UTF-8", events);
        return;
      }
    }
    closed_ = true;
    Event event{Event::Kind::kClose, code, std::move(reason), 0};
    events->push_back(std::move(event));
    return;
  }
  if (!fin_) return;
  in_message_ = false;
  if (message_is_text_) {
    if (!utf8_.complete()) {
      Fail(kWsCloseInvalidPayload, "text message ends inside a UTF-8 sequence", events);
      return;
    }
    Event event{Event::Kind::kText, 0, std::move(message_), message_size_};
    events->push_back(std::move(event));
    message_ = std::string();
  } else {
    events->push_back(Event{Event::Kind::kBinary, 0, std::string(), message_size_});
  }
}

std::string EncodeClientFrame(WsOpcode opcode, std::string_view payload,
                              const unsigned char mask_key[4]) {
  std::string frame;
  frame.reserve(payload.size() + 14);
  frame.push_back(static_cast<char>(0x80 | static_cast<unsigned char>(opcode)));
  const std::uint64_t length = payload.size();
  if (length < 126) {
    frame.push_back(static_cast<char>(0x80 | length));
  } else if (length <= 0xffff) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(length >> 8));
    frame.push_back(static_cast<char>(length & 0xff));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((length >> shift) & 0xff));
    }
  }
  frame.append(reinterpret_cast<const char*>(mask_key), 4);
  const std::size_t start = frame.size();
  frame.append(payload);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    frame[start + i] = static_cast<char>(frame[start + i] ^ mask_key[i & 3]);
  }
  return frame;
}

std::string ClosePayload(std::uint16_t code, std::string_view reason) {
  std::size_t cut = std::min<std::size_t>(reason.size(), 123);
  // Never split a UTF-8 sequence.
  while (cut > 0 && cut < reason.size() &&
         (static_cast<unsigned char>(reason[cut]) & 0xc0) == 0x80) {
    --cut;
  }
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  payload.append(reason.substr(0, cut));
  return payload;
}

}  // namespace ocpp::runtime
