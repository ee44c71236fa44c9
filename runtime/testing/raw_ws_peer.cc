#include "runtime/testing/raw_ws_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

namespace ocpp::runtime::testing {
namespace {

std::string WebSocketAccept(const std::string& key) {
  const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[64];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
}

}  // namespace

int ListenOnLoopback(int* port) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  listen(listener, 4);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  *port = ntohs(address.sin_port);
  return listener;
}

RawWsPeer::RawWsPeer() { listener_ = ListenOnLoopback(&port_); }

RawWsPeer::~RawWsPeer() {
  CloseConnection();
  close(listener_);
}

bool RawWsPeer::TryReadRequest() {
  if (connection_ < 0) {
    connection_ = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK);
    if (connection_ < 0) return false;
  }
  char buffer[4096];
  const ssize_t n = read(connection_, buffer, sizeof(buffer));
  if (n > 0) request_.append(buffer, static_cast<size_t>(n));
  return request_.find("\r\n\r\n") != std::string::npos;
}

void RawWsPeer::AnswerUpgrade() {
  const std::string marker = "sec-websocket-key: ";
  std::string lower = request_;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t key_at = lower.find(marker) + marker.size();
  const std::string key = request_.substr(key_at, request_.find("\r\n", key_at) - key_at);
  Write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      WebSocketAccept(key) + "\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n");
  upgraded_ = true;
}

bool RawWsPeer::Write(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = send(connection_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Nobody reads while the test writes (one thread): give up rather than
      // hang when more than the socket buffers hold is written at once.
      pollfd entry{connection_, POLLOUT, 0};
      if (poll(&entry, 1, 1000) <= 0) return false;
    } else {
      return false;
    }
  }
  return true;
}

bool RawWsPeer::WriteRaw(const std::vector<unsigned char>& bytes) {
  return Write(std::string(bytes.begin(), bytes.end()));
}

void RawWsPeer::CloseConnection() {
  if (connection_ >= 0) close(connection_);
  connection_ = -1;
  request_.clear();
  upgraded_ = false;
  received_.clear();
  queued_.clear();
  queued_at_ = 0;
  close_code_.reset();
  hung_up_ = false;
}

void RawWsPeer::Queue(const std::vector<unsigned char>& bytes) {
  queued_.append(bytes.begin(), bytes.end());
}

void RawWsPeer::Poll() {
  if (connection_ < 0 || hung_up_ || !upgraded_) return;  // the request is TryReadRequest's
  while (queued_at_ < queued_.size()) {
    const ssize_t n = send(connection_, queued_.data() + queued_at_, queued_.size() - queued_at_,
                           MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;
    queued_at_ += static_cast<size_t>(n);
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(connection_, buffer, sizeof(buffer));
    if (n > 0) {
      received_.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) hung_up_ = true;
    break;
  }
  ParseFrames();
}

void RawWsPeer::ParseFrames() {
  for (;;) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(received_.data());
    size_t at = 2;
    if (received_.size() < at) return;
    const int opcode = bytes[0] & 0x0f;
    const bool masked = bytes[1] & 0x80;
    std::uint64_t length = bytes[1] & 0x7f;
    const size_t extra = length == 126 ? 2 : length == 127 ? 8 : 0;
    if (received_.size() < at + extra) return;
    if (extra) {
      length = 0;
      for (size_t i = 0; i < extra; ++i) length = length << 8 | bytes[at + i];
      at += extra;
    }
    unsigned char mask[4] = {0, 0, 0, 0};
    if (masked) {
      if (received_.size() < at + 4) return;
      for (int i = 0; i < 4; ++i) mask[i] = bytes[at + i];
      at += 4;
    }
    if (received_.size() - at < length) return;
    std::string payload = received_.substr(at, static_cast<size_t>(length));
    for (size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
    received_.erase(0, at + static_cast<size_t>(length));
    if (opcode == 0x8 && !close_code_) {
      close_code_ = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8 |
                                           static_cast<unsigned char>(payload[1]))
                                        : 1005;
    } else if (opcode == 0x1) {
      texts_.push_back(std::move(payload));
    }
  }
}

std::vector<unsigned char> RawWsPeer::FrameHeader(unsigned char first_byte, std::uint64_t length) {
  std::vector<unsigned char> header = {first_byte};
  if (length < 126) {
    header.push_back(static_cast<unsigned char>(length));
  } else if (length <= 0xffff) {
    header.push_back(126);
    header.push_back(static_cast<unsigned char>(length >> 8));
    header.push_back(static_cast<unsigned char>(length));
  } else {
    header.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      header.push_back(static_cast<unsigned char>(length >> shift));
    }
  }
  return header;
}

}  // namespace ocpp::runtime::testing
