#include "hal/linux/file_diagnostics_log.h"

#include <sys/stat.h>

#include <charconv>
#include <fstream>

namespace ocpp::hal {

FileDiagnosticsLog::FileDiagnosticsLog(std::string directory, std::size_t max_file_bytes)
    : directory_(std::move(directory)),
      max_file_bytes_(max_file_bytes < 1024 ? 1024 : max_file_bytes) {
  ::mkdir(directory_.c_str(), 0755);
  Open();
}

FileDiagnosticsLog::~FileDiagnosticsLog() {
  if (file_) std::fclose(file_);
}

void FileDiagnosticsLog::Open() {
  file_ = std::fopen(current_path().c_str(), "ae");
  struct stat st {};
  size_ =
      file_ && ::stat(current_path().c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

void FileDiagnosticsLog::Append(std::int64_t unix_ms, std::string_view line) {
  if (!file_) return;
  // "<unix ms> <line>", one line each: a line break inside becomes a space.
  std::string text = std::to_string(unix_ms);
  text += ' ';
  for (char c : line) text += (c == '\n' || c == '\r') ? ' ' : c;
  text += '\n';
  if (size_ + text.size() > max_file_bytes_) {
    std::fclose(file_);
    std::rename(current_path().c_str(), previous_path().c_str());
    Open();
    if (!file_) return;
  }
  if (std::fwrite(text.data(), 1, text.size(), file_) == text.size()) size_ += text.size();
  std::fflush(file_);
}

base::Result<std::size_t> FileDiagnosticsLog::Collect(std::optional<std::int64_t> from_ms,
                                                      std::optional<std::int64_t> to_ms,
                                                      const std::string& path) {
  if (file_) std::fflush(file_);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return base::Status(base::StatusCode::kUnavailable, "cannot write " + path);
  std::size_t lines = 0;
  for (const std::string& source : {previous_path(), current_path()}) {
    std::ifstream in(source, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      std::int64_t ms = 0;
      const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), ms);
      if (error != std::errc() || end == line.data() + line.size() || *end != ' ') continue;
      if ((from_ms && ms < *from_ms) || (to_ms && ms > *to_ms)) continue;
      out << line << '\n';
      ++lines;
    }
  }
  out.close();
  if (!out) return base::Status(base::StatusCode::kUnavailable, "cannot write " + path);
  return lines;
}

}  // namespace ocpp::hal
