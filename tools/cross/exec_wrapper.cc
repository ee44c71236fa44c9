#include "tools/cross/exec_wrapper.h"

#include <unistd.h>

#include <cstdlib>

namespace ocpp::cross {

std::vector<std::string> WithExecWrapper(std::vector<std::string> argv) {
  const char* wrapper = std::getenv("CROSS_EXEC_WRAPPER");
  if (wrapper == nullptr || *wrapper == '\0') return argv;
  argv.insert(argv.begin(), wrapper);
  return argv;
}

std::string ShellCommandPrefix() {
  const char* wrapper = std::getenv("CROSS_EXEC_WRAPPER");
  return wrapper == nullptr || *wrapper == '\0' ? std::string() : std::string(wrapper) + " ";
}

bool UnderEmulation() { return !ShellCommandPrefix().empty(); }

int ExecvWrapped(const std::vector<std::string>& argv) {
  std::vector<std::string> all = WithExecWrapper(argv);
  std::vector<char*> pointers;
  for (std::string& arg : all) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  return execv(pointers[0], pointers.data());
}

}  // namespace ocpp::cross
