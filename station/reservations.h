// The Reservation profile (OCPP 1.6 sections 3.11, 5.1, 5.13):
// ReserveNow and CancelReservation, the Reserved status, who may start on a
// reserved connector, and the reservation's end.
//
//  * ReserveNow on connector c: Accepted when c is Available; Faulted,
//    Unavailable or Occupied (a session, a plugged EV, another
//    reservation) otherwise, the station's own Faulted/Unavailable first. The
//    same reservationId replaces the earlier reservation (a refused
//    replacement keeps it).
//  * Connector 0 (ReserveConnectorZeroSupported is true): no connector is
//    picked, but one stays free for the holder: while the free connectors are
//    no more than the connector-0 reservations, they are all held (Reserved).
//  * Only the holder starts on a held connector: its idTag or parentIdTag
//    equal to the reservation's idTag or parentIdTag. Its StartTransaction
//    carries the reservationId and the reservation ends.
//  * It also ends at expiryDate (on the station's clock), on
//    CancelReservation, and when its connector or the station becomes
//    Faulted or Unavailable. Reservations are persisted (one key each): they
//    survive Reset and power cuts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "station/connectors/connectors.h"
#include "station/context.h"
#include "station/transactions/transactions.h"

namespace ocpp::station {

struct Reservation {
  std::int64_t id = 0;
  int connector = 0;  // 0: any connector of the station
  std::string id_tag;
  std::optional<std::string> parent_id_tag;
  codec::DateTime expiry;
};

class Reservations final : public ReservationGate, public ReservationSource {
 public:
  // Loads the persisted reservations (expired ones end) and registers the
  // handlers. Attach it with Connectors::SetReservations and
  // Transactions::SetReservationGate.
  Reservations(StationContext& context, Connectors& connectors);
  ~Reservations() override;
  Reservations(const Reservations&) = delete;
  Reservations& operator=(const Reservations&) = delete;

  // ReservationGate.
  bool MayUse(int connector, const std::string& id_tag, const std::optional<std::string>& parent,
              std::optional<std::int64_t>* reservation_id) const override;
  void Consume(std::int64_t reservation_id) override;
  // ReservationSource.
  std::vector<bool> Held(const std::vector<v16::ChargePointStatus>& unreserved) override;

  const std::map<std::int64_t, Reservation>& active() const { return reservations_; }

 private:
  v16::ReservationStatus Reserve(const v16::ReserveNowReq& req);
  v16::ReservationStatus Admissible(int connector) const;
  // Connectors neither in use nor held by a connector-specific reservation.
  std::vector<int> FreeConnectors() const;
  int ZeroReservations() const;
  bool Matches(const Reservation& r, const std::string& id_tag,
               const std::optional<std::string>& parent) const;
  bool Store(const Reservation& r);
  void End(std::int64_t id, const std::string& why);
  void ArmExpiry();
  void Load();

  StationContext& context_;
  Connectors& connectors_;
  std::map<std::int64_t, Reservation> reservations_;  // by reservationId
  runtime::TimerId expiry_timer_ = 0;
};

}  // namespace ocpp::station
