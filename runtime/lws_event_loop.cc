#include "runtime/lws_event_loop.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

namespace ocpp::runtime {
namespace {

// lws hands received data over in pieces of at most this size; it is also
// the unit lws sends in.
constexpr size_t kRxChunkBytes = 16 * 1024;

lws_protocols kOcppProtocols[] = {
    {kOcpp16Subprotocol, &LwsEventLoop::Dispatch, 0, kRxChunkBytes, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

const char* OrNull(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

// Process-wide state for lws logging (lws_set_log_level is global).
std::mutex library_log_mutex;
LogSink* library_log_sink = nullptr;  // guarded by library_log_mutex
bool library_log_configured = false;  // guarded by library_log_mutex

LogLevel FromLwsLevel(int level) {
  if (level & LLL_ERR) return LogLevel::kError;
  if (level & LLL_WARN) return LogLevel::kWarning;
  if (level & (LLL_NOTICE | LLL_INFO | LLL_USER)) return LogLevel::kInfo;
  return LogLevel::kDebug;
}

void EmitLibraryLog(int level, const char* line) {
  std::string_view text(line ? line : "");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  std::lock_guard<std::mutex> lock(library_log_mutex);
  if (library_log_sink && *library_log_sink) {
    (*library_log_sink)(FromLwsLevel(level), text);
  } else {
    std::fprintf(stderr, "lws: %.*s\n", static_cast<int>(text.size()), text.data());
  }
}

}  // namespace

const char* ToString(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "unknown";
}

void LwsEventLoop::SetLibraryLogSink(LogSink sink, int lws_levels) {
  std::lock_guard<std::mutex> lock(library_log_mutex);
  delete library_log_sink;
  library_log_sink = sink ? new LogSink(std::move(sink)) : nullptr;
  library_log_configured = true;
  lws_set_log_level(lws_levels, &EmitLibraryLog);
}

std::unique_ptr<LwsEventLoop> LwsEventLoop::Create(const base::Clock& clock, Options options) {
  {
    // Without a configured sink lws would print its notices to stderr.
    std::lock_guard<std::mutex> lock(library_log_mutex);
    if (!library_log_configured) {
      library_log_configured = true;
      lws_set_log_level(LLL_ERR | LLL_WARN, &EmitLibraryLog);
    }
  }
  std::unique_ptr<LwsEventLoop> loop(new LwsEventLoop(clock, std::move(options)));
  if (!loop->Init()) return nullptr;
  return loop;
}

LwsEventLoop::LwsEventLoop(const base::Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)), timers_(clock) {}

bool LwsEventLoop::Init() {
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof(info));
  // Vhosts are made explicitly: one per transport or server, plus the base one
  // below (lws will not service a context without any vhost).
  // No SSL global init here: a vhost that needs TLS asks for it (below).
  info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kOcppProtocols;
  info.gid = -1;
  info.uid = -1;
  context_ = lws_create_context(&info);
  if (!context_) {
    Log(LogLevel::kError, "lws_create_context failed");
    return false;
  }
  LwsVhostSpec base;
  base.name = "base";
  if (!CreateVhost(base, nullptr)) return false;
  return true;
}

LwsEventLoop::~LwsEventLoop() {
  // Whatever still has a vhost here outlived the loop by mistake; make sure
  // lws cannot call into it while the context shuts down.
  for (VhostBinding& binding : bindings_) binding.handler = nullptr;
  if (context_) {
    lws_sul_cancel(&wake_sul_);
    lws_context_destroy(context_);
  }
}

TimerId LwsEventLoop::AddTimer(base::Milliseconds delay, std::function<void()> callback) {
  return timers_.Add(delay, std::move(callback));
}

void LwsEventLoop::CancelTimer(TimerId id) { timers_.Cancel(id); }

void LwsEventLoop::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  // Wakes a poll() in progress on the loop thread; safe from any thread.
  lws_cancel_service(context_);
}

void LwsEventLoop::PostAfterIo(std::function<void()> task) { after_io_.push_back(std::move(task)); }

void LwsEventLoop::RunOnce(base::Milliseconds max_wait) {
  base::Milliseconds wait = std::max(max_wait, base::Milliseconds(0));
  // What was queued before this pass runs after it (its answers are written).
  std::deque<std::function<void()>> after_io;
  after_io.swap(after_io_);
  // A pass that polls the sockets (a zero wait would not): a socket waiting
  // to write is ready at once, so this costs no time.
  if (!after_io.empty()) wait = std::min(wait, base::Milliseconds(1));
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    if (!posted_.empty() && after_io.empty()) wait = base::Milliseconds(0);
  }
  if (auto deadline = timers_.NextDeadline()) {
    const auto until = std::chrono::ceil<base::Milliseconds>(*deadline - clock_.Now());
    wait = std::clamp(until, base::Milliseconds(0), wait);
  }
  if (wait.count() == 0) {
    lws_service(context_, -1);  // negative: no waiting (lws does not poll the sockets)
  } else {
    // lws 4.x ignores the lws_service timeout and sleeps until its own next
    // scheduled event, so schedule one at the bound we want.
    lws_sul_schedule(
        context_, 0, &wake_sul_, [](lws_sorted_usec_list_t*) {},
        static_cast<lws_usec_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(wait).count()));
    lws_service(context_, 0);
    lws_sul_cancel(&wake_sul_);
  }
  for (LwsServiceObserver* observer : service_observers_) observer->AfterLwsService();
  for (auto& task : after_io) {
    if (task) task();
  }
  RunPostedTasks();
  timers_.RunDue();
}

void LwsEventLoop::RunPostedTasks() {
  std::deque<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) {
    if (task) task();
  }
}

void LwsEventLoop::Run() {
  while (!quit_.load()) RunOnce(base::Milliseconds(60'000));
  quit_.store(false);
}

void LwsEventLoop::Quit() {
  quit_.store(true);
  lws_cancel_service(context_);
}

lws_vhost* LwsEventLoop::CreateVhost(const LwsVhostSpec& spec, LwsHandler* handler) {
  bindings_.push_back(VhostBinding{spec, handler});
  VhostBinding& binding = bindings_.back();
  const LwsVhostSpec& kept = binding.spec;

  lws_context_creation_info info;
  std::memset(&info, 0, sizeof(info));
  info.vhost_name = kept.name.c_str();
  info.port = kept.port;
  info.iface = OrNull(kept.listen_address);
  info.protocols = kept.protocols ? kept.protocols : kOcppProtocols;
  // lws builds a vhost's SSL_CTXs only when this flag is on the vhost.
  const bool tls = kept.client_tls || !kept.server_cert_file.empty();
  info.options = kept.options | (tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0);
  info.user = &binding;
  info.listen_accept_role = kept.listen_accept_role;
  info.listen_accept_protocol = kept.listen_accept_protocol;
  info.ssl_cert_filepath = OrNull(kept.server_cert_file);
  info.ssl_private_key_filepath = OrNull(kept.server_key_file);
  info.ssl_ca_filepath = OrNull(kept.server_ca_file);
  info.client_ssl_ca_filepath = OrNull(kept.client_ca_file);
  info.client_ssl_cert_filepath = OrNull(kept.client_cert_file);
  info.client_ssl_private_key_filepath = OrNull(kept.client_key_file);
  info.ssl_options_set = kept.ssl_options_set;
  info.ssl_client_options_set = kept.ssl_client_options_set;
  info.ssl_cipher_list = OrNull(kept.cipher_list);
  info.client_ssl_cipher_list = OrNull(kept.cipher_list);

  lws_vhost* vhost = lws_create_vhost(context_, &info);
  if (!vhost) {
    // Keep the binding: a half-built vhost may still reach it. It just has
    // nobody to call any more.
    binding.handler = nullptr;
    Log(LogLevel::kError, "lws could not create vhost '" + kept.name + "'");
  }
  return vhost;
}

void LwsEventLoop::DestroyVhost(lws_vhost* vhost) {
  if (!vhost) return;
  if (auto* binding = static_cast<VhostBinding*>(lws_vhost_user(vhost))) binding->handler = nullptr;
  lws_vhost_destroy(vhost);
}

void LwsEventLoop::AddServiceObserver(LwsServiceObserver* observer) {
  service_observers_.push_back(observer);
}

void LwsEventLoop::RemoveServiceObserver(LwsServiceObserver* observer) {
  service_observers_.erase(
      std::remove(service_observers_.begin(), service_observers_.end(), observer),
      service_observers_.end());
}

void LwsEventLoop::Log(LogLevel level, std::string_view message) const {
  if (options_.log_sink) {
    options_.log_sink(level, message);
  } else if (level == LogLevel::kError || level == LogLevel::kWarning) {
    std::fprintf(stderr, "%s: %.*s\n", ToString(level), static_cast<int>(message.size()),
                 message.data());
  }
}

int LwsEventLoop::Dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                           size_t len) {
  if (reason == LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION) {
    // Arrives without wsi or vhost, for every TLS server on the context. lws
    // takes 0 as "accept" even when OpenSSL rejected the certificate, so the
    // only safe answer is OpenSSL's own verdict (len is preverify_ok).
    return len ? 0 : 1;
  }
  lws_vhost* vhost = wsi ? lws_get_vhost(wsi) : nullptr;
  auto* binding = vhost ? static_cast<VhostBinding*>(lws_vhost_user(vhost)) : nullptr;
  if (binding && binding->handler)
    return binding->handler->OnLwsCallback(wsi, reason, user, in, len);
  if (reason == LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION) {
    return len ? 0 : 1;  // nobody to ask: fail closed on an invalid chain
  }
  if (!wsi) return 0;
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

}  // namespace ocpp::runtime
