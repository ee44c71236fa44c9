#include "station/transactions/transactions.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "runtime/durable_queue.h"

namespace ocpp::station {
namespace {

constexpr std::string_view kTransactionKey = "station/transaction/";
constexpr std::string_view kFinishingKey = "station/finishing/";
// Keys of the single-connector releases: connector 1's state.
constexpr std::string_view kLegacyTransactionKey = "station/transaction";
constexpr std::string_view kLegacyFinishingKey = "station/finishing";

std::string TransactionKey(int connector) {
  return std::string(kTransactionKey) + std::to_string(connector);
}
std::string FinishingKey(int connector) {
  return std::string(kFinishingKey) + std::to_string(connector);
}

// The placeholder the outbox replaces with the CSMS transactionId.
template <class T>
T UnknownId() {
  return static_cast<T>(runtime::kUnknownTransactionId);
}

}  // namespace

Transactions::Transactions(StationContext& context, Connectors& connectors,
                           Authorization& authorization, Outbox& outbox)
    : context_(context),
      connectors_(connectors),
      authorization_(authorization),
      outbox_(outbox),
      slots_(static_cast<std::size_t>(connectors.count()) + 1) {
  outbox_.SetStartAccepted([this](std::int64_t local_id, const v16::StartTransactionConf& conf) {
    OnStartAccepted(local_id, conf);
  });
  // A transaction that ended with the EV connected keeps the connector
  // Finishing across a reboot until the EV is unplugged (TC_015, TC_016).
  for (int c = 1; c <= connectors_.count(); ++c) {
    auto stored = context_.store().Get(FinishingKey(c));
    if (!stored.ok() && c == 1) stored = context_.store().Get(kLegacyFinishingKey);
    if (stored.ok() && *stored == "true" && connectors_.vehicle_connected(c)) {
      at(c).finishing = true;
      (void)context_.store().Put(FinishingKey(c), "true");
    } else {
      (void)context_.store().Delete(FinishingKey(c));
    }
  }
  (void)context_.store().Delete(kLegacyFinishingKey);
  RegisterHandlers();
  Publish();
}

Transactions::~Transactions() {
  for (Slot& slot : slots_) {
    context_.CancelTimer(&slot.connection_timer);
    context_.CancelTimer(&slot.persist_timer);
  }
}

const Transaction* Transactions::Active(int connector) const {
  if (!connectors_.exists(connector)) return nullptr;
  const auto& tx = at(connector).tx;
  return tx ? &*tx : nullptr;
}

std::optional<std::int64_t> Transactions::CsmsTransactionId(int connector) const {
  const Transaction* tx = Active(connector);
  if (tx == nullptr) return std::nullopt;
  auto bound = outbox_.BoundTransactionId(tx->local_id);
  if (!bound || *bound == runtime::kUnknownTransactionId) return std::nullopt;
  return bound;
}

std::int64_t Transactions::ReadEnergyWh(int connector) {
  const Transaction* tx = Active(connector);
  return connectors_.meter(connector).ReadEnergyActiveImportWh().value_or(tx ? tx->meter_start_wh
                                                                             : 0);
}

void Transactions::Publish() {
  PublishFacts();
  connectors_.Refresh();
}

void Transactions::PublishFacts() {
  for (int c = 1; c <= connectors_.count(); ++c) {
    ConnectorFacts& facts = connectors_.facts(c);
    const Slot& slot = at(c);
    facts.transaction = slot.tx.has_value();
    facts.suspended_evse = slot.tx && slot.tx->suspended_evse;
    facts.finishing = slot.finishing;
    facts.authorization_waiting = slot.pending.has_value();
  }
}

void Transactions::TryStart(int c) {
  Slot& slot = at(c);
  if (slot.tx || !slot.pending || !connectors_.vehicle_connected(c) || !connectors_.usable(c)) {
    return;
  }
  auto local_id = outbox_.AllocateLocalTransactionId();
  if (!local_id.ok()) {
    context_.Log("cannot start a transaction: " + local_id.status().message(), LogLevel::kError);
    return;
  }
  context_.CancelTimer(&slot.connection_timer);
  Transaction tx;
  tx.connector = c;
  tx.local_id = *local_id;
  tx.id_tag = slot.pending->id_tag;
  tx.parent_id_tag = slot.pending->parent_id_tag;
  tx.charging_profile = std::move(slot.pending->charging_profile);
  const std::optional<std::int64_t> reservation_id = slot.pending->reservation_id;
  tx.started = context_.Now();
  slot.tx = std::move(tx);
  slot.tx->meter_start_wh = ReadEnergyWh(c);
  slot.pending.reset();
  SetFinishing(c, false);
  // Persisted before the message exists, so a power cut can always stop it;
  // Recover() discards a record whose StartTransaction never got queued.
  PersistReading(c, std::nullopt);
  v16::StartTransactionReq start;
  start.connector_id = c;
  start.id_tag = Ci<20>(slot.tx->id_tag);
  start.meter_start = static_cast<decltype(start.meter_start)>(slot.tx->meter_start_wh);
  start.timestamp = slot.tx->started;
  start.reservation_id = reservation_id;
  outbox_.Enqueue(start, slot.tx->local_id);
  // The reservation ends with the transaction it was for (section 5.13).
  if (reservation_id && reservations_) reservations_->Consume(*reservation_id);
  ArmPersistTimer(c);
  if (events_.on_started) events_.on_started(c);
  Publish();
}

void Transactions::OnStartAccepted(std::int64_t local_id, const v16::StartTransactionConf& conf) {
  for (int c = 1; c <= connectors_.count(); ++c) {
    Slot& slot = at(c);
    if (!slot.tx || slot.tx->local_id != local_id) continue;
    authorization_.Learn(slot.tx->id_tag, conf.id_tag_info);
    if (conf.id_tag_info.status == v16::AuthorizationStatus::kAccepted) {
      slot.tx->confirmed = true;
      if (conf.id_tag_info.parent_id_tag) {
        slot.tx->parent_id_tag = conf.id_tag_info.parent_id_tag->ToString();
      }
      PersistReading(c, std::nullopt);
    } else if (context_.config().Get(keys::kStopTransactionOnInvalidId)) {
      Stop(c, v16::Reason::kDeAuthorized, std::nullopt);
    } else {
      slot.tx->suspended_evse = true;  // C5: only the energy stops
    }
    Publish();
    return;
  }
}

void Transactions::Stop(int c, v16::Reason reason, std::optional<std::string> id_tag) {
  Slot& slot = at(c);
  if (!slot.tx) return;
  const codec::DateTime now = context_.Now();
  const std::int64_t meter_stop = ReadEnergyWh(c);
  if (events_.on_stopping) events_.on_stopping(c, now);
  v16::StopTransactionReq stop;
  stop.transaction_id = UnknownId<decltype(stop.transaction_id)>();  // the outbox binds it
  stop.meter_stop = static_cast<decltype(stop.meter_stop)>(meter_stop);
  stop.timestamp = now;
  // idTag is "the identifier which requested to stop" (section 6.49): only
  // when a card stopped it. The reason is always sent, Local too (product).
  if (id_tag) stop.id_tag = Ci<20>(*id_tag);
  stop.reason = reason;
  if (!slot.tx->stop_data.empty()) stop.transaction_data = slot.tx->stop_data;
  const std::int64_t local_id = slot.tx->local_id;
  slot.tx.reset();
  context_.CancelTimer(&slot.persist_timer);
  // Queue first, then forget the transaction: a crash in between sends the
  // stop twice at worst (Recover() sees the queued stop).
  outbox_.Enqueue(stop, local_id);
  (void)context_.store().Delete(TransactionKey(c));
  SetFinishing(c, connectors_.vehicle_connected(c));  // user action needed: unplug (C6)
  if (events_.on_stopped) events_.on_stopped(c, slot.finishing);
  Publish();
}

void Transactions::StopAll(v16::Reason reason) {
  for (int c = 1; c <= connectors_.count(); ++c) Stop(c, reason, std::nullopt);
}

void Transactions::AddStopData(int c, const v16::MeterValue& value) {
  Slot& slot = at(c);
  if (!slot.tx || value.sampled_value.empty()) return;
  auto& data = slot.tx->stop_data;
  data.push_back(value);
  // StopTransactionMaxMeterValues: drop every other intermediate value,
  // never the first or the last (errata 3.89).
  const auto max = static_cast<std::size_t>(
      std::max<std::int64_t>(2, context_.config().Get(keys::kStopTransactionMaxMeterValues)));
  for (std::size_t i = 1; data.size() > max && i + 1 < data.size(); ++i) {
    data.erase(data.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

void Transactions::PersistReading(int c, std::optional<codec::DateTime> when) {
  Slot& slot = at(c);
  if (!slot.tx) return;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("local_id");
  w.Int64(slot.tx->local_id);
  w.Key("id_tag");
  w.String(slot.tx->id_tag.c_str());
  w.Key("meter_start");
  w.Int64(slot.tx->meter_start_wh);
  w.Key("last_meter");
  w.Int64(ReadEnergyWh(c));
  w.Key("last_time");
  w.Int64(when.value_or(context_.Now()).unix_millis());
  w.EndObject();
  auto status = context_.store().Put(TransactionKey(c), buffer.GetString());
  if (!status.ok())
    context_.Log("cannot persist the transaction: " + status.message(), LogLevel::kError);
}

// The register reading a power cut would stop the transaction with is
// persisted at least every 60 s, samples or not (checklist 1.10); a timer
// per running transaction, nothing while idle.
void Transactions::ArmPersistTimer(int c) {
  context_.CancelTimer(&at(c).persist_timer);
  at(c).persist_timer = context_.AddTimer(std::chrono::seconds(60), [this, c] {
    at(c).persist_timer = 0;
    if (!at(c).tx) return;
    PersistReading(c, std::nullopt);
    ArmPersistTimer(c);
  });
}

void Transactions::Recover() {
  // The single-connector releases kept connector 1's record here.
  if (auto legacy = context_.store().Get(kLegacyTransactionKey); legacy.ok()) {
    (void)context_.store().Put(TransactionKey(1), *legacy);
    (void)context_.store().Delete(kLegacyTransactionKey);
  }
  for (int c = 1; c <= hal::kMaxConnectors; ++c) RecoverConnector(c);
  Publish();
}

void Transactions::RecoverConnector(int c) {
  auto stored = context_.store().Get(TransactionKey(c));
  if (!stored.ok()) return;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(stored->c_str());  // storage may be damaged
  const bool readable = !doc.HasParseError() && doc.IsObject() && doc.HasMember("local_id") &&
                        doc["local_id"].IsInt64() && doc.HasMember("last_meter") &&
                        doc["last_meter"].IsInt64() && doc.HasMember("last_time") &&
                        doc["last_time"].IsInt64() && doc.HasMember("id_tag") &&
                        doc["id_tag"].IsString();
  const std::int64_t local_id = readable ? doc["local_id"].GetInt64() : 0;
  if (!readable) {
    context_.Log("discarding an unreadable interrupted-transaction record", LogLevel::kError);
  } else if (!outbox_.Knows(local_id)) {
    // The power went after the record was written but before its
    // StartTransaction was queued: no energy flowed and nobody knows of it.
    context_.Log("discarding a transaction interrupted before it was reported", LogLevel::kWarning);
  } else if (!connectors_.exists(c)) {
    context_.Log("connector " + std::to_string(c) + " is gone; its transaction is stopped",
                 LogLevel::kWarning);
  }
  if (readable && outbox_.Knows(local_id) && !outbox_.HasQueuedStop(local_id)) {
    // No backup power: the transaction ended when the power went (TC_032_2),
    // with the last reading we persisted.
    v16::StopTransactionReq stop;
    stop.transaction_id = UnknownId<decltype(stop.transaction_id)>();
    stop.meter_stop = static_cast<decltype(stop.meter_stop)>(doc["last_meter"].GetInt64());
    stop.timestamp = codec::DateTime::FromUnixMillis(doc["last_time"].GetInt64());
    stop.reason = v16::Reason::kPowerLoss;  // the station stopped it: no idTag
    context_.Log("stopping the transaction interrupted by a power loss");
    outbox_.Enqueue(stop, local_id);
  }
  (void)context_.store().Delete(TransactionKey(c));
  // The EV is still connected: the user has to unplug (checklist 1.10 item 5).
  if (connectors_.exists(c)) SetFinishing(c, connectors_.vehicle_connected(c));
}

void Transactions::SetFinishing(int c, bool finishing) {
  Slot& slot = at(c);
  if (finishing == slot.finishing) return;
  slot.finishing = finishing;
  if (finishing) {
    (void)context_.store().Put(FinishingKey(c), "true");
  } else {
    (void)context_.store().Delete(FinishingKey(c));
  }
}

}  // namespace ocpp::station
