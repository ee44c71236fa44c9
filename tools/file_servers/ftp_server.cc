#include "tools/file_servers/ftp_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace ocpp::tools::file_servers {
namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::chrono::seconds kDataAcceptTimeout(10);

bool IsRegularFile(const std::string& path, long long* size) {
  struct stat status {};
  if (stat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return false;
  *size = status.st_size;
  return true;
}

bool IsDirectory(const std::string& path) {
  struct stat status {};
  return stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode);
}

}  // namespace

class FtpServer::Session {
 public:
  Session(FtpServer& server, Stream& control) : server_(server), control_(control) {}
  ~Session() { ClosePassive(); }

  void Run() {
    if (server_.tls_ && !control_.StartTls(server_.tls_.get())) return;
    Reply("220 ocpp16 test FTP server ready");
    std::string line;
    while (control_.ReadLine(&line)) {
      const std::size_t space = line.find(' ');
      std::string command = line.substr(0, space);
      std::transform(command.begin(), command.end(), command.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      const std::string argument = space == std::string::npos ? "" : line.substr(space + 1);
      {
        std::lock_guard<std::mutex> lock(server_.mutex_);
        server_.commands_.push_back(command == "PASS" ? "PASS ***" : line);
      }
      if (command == "QUIT") {
        Reply("221 Goodbye");
        control_.Finish();
        return;
      }
      if (!Handle(command, argument)) return;
    }
  }

 private:
  bool Reply(const std::string& line) { return control_.Write(line + "\r\n"); }

  // False when the control connection is gone.
  bool Handle(const std::string& command, const std::string& argument) {
    const FtpServerOptions& options = server_.options_;
    if (command == "USER") {
      user_ = argument;
      logged_in_ = false;
      return Reply("331 Password required");
    }
    if (command == "PASS") {
      logged_in_ = options.user.empty() || (user_ == options.user && argument == options.password);
      return Reply(logged_in_ ? "230 Logged in" : "530 Login incorrect");
    }
    if (command == "SYST") return Reply("215 UNIX Type: L8");
    if (command == "NOOP") return Reply("200 OK");
    if (command == "FEAT") return Reply("211-Features:\r\n SIZE\r\n EPSV\r\n PASV\r\n211 End");
    if (command == "PBSZ") return Reply(server_.tls_ ? "200 PBSZ=0" : "503 No TLS");
    if (command == "PROT") {
      if (!server_.tls_ || (argument != "P" && argument != "C")) return Reply("504 Not supported");
      protect_data_ = argument == "P";
      return Reply("200 Protection level set");
    }
    if (!logged_in_) return Reply("530 Please login with USER and PASS");
    std::string path;
    if (command == "PWD") return Reply("257 \"" + cwd_ + "\" is the current directory");
    if (command == "CWD" || command == "CDUP") {
      if (!Resolve(command == "CDUP" ? ".." : argument, &path) || !IsDirectory(Local(path)))
        return Reply("550 No such directory");
      cwd_ = path;
      return Reply("250 Directory changed to " + cwd_);
    }
    if (command == "TYPE") return Reply("200 Type set to " + argument);
    if (command == "EPSV" || command == "PASV") {
      ClosePassive();
      int port = 0;
      passive_ = server_.server_.ListenEphemeral(&port);
      if (passive_ < 0) return Reply("425 Cannot open passive connection");
      if (command == "EPSV")
        return Reply("229 Entering Extended Passive Mode (|||" + std::to_string(port) + "|)");
      return Reply("227 Entering Passive Mode (127,0,0,1," + std::to_string(port >> 8) + "," +
                   std::to_string(port & 0xff) + ")");
    }
    long long size = 0;
    if (command == "SIZE") {
      if (!Resolve(argument, &path) || !IsRegularFile(Local(path), &size))
        return Reply("550 No such file");
      return Reply("213 " + std::to_string(size));
    }
    if (command == "RETR") return Retrieve(argument);
    if (command == "STOR") return Store(argument);
    return Reply("502 Command not implemented");
  }

  bool Retrieve(const std::string& argument) {
    if (passive_ < 0) return Reply("425 Use EPSV or PASV first");
    std::string path;
    long long size = 0;
    if (!Resolve(argument, &path) || !IsRegularFile(Local(path), &size)) {
      ClosePassive();
      return Reply("550 No such file");
    }
    const int fd = open(Local(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Reply("550 Cannot open file");
    std::unique_ptr<Stream> data;
    bool ok = OpenData(
        &data, "150 Opening BINARY mode data connection (" + std::to_string(size) + " bytes)");
    std::string buffer(kChunk, '\0');
    while (ok) {
      const ssize_t n = read(fd, buffer.data(), buffer.size());
      if (n <= 0) break;
      ok = data->Write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
    close(fd);
    if (ok) data->Finish();
    data.reset();
    return Reply(ok ? "226 Transfer complete" : "426 Transfer aborted");
  }

  bool Store(const std::string& argument) {
    if (passive_ < 0) return Reply("425 Use EPSV or PASV first");
    std::string path;
    if (!Resolve(argument, &path)) return Reply("553 Bad file name");
    const std::string partial = Local(path) + ".uploading";
    const int fd = open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      ClosePassive();
      return Reply("553 Could not create file");
    }
    std::unique_ptr<Stream> data;
    bool ok = OpenData(&data, "150 Ok to send data");
    std::string buffer(kChunk, '\0');
    while (ok) {
      const long n = data->Read(buffer.data(), buffer.size());
      if (n == 0) break;
      ok = n > 0 && write(fd, buffer.data(), static_cast<std::size_t>(n)) == n;
    }
    close(fd);
    data.reset();
    if (!ok || std::rename(partial.c_str(), Local(path).c_str()) != 0) {
      unlink(partial.c_str());
      return Reply("426 Transfer aborted");
    }
    return Reply("226 Transfer complete");
  }

  // Sends `preliminary` (150), accepts the passive connection (there is a
  // listener), starts TLS.
  bool OpenData(std::unique_ptr<Stream>* data, const std::string& preliminary) {
    if (!Reply(preliminary)) return false;
    const int fd = server_.server_.AcceptTracked(passive_, kDataAcceptTimeout);
    ClosePassive();
    if (fd < 0) return false;
    *data = std::make_unique<Stream>(server_.server_, fd);
    return !protect_data_ || (*data)->StartTls(server_.tls_.get());
  }

  void ClosePassive() {
    server_.server_.CloseSocket(passive_);
    passive_ = -1;
  }

  // An argument relative to the working directory, as a path from the root.
  bool Resolve(const std::string& argument, std::string* path) const {
    const std::string joined =
        !argument.empty() && argument[0] == '/' ? argument : cwd_ + "/" + argument;
    return NormalisePath(joined, path);
  }
  std::string Local(const std::string& path) const { return server_.options_.root + path; }

  FtpServer& server_;
  Stream& control_;
  std::string cwd_ = "/";
  std::string user_;
  bool logged_in_ = false;
  bool protect_data_ = false;
  int passive_ = -1;  // listening socket of the next data connection
};

std::unique_ptr<FtpServer> FtpServer::Start(FtpServerOptions options, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  std::unique_ptr<FtpServer> server(new FtpServer(std::move(options)));
  if (server->options_.tls) {
    server->tls_ = NewServerTlsContext(*server->options_.tls, error);
    if (!server->tls_) return nullptr;
  }
  FtpServer* raw = server.get();
  const auto serve = [raw](Stream& control) { Session(*raw, control).Run(); };
  if (!server->server_.Start(serve, error)) return nullptr;
  return server;
}

FtpServer::FtpServer(FtpServerOptions options) : options_(std::move(options)) {}

FtpServer::~FtpServer() { server_.Stop(); }

std::string FtpServer::Url(std::string_view path, bool with_login) const {
  std::string login;
  if (with_login && !options_.user.empty()) login = options_.user + ":" + options_.password + "@";
  return std::string(options_.tls ? "ftps" : "ftp") + "://" + login +
         "127.0.0.1:" + std::to_string(port()) + "/" + std::string(path);
}

std::vector<std::string> FtpServer::Commands() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return commands_;
}

}  // namespace ocpp::tools::file_servers
