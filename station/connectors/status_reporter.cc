#include "station/connectors/status_reporter.h"

#include <memory>

namespace ocpp::station {

StatusReporter::StatusReporter(StationContext& context, int connector_count, Display display)
    : context_(context),
      display_(std::move(display)),
      entries_(static_cast<std::size_t>(connector_count) + 1) {
  for (Entry& entry : entries_) entry.since = context_.Now();
}

StatusReporter::~StatusReporter() {
  for (Entry& entry : entries_) context_.CancelTimer(&entry.timer);
}

v16::ChargePointStatus StatusReporter::status(int connector) const {
  return entries_.at(static_cast<std::size_t>(connector)).current.status;
}

void StatusReporter::ShowAll() {
  if (!display_) return;
  for (std::size_t c = 0; c < entries_.size(); ++c) {
    display_(static_cast<int>(c), entries_[c].current.status, entries_[c].current.error_code);
  }
}

void StatusReporter::Set(int connector, const ReportedStatus& status) {
  Entry& entry = entries_.at(static_cast<std::size_t>(connector));
  if (entry.current == status) return;
  const bool status_changed = entry.current.status != status.status;
  entry.current = status;
  if (display_) display_(connector, status.status, status.error_code);
  if (status_changed) entry.since = context_.Now();
  Report(connector);
}

void StatusReporter::Report(int connector) {
  Entry& entry = entries_[static_cast<std::size_t>(connector)];
  if (entry.sent == entry.current) return;
  context_.CancelTimer(&entry.timer);
  const std::int64_t minimum = context_.config().Get(keys::kMinimumStatusDuration);
  if (minimum <= 0) return Send(connector, entry.since);
  // Report only states that last MinimumStatusDuration (section 9.1.17),
  // stamped with the time the status began (section 4.9).
  entry.timer = context_.AddTimer(base::Milliseconds(minimum * 1000), [this, connector] {
    Entry& e = entries_[static_cast<std::size_t>(connector)];
    e.timer = 0;
    if (e.sent != e.current) Send(connector, e.since);
  });
}

void StatusReporter::ReportAll(bool boot, std::function<void()> done) {
  const std::uint64_t epoch = ++epoch_;
  auto remaining = std::make_shared<int>(1);  // 1: held until all are sent
  auto release = [this, epoch, remaining, done = std::move(done)] {
    if (--*remaining > 0) return;
    if (epoch == epoch_ && done) done();
  };
  for (std::size_t c = 0; c < entries_.size(); ++c) {
    Entry& entry = entries_[c];
    // Not delayed by MinimumStatusDuration (section 2.4 of the checklist).
    context_.CancelTimer(&entry.timer);
    // What the central system has not acknowledged counts as not sent: a
    // report lost with the connection is sent again.
    if (!boot) entry.sent = entry.acked;
    if (boot || entry.sent != entry.current) {
      ++*remaining;
      Send(static_cast<int>(c), boot ? context_.Now() : entry.since, context_.Guard(release));
    }
  }
  release();
}

void StatusReporter::Resend(int connector) {
  if (connector < 0 || connector >= static_cast<int>(entries_.size())) return;
  Send(connector, context_.Now());
}

void StatusReporter::Send(int connector, codec::DateTime timestamp, std::function<void()> done) {
  if (!context_.online()) {
    if (done) done();
    return;  // sent on (re)connect
  }
  Entry& entry = entries_[static_cast<std::size_t>(connector)];
  v16::StatusNotificationReq req;
  req.connector_id = connector;
  req.status = entry.current.status;
  req.error_code = entry.current.error_code;
  if (entry.current.info) req.info = Ci<50>(*entry.current.info);
  req.timestamp = timestamp;
  entry.sent = entry.current;
  context_.rpc().Call(
      req, context_.Guard([this, connector, status = entry.current, done = std::move(done)](
                              runtime::CallOutcome<v16::StatusNotificationConf> outcome) {
        if (std::holds_alternative<v16::StatusNotificationConf>(outcome)) {
          entries_[static_cast<std::size_t>(connector)].acked = status;
        }
        if (done) done();
      }));
}

}  // namespace ocpp::station
