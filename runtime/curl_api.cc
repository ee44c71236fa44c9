#include "runtime/curl_api.h"

#include <dlfcn.h>

#include <mutex>

namespace ocpp::runtime::curl {
namespace {

Api loaded{};
bool ok = false;
std::string failure;

template <class F>
bool Bind(void* handle, const char* name, F* out) {
  *out = reinterpret_cast<F>(::dlsym(handle, name));
  if (*out == nullptr) failure = std::string("libcurl has no ") + name;
  return *out != nullptr;
}

void Load() {
  // Never unloaded: libcurl's global state lives until the process ends.
  void* handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    failure = std::string("cannot load libcurl.so.4: ") + (reason ? reason : "unknown");
    return;
  }
  ok = Bind(handle, "curl_global_init", &loaded.global_init) &&
       Bind(handle, "curl_global_cleanup", &loaded.global_cleanup) &&
       Bind(handle, "curl_easy_init", &loaded.easy_init) &&
       Bind(handle, "curl_easy_cleanup", &loaded.easy_cleanup) &&
       Bind(handle, "curl_easy_setopt", &loaded.easy_setopt) &&
       Bind(handle, "curl_easy_getinfo", &loaded.easy_getinfo) &&
       Bind(handle, "curl_easy_strerror", &loaded.easy_strerror) &&
       Bind(handle, "curl_easy_escape", &loaded.easy_escape) &&
       Bind(handle, "curl_easy_unescape", &loaded.easy_unescape) &&
       Bind(handle, "curl_free", &loaded.free) &&
       Bind(handle, "curl_multi_init", &loaded.multi_init) &&
       Bind(handle, "curl_multi_cleanup", &loaded.multi_cleanup) &&
       Bind(handle, "curl_multi_add_handle", &loaded.multi_add_handle) &&
       Bind(handle, "curl_multi_remove_handle", &loaded.multi_remove_handle) &&
       Bind(handle, "curl_multi_perform", &loaded.multi_perform) &&
       Bind(handle, "curl_multi_info_read", &loaded.multi_info_read) &&
       Bind(handle, "curl_multi_poll", &loaded.multi_poll) &&
       Bind(handle, "curl_multi_wakeup", &loaded.multi_wakeup);
}

}  // namespace

bool Available(std::string* error) {
  static std::once_flag once;
  std::call_once(once, Load);
  if (!ok && error) *error = failure;
  return ok;
}

const Api* api() { return Available() ? &loaded : nullptr; }

}  // namespace ocpp::runtime::curl
