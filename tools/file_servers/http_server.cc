#include "tools/file_servers/http_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace ocpp::tools::file_servers {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

struct Request {
  std::string method;
  std::string target;  // as sent
  std::string path;    // decoded, normalised, without the query
  std::int64_t content_length = -1;
  bool chunked = false;
  bool expect_continue = false;
};

const char* Reason(int code) {
  switch (code) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Head(int code, std::int64_t content_length, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(code) + " " + Reason(code) +
         "\r\nContent-Length: " + std::to_string(content_length) + "\r\nConnection: close\r\n" +
         extra + "\r\n";
}

void Respond(Stream& stream, int code, const std::string& extra = "") {
  stream.Write(Head(code, 0, extra));
  stream.Finish();
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool ReadRequest(Stream& stream, Request* request) {
  std::string line;
  if (!stream.ReadLine(&line)) return false;
  const std::size_t first = line.find(' ');
  const std::size_t second = line.find(' ', first + 1);
  if (first == std::string::npos || second == std::string::npos) return false;
  request->method = line.substr(0, first);
  request->target = line.substr(first + 1, second - first - 1);
  for (int count = 0;; ++count) {
    if (count > 100 || !stream.ReadLine(&line)) return false;
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = Lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "content-length")
      request->content_length = std::strtoll(value.c_str(), nullptr, 10);
    if (name == "transfer-encoding")
      request->chunked = Lower(value).find("chunked") != std::string::npos;
    if (name == "expect") request->expect_continue = Lower(value) == "100-continue";
  }
  std::string decoded;
  const std::string raw_path = request->target.substr(0, request->target.find('?'));
  return PercentDecode(raw_path, &decoded) && NormalisePath(decoded, &request->path);
}

// Strips `prefix` ("/slow") from `path`; true if it was there.
bool Route(std::string* path, std::string_view prefix) {
  if (path->compare(0, prefix.size(), prefix) != 0) return false;
  if (path->size() != prefix.size() && (*path)[prefix.size()] != '/') return false;
  path->erase(0, prefix.size());
  if (path->empty()) *path = "/";
  return true;
}

// Body of a PUT into `fd`: Content-Length bytes or chunked coding.
bool ReadBody(Stream& stream, const Request& request, int fd) {
  char buffer[kChunk];
  const auto copy = [&](std::int64_t length) {
    while (length > 0) {
      const long n = stream.Read(
          buffer, static_cast<std::size_t>(std::min<std::int64_t>(length, sizeof(buffer))));
      if (n <= 0 || write(fd, buffer, static_cast<std::size_t>(n)) != n) return false;
      length -= n;
    }
    return true;
  };
  if (!request.chunked) return copy(std::max<std::int64_t>(request.content_length, 0));
  std::string line;
  for (;;) {
    if (!stream.ReadLine(&line)) return false;
    const std::int64_t size = std::strtoll(line.c_str(), nullptr, 16);
    if (size < 0) return false;
    if (size == 0) break;
    if (!copy(size) || !stream.ReadLine(&line)) return false;
  }
  do {  // trailers up to the empty line
    if (!stream.ReadLine(&line)) return false;
  } while (!line.empty());
  return true;
}

}  // namespace

std::unique_ptr<HttpServer> HttpServer::Start(HttpServerOptions options, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(options)));
  if (server->options_.tls) {
    server->tls_ = NewServerTlsContext(*server->options_.tls, error);
    if (!server->tls_) return nullptr;
  }
  HttpServer* raw = server.get();
  if (!server->server_.Start([raw](Stream& stream) { raw->Serve(stream); }, error)) return nullptr;
  return server;
}

HttpServer::HttpServer(HttpServerOptions options) : options_(std::move(options)) {}

HttpServer::~HttpServer() { server_.Stop(); }

std::string HttpServer::Url(std::string_view path) const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) +
         "/" + std::string(path);
}

std::vector<std::string> HttpServer::Requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

void HttpServer::Serve(Stream& stream) {
  if (tls_ && !stream.StartTls(tls_.get())) return;
  Request request;
  if (!ReadRequest(stream, &request)) return Respond(stream, 400);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request.method + " " + request.target);
  }
  std::string path = request.path;
  if (Route(&path, "/status")) {
    const int code = std::atoi(path.c_str() + 1);
    return Respond(stream, code >= 200 && code <= 599 ? code : 400);
  }
  if (Route(&path, "/redirect")) {
    // The rest of the raw target, so that "file:///x" keeps its slashes.
    std::string rest = request.target.substr(std::string_view("/redirect/").size());
    if (rest.find("://") == std::string::npos) rest = "/" + rest;
    return Respond(stream, 302, "Location: " + rest + "\r\n");
  }
  const std::string file = options_.root + path;

  if (request.method == "PUT") {
    if (request.expect_continue) stream.Write("HTTP/1.1 100 Continue\r\n\r\n");
    const std::string partial = file + ".uploading";
    const int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Respond(stream, 409);
    const bool complete = ReadBody(stream, request, fd);
    close(fd);
    if (!complete || std::rename(partial.c_str(), file.c_str()) != 0) {
      unlink(partial.c_str());
      return Respond(stream, complete ? 500 : 400);
    }
    return Respond(stream, 201);
  }
  if (request.method != "GET" && request.method != "HEAD") return Respond(stream, 405);

  const bool slow = Route(&path, "/slow");
  const bool stall = !slow && Route(&path, "/stall");
  const bool huge = !slow && !stall && Route(&path, "/huge");
  if (huge) {
    stream.Write(Head(200, std::int64_t{1} << 60));
    return stream.WaitForHangup();
  }
  const int fd = open((options_.root + path).c_str(), O_RDONLY | O_CLOEXEC);
  struct stat status {};
  if (fd < 0 || fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    if (fd >= 0) close(fd);
    return Respond(stream, 404);
  }
  bool ok = stream.Write(Head(200, status.st_size));
  if (stall) {
    close(fd);
    return stream.WaitForHangup();
  }
  const std::size_t chunk = slow ? std::max<std::size_t>(options_.slow_chunk_bytes, 1) : kChunk;
  std::string buffer(chunk, '\0');
  while (ok && request.method == "GET") {
    const ssize_t n = read(fd, buffer.data(), chunk);
    if (n <= 0) break;
    ok = stream.Write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (ok && slow) ok = server_.SleepFor(options_.slow_interval);
  }
  close(fd);
  if (ok) stream.Finish();
}

}  // namespace ocpp::tools::file_servers
