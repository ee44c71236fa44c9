// The plumbing shared by the loopback test servers (http_server.h,
// ftp_server.h): a listening socket on 127.0.0.1 with an ephemeral port, one
// thread per connection, optional server-side TLS (OpenSSL), and a Stop()
// that wakes every blocking wait and joins every thread.
//
// Test tools only: they read from localhost and trust what they read.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

namespace ocpp::tools::file_servers {

// PEM files of a server certificate and its key (for example the ones
// runtime/testing/test_pki.h writes, issued for 127.0.0.1).
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
};

// A server-side TLS context; null (with *error) when the files do not load.
using SslContext = std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)>;
SslContext NewServerTlsContext(const TlsFiles& files, std::string* error);

class LoopbackServer;

// One accepted socket, plain or TLS. Blocking I/O; LoopbackServer::Stop()
// shuts the socket down, which makes every pending call fail.
class Stream {
 public:
  Stream(LoopbackServer& server, int fd);
  ~Stream();  // closes the socket
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Server side of a TLS handshake on this socket.
  bool StartTls(SSL_CTX* context);
  bool tls() const { return ssl_ != nullptr; }
  // Up to `size` bytes: buffered bytes first. 0 at end of stream, -1 on error.
  long Read(char* data, std::size_t size);
  // A line without its CR LF; false at end of stream, on error or if longer
  // than `max` bytes.
  bool ReadLine(std::string* line, std::size_t max = 8192);
  bool Write(std::string_view data);
  // Waits until the peer closes or the server stops (for servers that stall).
  void WaitForHangup();
  // Sends TLS close_notify (if any) and shuts the socket down for writing.
  void Finish();
  int fd() const { return fd_; }

 private:
  long ReadSocket(char* data, std::size_t size);

  LoopbackServer& server_;
  int fd_;
  SSL* ssl_ = nullptr;
  std::string buffer_;  // read but not consumed yet
  std::size_t buffer_at_ = 0;
};

class LoopbackServer {
 public:
  using Handler = std::function<void(Stream& stream)>;

  LoopbackServer() = default;
  ~LoopbackServer();  // Stop()
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Listens on 127.0.0.1:0 and serves each connection with `handler` on its
  // own thread. False (with *error) if the socket cannot be set up.
  bool Start(Handler handler, std::string* error);
  // Closes the listener and every connection, joins every thread. Idempotent.
  void Stop();
  int port() const { return port_; }
  bool stopping() const { return stopping_.load(); }

  // A listening socket on 127.0.0.1:0 (FTP's passive data connections);
  // its port goes to *port. Close it with CloseSocket.
  int ListenEphemeral(int* port);
  // Accepts one connection on `listener` within `timeout` (-1 on timeout,
  // error or Stop()). The socket is tracked: Stop() shuts it down.
  int AcceptTracked(int listener, std::chrono::milliseconds timeout);
  // Sleeps for `duration` unless Stop() comes first; false if it did.
  bool SleepFor(std::chrono::milliseconds duration);
  void CloseSocket(int fd);

 private:
  friend class Stream;
  struct Connection {
    std::thread thread;
    std::atomic<bool> finished{false};
  };

  void AcceptLoop();
  void Track(int fd);
  void Untrack(int fd);
  // Waits until `fd` has `events` or Stop(); false on Stop() or timeout.
  bool WaitFor(int fd, short events, int timeout_ms);

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  int wake_fd_ = -1;  // eventfd, readable once Stop() has begun
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::set<int> tracked_;  // sockets Stop() shuts down
  std::list<Connection> connections_;
};

// Percent-decodes a URL path; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);
// A path inside a served root: "/a/b" style, normalised; false if it tries
// to leave the root ("..") or holds a NUL byte.
bool NormalisePath(std::string_view path, std::string* normalised);

}  // namespace ocpp::tools::file_servers
