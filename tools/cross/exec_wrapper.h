#pragma once

#include <string>
#include <vector>

namespace ocpp::cross {

// argv for execv() of a program built with the test: unchanged on the host;
// under --config=arm64/armhf, where tests run under qemu-user and the kernel
// cannot start an ARM binary by itself (no binfmt_misc), the same emulator
// ($CROSS_EXEC_WRAPPER, set by tools/cross/qemu_run.sh) goes in front.
std::vector<std::string> WithExecWrapper(std::vector<std::string> argv);

// execv(argv[0], argv) after WithExecWrapper; returns only on failure.
int ExecvWrapped(const std::vector<std::string>& argv);

}  // namespace ocpp::cross
