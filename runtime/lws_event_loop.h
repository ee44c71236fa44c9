// The production EventLoop: one libwebsockets context serviced on one thread,
// with timers from a TimerQueue on the injected Clock (lws keeps its own
// real-time I/O timeouts; everything the stack schedules goes through here).
//
// Client transports and servers each create their own vhost on the shared
// context (TLS settings are per vhost in lws) and receive that vhost's
// callbacks through an LwsHandler.
#pragma once

#include <libwebsockets.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "runtime/event_loop.h"
#include "runtime/timer_queue.h"

namespace ocpp::runtime {

// The one WebSocket subprotocol this stack speaks (OCPP-J 1.6 §3.1.2).
inline constexpr char kOcpp16Subprotocol[] = "ocpp1.6";

enum class LogLevel { kError, kWarning, kInfo, kDebug };
const char* ToString(LogLevel level);
using LogSink = std::function<void(LogLevel level, std::string_view message)>;

// Receives the lws callbacks of one vhost. Return values follow lws: 0 to
// continue, non-zero to close the connection.
class LwsHandler {
 public:
  virtual ~LwsHandler() = default;
  virtual int OnLwsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                            size_t len) = 0;
};

// Told after every lws service pass, on the loop thread: for checks lws has
// no callback for (e.g. a frame header that announces too much).
class LwsServiceObserver {
 public:
  virtual ~LwsServiceObserver() = default;
  virtual void AfterLwsService() = 0;
};

// What a vhost needs. The loop keeps a copy for the vhost's whole life: lws
// keeps pointers into the creation info and frees vhosts lazily, possibly after
// the transport or server that asked for it is gone.
struct LwsVhostSpec {
  std::string name;
  int port = CONTEXT_PORT_NO_LISTEN;  // 0 = any free port
  std::string listen_address;         // empty = all interfaces
  std::uint64_t options = 0;          // LWS_SERVER_OPTION_*
  // The vhost makes wss:// connections (client_* below) or serves TLS
  // (server_cert_file): only then is OpenSSL set up, so a plain ws://
  // station carries no OpenSSL state (start-up time, private memory).
  bool client_tls = false;
  const lws_protocols* protocols = nullptr;  // default: the "ocpp1.6" table; must be static
  const char* listen_accept_role = nullptr;  // static string, for raw listeners
  const char* listen_accept_protocol = nullptr;
  // Server side TLS (enabled when server_cert_file is set).
  std::string server_cert_file;
  std::string server_key_file;
  std::string server_ca_file;  // verifies client certificates when required
  // Client side TLS (the client SSL_CTX is built when the vhost is created).
  std::string client_ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  long ssl_options_set = 0;         // SSL_OP_* for the server SSL_CTX
  long ssl_client_options_set = 0;  // SSL_OP_* for the client SSL_CTX
  std::string cipher_list;          // TLS <= 1.2, both directions; empty = OpenSSL default
};

class LwsEventLoop final : public EventLoop {
 public:
  struct Options {
    // Destination of the loop's, the transports' and the servers' messages.
    // Null: errors and warnings go to stderr.
    LogSink log_sink;
  };

  // Null when lws cannot create the context (out of memory, broken TLS lib).
  static std::unique_ptr<LwsEventLoop> Create(const base::Clock& clock, Options options);
  static std::unique_ptr<LwsEventLoop> Create(const base::Clock& clock) {
    return Create(clock, Options());
  }
  // Everything that holds vhosts on this loop (transports, servers) must be
  // destroyed first.
  ~LwsEventLoop() override;
  LwsEventLoop(const LwsEventLoop&) = delete;
  LwsEventLoop& operator=(const LwsEventLoop&) = delete;

  // EventLoop. AddTimer and CancelTimer only on the loop thread.
  TimerId AddTimer(base::Milliseconds delay, std::function<void()> callback) override;
  void CancelTimer(TimerId id) override;
  void Post(std::function<void()> task) override;
  void PostAfterIo(std::function<void()> task) override;  // any thread
  const base::Clock& clock() const override { return clock_; }

  // One turn: waits for socket activity at most until the next timer deadline
  // and at most `max_wait` of real time (0 = just poll), services lws, then
  // runs posted tasks, then the timers that are due. Loop thread only.
  void RunOnce(base::Milliseconds max_wait);
  // RunOnce until Quit().
  void Run();
  // When the earliest timer is due (tests use it to jump a FakeClock).
  std::optional<base::SteadyTime> NextTimerDeadline() const { return timers_.NextDeadline(); }
  // Any thread: makes Run() return after the current turn.
  void Quit();

  // For the transports and servers on this loop.
  lws_context* context() const { return context_; }
  // Null when lws refuses the spec (bad certificate file, port in use...); the
  // reason is logged.
  lws_vhost* CreateVhost(const LwsVhostSpec& spec, LwsHandler* handler);
  // Detaches the handler (no callback reaches it any more) and has lws destroy
  // the vhost. Close the vhost's connections before, or lws closes them later
  // without telling anybody. The spec copy stays with the loop until it is
  // destroyed (a few hundred bytes per vhost ever created).
  void DestroyVhost(lws_vhost* vhost);
  void Log(LogLevel level, std::string_view message) const;
  // Loop thread only. An observer must be removed before it is destroyed; it
  // must not add or remove observers from AfterLwsService.
  void AddServiceObserver(LwsServiceObserver* observer);
  void RemoveServiceObserver(LwsServiceObserver* observer);

  // lws logging is process-wide: the lws library messages go to this sink,
  // whichever loop is running (null = stderr, errors and warnings only).
  // `lws_levels` is a mask of LLL_* bits.
  static void SetLibraryLogSink(LogSink sink, int lws_levels = LLL_ERR | LLL_WARN);

  // The lws callback of every protocol table used on a loop: it routes each
  // callback to the handler of the wsi's vhost.
  static int Dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);

 private:
  struct VhostBinding {
    LwsVhostSpec spec;
    LwsHandler* handler = nullptr;
  };

  LwsEventLoop(const base::Clock& clock, Options options);
  bool Init();
  void RunPostedTasks();

  const base::Clock& clock_;
  Options options_;
  TimerQueue timers_;
  lws_context* context_ = nullptr;
  std::vector<LwsServiceObserver*> service_observers_;
  std::list<VhostBinding> bindings_;   // std::list: lws holds pointers to them
  lws_sorted_usec_list_t wake_sul_{};  // bounds one lws_service wait
  std::mutex posted_mutex_;
  // PostAfterIo: run after the next lws service pass (loop thread only).
  std::deque<std::function<void()>> after_io_;
  std::deque<std::function<void()>> posted_;
  std::atomic<bool> quit_{false};
};

}  // namespace ocpp::runtime
