#include "station/availability.h"

namespace ocpp::station {
namespace {

constexpr std::string_view kOperativeKey = "station/operative/";  // + connector id
constexpr std::string_view kScheduledKey = "station/scheduled/";  // + connector id
// The single-connector releases scheduled one change for the whole station.
constexpr std::string_view kLegacyScheduledKey = "station/scheduled_operative";

std::string Key(std::string_view prefix, int connector) {
  return std::string(prefix) + std::to_string(connector);
}

}  // namespace

Availability::Availability(StationContext& context, Connectors& connectors,
                           TransactionsView& transactions)
    : context_(context),
      connectors_(connectors),
      transactions_(transactions),
      operative_(static_cast<std::size_t>(connectors.count()) + 1, true),
      scheduled_(static_cast<std::size_t>(connectors.count()) + 1) {
  hal::KeyValueStore& store = context_.store();
  auto legacy = store.Get(kLegacyScheduledKey);
  for (int c = 0; c <= connectors_.count(); ++c) {
    auto stored = store.Get(Key(kOperativeKey, c));
    operative_[static_cast<std::size_t>(c)] = !(stored.ok() && *stored == "false");
    if (auto scheduled = store.Get(Key(kScheduledKey, c)); scheduled.ok()) {
      scheduled_[static_cast<std::size_t>(c)] = *scheduled == "true";
    } else if (legacy.ok()) {
      Schedule(c, *legacy == "true");
    }
    if (c > 0) connectors_.facts(c).operative = operative_[static_cast<std::size_t>(c)];
  }
  if (legacy.ok()) (void)store.Delete(kLegacyScheduledKey);
  connectors_.set_station_operative(operative_[0]);

  context_.rpc().Handle<v16::Action::kChangeAvailability>(
      [this](const v16::ChangeAvailabilityReq& req)
          -> runtime::HandlerResult<v16::ChangeAvailabilityConf> {
        if (req.connector_id < 0 || req.connector_id > connectors_.count()) {
          return v16::ChangeAvailabilityConf{v16::AvailabilityStatus::kRejected};
        }
        const v16::AvailabilityStatus status =
            Change(req.connector_id, req.type == v16::AvailabilityType::kOperative);
        context_.Post([this] { connectors_.Refresh(); });
        return v16::ChangeAvailabilityConf{status};
      });
}

v16::AvailabilityStatus Availability::Change(int connector, bool operative) {
  bool scheduled = false;
  for (int c = 1; c <= connectors_.count(); ++c) {
    if (connector != 0 && c != connector) continue;
    if (!operative && transactions_.Active(c) != nullptr) {
      Schedule(c, false);  // takes effect when the transaction ends
      scheduled = true;
      continue;
    }
    Schedule(c, std::nullopt);
    if (!operative) transactions_.CancelAuthorization(c);  // B -> Unavailable
    Set(c, operative);
  }
  if (connector == 0) {
    if (scheduled) {
      Schedule(0, operative);
    } else {
      Schedule(0, std::nullopt);
      Set(0, operative);
    }
  }
  return scheduled ? v16::AvailabilityStatus::kScheduled : v16::AvailabilityStatus::kAccepted;
}

void Availability::Set(int connector, bool operative) {
  operative_[static_cast<std::size_t>(connector)] = operative;
  auto status = context_.store().Put(Key(kOperativeKey, connector), operative ? "true" : "false");
  if (!status.ok())
    context_.Log("cannot persist availability: " + status.message(), LogLevel::kError);
  if (connector == 0) {
    connectors_.set_station_operative(operative);
  } else {
    connectors_.facts(connector).operative = operative;
  }
}

void Availability::Schedule(int connector, std::optional<bool> operative) {
  scheduled_[static_cast<std::size_t>(connector)] = operative;
  if (operative) {
    (void)context_.store().Put(Key(kScheduledKey, connector), *operative ? "true" : "false");
  } else {
    (void)context_.store().Delete(Key(kScheduledKey, connector));
  }
}

void Availability::ApplyStationIfDue() {
  if (!scheduled_[0]) return;
  for (int c = 1; c <= connectors_.count(); ++c) {
    if (scheduled_[static_cast<std::size_t>(c)]) return;
  }
  const bool operative = *scheduled_[0];
  Schedule(0, std::nullopt);
  Set(0, operative);
}

void Availability::ApplyDue() {
  for (int c = 1; c <= connectors_.count(); ++c) {
    const auto& scheduled = scheduled_[static_cast<std::size_t>(c)];
    if (scheduled && transactions_.Active(c) == nullptr && !transactions_.finishing(c)) {
      const bool operative = *scheduled;
      Schedule(c, std::nullopt);
      Set(c, operative);
    }
  }
  ApplyStationIfDue();
  connectors_.Refresh();
}

void Availability::OnTransactionStopped(int connector, bool finishing) {
  // No user action needed (C8/D8/E8): now; else once unplugged (F8).
  if (!finishing) ApplyDue();
  (void)connector;
}

void Availability::OnPilot(int connector, hal::PilotState now) {
  if (now == hal::PilotState::kA && transactions_.Active(connector) == nullptr) ApplyDue();
}

}  // namespace ocpp::station
