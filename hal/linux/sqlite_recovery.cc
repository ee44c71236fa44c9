// What is detectable, and how:
//  * A database that SQLite cannot use (not a database, truncated, damaged
//    pages caught by quick_check, a wrong schema) or a directory in its place:
//    Open fails; the files are moved aside and Open retried on an empty file.
//  * A database that is empty (0 bytes) or was deleted although the data
//    directory held one before: the marker file "<db>.state" exists but the
//    schema had to be created.
//  * A -wal deleted after an unclean shutdown (process kill, power cut):
//    the marker says "open" (no clean close since) but there is no -wal.
//    Writes not yet checkpointed are gone; the database itself is consistent.
//  * A -wal whose header is garbage (SQLite would silently ignore and then
//    overwrite it): detected from the header magic and checksum.
// Not detectable: a -wal with a valid header whose frames were damaged
// (SQLite stops at the first frame with a bad checksum, exactly as after a
// torn write at a power cut), and a -wal replaced by an older valid one.
#include "hal/linux/sqlite_recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace ocpp::hal::sqlite_recovery {
namespace {

namespace fs = std::filesystem;

std::string MarkerPath(const std::string& path) { return path + ".state"; }

std::string Timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// `base` or, if taken, `base.1`, `base.2`, ... (also checking `base-wal`).
std::string FreeName(const std::string& base) {
  std::error_code ec;
  std::string name = base;
  for (int n = 1; fs::exists(fs::symlink_status(name, ec)) ||
                  fs::exists(fs::symlink_status(name + "-wal", ec)) ||
                  fs::exists(fs::symlink_status(name + "-journal", ec));
       ++n) {
    name = base + "." + std::to_string(n);
  }
  return name;
}

std::uint32_t ReadBigEndian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// The WAL header (https://www.sqlite.org/fileformat.html#wal_file_format):
// magic, format version 3007000, and a checksum over its first 24 bytes.
bool ValidWalHeader(const std::string& wal_path) {
  unsigned char header[32];
  std::ifstream in(wal_path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(header), sizeof(header))) return false;
  const std::uint32_t magic = ReadBigEndian(header);
  if (magic != 0x377f0682 && magic != 0x377f0683) return false;
  if (ReadBigEndian(header + 4) != 3007000) return false;
  const bool big_endian = (magic & 1) != 0;
  std::uint32_t s0 = 0;
  std::uint32_t s1 = 0;
  for (int i = 0; i < 24; i += 8) {
    std::uint32_t x0 = ReadBigEndian(header + i);
    std::uint32_t x1 = ReadBigEndian(header + i + 4);
    if (!big_endian) {
      x0 = __builtin_bswap32(x0);
      x1 = __builtin_bswap32(x1);
    }
    s0 += x0 + s1;
    s1 += x1 + s0;
  }
  return s0 == ReadBigEndian(header + 24) && s1 == ReadBigEndian(header + 28);
}

base::Status Rename(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) {
    return base::Status(base::StatusCode::kUnavailable,
                        "storage: cannot move " + from + " to " + to + ": " + ec.message());
  }
  return base::OkStatus();
}

enum class MarkerState { kNone, kOpen, kClosed };

MarkerState ReadMarker(const std::string& path) {
  std::ifstream in(MarkerPath(path), std::ios::binary);
  if (!in) return MarkerState::kNone;
  std::string text;
  std::getline(in, text);
  // Anything else (a damaged marker) only says a database existed.
  return text == "open" ? MarkerState::kOpen : MarkerState::kClosed;
}

}  // namespace

bool IsUnusableFile(const base::Status& status) {
  return status.code() == base::StatusCode::kDataLoss ||
         status.code() == base::StatusCode::kFailedPrecondition;
}

base::Status MoveDatabaseAside(const std::string& path, const std::string& why,
                               SqliteStorage::OpenReport& report) {
  const std::string aside = FreeName(path + ".damaged-" + Timestamp());
  std::error_code ec;
  // Its journal first (a write-ahead log, or a rollback journal left by a
  // killed process): if only that succeeds, the database is still in place.
  for (const char* journal : {"-wal", "-journal"}) {
    if (!fs::exists(fs::symlink_status(path + journal, ec))) continue;
    base::Status moved = Rename(path + journal, aside + journal);
    if (!moved.ok()) return moved;
    report.moved_aside.push_back(aside + journal);
  }
  base::Status moved = Rename(path, aside);
  if (!moved.ok()) return moved;
  report.moved_aside.push_back(aside);
  // The shared-memory index only describes the -wal; it is rebuilt.
  fs::remove(path + "-shm", ec);
  fs::remove(MarkerPath(path), ec);
  SyncDirectory(path);
  report.started_fresh = true;
  report.data_lost = true;
  report.warnings.push_back(why + "; moved it to " + aside +
                            " and started with empty storage (factory configuration, no queued "
                            "transaction messages)");
  return base::OkStatus();
}

base::Status InspectBeforeOpen(const std::string& path, bool recover,
                               SqliteStorage::OpenReport& report) {
  std::error_code ec;
  const fs::file_status db_status = fs::status(path, ec);
  if (fs::exists(db_status) && !fs::is_regular_file(db_status)) {
    const std::string why = "storage: " + path + " is not a regular file";
    if (!recover) return base::Status(base::StatusCode::kUnavailable, why);
    return MoveDatabaseAside(path, why, report);
  }

  const std::string wal = path + "-wal";
  const fs::file_status wal_status = fs::status(wal, ec);
  const bool wal_exists = fs::exists(wal_status);
  if (wal_exists && fs::is_regular_file(wal_status) && fs::file_size(wal, ec) > 0 &&
      !ValidWalHeader(wal)) {
    const std::string aside = FreeName(wal + ".garbage-" + Timestamp());
    base::Status moved = Rename(wal, aside);
    if (!moved.ok()) return moved;
    fs::remove(path + "-shm", ec);
    SyncDirectory(path);
    report.moved_aside.push_back(aside);
    report.data_lost = true;
    report.warnings.push_back("storage: " + wal +
                              " is not a valid write-ahead log: writes it held are lost; moved it "
                              "to " +
                              aside);
    return base::OkStatus();
  }

  const bool db_has_data = fs::exists(db_status) && fs::file_size(path, ec) > 0;
  if (!wal_exists && db_has_data && ReadMarker(path) == MarkerState::kOpen) {
    report.data_lost = true;
    report.warnings.push_back(
        "storage: " + wal +
        " is missing after an unclean shutdown: writes since the last checkpoint are lost "
        "(configuration changes, queued transaction messages)");
  }
  return base::OkStatus();
}

void SyncDirectory(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

base::Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fdatasync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return base::Status(base::StatusCode::kUnavailable,
                        "storage: cannot sync " + path + ": " + std::strerror(error));
  }
  ::close(fd);
  return base::OkStatus();
}

bool MarkerExists(const std::string& path) { return ReadMarker(path) != MarkerState::kNone; }

base::Status WriteMarker(const std::string& path, bool open, bool sync) {
  const std::string marker = MarkerPath(path);
  const std::string temporary = marker + ".tmp";
  const char* text = open ? "open\n" : "closed\n";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return base::Status(base::StatusCode::kUnavailable,
                        "storage: cannot write " + temporary + ": " + std::strerror(errno));
  }
  const std::size_t size = std::strlen(text);
  const bool written =
      ::write(fd, text, size) == static_cast<ssize_t>(size) && (!sync || ::fsync(fd) == 0);
  const int saved_errno = errno;
  ::close(fd);
  if (!written) {
    std::error_code ec;
    fs::remove(temporary, ec);
    return base::Status(base::StatusCode::kUnavailable,
                        "storage: cannot write " + temporary + ": " + std::strerror(saved_errno));
  }
  base::Status renamed = Rename(temporary, marker);
  if (renamed.ok() && sync) SyncDirectory(path);
  return renamed;
}

}  // namespace ocpp::hal::sqlite_recovery
