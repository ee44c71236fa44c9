#include "station/fleet/fleet_report.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace ocpp::station::fleet {

namespace {

constexpr int kWidth = 640, kHeight = 200, kLeft = 56, kBottom = 24, kTop = 10, kRight = 10;

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;
};

std::string Number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// A line chart of `series` (x: seconds since start) with axis labels.
std::string LineChart(const std::string& title, const std::string& unit,
                      const std::vector<Series>& series) {
  double max_x = 1, max_y = 1;
  for (const auto& s : series) {
    for (const auto& [x, y] : s.points) {
      max_x = std::max(max_x, x);
      max_y = std::max(max_y, y);
    }
  }
  const double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  std::ostringstream svg;
  svg << "<h2>" << title << "</h2><svg width='" << kWidth << "' height='" << kHeight
      << "' xmlns='http://www.w3.org/2000/svg'>"
      << "<rect x='" << kLeft << "' y='" << kTop << "' width='" << w << "' height='" << h
      << "' fill='#fafafa' stroke='#999'/>"
      << "<text x='4' y='" << kTop + 10 << "' font-size='11'>" << Number(max_y) << " " << unit
      << "</text><text x='4' y='" << kTop + h << "' font-size='11'>0</text>"
      << "<text x='" << kWidth - 60 << "' y='" << kHeight - 6 << "' font-size='11'>"
      << Number(max_x) << " s</text>";
  int legend = 0;
  for (const auto& s : series) {
    svg << "<polyline fill='none' stroke='" << s.color << "' stroke-width='2' points='";
    for (const auto& [x, y] : s.points) {
      svg << Number(kLeft + x / max_x * w) << "," << Number(kTop + h - y / max_y * h) << " ";
    }
    svg << "'/><text x='" << kLeft + 8 + legend * 150 << "' y='" << kHeight - 6
        << "' font-size='11' fill='" << s.color << "'>" << s.name << "</text>";
    ++legend;
  }
  svg << "</svg>";
  return svg.str();
}

// Bars per power of two of microseconds.
std::string HistogramChart(const LatencyHistogram& rtt) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> bins;  // upper bound us, count
  std::uint64_t upper = 128, in_bin = 0, seen = 0;
  for (int b = 0; b < LatencyHistogram::kBuckets && seen < rtt.count(); ++b) {
    const std::uint64_t low = LatencyHistogram::BucketLow(b);
    while (low >= upper) {
      bins.emplace_back(upper, in_bin);
      in_bin = 0;
      upper *= 2;
    }
    const std::uint64_t n = rtt.BucketCount(b);
    in_bin += n;
    seen += n;
  }
  bins.emplace_back(upper, in_bin);
  std::uint64_t max_count = 1;
  for (const auto& bin : bins) max_count = std::max(max_count, bin.second);
  const double h = kHeight - kTop - kBottom;
  const double bar = std::min(40.0, (kWidth - kLeft - kRight) / std::max<double>(1, bins.size()));
  std::ostringstream svg;
  svg << "<h2>Call round trips (whole run)</h2><svg width='" << kWidth << "' height='" << kHeight
      << "' xmlns='http://www.w3.org/2000/svg'><text x='4' y='" << kTop + 10 << "' font-size='11'>"
      << max_count << " calls</text>";
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double bh = static_cast<double>(bins[i].second) / max_count * h;
    const double x = kLeft + i * bar;
    svg << "<rect x='" << Number(x) << "' y='" << Number(kTop + h - bh) << "' width='"
        << Number(bar - 2) << "' height='" << Number(bh) << "' fill='#4a7'><title>&lt; "
        << Number(bins[i].first / 1000.0) << " ms: " << bins[i].second << "</title></rect>";
    if (i % 2 == 0) {
      svg << "<text x='" << Number(x) << "' y='" << kHeight - 6 << "' font-size='10'>"
          << Number(bins[i].first / 1000.0) << "</text>";
    }
  }
  svg << "<text x='" << kWidth - 90 << "' y='" << kTop + 10
      << "' font-size='11'>ms (upper bound)</text></svg>";
  return svg.str();
}

}  // namespace

std::string FleetReportHtml(const FleetFlags& flags, const Fleet& fleet) {
  const FleetTotals t = fleet.Totals();
  const LatencyHistogram& rtt = fleet.overall_rtt();
  Series connected{"connected", "#27c", {}}, accepted{"accepted", "#2a2", {}};
  Series started{"sessions started", "#27c", {}}, completed{"sessions completed", "#2a2", {}};
  Series p50{"p50", "#27c", {}}, p99{"p99", "#c72", {}}, max{"max", "#c22", {}};
  Series errors{"callerrors", "#c22", {}}, timeouts{"timeouts", "#c72", {}},
      reconnects{"reconnects", "#27c", {}};
  for (const FleetSample& s : fleet.samples()) {
    connected.points.emplace_back(s.t_s, s.totals.connected);
    accepted.points.emplace_back(s.t_s, s.totals.accepted);
    started.points.emplace_back(s.t_s, static_cast<double>(s.totals.sessions_started));
    completed.points.emplace_back(s.t_s, static_cast<double>(s.totals.sessions_completed));
    p50.points.emplace_back(s.t_s, s.p50_ms);
    p99.points.emplace_back(s.t_s, s.p99_ms);
    max.points.emplace_back(s.t_s, s.max_ms);
    errors.points.emplace_back(s.t_s, static_cast<double>(s.totals.callerrors));
    timeouts.points.emplace_back(s.t_s, static_cast<double>(s.totals.timeouts));
    reconnects.points.emplace_back(s.t_s, static_cast<double>(s.totals.reconnects));
  }
  const bool healthy = t.accepted == t.stations && t.callerrors == 0 && t.timeouts == 0;
  std::ostringstream html;
  html << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>station_fleet report</title>"
       << "<style>body{font-family:sans-serif;margin:2em;max-width:700px}"
       << "td{padding:2px 12px}.ok{color:#070}.bad{color:#b00}</style></head><body>"
       << "<h1>station_fleet: " << t.stations << " stations</h1>"
       << "<p class='" << (healthy ? "ok'>The central system held up" : "bad'>Problems") << ": "
       << t.accepted << " of " << t.stations << " stations accepted, " << t.callerrors
       << " CALLERRORs, " << t.timeouts << " response timeouts, " << t.reconnects
       << " reconnects.</p><table>"
       << "<tr><td>central system</td><td>" << flags.csms << "</td></tr>"
       << "<tr><td>stations</td><td>" << flags.id_prefix << " from " << flags.first << ", "
       << flags.count << "</td></tr>"
       << "<tr><td>sessions started / completed</td><td>" << t.sessions_started << " / "
       << t.sessions_completed << "</td></tr>"
       << "<tr><td>calls</td><td>" << t.calls << "</td></tr>"
       << "<tr><td>round trip p50 / p99 / max</td><td>" << Number(rtt.Quantile(0.5) / 1000.0)
       << " / " << Number(rtt.Quantile(0.99) / 1000.0) << " / " << Number(rtt.max() / 1000.0)
       << " ms</td></tr></table>"
       << LineChart("Connected and accepted stations", "stations", {connected, accepted})
       << LineChart("Sessions", "sessions", {started, completed})
       << LineChart("Call round trips per interval", "ms", {p50, p99, max}) << HistogramChart(rtt)
       << LineChart("Errors, timeouts and reconnects (cumulative)", "",
                    {errors, timeouts, reconnects})
       << "</body></html>\n";
  return html.str();
}

bool WriteFleetReport(const std::string& path, const FleetFlags& flags, const Fleet& fleet,
                      std::string* error) {
  std::ofstream out(path, std::ios::trunc);
  out << FleetReportHtml(flags, fleet);
  out.close();
  if (!out) {
    *error = "cannot write --report " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace ocpp::station::fleet
