// hal::DiagnosticsLog on two rotating text files in a directory
// (diagnostics.log and diagnostics.log.1), each at most `max_file_bytes`:
// the newest 2 x max_file_bytes of log lines survive reboots and power cuts
// (lines are flushed, not synced: losing the last lines at a power cut is
// fine for diagnostics, syncing every log line is not).
#pragma once

#include <cstdio>
#include <string>

#include "hal/firmware.h"

namespace ocpp::hal {

class FileDiagnosticsLog final : public DiagnosticsLog {
 public:
  static constexpr std::size_t kDefaultMaxFileBytes = 256 * 1024;

  explicit FileDiagnosticsLog(std::string directory,
                              std::size_t max_file_bytes = kDefaultMaxFileBytes);
  ~FileDiagnosticsLog() override;
  FileDiagnosticsLog(const FileDiagnosticsLog&) = delete;
  FileDiagnosticsLog& operator=(const FileDiagnosticsLog&) = delete;

  void Append(std::int64_t unix_ms, std::string_view line) override;
  base::Result<std::size_t> Collect(std::optional<std::int64_t> from_ms,
                                    std::optional<std::int64_t> to_ms,
                                    const std::string& path) override;

 private:
  void Open();
  std::string current_path() const { return directory_ + "/diagnostics.log"; }
  std::string previous_path() const { return directory_ + "/diagnostics.log.1"; }

  std::string directory_;
  std::size_t max_file_bytes_;
  std::FILE* file_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace ocpp::hal
