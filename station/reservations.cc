#include "station/reservations.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace ocpp::station {

using v16::ChargePointStatus;
using v16::ReservationStatus;

namespace {

constexpr std::string_view kPrefix = "station/reservation/";

std::string Key(std::int64_t id) { return std::string(kPrefix) + std::to_string(id); }

bool Same(const std::string& a, const std::string& b) { return codec::EqualsIgnoreAsciiCase(a, b); }

bool EndsReservation(ChargePointStatus status) {
  return status == ChargePointStatus::kFaulted || status == ChargePointStatus::kUnavailable;
}

std::string Serialize(const Reservation& r) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("id");
  w.Int64(r.id);
  w.Key("connector");
  w.Int(r.connector);
  w.Key("id_tag");
  w.String(r.id_tag.c_str());
  if (r.parent_id_tag) {
    w.Key("parent_id_tag");
    w.String(r.parent_id_tag->c_str());
  }
  w.Key("expiry");
  w.Int64(r.expiry.unix_millis());
  w.EndObject();
  return buffer.GetString();
}

std::optional<Reservation> Parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.c_str());  // storage may be damaged
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto member = [&doc](const char* name) -> const rapidjson::Value* {
    auto it = doc.FindMember(name);
    return it == doc.MemberEnd() ? nullptr : &it->value;
  };
  const auto *id = member("id"), *connector = member("connector"), *tag = member("id_tag"),
             *parent = member("parent_id_tag"), *expiry = member("expiry");
  if (!id || !id->IsInt64() || !connector || !connector->IsInt() || !tag || !tag->IsString() ||
      !expiry || !expiry->IsInt64() || (parent && !parent->IsString())) {
    return std::nullopt;
  }
  Reservation r;
  r.id = id->GetInt64();
  r.connector = connector->GetInt();
  r.id_tag = tag->GetString();
  if (parent) r.parent_id_tag = parent->GetString();
  r.expiry = codec::DateTime::FromUnixMillis(expiry->GetInt64());
  return r;
}

}  // namespace

Reservations::Reservations(StationContext& context, Connectors& connectors)
    : context_(context), connectors_(connectors) {
  Load();
  runtime::RpcEndpoint& rpc = context_.rpc();
  rpc.Handle<v16::Action::kReserveNow>(
      [this](const v16::ReserveNowReq& req) -> runtime::HandlerResult<v16::ReserveNowConf> {
        const ReservationStatus status = Reserve(req);
        if (status == ReservationStatus::kAccepted) {
          // Reserved is reported after the ReserveNow.conf.
          context_.PostAfterReply([this] { connectors_.Refresh(); });
        }
        return v16::ReserveNowConf{status};
      });
  rpc.Handle<v16::Action::kCancelReservation>(
      [this](const v16::CancelReservationReq& req)
          -> runtime::HandlerResult<v16::CancelReservationConf> {
        if (reservations_.count(req.reservation_id) == 0) {
          return v16::CancelReservationConf{v16::CancelReservationStatus::kRejected};
        }
        End(req.reservation_id, "cancelled");
        context_.PostAfterReply([this] { connectors_.Refresh(); });
        return v16::CancelReservationConf{v16::CancelReservationStatus::kAccepted};
      });
}

Reservations::~Reservations() { context_.CancelTimer(&expiry_timer_); }

void Reservations::Load() {
  auto stored = context_.store().List(kPrefix);
  if (!stored.ok()) {
    context_.Log("cannot read the reservations: " + stored.status().message(), LogLevel::kError);
    return;
  }
  for (const auto& [key, value] : *stored) {
    std::optional<Reservation> r = Parse(value);
    if (!r || r->connector < 0 || r->connector > connectors_.count()) {
      context_.Log("discarding an unusable reservation record", LogLevel::kError);
      (void)context_.store().Delete(key);
      continue;
    }
    reservations_[r->id] = std::move(*r);
  }
  ArmExpiry();  // ends those that expired while the station was off
}

ReservationStatus Reservations::Reserve(const v16::ReserveNowReq& req) {
  const int c = req.connector_id;
  if (c < 0 || c > connectors_.count()) return ReservationStatus::kRejected;
  if (c == 0 && !context_.config().Get(keys::kReserveConnectorZeroSupported)) {
    return ReservationStatus::kRejected;
  }
  if (req.expiry_date.unix_millis() <= context_.Now().unix_millis()) {
    context_.Log("ReserveNow rejected: expiryDate has passed");
    return ReservationStatus::kRejected;
  }
  // The same reservationId replaces the earlier one; if the new one is
  // refused the earlier one stays.
  std::optional<Reservation> replaced;
  if (auto it = reservations_.find(req.reservation_id); it != reservations_.end()) {
    replaced = it->second;
    reservations_.erase(it);
  }
  const ReservationStatus status = Admissible(c);
  Reservation r;
  r.id = req.reservation_id;
  r.connector = c;
  r.id_tag = req.id_tag.ToString();
  if (req.parent_id_tag) r.parent_id_tag = req.parent_id_tag->ToString();
  r.expiry = req.expiry_date;
  if (status != ReservationStatus::kAccepted || !Store(r)) {
    if (replaced) reservations_[replaced->id] = *replaced;
    return status == ReservationStatus::kAccepted ? ReservationStatus::kRejected : status;
  }
  reservations_[r.id] = r;
  context_.Log("reservation " + std::to_string(r.id) + " on connector " + std::to_string(c));
  ArmExpiry();
  return ReservationStatus::kAccepted;
}

ReservationStatus Reservations::Admissible(int c) const {
  const ChargePointStatus station = connectors_.status(0);
  if (station == ChargePointStatus::kFaulted) return ReservationStatus::kFaulted;
  if (station == ChargePointStatus::kUnavailable) return ReservationStatus::kUnavailable;
  const std::vector<int> free = FreeConnectors();
  const auto zero = static_cast<std::size_t>(ZeroReservations());
  if (c == 0) {
    if (free.size() > zero) return ReservationStatus::kAccepted;
    bool all_faulted = true, all_unavailable = true;
    for (int i = 1; i <= connectors_.count(); ++i) {
      all_faulted &= connectors_.status(i) == ChargePointStatus::kFaulted;
      all_unavailable &= connectors_.status(i) == ChargePointStatus::kUnavailable;
    }
    if (all_faulted) return ReservationStatus::kFaulted;
    if (all_unavailable) return ReservationStatus::kUnavailable;
    return ReservationStatus::kOccupied;
  }
  const ChargePointStatus status = connectors_.status(c);
  if (status == ChargePointStatus::kFaulted) return ReservationStatus::kFaulted;
  if (status == ChargePointStatus::kUnavailable) return ReservationStatus::kUnavailable;
  // Free, and not one of the connectors kept for connector 0's holders.
  const bool is_free = std::find(free.begin(), free.end(), c) != free.end();
  return is_free && free.size() > zero ? ReservationStatus::kAccepted
                                       : ReservationStatus::kOccupied;
}

std::vector<int> Reservations::FreeConnectors() const {
  std::vector<int> free;
  for (int c = 1; c <= connectors_.count(); ++c) {
    const ChargePointStatus status = connectors_.status(c);
    // Reserved without a reservation of its own: held for connector 0, or
    // a reservation that is being replaced.
    if (status != ChargePointStatus::kAvailable && status != ChargePointStatus::kReserved) continue;
    const bool own = std::any_of(reservations_.begin(), reservations_.end(),
                                 [c](const auto& entry) { return entry.second.connector == c; });
    if (!own) free.push_back(c);
  }
  return free;
}

int Reservations::ZeroReservations() const {
  return static_cast<int>(std::count_if(reservations_.begin(), reservations_.end(),
                                        [](const auto& e) { return e.second.connector == 0; }));
}

bool Reservations::Matches(const Reservation& r, const std::string& id_tag,
                           const std::optional<std::string>& parent) const {
  // "the incoming idTag or the parent idTag match the idTag or parent idTag
  // of the reservation" (section 5.13).
  if (Same(id_tag, r.id_tag) || (r.parent_id_tag && Same(id_tag, *r.parent_id_tag))) return true;
  return parent &&
         (Same(*parent, r.id_tag) || (r.parent_id_tag && Same(*parent, *r.parent_id_tag)));
}

bool Reservations::MayUse(int c, const std::string& id_tag,
                          const std::optional<std::string>& parent,
                          std::optional<std::int64_t>* reservation_id) const {
  reservation_id->reset();
  for (const auto& [id, r] : reservations_) {
    if (r.connector != c) continue;
    if (!Matches(r, id_tag, parent)) return false;  // held for someone else
    *reservation_id = id;
    return true;
  }
  const int zero = ZeroReservations();
  if (zero == 0) return true;
  for (const auto& [id, r] : reservations_) {
    if (r.connector == 0 && Matches(r, id_tag, parent)) {
      *reservation_id = id;
      return true;
    }
  }
  // Someone else: only if enough free connectors stay for the holders.
  std::vector<int> free = FreeConnectors();
  free.erase(std::remove(free.begin(), free.end(), c), free.end());
  return static_cast<int>(free.size()) >= zero;
}

void Reservations::Consume(std::int64_t reservation_id) {
  if (reservations_.count(reservation_id) != 0) End(reservation_id, "used");
}

std::vector<bool> Reservations::Held(const std::vector<ChargePointStatus>& unreserved) {
  std::vector<bool> held(unreserved.size(), false);
  if (reservations_.empty()) return held;
  std::vector<std::int64_t> ended;
  const bool station_down = !unreserved.empty() && EndsReservation(unreserved[0]);
  int zero = 0;
  for (const auto& [id, r] : reservations_) {
    const auto c = static_cast<std::size_t>(r.connector);
    if (station_down || c >= unreserved.size() || (c > 0 && EndsReservation(unreserved[c]))) {
      ended.push_back(id);
    } else if (c == 0) {
      ++zero;
    } else {
      held[c] = true;
    }
  }
  if (zero > 0) {
    std::vector<std::size_t> free;
    for (std::size_t c = 1; c < unreserved.size(); ++c) {
      if (!held[c] && unreserved[c] == ChargePointStatus::kAvailable) free.push_back(c);
    }
    // No more free connectors than holders: they are all kept for them.
    if (static_cast<int>(free.size()) <= zero) {
      for (std::size_t c : free) held[c] = true;
    }
  }
  if (!ended.empty()) {
    // Not from inside Refresh(): end them next, then refresh again.
    context_.Post([this, ended] {
      for (std::int64_t id : ended) {
        if (reservations_.count(id) != 0) End(id, "its connector is Faulted or Unavailable");
      }
      connectors_.Refresh();
    });
  }
  return held;
}

bool Reservations::Store(const Reservation& r) {
  const base::Status status = context_.store().Put(Key(r.id), Serialize(r));
  if (!status.ok()) {
    context_.Log("cannot persist the reservation: " + status.message(), LogLevel::kError);
  }
  return status.ok();
}

void Reservations::End(std::int64_t id, const std::string& why) {
  reservations_.erase(id);
  (void)context_.store().Delete(Key(id));
  context_.Log("reservation " + std::to_string(id) + " ended: " + why);
  ArmExpiry();
}

void Reservations::ArmExpiry() {
  context_.CancelTimer(&expiry_timer_);
  const std::int64_t now = context_.Now().unix_millis();
  std::vector<std::int64_t> expired;
  std::optional<std::int64_t> next;
  for (const auto& [id, r] : reservations_) {
    const std::int64_t at = r.expiry.unix_millis();
    if (at <= now) {
      expired.push_back(id);
    } else if (!next || at < *next) {
      next = at;
    }
  }
  for (std::int64_t id : expired) {
    reservations_.erase(id);
    (void)context_.store().Delete(Key(id));
    context_.Log("reservation " + std::to_string(id) + " expired");
  }
  if (!expired.empty()) context_.Post([this] { connectors_.Refresh(); });
  if (!next) return;
  // Fires at the expiry on the station's clock; early (a clock set back)
  // it just arms again.
  expiry_timer_ = context_.AddTimer(base::Milliseconds(*next - now), [this] {
    expiry_timer_ = 0;
    ArmExpiry();
  });
}

}  // namespace ocpp::station
