// Test helper: a "central system" that is a plain non-blocking socket on
// 127.0.0.1, driven from the test between loop turns. It answers the upgrade
// correctly and then writes whatever bytes the test wants, so tests can send
// frames no WebSocket library would produce, and read back what the client
// sent (e.g. the code of its close frame).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ocpp::runtime::testing {

// A non-blocking listening socket on 127.0.0.1 with a free port (written to
// *port): the start of every raw test peer.
int ListenOnLoopback(int* port);

class RawWsPeer {
 public:
  RawWsPeer();
  ~RawWsPeer();
  RawWsPeer(const RawWsPeer&) = delete;
  RawWsPeer& operator=(const RawWsPeer&) = delete;

  int port() const { return port_; }

  // Accepts and reads the upgrade request. False until it is complete.
  bool TryReadRequest();
  // A correct 101 answer selecting ocpp1.6.
  void AnswerUpgrade();
  // Writes everything; false if the client hung up, or if the socket buffers
  // cannot take it all (nobody reads while the test writes).
  bool Write(const std::string& bytes);
  bool WriteRaw(const std::vector<unsigned char>& bytes);
  void CloseConnection();
  // Queues bytes that Poll() writes as the socket takes them (for more than
  // the socket buffers hold, written while the client reads).
  void Queue(const std::vector<unsigned char>& bytes);
  bool queue_empty() const { return queued_at_ == queued_.size(); }

  // Writes queued bytes, reads what the client sent since the upgrade and
  // parses its frames. Call between loop turns.
  void Poll();
  // Code of the first close frame the client sent (1005 if it had none).
  std::optional<int> close_code() const { return close_code_; }
  // The client closed the TCP connection.
  bool client_hung_up() const { return hung_up_; }
  // Text frames the client sent (unmasked).
  const std::vector<std::string>& texts() const { return texts_; }

  // Frame header (FIN + opcode, unmasked) for `length` payload bytes.
  static std::vector<unsigned char> FrameHeader(unsigned char first_byte, std::uint64_t length);

 private:
  void ParseFrames();

  int listener_ = -1;
  int connection_ = -1;
  int port_ = 0;
  std::string request_;
  bool upgraded_ = false;
  std::string received_;  // client bytes after the upgrade, not yet parsed
  std::optional<int> close_code_;
  bool hung_up_ = false;
  std::vector<std::string> texts_;
  std::string queued_;
  size_t queued_at_ = 0;
};

}  // namespace ocpp::runtime::testing
