// file_server as a child process, the way process-level tests start it:
// it prints its ports as one JSON line, serves, and exits on SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tools/cross/exec_wrapper.h"

namespace {

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" + std::getenv("TEST_WORKSPACE") + "/" + path;
}

std::string HttpGet(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!send(fd, request.data(), request.size(), 0);
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) answer.append(buffer, n);
  }
  close(fd);
  return answer;
}

TEST(FileServerProcess, PrintsPortsServesAndExitsOnSigterm) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/root";
  mkdir(root.c_str(), 0755);
  std::ofstream(root + "/fw.bin") << "image";

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    const std::string binary = Runfile("tools/file_servers/file_server");
    ocpp::cross::ExecvWrapped({binary, "--root", root, "--user", "u", "--password", "p"});
    _exit(127);
  }
  close(out[1]);
  FILE* stdout_of_child = fdopen(out[0], "r");
  char line[256] = {};
  ASSERT_TRUE(std::fgets(line, sizeof(line), stdout_of_child));
  int http = 0, ftp = 0;
  ASSERT_EQ(std::sscanf(line, "{\"http\":%d,\"ftp\":%d}", &http, &ftp), 2) << line;
  EXPECT_GT(http, 0);
  EXPECT_GT(ftp, 0);

  const std::string answer = HttpGet(http, "/fw.bin");
  EXPECT_EQ(answer.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(answer.substr(answer.size() - 5), "image");
  EXPECT_EQ(HttpGet(http, "/nothing").substr(0, 12), "HTTP/1.1 404");

  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::fclose(stdout_of_child);
}

TEST(FileServerProcess, RefusesAMissingRoot) {
  const std::string binary = Runfile("tools/file_servers/file_server");
  const int status =
      std::system((ocpp::cross::ShellCommandPrefix() + binary + " 2>/dev/null").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status;
}

}  // namespace
