#include "runtime/curl_file_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/curl_api.h"
#include "runtime/curl_transfer_failure.h"

namespace ocpp::runtime {
namespace {

using curl_internal::Scrub;
using curl_internal::SecretsOf;

constexpr std::string_view kSchemes[] = {"http", "https", "ftp", "ftps", "sftp"};
constexpr long kMaxRedirects = 5;
constexpr long kBufferBytes = 64 * 1024;

// Lower-case scheme of `url`; empty if it has none.
std::string SchemeOf(std::string_view url) {
  const std::size_t end = url.find("://");
  if (end == std::string_view::npos || end == 0) return "";
  std::string scheme(url.substr(0, end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme;
}

bool IsHttp(const std::string& scheme) { return scheme == "http" || scheme == "https"; }

// "2.5" (MiB, one decimal).
std::string MibNumber(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", static_cast<double>(bytes) / (1 << 20));
  return text;
}

std::string Mib(std::int64_t bytes) { return MibNumber(bytes) + " MiB"; }

std::string Directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string Basename(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void SyncDirectory(const std::string& directory) {
  const int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace

class CurlFileTransfer::Worker {
 public:
  // One transfer, owned by the worker once started.
  struct Job {
    TransferId id = 0;
    bool upload = false;
    std::string url;     // with credentials
    std::string scheme;  // lower case
    std::string path;    // the local file
    std::string part;    // download: path + ".part"
    std::string shown;   // RedactUrl(url)
    std::vector<std::string> secrets;
    Worker* worker = nullptr;
    CURL* easy = nullptr;
    int fd = -1;
    char error[CURL_ERROR_SIZE] = {};
    std::string failure;  // our own reason (no space, too large, disk error)
    std::int64_t bytes = 0;
    std::int64_t total = -1;  // announced size (download) or file size (upload)
    bool space_checked = false;
    int next_percent = 10;
    std::int64_t next_step = 0;
    std::int64_t elapsed_us = 0;  // from libcurl, for the log

    const char* kind() const { return upload ? "upload" : "download"; }
  };

  Worker(EventLoop& loop, const Options& options, std::shared_ptr<LoopSide> side)
      : loop_(loop), options_(options), side_(std::move(side)) {
    curl::global_init(CURL_GLOBAL_DEFAULT);  // reference counted, thread-safe here
    multi_ = curl::multi_init();
    if (multi_) thread_ = std::thread([this] { Run(); });
  }

  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    if (multi_) curl::multi_wakeup(multi_);
    if (thread_.joinable()) thread_.join();
    if (multi_) curl::multi_cleanup(multi_);
    curl::global_cleanup();
  }

  // Why `job` cannot even start; empty if it can.
  std::string Refusal(const Job& job) const {
    if (job.scheme.empty()) return "not a URL";
    if (std::find(std::begin(kSchemes), std::end(kSchemes), job.scheme) == std::end(kSchemes))
      return "unsupported scheme \"" + job.scheme + "\" (http, https, ftp, ftps, sftp)";
    if (job.scheme == "sftp" && options_.verify && options_.ssh_known_hosts.empty())
      return "sftp needs a known_hosts file to verify the server (Options::ssh_known_hosts)";
    if (!multi_) return "libcurl could not start";
    return "";
  }

  void Enqueue(std::unique_ptr<Job> job) {
    job->worker = this;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      starting_.push_back(std::move(job));
    }
    curl::multi_wakeup(multi_);
  }

  void Cancel(TransferId id) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const auto queued = std::find_if(starting_.begin(), starting_.end(),
                                       [id](const auto& job) { return job->id == id; });
      if (queued != starting_.end()) {
        starting_.erase(queued);
        return;
      }
      cancelled_.push_back(id);
    }
    if (multi_) curl::multi_wakeup(multi_);
  }

  // Any thread: the line goes to the log sink on the loop.
  void Log(std::string line) {
    if (!side_->log) return;
    loop_.Post([side = side_, line = std::move(line)] {
      if (side->alive && side->log) side->log(line);
    });
  }

  // Any thread: logs the end of `job` and runs its `done` on the loop.
  void Finish(const Job& job, TransferResult result) {
    if (result.ok) {
      char seconds[32];
      std::snprintf(seconds, sizeof(seconds), "%.1f", static_cast<double>(job.elapsed_us) / 1e6);
      Log(std::string(job.kind()) + " " + job.shown + ": done, " + std::to_string(result.bytes) +
          " bytes in " + seconds + " s");
    } else {
      result.error = Scrub(std::move(result.error), job.secrets);
      Log(std::string(job.kind()) + " " + job.shown + ": failed: " + result.error);
    }
    loop_.Post([side = side_, id = job.id, result = std::move(result)] {
      if (!side->alive) return;
      const auto it = side->pending.find(id);
      if (it == side->pending.end()) return;  // cancelled
      Done done = std::move(it->second);
      side->pending.erase(it);
      if (done) done(result);
    });
  }

 private:
  void Run() {
    for (;;) {
      std::deque<std::unique_ptr<Job>> starting;
      std::vector<TransferId> cancelled;
      bool stopping;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        starting.swap(starting_);
        cancelled.swap(cancelled_);
        stopping = stopping_;
      }
      // Cancellations first: they were asked before anything still starting.
      for (const TransferId id : cancelled) {
        const auto it = running_.find(id);
        if (it == running_.end()) continue;
        Log(std::string(it->second->kind()) + " " + it->second->shown + ": cancelled");
        Abandon(*it->second);
        running_.erase(it);
      }
      if (stopping) {
        for (auto& [id, job] : running_) Abandon(*job);
        running_.clear();
        return;
      }
      for (auto& job : starting) Begin(std::move(job));
      int active = 0;
      curl::multi_perform(multi_, &active);
      int left = 0;
      while (CURLMsg* message = curl::multi_info_read(multi_, &left)) {
        if (message->msg != CURLMSG_DONE) continue;
        CURL* easy = message->easy_handle;
        const CURLcode code = message->data.result;  // `message` dies with the handle
        char* opaque = nullptr;
        curl::easy_getinfo(easy, CURLINFO_PRIVATE, &opaque);
        Job* job = reinterpret_cast<Job*>(opaque);
        Complete(*job, code);
        running_.erase(job->id);
      }
      curl::multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  void Begin(std::unique_ptr<Job> job) {
    if (job->upload) {
      job->fd = open(job->path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat status {};
      if (job->fd < 0 || fstat(job->fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        const std::string reason = job->fd < 0 ? std::strerror(errno) : "not a regular file";
        if (job->fd >= 0) close(job->fd);
        return Finish(*job, {false, "cannot read " + job->path + ": " + reason, 0});
      }
      job->total = status.st_size;
      if (job->url.back() == '/') {
        const std::string name = Basename(job->path);
        char* escaped = curl::easy_escape(nullptr, name.c_str(), static_cast<int>(name.size()));
        job->url += escaped ? escaped : name;
        curl::free(escaped);
        job->shown = RedactUrl(job->url);
      }
      Log("upload " + job->path + " to " + job->shown + ": started, " + std::to_string(job->total) +
          " bytes");
    } else {
      unlink(job->path.c_str());  // `path` exists afterwards only if this one succeeds
      job->fd = open(job->part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (job->fd < 0)
        return Finish(*job, {false, "cannot write " + job->part + ": " + std::strerror(errno), 0});
      Log("download " + job->shown + " to " + job->path + ": started");
    }
    job->easy = curl::easy_init();
    if (!job->easy || !Configure(*job) || curl::multi_add_handle(multi_, job->easy) != CURLM_OK) {
      TransferResult result{false, "libcurl refused the transfer's settings", 0};
      Abandon(*job);
      return Finish(*job, std::move(result));
    }
    const TransferId id = job->id;
    running_.emplace(id, std::move(job));
  }

  bool Configure(Job& job) {
    CURL* easy = job.easy;
    const long stall = std::max<long>(1, static_cast<long>(options_.stall_timeout.count()));
    bool ok = true;
    const auto set = [&](CURLoption option, auto value) {
      ok = ok && curl::easy_setopt(easy, option, value) == CURLE_OK;
    };
    set(CURLOPT_URL, job.url.c_str());
    set(CURLOPT_PRIVATE, &job);
    set(CURLOPT_ERRORBUFFER, job.error);
    set(CURLOPT_NOSIGNAL, 1L);
    // Only the URL's own scheme (never file://, gopher://, ...).
    set(CURLOPT_PROTOCOLS_STR, job.scheme.c_str());
    if (IsHttp(job.scheme)) {
      set(CURLOPT_FAILONERROR, 1L);
      set(CURLOPT_FOLLOWLOCATION, job.upload ? 0L : 1L);
      set(CURLOPT_MAXREDIRS, kMaxRedirects);
      set(CURLOPT_REDIR_PROTOCOLS_STR, job.scheme == "https" ? "https" : "http,https");
    }
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    set(CURLOPT_LOW_SPEED_TIME, stall);
    set(CURLOPT_SERVER_RESPONSE_TIMEOUT, stall);
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.overall_timeout.count()));
    set(CURLOPT_FORBID_REUSE, 1L);
    set(CURLOPT_FRESH_CONNECT, 1L);
    set(CURLOPT_PROXY, options_.proxy.c_str());
    set(CURLOPT_SSL_VERIFYPEER, options_.verify ? 1L : 0L);
    set(CURLOPT_SSL_VERIFYHOST, options_.verify ? 2L : 0L);
    set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
    if (job.scheme == "sftp") {
      if (options_.verify && !options_.ssh_known_hosts.empty())
        set(CURLOPT_SSH_KNOWNHOSTS, options_.ssh_known_hosts.c_str());
      set(CURLOPT_SSH_AUTH_TYPES, static_cast<long>(CURLSSH_AUTH_PASSWORD | CURLSSH_AUTH_KEYBOARD));
    }
    set(CURLOPT_USERAGENT, "ocpp16-station");
    set(CURLOPT_NOPROGRESS, 0L);
    set(CURLOPT_XFERINFOFUNCTION, &Worker::OnProgress);
    set(CURLOPT_XFERINFODATA, &job);
    if (job.upload) {
      set(CURLOPT_UPLOAD, 1L);
      set(CURLOPT_UPLOAD_BUFFERSIZE, kBufferBytes);
      set(CURLOPT_READFUNCTION, &Worker::OnRead);
      set(CURLOPT_READDATA, &job);
      set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(job.total));
    } else {
      set(CURLOPT_BUFFERSIZE, kBufferBytes);
      set(CURLOPT_WRITEFUNCTION, &Worker::OnWrite);
      set(CURLOPT_WRITEDATA, &job);
      if (options_.max_download_bytes > 0) {
        set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_download_bytes));
      }
    }
    return ok;
  }

  void Complete(Job& job, CURLcode code) {
    TransferResult result;
    long http_status = 0;
    curl::easy_getinfo(job.easy, CURLINFO_RESPONSE_CODE, &http_status);
    curl_off_t elapsed = 0;
    curl::easy_getinfo(job.easy, CURLINFO_TOTAL_TIME_T, &elapsed);
    job.elapsed_us = elapsed;
    if (code == CURLE_OK && IsHttp(job.scheme) && (http_status < 200 || http_status > 299)) {
      result.error = "HTTP " + std::to_string(http_status);
    } else if (code != CURLE_OK) {
      result.error = Describe(job, code);
    } else if (!job.upload) {
      // On storage before it has its name: a power cut leaves a .part or
      // the whole file, never a short one under `path`.
      const bool synced = fsync(job.fd) == 0;
      const bool closed = close(job.fd) == 0;
      job.fd = -1;
      if (!synced || !closed) {
        result.error = "cannot write " + job.part + ": " + std::strerror(errno);
      } else if (std::rename(job.part.c_str(), job.path.c_str()) != 0) {
        result.error = "cannot rename " + job.part + ": " + std::strerror(errno);
      } else {
        SyncDirectory(Directory(job.path));
      }
    }
    result.ok = result.error.empty();
    result.bytes = job.bytes;
    if (job.upload && result.ok) {
      curl_off_t sent = 0;
      curl::easy_getinfo(job.easy, CURLINFO_SIZE_UPLOAD_T, &sent);
      result.bytes = sent;
    }
    if (result.ok) {
      curl::multi_remove_handle(multi_, job.easy);
      curl::easy_cleanup(job.easy);
      job.easy = nullptr;
    } else {
      Abandon(job);
    }
    Finish(job, std::move(result));
  }

  // Stops `job` without a result and removes what it left.
  void Abandon(Job& job) {
    if (job.easy) {
      curl::multi_remove_handle(multi_, job.easy);
      curl::easy_cleanup(job.easy);
      job.easy = nullptr;
    }
    if (job.fd >= 0) close(job.fd);
    job.fd = -1;
    if (!job.upload) unlink(job.part.c_str());
  }

  std::string Describe(const Job& job, CURLcode code) const {
    if (!job.failure.empty()) return job.failure;
    curl_internal::FailureContext context;
    context.error_buffer = job.error;
    context.bytes = job.bytes;
    context.total = job.total;
    context.local_file = job.upload ? job.path : job.part;
    context.connect_timeout = options_.connect_timeout;
    context.stall_timeout = options_.stall_timeout;
    context.overall_timeout = options_.overall_timeout;
    context.max_download_bytes = options_.max_download_bytes;
    context.max_redirects = kMaxRedirects;
    return curl_internal::DescribeFailure(job.easy, code, context);
  }

  static std::size_t OnWrite(char* data, std::size_t size, std::size_t count, void* opaque) {
    Job& job = *static_cast<Job*>(opaque);
    const std::size_t length = size * count;
    if (!job.space_checked) {
      curl_off_t announced = -1;
      curl::easy_getinfo(job.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
      if (!job.worker->CheckSpace(job, announced)) return 0;
    }
    const std::int64_t limit = job.worker->options_.max_download_bytes;
    if (limit > 0 && job.bytes + static_cast<std::int64_t>(length) > limit) {
      job.failure = "too large (more than " + std::to_string(limit) + " bytes)";
      return 0;
    }
    for (std::size_t written = 0; written < length;) {
      const ssize_t n = write(job.fd, data + written, length - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        job.failure = errno == ENOSPC ? "no space (writing " + job.part + ")"
                                      : "cannot write " + job.part + ": " + std::strerror(errno);
        return 0;
      }
      written += static_cast<std::size_t>(n);
    }
    job.bytes += static_cast<std::int64_t>(length);
    job.worker->Progress(job);
    return length;
  }

  static std::size_t OnRead(char* data, std::size_t size, std::size_t count, void* opaque) {
    Job& job = *static_cast<Job*>(opaque);
    for (;;) {
      const ssize_t n = read(job.fd, data, size * count);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        job.failure = "cannot read " + job.path + ": " + std::strerror(errno);
        return CURL_READFUNC_ABORT;
      }
      job.bytes += n;
      job.worker->Progress(job);
      return static_cast<std::size_t>(n);
    }
  }

  static int OnProgress(void* opaque, curl_off_t download_total, curl_off_t, curl_off_t,
                        curl_off_t) {
    Job& job = *static_cast<Job*>(opaque);
    // The size is known before the data comes (HTTP headers, FTP SIZE).
    if (!job.upload && !job.space_checked && download_total > 0) {
      return job.worker->CheckSpace(job, download_total) ? 0 : 1;
    }
    return 0;
  }

  // Once per download, when the size is known (or the data starts).
  bool CheckSpace(Job& job, std::int64_t announced) {
    job.space_checked = true;
    if (announced < 0) return true;
    job.total = announced;
    const std::int64_t limit = options_.max_download_bytes;
    if (limit > 0 && announced > limit) {
      job.failure = "too large (" + std::to_string(announced) + " bytes, limit " +
                    std::to_string(limit) + ")";
      return false;
    }
    struct statvfs disk {};
    if (statvfs(Directory(job.part).c_str(), &disk) != 0) return true;
    const auto free_bytes = static_cast<std::int64_t>(std::min<unsigned long long>(
        static_cast<unsigned long long>(disk.f_bavail) * disk.f_frsize, INT64_MAX));
    if (free_bytes < announced - job.bytes) {
      job.failure = "no space (" + Mib(announced) + " needed, " + Mib(free_bytes) + " free)";
      return false;
    }
    return true;
  }

  void Progress(Job& job) {
    if (job.total > 0) {
      const int percent = static_cast<int>(job.bytes * 100 / job.total);
      if (percent < job.next_percent || percent >= 100) return;
      job.next_percent = percent / 10 * 10 + 10;
      Log(std::string(job.kind()) + " " + job.shown + ": " + std::to_string(percent) + "% (" +
          MibNumber(job.bytes) + " of " + Mib(job.total) + ")");
    } else if (options_.progress_step_bytes > 0 && job.bytes >= job.next_step) {
      if (job.next_step > 0) Log(std::string(job.kind()) + " " + job.shown + ": " + Mib(job.bytes));
      job.next_step = job.bytes + options_.progress_step_bytes;
    }
  }

  EventLoop& loop_;
  const Options options_;
  const std::shared_ptr<LoopSide> side_;
  CURLM* multi_ = nullptr;
  std::thread thread_;

  std::mutex mutex_;  // guards the three below
  std::deque<std::unique_ptr<Job>> starting_;
  std::vector<TransferId> cancelled_;
  bool stopping_ = false;

  std::map<TransferId, std::unique_ptr<Job>> running_;  // worker thread only
};

CurlFileTransfer::CurlFileTransfer(EventLoop& loop, Options options)
    : loop_(loop), options_(std::move(options)), loop_side_(std::make_shared<LoopSide>()) {
  loop_side_->log = options_.log;
}

CurlFileTransfer::~CurlFileTransfer() {
  loop_side_->alive = false;  // results already posted are dropped
  worker_.reset();            // stops and joins; removes .part files
}

FileTransfer::TransferId CurlFileTransfer::Download(const std::string& url, const std::string& path,
                                                    Done done) {
  return Start(false, url, path, std::move(done));
}

FileTransfer::TransferId CurlFileTransfer::Upload(const std::string& path, const std::string& url,
                                                  Done done) {
  return Start(true, url, path, std::move(done));
}

void CurlFileTransfer::Cancel(TransferId id) {
  if (loop_side_->pending.erase(id) == 0) return;
  if (worker_) worker_->Cancel(id);
}

FileTransfer::TransferId CurlFileTransfer::Start(bool upload, const std::string& url,
                                                 const std::string& path, Done done) {
  const TransferId id = ++next_id_;
  loop_side_->pending.emplace(id, std::move(done));
  if (!worker_) worker_ = std::make_unique<Worker>(loop_, options_, loop_side_);
  auto job = std::make_unique<Worker::Job>();
  job->id = id;
  job->upload = upload;
  job->url = url;
  job->scheme = SchemeOf(url);
  job->path = path;
  job->part = path + ".part";
  job->shown = RedactUrl(url);
  job->secrets = SecretsOf(url);
  const std::string refusal = worker_->Refusal(*job);
  if (!refusal.empty()) {
    worker_->Finish(*job, {false, refusal, 0});  // still through the loop
    return id;
  }
  worker_->Enqueue(std::move(job));
  return id;
}

}  // namespace ocpp::runtime
