// libcurl, loaded with dlopen on the first file transfer instead of linked:
// libcurl pulls in some thirty shared libraries (GSSAPI, LDAP, SSH, HTTP/2,
// IDN, ...) whose relocations cost every start of the station about 14
// million instructions, for a feature most starts never use. The types and
// constants come from <curl/curl.h>; the functions from here.
#pragma once

#include <curl/curl.h>

#include <string>

namespace ocpp::runtime::curl {

// Loads libcurl.so.4 once (thread-safe). False, with the reason, if it
// cannot; every function below then fails harmlessly.
bool Available(std::string* error = nullptr);

struct Api {
  CURLcode (*global_init)(long);
  void (*global_cleanup)();
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  char* (*easy_escape)(CURL*, const char*, int);
  char* (*easy_unescape)(CURL*, const char*, int, int*);
  void (*free)(void*);
  CURLM* (*multi_init)();
  CURLMcode (*multi_cleanup)(CURLM*);
  CURLMcode (*multi_add_handle)(CURLM*, CURL*);
  CURLMcode (*multi_remove_handle)(CURLM*, CURL*);
  CURLMcode (*multi_perform)(CURLM*, int*);
  CURLMsg* (*multi_info_read)(CURLM*, int*);
  CURLMcode (*multi_poll)(CURLM*, struct curl_waitfd[], unsigned int, int, int*);
  CURLMcode (*multi_wakeup)(CURLM*);
};
// Null unless Available().
const Api* api();

inline CURLcode global_init(long flags) {
  return api() ? api()->global_init(flags) : CURLE_FAILED_INIT;
}
inline void global_cleanup() {
  if (api()) api()->global_cleanup();
}
inline CURL* easy_init() { return api() ? api()->easy_init() : nullptr; }
inline void easy_cleanup(CURL* e) {
  if (api()) api()->easy_cleanup(e);
}
template <class T>
CURLcode easy_setopt(CURL* e, CURLoption option, T value) {
  return api() ? api()->easy_setopt(e, option, value) : CURLE_FAILED_INIT;
}
template <class T>
CURLcode easy_getinfo(CURL* e, CURLINFO info, T out) {
  return api() ? api()->easy_getinfo(e, info, out) : CURLE_FAILED_INIT;
}
inline const char* easy_strerror(CURLcode code) {
  return api() ? api()->easy_strerror(code) : "libcurl is not available";
}
inline char* easy_escape(CURL* e, const char* s, int n) {
  return api() ? api()->easy_escape(e, s, n) : nullptr;
}
inline char* easy_unescape(CURL* e, const char* s, int n, int* out) {
  return api() ? api()->easy_unescape(e, s, n, out) : nullptr;
}
inline void free(void* p) {
  if (api() && p) api()->free(p);
}
inline CURLM* multi_init() { return api() ? api()->multi_init() : nullptr; }
inline CURLMcode multi_cleanup(CURLM* m) {
  return api() ? api()->multi_cleanup(m) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_add_handle(CURLM* m, CURL* e) {
  return api() ? api()->multi_add_handle(m, e) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_remove_handle(CURLM* m, CURL* e) {
  return api() ? api()->multi_remove_handle(m, e) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_perform(CURLM* m, int* running) {
  return api() ? api()->multi_perform(m, running) : CURLM_BAD_HANDLE;
}
inline CURLMsg* multi_info_read(CURLM* m, int* left) {
  return api() ? api()->multi_info_read(m, left) : nullptr;
}
inline CURLMcode multi_poll(CURLM* m, struct curl_waitfd fds[], unsigned int n, int ms, int* ret) {
  return api() ? api()->multi_poll(m, fds, n, ms, ret) : CURLM_BAD_HANDLE;
}
inline CURLMcode multi_wakeup(CURLM* m) {
  return api() ? api()->multi_wakeup(m) : CURLM_BAD_HANDLE;
}

}  // namespace ocpp::runtime::curl
