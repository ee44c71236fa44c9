#include "station/fleet/deferred_sync.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace ocpp::station::fleet {
namespace {
std::atomic<bool> g_deferred{false};
}  // namespace

void SetSyncDeferred(bool deferred) { g_deferred = deferred; }
bool SyncDeferred() { return g_deferred; }

}  // namespace ocpp::station::fleet

// Interposed over libc's for the whole process (libsqlite3 and
// hal/linux call these through the dynamic linker).
extern "C" int fsync(int fd) {
  if (ocpp::station::fleet::SyncDeferred()) return 0;
  return static_cast<int>(syscall(SYS_fsync, fd));
}

extern "C" int fdatasync(int fd) {
  if (ocpp::station::fleet::SyncDeferred()) return 0;
  return static_cast<int>(syscall(SYS_fdatasync, fd));
}
