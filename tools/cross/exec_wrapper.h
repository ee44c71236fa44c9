#pragma once

#include <string>
#include <vector>

namespace ocpp::cross {

// argv for execv() of a program built with the test: unchanged on the host;
// under --config=arm64/armhf, where tests run under qemu-user and the kernel
// cannot start an ARM binary by itself (no binfmt_misc), the same emulator
// ($CROSS_EXEC_WRAPPER, set by the config's --test_env, or by
// bench/footprint.sh for an ARM station_sim) goes in front.
std::vector<std::string> WithExecWrapper(std::vector<std::string> argv);

// execv(argv[0], argv) after WithExecWrapper; returns only on failure.
int ExecvWrapped(const std::vector<std::string>& argv);

// The same for a std::system() command line: "$CROSS_EXEC_WRAPPER " or "".
std::string ShellCommandPrefix();

// True in the tests of --config=arm64/armhf (they run under qemu-user): for
// the few tests whose fixed time windows emulation cannot meet; they skip
// with GTEST_SKIP() and say why (docs/cross.md lists them).
bool UnderEmulation();

}  // namespace ocpp::cross
