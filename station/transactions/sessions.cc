// Transactions: who may start a session where (RFID tags, remote start and
// stop, plugging in), and authorizations waiting for the plug.
#include "station/transactions/transactions.h"

namespace ocpp::station {

using runtime::HandlerResult;
using v16::RemoteStartStopStatus;

void Transactions::RegisterHandlers() {
  context_.rpc().Handle<v16::Action::kRemoteStartTransaction>(
      [this](const v16::RemoteStartTransactionReq& req)
          -> HandlerResult<v16::RemoteStartTransactionConf> {
        int c = 0;
        const Pending who{req.id_tag.ToString(), std::nullopt};
        if (req.connector_id) {
          if (connectors_.exists(*req.connector_id)) c = *req.connector_id;
        } else {
          // An EV plugged in first, else the first free connector.
          c = FreeConnector(true, &who);
          if (c == 0) c = FreeConnector(false, &who);
        }
        Pending check = who;
        if (c == 0 || !RemoteStartAllowed(c) || !ReservationAllows(c, check)) {
          return v16::RemoteStartTransactionConf{RemoteStartStopStatus::kRejected};
        }
        std::optional<v16::ChargingProfile> profile;
        if (req.charging_profile && remote_profile_check_) {
          // Only a TxProfile, without transactionId (5.16.2, TC_060).
          if (!remote_profile_check_(*req.charging_profile)) {
            context_.Log("RemoteStartTransaction rejected: its chargingProfile is not acceptable");
            return v16::RemoteStartTransactionConf{RemoteStartStopStatus::kRejected};
          }
          profile = req.charging_profile;
        }
        const std::string id_tag = req.id_tag.ToString();
        at(c).remote_authorizing = context_.config().Get(keys::kAuthorizeRemoteTxRequests);
        context_.PostAfterReply([this, c, id_tag, profile] {
          if (!at(c).remote_authorizing) {
            return BeginSession(c, Pending{id_tag, std::nullopt, false, profile});
          }
          // Like a local tag (section 5.11): the status changes only once
          // the idTag is accepted; a refused one changes nothing.
          authorization_.Authorize(
              id_tag, [this, c, id_tag, profile](AuthorizationDecision decision) {
                at(c).remote_authorizing = false;
                if (decision.accepted) {
                  BeginSession(c, Pending{id_tag, decision.parent_id_tag, false, profile});
                }
                Publish();
              });
        });
        return v16::RemoteStartTransactionConf{RemoteStartStopStatus::kAccepted};
      });

  context_.rpc().Handle<v16::Action::kRemoteStopTransaction>(
      [this](const v16::RemoteStopTransactionReq& req)
          -> HandlerResult<v16::RemoteStopTransactionConf> {
        for (int c = 1; c <= connectors_.count(); ++c) {
          const auto running = CsmsTransactionId(c);
          if (!running || *running != static_cast<std::int64_t>(req.transaction_id)) continue;
          const std::int64_t local_id = at(c).tx->local_id;
          context_.PostAfterReply([this, c, local_id] {
            if (at(c).tx && at(c).tx->local_id == local_id) Stop(c, v16::Reason::kRemote, {});
          });
          return v16::RemoteStopTransactionConf{RemoteStartStopStatus::kAccepted};
        }
        return v16::RemoteStopTransactionConf{RemoteStartStopStatus::kRejected};
      });
}

bool Transactions::RemoteStartAllowed(int c) const {
  const v16::ChargePointStatus status = connectors_.status(c);
  // Also Rejected while another authorization is pending or being checked.
  return status != v16::ChargePointStatus::kUnavailable &&
         status != v16::ChargePointStatus::kFaulted && connectors_.usable(c) && !at(c).tx &&
         context_.registration() == RegistrationState::kAccepted && !authorizing_tag_ &&
         !at(c).remote_authorizing && !at(c).pending;
}

int Transactions::FreeConnector(bool require_plugged, const Pending* who) const {
  for (int c = 1; c <= connectors_.count(); ++c) {
    const v16::ChargePointStatus status = connectors_.status(c);
    if (at(c).tx || at(c).pending || at(c).remote_authorizing || !connectors_.usable(c) ||
        status == v16::ChargePointStatus::kUnavailable ||
        status == v16::ChargePointStatus::kFaulted) {
      continue;
    }
    if (who != nullptr) {
      Pending check = *who;
      if (!ReservationAllows(c, check)) continue;
    }
    if (!require_plugged || connectors_.vehicle_connected(c)) return c;
  }
  return 0;
}

bool Transactions::ReservationAllows(int c, Pending& who) const {
  who.reservation_id.reset();
  if (reservations_ == nullptr) return true;
  return reservations_->MayUse(c, who.id_tag, who.parent_id_tag, &who.reservation_id);
}

void Transactions::OnTag(const std::string& id_tag) {
  if (id_tag.empty() || id_tag.size() > 20) {
    context_.Log("ignored unusable idTag");
    return;
  }
  // The same tag stops its transaction, without Authorize (section 4.1).
  for (int c = 1; c <= connectors_.count(); ++c) {
    if (at(c).tx && codec::EqualsIgnoreAsciiCase(id_tag, at(c).tx->id_tag)) {
      return Stop(c, v16::Reason::kLocal, id_tag);
    }
  }
  if (authorizing_tag_) return;  // one card at a time
  // A5: the same card again before plug-in cancels (B1).
  for (int c = 1; c <= connectors_.count(); ++c) {
    if (at(c).pending && codec::EqualsIgnoreAsciiCase(at(c).pending->id_tag, id_tag)) {
      DropAuthorization(c);
      return Publish();
    }
  }
  bool group_stop_possible = false;  // a transaction whose group the tag may share
  for (int c = 1; c <= connectors_.count(); ++c) {
    group_stop_possible |= at(c).tx && at(c).tx->parent_id_tag.has_value();
  }
  bool floating = false;  // an earlier tag still waits for a plug
  for (int c = 1; c <= connectors_.count(); ++c)
    floating |= at(c).pending && at(c).pending->floating;
  // A1: no new session where it could not start (Faulted, Unavailable,
  // resetting: TC_041); nothing to do for the tag then.
  const bool can_start = FreeConnector(true) != 0 || (FreeConnector(false) != 0 && !floating);
  if (!group_stop_possible && !can_start) return;
  // The status changes only once the tag is accepted (Authorize, then
  // Preparing); a refused tag changes nothing (TC_023).
  authorizing_tag_ = true;
  authorization_.Authorize(id_tag, [this, id_tag](AuthorizationDecision decision) {
    authorizing_tag_ = false;
    if (!decision.accepted) {
      context_.Log("idTag " + id_tag + " not authorized");
      return Publish();
    }
    if (decision.parent_id_tag) {
      for (int c = 1; c <= connectors_.count(); ++c) {
        const auto& tx = at(c).tx;
        if (tx && tx->parent_id_tag &&
            codec::EqualsIgnoreAsciiCase(*tx->parent_id_tag, *decision.parent_id_tag)) {
          return Stop(c, v16::Reason::kLocal, id_tag);
        }
      }
    }
    AssignSession(id_tag, decision.parent_id_tag);
    Publish();
  });
}

void Transactions::AssignSession(const std::string& id_tag, std::optional<std::string> parent) {
  const Pending who{id_tag, parent};
  if (int c = FreeConnector(true, &who); c != 0) {
    return BeginSession(c, Pending{id_tag, std::move(parent), false});
  }
  for (int c = 1; c <= connectors_.count(); ++c) {
    if (at(c).pending && at(c).pending->floating) return;  // one waiting tag at a time
  }
  if (int c = FreeConnector(false, &who); c != 0) {
    // Shown as Preparing on the first free connector; it moves to whichever
    // connector is plugged in first.
    BeginSession(c, Pending{id_tag, std::move(parent), connectors_.count() > 1});
  }
}

void Transactions::BeginSession(int c, Pending pending) {
  Slot& slot = at(c);
  if (slot.tx || !connectors_.usable(c)) return;
  // Reserved for someone else meanwhile: the session does not begin here.
  if (!ReservationAllows(c, pending)) return Publish();
  slot.pending = std::move(pending);
  if (connectors_.vehicle_connected(c)) {
    slot.pending->floating = false;
    if (slot.finishing) {
      // F2: Finishing -> Preparing is reported before the new transaction.
      SetFinishing(c, false);
      Publish();
    }
    TryStart(c);
  } else {
    ArmConnectionTimeout(c);  // waiting for the plug (A2 via idTag)
  }
  Publish();
}

void Transactions::DropAuthorization(int c) {
  at(c).pending.reset();
  context_.CancelTimer(&at(c).connection_timer);
}

void Transactions::CancelAuthorization(int c) {
  DropAuthorization(c);
  PublishFacts();  // the caller refreshes the connectors
}

void Transactions::ArmConnectionTimeout(int c) {
  context_.CancelTimer(&at(c).connection_timer);
  const std::int64_t seconds = context_.config().Get(keys::kConnectionTimeOut);
  at(c).connection_timer = context_.AddTimer(base::Milliseconds(seconds * 1000), [this, c] {
    at(c).connection_timer = 0;
    if (at(c).tx) return;
    // B1: the cable was not plugged in in time (errata 3.76).
    DropAuthorization(c);
    Publish();
  });
}

void Transactions::OnPilot(int c, hal::PilotState before, hal::PilotState now) {
  const bool was_connected = hal::VehicleConnected(before);
  const bool connected = hal::VehicleConnected(now);
  Slot& slot = at(c);
  if (!was_connected && connected) {
    SetFinishing(c, false);
    if (!slot.pending && !slot.tx && connectors_.usable(c)) {
      // A tag presented before any plug goes to the first connector plugged in.
      for (int other = 1; other <= connectors_.count(); ++other) {
        if (other != c && at(other).pending && at(other).pending->floating) {
          Pending moved = *at(other).pending;
          if (!ReservationAllows(c, moved)) break;  // held for someone else
          moved.floating = false;
          DropAuthorization(other);
          slot.pending = std::move(moved);
          break;
        }
      }
    }
    // An authorization waiting for the plug starts now (A2 then B3/B4).
    // Without one the connector is Preparing (EV connected) until a tag or
    // a remote start comes: no ConnectionTimeOut for a plugged EV.
    TryStart(c);
  } else if (was_connected && now == hal::PilotState::kA) {
    SetFinishing(c, false);
    if (slot.tx && context_.config().Get(keys::kStopTransactionOnEVSideDisconnect)) {
      Stop(c, v16::Reason::kEVDisconnected, std::nullopt);
      SetFinishing(c, false);  // fixed cable removed at the EV: straight to Available (C1)
    }
    if (!slot.tx) DropAuthorization(c);
  }
  Publish();
}

void Transactions::OnFault(int connector) {
  // B9: a fault ends a session that has not started yet.
  for (int c = 1; c <= connectors_.count(); ++c) {
    if ((connector == 0 || c == connector) && !at(c).tx && !IsWarning(connectors_.fault(c))) {
      DropAuthorization(c);
    }
  }
  Publish();
}

}  // namespace ocpp::station
