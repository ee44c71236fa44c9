// The loopback test servers at the protocol level, with a raw socket client
// (runtime/curl_file_transfer_test.cc drives them with libcurl).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "runtime/testing/test_pki.h"
#include "tools/file_servers/ftp_server.h"
#include "tools/file_servers/http_server.h"

namespace ocpp::tools::file_servers {
namespace {

class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Client() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(const std::string& bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // Everything until the server closes.
  std::string ReadAll() {
    std::string all;
    char buffer[65536];
    for (ssize_t n; (n = recv(fd_, buffer, sizeof(buffer), 0)) > 0;) all.append(buffer, n);
    return all;
  }
  // One reply line (CR LF stripped).
  std::string ReadLine() {
    std::string line;
    char c;
    while (recv(fd_, &c, 1, 0) == 1 && c != '\n') line.push_back(c);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string Root() {
  const std::string root =
      std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/served";
  mkdir(root.c_str(), 0755);
  return root;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

HttpServerOptions Http(const std::string& root) {
  HttpServerOptions options;
  options.root = root;
  return options;
}

FtpServerOptions Ftp(const std::string& root, const std::string& user = "",
                     const std::string& password = "") {
  FtpServerOptions options;
  options.root = root;
  options.user = user;
  options.password = password;
  return options;
}

TEST(HttpServer, GetPutAndStatusPaths) {
  const std::string root = Root();
  WriteFile(root + "/fw.bin", "firmware bytes");
  std::unique_ptr<HttpServer> server = HttpServer::Start(Http(root));
  ASSERT_TRUE(server);
  EXPECT_EQ(server->Url("fw.bin"),
            "http://127.0.0.1:" + std::to_string(server->port()) + "/fw.bin");
  {
    Client client(server->port());
    client.Send("GET /fw.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string answer = client.ReadAll();
    EXPECT_EQ(answer.substr(0, 15), "HTTP/1.1 200 OK");
    EXPECT_NE(answer.find("Content-Length: 14\r\n"), std::string::npos);
    EXPECT_EQ(answer.substr(answer.size() - 14), "firmware bytes");
  }
  {
    Client client(server->port());
    client.Send("GET /missing.bin HTTP/1.1\r\n\r\n");
    EXPECT_EQ(client.ReadAll().substr(0, 12), "HTTP/1.1 404");
  }
  {
    Client client(server->port());
    client.Send("GET /../etc/passwd HTTP/1.1\r\n\r\n");
    EXPECT_EQ(client.ReadAll().substr(0, 12), "HTTP/1.1 400");
  }
  {
    Client client(server->port());
    client.Send(
        "PUT /up.txt HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_EQ(client.ReadLine(), "HTTP/1.1 100 Continue");
    EXPECT_EQ(client.ReadLine(), "");
    client.Send("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    EXPECT_EQ(client.ReadAll().substr(0, 12), "HTTP/1.1 201");
    EXPECT_EQ(ReadFile(root + "/up.txt"), "hello world");
  }
  {
    Client client(server->port());
    client.Send("GET /redirect/file:///etc/passwd HTTP/1.1\r\n\r\n");
    EXPECT_NE(client.ReadAll().find("Location: file:///etc/passwd\r\n"), std::string::npos);
  }
  {
    Client client(server->port());
    client.Send("PUT /status/403/x HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(client.ReadAll().substr(0, 12), "HTTP/1.1 403");
  }
  EXPECT_EQ(server->Requests().front(), "GET /fw.bin");
}

TEST(HttpServer, StopEndsAStalledAnswer) {
  const std::string root = Root();
  WriteFile(root + "/stalled.bin", std::string(1000, 'x'));
  std::unique_ptr<HttpServer> server = HttpServer::Start(Http(root));
  ASSERT_TRUE(server);
  Client client(server->port());
  client.Send("GET /stall/stalled.bin HTTP/1.1\r\n\r\n");
  EXPECT_EQ(client.ReadLine(), "HTTP/1.1 200 OK");
  server.reset();  // must not hang on the stalled connection
  EXPECT_EQ(client.ReadAll().find("xxx"), std::string::npos);
}

TEST(HttpServer, BadTlsFilesAreReported) {
  std::string error;
  HttpServerOptions options = Http(Root());
  options.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  EXPECT_FALSE(HttpServer::Start(options, &error));
  EXPECT_NE(error.find("/nonexistent/cert.pem"), std::string::npos) << error;
}

// Reads the passive port out of "229 ... (|||port|)".
int EpsvPort(const std::string& reply) {
  const std::size_t start = reply.find("|||");
  return start == std::string::npos ? -1 : std::atoi(reply.c_str() + start + 3);
}

TEST(FtpServer, LoginRetrieveStore) {
  const std::string root = Root();
  WriteFile(root + "/fw.bin", "ftp firmware");
  std::unique_ptr<FtpServer> server = FtpServer::Start(Ftp(root, "station", "s3cret"));
  ASSERT_TRUE(server);
  EXPECT_EQ(server->Url("fw.bin"),
            "ftp://station:s3cret@127.0.0.1:" + std::to_string(server->port()) + "/fw.bin");
  Client control(server->port());
  EXPECT_EQ(control.ReadLine().substr(0, 3), "220");
  control.Send("USER station\r\nPASS wrong\r\n");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "331");
  EXPECT_EQ(control.ReadLine(), "530 Login incorrect");
  control.Send("SIZE fw.bin\r\n");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "530") << "not logged in";
  control.Send("USER station\r\nPASS s3cret\r\n");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "331");
  EXPECT_EQ(control.ReadLine(), "230 Logged in");
  control.Send("TYPE I\r\nSIZE fw.bin\r\nSIZE nothing.bin\r\n");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "200");
  EXPECT_EQ(control.ReadLine(), "213 12");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "550");

  control.Send("EPSV\r\n");
  {
    Client data(EpsvPort(control.ReadLine()));
    ASSERT_TRUE(data.connected());
    control.Send("RETR fw.bin\r\n");
    EXPECT_EQ(control.ReadLine().substr(0, 3), "150");
    EXPECT_EQ(data.ReadAll(), "ftp firmware");
  }
  EXPECT_EQ(control.ReadLine(), "226 Transfer complete");

  control.Send("PASV\r\n");
  const std::string pasv = control.ReadLine();
  int p[6];
  ASSERT_EQ(std::sscanf(pasv.c_str(), "227 Entering Passive Mode (%d,%d,%d,%d,%d,%d)", &p[0], &p[1],
                        &p[2], &p[3], &p[4], &p[5]),
            6)
      << pasv;
  {
    Client data(p[4] * 256 + p[5]);
    control.Send("STOR up.log\r\n");
    EXPECT_EQ(control.ReadLine().substr(0, 3), "150");
    data.Send("diagnostics");
  }
  EXPECT_EQ(control.ReadLine(), "226 Transfer complete");
  EXPECT_EQ(ReadFile(root + "/up.log"), "diagnostics");

  control.Send("RETR fw.bin\r\nCWD /nowhere\r\nPWD\r\nQUIT\r\n");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "425") << "no PASV first";
  EXPECT_EQ(control.ReadLine().substr(0, 3), "550");
  EXPECT_EQ(control.ReadLine(), "257 \"/\" is the current directory");
  EXPECT_EQ(control.ReadLine(), "221 Goodbye");
  const std::vector<std::string> commands = server->Commands();
  EXPECT_EQ(commands[1], "PASS ***") << "passwords are not recorded";
}

TEST(FtpServer, StopWhileAClientIsConnected) {
  std::unique_ptr<FtpServer> server = FtpServer::Start(Ftp(Root()));
  ASSERT_TRUE(server);
  Client control(server->port());
  EXPECT_EQ(control.ReadLine().substr(0, 3), "220");
  control.Send("USER anonymous\r\nPASS x\r\nEPSV\r\n");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "331");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "230");
  EXPECT_EQ(control.ReadLine().substr(0, 3), "229");
  server.reset();
  EXPECT_EQ(control.ReadAll(), "");
}

TEST(FtpServer, TlsServerStartsWithTestCertificates) {
  const std::string directory = Root();
  const auto pki = runtime::testing::CreateTestPki(directory, "CP-1");
  ASSERT_TRUE(pki);
  FtpServerOptions options = Ftp(directory);
  options.tls = TlsFiles{pki->server_cert, pki->server_key};
  std::unique_ptr<FtpServer> server = FtpServer::Start(options);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->Url("a", false).substr(0, 7), "ftps://");
}

TEST(Paths, NormaliseAndDecode) {
  std::string out;
  EXPECT_TRUE(NormalisePath("//a/./b/", &out));
  EXPECT_EQ(out, "/a/b");
  EXPECT_TRUE(NormalisePath("", &out));
  EXPECT_EQ(out, "/");
  EXPECT_FALSE(NormalisePath("/a/../../b", &out));
  EXPECT_TRUE(PercentDecode("/a%20b%2Fc", &out));
  EXPECT_EQ(out, "/a b/c");
  EXPECT_FALSE(PercentDecode("/a%2", &out));
  EXPECT_FALSE(PercentDecode("/a%zz", &out));
}

}  // namespace
}  // namespace ocpp::tools::file_servers
