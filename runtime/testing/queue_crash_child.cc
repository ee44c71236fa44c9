// The process that //runtime:durable_queue_crash_test kills with SIGKILL.
//
// It models a charge point's sender and a central system on top of a
// TransactionMessageQueue in a SQLite data directory: it enqueues
// transaction messages numbered 1, 2, 3, ... ("seq" in the payload; every
// 6 messages form one transaction: StartTransaction, 4 MeterValues,
// StopTransaction), transmits the front one, lets the simulated central
// system answer (a CALLERROR for the first transmission of every 5th message,
// a timeout now and then, otherwise a CALLRESULT) and acknowledges it.
//
// Everything it does is recorded in an append-only events file, one line per
// write(2), each line written right after the step it reports completed
// (except T and A, written before the step they announce):
//   S <pid>                                   process started
//   E <n> <kind> <local>                      message n enqueued (durable)
//   T <n> <kind> <local> <attempts> <txid>    about to transmit message n
//   F <n>                                     CALLERROR for n counted
//   O <n>                                     timeout for n handled
//   A <n> <csms id>                           the central system accepted n
//   P <n>                                     n removed from the queue
//   R <n>                                     n accepted before a kill, removed now
//   D                                         drained (--drain only)
// "A" is the acknowledgement record: message n counts as delivered once its A
// line exists. The sender is at-least-once (a kill between T and A resends),
// and the A line makes delivery exactly-once: after a restart a front message
// that already has an A line is removed without being sent again, the way a
// central system recognises a message it already processed.
//
// At every start the process checks the reopened queue against the events
// file and exits with status 4 on any violation: a message enqueued and not
// acknowledged but missing (lost), a removed message that came back
// (duplicated), wrong order, wrong attempt counts, a queued message of an
// acknowledged StartTransaction without its transactionId. It exits with
// status 3 when the storage cannot be opened or fails its integrity check.
//
// Usage: queue_crash_child --data_dir=DIR --events=FILE --seed=N
//                          [--ready_fd=FD] [--drain]
#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hal/linux/sqlite_storage.h"
#include "runtime/durable_queue.h"

namespace {

using ocpp::runtime::DeliveryFailure;
using ocpp::runtime::RetryDecision;
using ocpp::runtime::TransactionMessage;
using ocpp::runtime::TransactionMessageKind;
using ocpp::runtime::TransactionMessageQueue;
using ocpp::runtime::TransactionMessageRetryPolicy;

constexpr int kExitStorage = 3;
constexpr int kExitViolation = 4;
constexpr int kExitUsage = 5;
// The simulated central system's transactionId for local transaction L.
constexpr std::int64_t kCsmsIdBase = 100000;

[[noreturn]] void Fail(int code, const std::string& what) {
  std::fprintf(stderr, "queue_crash_child[%d]: %s\n", static_cast<int>(::getpid()), what.c_str());
  std::fflush(stderr);
  std::_Exit(code);
}

[[noreturn]] void Violation(const std::string& what) { Fail(kExitViolation, "VIOLATION: " + what); }

const char* KindName(TransactionMessageKind kind) {
  switch (kind) {
    case TransactionMessageKind::kStart:
      return "start";
    case TransactionMessageKind::kStop:
      return "stop";
    case TransactionMessageKind::kMeterValues:
      return "meter";
  }
  return "?";
}

TransactionMessageKind KindOfNumber(std::int64_t n) {
  if (n % 6 == 1) return TransactionMessageKind::kStart;
  if (n % 6 == 0) return TransactionMessageKind::kStop;
  return TransactionMessageKind::kMeterValues;
}

std::string PayloadFor(std::int64_t n, TransactionMessageKind kind) {
  const std::string seq = std::to_string(n);
  switch (kind) {
    case TransactionMessageKind::kStart:
      return R"({"connectorId":1,"idTag":"CRASHTEST","meterStart":)" + seq +
             R"(,"timestamp":"2026-01-01T00:00:00Z","seq":)" + seq + "}";
    case TransactionMessageKind::kStop:
      return R"({"meterStop":)" + seq +
             R"(,"timestamp":"2026-01-01T00:00:00Z","transactionId":0,"seq":)" + seq + "}";
    case TransactionMessageKind::kMeterValues:
      return R"({"connectorId":1,"transactionId":0,"meterValue":[{"timestamp":)"
             R"("2026-01-01T00:00:00Z","sampledValue":[{"value":")" +
             seq + R"("}]}],"seq":)" + seq + "}";
  }
  return "{}";
}

struct PayloadFields {
  std::int64_t seq = -1;
  std::optional<std::int64_t> transaction_id;
};

PayloadFields ParsePayload(const std::string& payload) {
  rapidjson::Document doc;
  doc.Parse(payload.c_str());
  PayloadFields fields;
  if (doc.HasParseError() || !doc.IsObject()) Violation("unparseable payload " + payload);
  auto seq = doc.FindMember("seq");
  if (seq == doc.MemberEnd() || !seq->value.IsInt64()) Violation("payload without seq " + payload);
  fields.seq = seq->value.GetInt64();
  auto tx = doc.FindMember("transactionId");
  if (tx != doc.MemberEnd() && tx->value.IsInt64()) fields.transaction_id = tx->value.GetInt64();
  return fields;
}

// The events file: read at start (dropping a torn last line), appended to
// with one write(2) per line.
class Events {
 public:
  struct History {
    std::int64_t max_enqueued = 0;
    std::set<std::int64_t> enqueued;
    std::map<std::int64_t, std::int64_t> acked;  // n -> csms id
    std::set<std::int64_t> popped;
    std::map<std::int64_t, int> failures;                                // n -> F lines
    std::map<std::int64_t, std::pair<std::string, std::int64_t>> kinds;  // n -> kind, local
    int starts = 0;
  };

  explicit Events(const std::string& path) : path_(path) {}

  History Load() {
    std::ifstream in(path_, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const size_t end = content.rfind('\n');
    const size_t keep = end == std::string::npos ? 0 : end + 1;
    if (keep != content.size()) {
      // A kill in the middle of a write: that line was never completed.
      if (::truncate(path_.c_str(), static_cast<off_t>(keep)) != 0 && !content.empty()) {
        Fail(kExitStorage, "cannot truncate " + path_ + ": " + std::strerror(errno));
      }
      content.resize(keep);
    }
    History history;
    std::istringstream lines(content);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string tag;
      fields >> tag;
      std::int64_t n = 0;
      if (tag == "S") {
        ++history.starts;
      } else if (tag == "E") {
        std::string kind;
        std::int64_t local = 0;
        fields >> n >> kind >> local;
        history.enqueued.insert(n);
        history.kinds[n] = {kind, local};
        history.max_enqueued = std::max(history.max_enqueued, n);
      } else if (tag == "A") {
        std::int64_t csms = 0;
        fields >> n >> csms;
        if (!history.acked.emplace(n, csms).second)
          Violation("message acknowledged twice: " + line);
      } else if (tag == "P") {
        fields >> n;
        history.popped.insert(n);
      } else if (tag == "F") {
        fields >> n;
        ++history.failures[n];
      }
    }
    return history;
  }

  void OpenForAppend() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) Fail(kExitStorage, "cannot open " + path_ + ": " + std::strerror(errno));
  }

  void Write(const std::string& line) {
    const std::string text = line + "\n";
    if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      Fail(kExitStorage, "cannot write " + path_);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
};

struct Args {
  std::string data_dir;
  std::string events;
  std::uint64_t seed = 1;
  int ready_fd = -1;
  bool drain = false;
};

Args ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&arg](const char* name) -> std::optional<std::string> {
      const std::string prefix = std::string(name) + "=";
      if (arg.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
      return arg.substr(prefix.size());
    };
    if (auto v = value("--data_dir")) {
      args.data_dir = *v;
    } else if (auto v = value("--events")) {
      args.events = *v;
    } else if (auto v = value("--seed")) {
      args.seed = std::strtoull(v->c_str(), nullptr, 10);
    } else if (auto v = value("--ready_fd")) {
      args.ready_fd = std::atoi(v->c_str());
    } else if (arg == "--drain") {
      args.drain = true;
    } else {
      Fail(kExitUsage, "unknown argument " + arg);
    }
  }
  if (args.data_dir.empty() || args.events.empty()) Fail(kExitUsage, "missing arguments");
  return args;
}

class Child {
 public:
  explicit Child(const Args& args) : args_(args), events_(args.events) {}

  int Run() {
    Events::History history = events_.Load();
    events_.OpenForAppend();
    events_.Write("S " + std::to_string(::getpid()));
    rng_.seed(args_.seed * 1000003u + static_cast<std::uint64_t>(history.starts));

    // A damaged file or a lost -wal after a kill is exactly what this test
    // looks for: fail instead of recovering from it.
    ocpp::hal::SqliteStorage::Options storage_options;
    storage_options.recover_from_corruption = false;
    ocpp::hal::SqliteStorage::OpenReport report;
    auto storage = ocpp::hal::SqliteStorage::Open(args_.data_dir, storage_options, &report);
    if (!storage.ok()) Fail(kExitStorage, storage.status().ToString());
    if (!report.warnings.empty()) Fail(kExitStorage, report.warnings.front());
    storage_ = std::move(storage).value();
    ocpp::base::Status integrity = storage_->CheckIntegrity();
    if (!integrity.ok()) Fail(kExitStorage, integrity.ToString());
    TransactionMessageQueue::Options options;
    options.log = [](TransactionMessageQueue::LogLevel level, const std::string& line) {
      // Only expected: nothing is dropped or repaired in this scenario except
      // finishing a binding interrupted by a kill.
      if (level != TransactionMessageQueue::LogLevel::kInfo) Violation("queue logged: " + line);
    };
    auto queue = TransactionMessageQueue::Open(*storage_, *storage_, options);
    if (!queue.ok()) Fail(kExitStorage, queue.status().ToString());
    queue_ = std::move(queue).value();

    Check(history);
    FinishInterruptedAcknowledgement(history);
    if (args_.ready_fd >= 0) {
      const char ready = 'R';
      if (::write(args_.ready_fd, &ready, 1) != 1) Fail(kExitUsage, "cannot signal readiness");
      ::close(args_.ready_fd);
    }
    if (args_.drain) {
      while (!queue_->empty()) Deliver();
      events_.Write("D");
      return 0;
    }
    for (;;) {
      // A random backlog so that messages pile up (as offline) and also flow
      // one by one (as online).
      if (queue_->size() < backlog_target_) {
        EnqueueNext();
      } else if (!queue_->empty()) {
        Deliver();
      }
      if (std::uniform_int_distribution<int>(0, 9)(rng_) == 0) {
        backlog_target_ = std::uniform_int_distribution<std::size_t>(0, 12)(rng_);
      }
    }
  }

 private:
  // The reopened queue must be exactly what the events say it is.
  void Check(const Events::History& history) {
    std::int64_t previous = 0;
    std::set<std::int64_t> queued;
    // The newest StartTransaction: its local id is the current transaction's.
    std::int64_t newest_start = 0;
    for (const auto& [n, kind_local] : history.kinds) {
      if (kind_local.first == "start" && n > newest_start) {
        newest_start = n;
        current_local_ = kind_local.second;
      }
    }
    for (const TransactionMessage& message : queue_->Messages()) {
      const PayloadFields fields = ParsePayload(message.payload);
      const std::int64_t n = fields.seq;
      const std::string where = "message " + std::to_string(n) + ": ";
      if (n <= previous) Violation(where + "out of order after " + std::to_string(previous));
      previous = n;
      queued.insert(n);
      if (history.popped.count(n) != 0) Violation(where + "removed before, but back in the queue");
      if (message.kind != KindOfNumber(n)) Violation(where + "wrong kind");
      if (history.enqueued.count(n) == 0) {
        // Only the newest message can lack its E line: killed after Enqueue
        // returned and before the line was written. Record it now.
        if (n != history.max_enqueued + 1) Violation(where + "in the queue but never enqueued");
        events_.Write("E " + std::to_string(n) + " " + KindName(message.kind) + " " +
                      std::to_string(message.local_transaction_id));
      }
      auto failures = history.failures.find(n);
      const int counted = failures == history.failures.end() ? 0 : failures->second;
      if (message.attempts != counted && message.attempts != counted + 1) {
        Violation(where + "attempts " + std::to_string(message.attempts) + ", but " +
                  std::to_string(counted) + " CALLERRORs were counted");
      }
      if (message.kind == TransactionMessageKind::kStart) {
        if (n > newest_start) {
          newest_start = n;
          current_local_ = message.local_transaction_id;
        }
      } else {
        // Once its StartTransaction was accepted and removed, a message must
        // carry the transactionId the central system assigned.
        const std::int64_t start = n - (n - 1) % 6;
        auto start_ack = history.acked.find(start);
        if (start_ack != history.acked.end() && queued.count(start) == 0 &&
            fields.transaction_id != start_ack->second) {
          Violation(where + "its StartTransaction was accepted with transactionId " +
                    std::to_string(start_ack->second) + " but it carries " +
                    (fields.transaction_id ? std::to_string(*fields.transaction_id) : "none"));
        }
      }
      next_ = std::max(next_, n + 1);
    }
    for (std::int64_t n : history.enqueued) {
      if (queued.count(n) == 0 && history.acked.count(n) == 0) {
        Violation("message " + std::to_string(n) + " was enqueued, never accepted, and is gone");
      }
    }
    next_ = std::max(next_, history.max_enqueued + 1);
  }

  // A kill after the central system accepted the front message (A line) but
  // before it was removed: remove it now, without sending it again.
  void FinishInterruptedAcknowledgement(const Events::History& history) {
    std::optional<TransactionMessage> front = queue_->Front();
    if (!front) return;
    const std::int64_t n = ParsePayload(front->payload).seq;
    auto ack = history.acked.find(n);
    if (ack == history.acked.end()) return;
    events_.Write("R " + std::to_string(n));
    if (front->kind == TransactionMessageKind::kStart) {
      MustOk(queue_->BindTransactionId(front->local_transaction_id, ack->second), "bind");
    }
    MustOk(queue_->PopFront(), "pop");
    events_.Write("P " + std::to_string(n));
  }

  void EnqueueNext() {
    const std::int64_t n = next_;
    const TransactionMessageKind kind = KindOfNumber(n);
    if (kind == TransactionMessageKind::kStart) {
      auto local = queue_->AllocateLocalTransactionId();
      if (!local.ok()) Fail(kExitStorage, local.status().ToString());
      if (*local <= current_local_) {
        Violation("local transaction id " + std::to_string(*local) + " reused (previous " +
                  std::to_string(current_local_) + ")");
      }
      current_local_ = *local;
    }
    auto seq =
        queue_->Enqueue(kind, ocpp::runtime::ActionName(kind), PayloadFor(n, kind), current_local_);
    if (!seq.ok()) Fail(kExitStorage, "enqueue: " + seq.status().ToString());
    events_.Write("E " + std::to_string(n) + " " + KindName(kind) + " " +
                  std::to_string(current_local_));
    next_ = n + 1;
  }

  void Deliver() {
    const TransactionMessage front = *queue_->Front();
    const PayloadFields fields = ParsePayload(front.payload);
    const std::int64_t n = fields.seq;
    const std::int64_t local = front.local_transaction_id;
    if (front.kind != TransactionMessageKind::kStart &&
        fields.transaction_id != kCsmsIdBase + local) {
      Violation("about to send message " + std::to_string(n) + " without its transactionId");
    }
    events_.Write("T " + std::to_string(n) + " " + KindName(front.kind) + " " +
                  std::to_string(local) + " " + std::to_string(front.attempts) + " " +
                  (fields.transaction_id ? std::to_string(*fields.transaction_id) : "none"));

    const TransactionMessageRetryPolicy policy(3, std::chrono::seconds(0));
    if (n % 5 == 0 && front.attempts == 0) {
      auto decision = queue_->HandleFailure(DeliveryFailure::kCallError, policy);
      if (!decision.ok()) Fail(kExitStorage, decision.status().ToString());
      if (decision->action != RetryDecision::Action::kResend || decision->attempts != 1) {
        Violation("unexpected retry decision for message " + std::to_string(n));
      }
      events_.Write("F " + std::to_string(n));
      return;
    }
    if (n % 7 == 0 && std::uniform_int_distribution<int>(0, 1)(rng_) == 0) {
      auto decision = queue_->HandleFailure(DeliveryFailure::kTimeout, policy);
      if (!decision.ok()) Fail(kExitStorage, decision.status().ToString());
      if (queue_->Front()->attempts != front.attempts) Violation("a timeout consumed an attempt");
      events_.Write("O " + std::to_string(n));
      return;
    }
    const std::int64_t csms =
        front.kind == TransactionMessageKind::kStart ? kCsmsIdBase + local : 0;
    events_.Write("A " + std::to_string(n) + " " + std::to_string(csms));
    if (front.kind == TransactionMessageKind::kStart) {
      MustOk(queue_->BindTransactionId(local, csms), "bind");
    }
    MustOk(queue_->PopFront(), "pop");
    events_.Write("P " + std::to_string(n));
  }

  static void MustOk(const ocpp::base::Status& status, const char* what) {
    if (!status.ok()) Fail(kExitStorage, std::string(what) + ": " + status.ToString());
  }

  Args args_;
  Events events_;
  std::mt19937_64 rng_;
  std::unique_ptr<ocpp::hal::SqliteStorage> storage_;
  std::unique_ptr<TransactionMessageQueue> queue_;
  std::int64_t next_ = 1;
  std::int64_t current_local_ = 0;
  std::size_t backlog_target_ = 4;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  Child child(args);
  return child.Run();
}
