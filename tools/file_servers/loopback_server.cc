#include "tools/file_servers/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ocpp::tools::file_servers {
namespace {

std::string OpenSslError() {
  char text[256] = "unknown error";
  if (const unsigned long code = ERR_get_error()) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

}  // namespace

SslContext NewServerTlsContext(const TlsFiles& files, std::string* error) {
  SslContext context(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!context) {
    *error = "SSL_CTX_new: " + OpenSslError();
    return context;
  }
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  // curl may close an FTPS data connection without close_notify.
  SSL_CTX_set_options(context.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  // No TLS 1.3 session tickets: a client that only sends (an FTPS upload)
  // never reads them, and closing with them unread resets the connection,
  // which can cost the server the last bytes of the upload.
  SSL_CTX_set_num_tickets(context.get(), 0);
  static const unsigned char kSessionContext[] = "ocpp16-file-servers";
  SSL_CTX_set_session_id_context(context.get(), kSessionContext, sizeof(kSessionContext) - 1);
  if (SSL_CTX_use_certificate_chain_file(context.get(), files.cert_file.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(context.get(), files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    *error = "TLS files " + files.cert_file + ", " + files.key_file + ": " + OpenSslError();
    context.reset();
  }
  return context;
}

Stream::Stream(LoopbackServer& server, int fd) : server_(server), fd_(fd) { server_.Track(fd_); }

Stream::~Stream() {
  if (ssl_) SSL_free(ssl_);
  server_.Untrack(fd_);
  close(fd_);
}

bool Stream::StartTls(SSL_CTX* context) {
  ssl_ = SSL_new(context);
  if (!ssl_) return false;
  SSL_set_fd(ssl_, fd_);
  if (SSL_accept(ssl_) != 1) {
    ERR_clear_error();
    return false;
  }
  return true;
}

long Stream::Read(char* data, std::size_t size) {
  if (buffer_at_ < buffer_.size()) {
    const std::size_t n = std::min(size, buffer_.size() - buffer_at_);
    std::memcpy(data, buffer_.data() + buffer_at_, n);
    buffer_at_ += n;
    return static_cast<long>(n);
  }
  return ReadSocket(data, size);
}

long Stream::ReadSocket(char* data, std::size_t size) {
  if (ssl_) {
    const int n = SSL_read(ssl_, data, static_cast<int>(std::min<std::size_t>(size, 1 << 20)));
    if (n > 0) return n;
    const int reason = SSL_get_error(ssl_, n);
    ERR_clear_error();
    return reason == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }
  for (;;) {
    const ssize_t n = recv(fd_, data, size, 0);
    if (n >= 0) return n;
    if (errno != EINTR) return -1;
  }
}

bool Stream::ReadLine(std::string* line, std::size_t max) {
  line->clear();
  for (;;) {
    const std::size_t end = buffer_.find('\n', buffer_at_);
    if (end != std::string::npos) {
      line->assign(buffer_, buffer_at_, end - buffer_at_);
      buffer_at_ = end + 1;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return line->size() <= max;
    }
    buffer_.erase(0, buffer_at_);
    buffer_at_ = 0;
    if (buffer_.size() > max) return false;
    char chunk[4096];
    const long n = ReadSocket(chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool Stream::Write(std::string_view data) {
  while (!data.empty()) {
    long n;
    if (ssl_) {
      n = SSL_write(ssl_, data.data(),
                    static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
      if (n <= 0) {
        ERR_clear_error();
        return false;
      }
    } else {
      n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Stream::WaitForHangup() {
  char scratch[4096];
  while (server_.WaitFor(fd_, POLLIN, -1)) {
    if (recv(fd_, scratch, sizeof(scratch), 0) <= 0) return;
  }
}

void Stream::Finish() {
  if (ssl_) {
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }
  shutdown(fd_, SHUT_WR);
  // Lets the client read everything before close() (which would reset the
  // connection if its last bytes were still unread here).
  char scratch[4096];
  while (server_.WaitFor(fd_, POLLIN, 2000)) {
    if (recv(fd_, scratch, sizeof(scratch), 0) <= 0) return;
  }
}

LoopbackServer::~LoopbackServer() { Stop(); }

int LoopbackServer::ListenEphemeral(int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 16) != 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

bool LoopbackServer::Start(Handler handler, std::string* error) {
  // OpenSSL writes with write(): a client that hangs up must not kill the
  // process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  handler_ = std::move(handler);
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  listener_ = ListenEphemeral(&port_);
  if (wake_fd_ < 0 || listener_ < 0) {
    *error = std::string("cannot listen on 127.0.0.1: ") + std::strerror(errno);
    return false;
  }
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return true;
}

void LoopbackServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int fd : tracked_) shutdown(fd, SHUT_RDWR);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  // No connection starts any more: join them all outside the lock (their
  // Streams untrack themselves under it).
  std::list<Connection> connections;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections.splice(connections.end(), connections_);
  }
  for (Connection& connection : connections) connection.thread.join();
  if (listener_ >= 0) close(listener_);
  if (wake_fd_ >= 0) close(wake_fd_);
  listener_ = wake_fd_ = -1;
}

void LoopbackServer::AcceptLoop() {
  for (;;) {
    const int fd = AcceptTracked(listener_, std::chrono::milliseconds(-1));
    if (fd < 0) {
      if (stopping()) return;
      continue;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    // Reaps the threads that are done (a long-running standalone server).
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (it->finished.load()) {
        it->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    Connection& connection = connections_.emplace_back();
    connection.thread = std::thread([this, fd, &connection] {
      {
        Stream stream(*this, fd);
        handler_(stream);
      }
      connection.finished.store(true);
    });
  }
}

int LoopbackServer::AcceptTracked(int listener, std::chrono::milliseconds timeout) {
  if (!WaitFor(listener, POLLIN, static_cast<int>(timeout.count()))) return -1;
  const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return -1;
  Track(fd);
  return fd;
}

bool LoopbackServer::SleepFor(std::chrono::milliseconds duration) {
  pollfd wake{wake_fd_, POLLIN, 0};
  return poll(&wake, 1, static_cast<int>(duration.count())) == 0 && !stopping();
}

void LoopbackServer::CloseSocket(int fd) {
  if (fd < 0) return;
  Untrack(fd);
  close(fd);
}

void LoopbackServer::Track(int fd) {
  std::lock_guard<std::mutex> lock(mutex_);
  tracked_.insert(fd);
  if (stopping()) shutdown(fd, SHUT_RDWR);
}

void LoopbackServer::Untrack(int fd) {
  std::lock_guard<std::mutex> lock(mutex_);
  tracked_.erase(fd);
}

bool LoopbackServer::WaitFor(int fd, short events, int timeout_ms) {
  pollfd fds[2] = {{fd, events, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    const int n = poll(fds, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || fds[1].revents != 0 || stopping()) return false;
    return fds[0].revents != 0;
  }
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int high = hex(in[i + 1]), low = hex(in[i + 2]);
    if (high < 0 || low < 0) return false;
    out->push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

bool NormalisePath(std::string_view path, std::string* normalised) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == ".." || part.find('\0') != std::string_view::npos) return false;
    parts.push_back(part);
  }
  normalised->clear();
  for (const std::string_view part : parts) {
    normalised->push_back('/');
    normalised->append(part);
  }
  if (normalised->empty()) *normalised = "/";
  return true;
}

}  // namespace ocpp::tools::file_servers
