// Small helpers shared by the loopback benchmarks: latency samples with
// percentiles, process CPU time from getrusage, and flag parsing.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace ocpp::bench {

using Nanos = std::chrono::nanoseconds;
using BenchClock = std::chrono::steady_clock;

inline std::int64_t ElapsedNs(BenchClock::time_point from, BenchClock::time_point to) {
  return std::chrono::duration_cast<Nanos>(to - from).count();
}

// User + system CPU time of this process, in microseconds.
inline double ProcessCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// Individual latency samples (ns) plus the wall and CPU time of the loops
// that produced them.
struct Samples {
  std::vector<std::int64_t> ns;
  double wall_us = 0;  // wall time of the measured loops
  double cpu_us = 0;   // user+sys CPU time of the measured loops

  void Reserve(std::size_t n) { ns.reserve(n); }
  std::size_t count() const { return ns.size(); }

  // Nearest-rank percentile in microseconds; `p` in (0, 100].
  double PercentileUs(double p) const {
    if (ns.empty()) return 0;
    std::vector<std::int64_t> sorted = ns;
    std::sort(sorted.begin(), sorted.end());
    std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1] / 1000.0;
  }
  double MeanUs() const {
    if (ns.empty()) return 0;
    double sum = 0;
    for (std::int64_t v : ns) sum += static_cast<double>(v);
    return sum / ns.size() / 1000.0;
  }
  double CallsPerSecond() const { return wall_us > 0 ? ns.size() / (wall_us / 1e6) : 0; }
  double CpuUsPerCall() const { return ns.empty() ? 0 : cpu_us / ns.size(); }
};

// "--name=value" -> value, or nullptr.
inline const char* FlagValue(const char* arg, const char* name) {
  const std::size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) == 0 && arg[n] == '=') return arg + n + 1;
  return nullptr;
}

inline bool ParsePositive(const char* text, int* out) {
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || value <= 0 || value > 10'000'000) return false;
  *out = static_cast<int>(value);
  return true;
}

}  // namespace ocpp::bench
