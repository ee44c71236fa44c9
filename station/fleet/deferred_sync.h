// The fleet's stations write through SQLite exactly as the firmware does,
// but on one thread: with synchronous=FULL every commit of every station is
// an fsync that stalls all the others (a first boot is about 15 of them).
// station_fleet therefore replaces fsync/fdatasync for the whole process
// (deferred_sync.cc, linked into the binary only): while deferral is on
// they return at once, so a station's state is durable against a kill of
// the process (it is in the page cache) but not against a crash of the
// host. The graceful stop turns deferral off before the stations close, so
// their final state is synced. `--fsync every-commit` keeps every sync.
#pragma once

namespace ocpp::station::fleet {

void SetSyncDeferred(bool deferred);
bool SyncDeferred();

}  // namespace ocpp::station::fleet
