#include "metrics_output.hpp"

#include <cstdio>

namespace greenwave::cli {

nlohmann::json metrics_json(const Metrics& m) {
  return {{"served_vehicles", m.served_vehicles},
          {"delay_index", m.delay_index},
          {"average_travel_time", m.average_travel_time},
          {"average_travel_time_finished", m.average_travel_time_finished},
          {"throughput", m.throughput},
          {"vehicles_scheduled", m.vehicles_scheduled},
          {"horizon_s", m.horizon}};
}

void print_metrics(std::ostream& out, const Metrics& m, bool json) {
  if (json) {
    out << metrics_json(m).dump() << "\n";
    return;
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "served vehicles      %lld\n"
                "delay index          %.4f\n"
                "average travel time  %.1f s\n"
                "  finished only      %.1f s\n"
                "throughput           %lld\n"
                "vehicles scheduled   %lld\n"
                "horizon              %.0f s\n",
                static_cast<long long>(m.served_vehicles), m.delay_index, m.average_travel_time,
                m.average_travel_time_finished, static_cast<long long>(m.throughput),
                static_cast<long long>(m.vehicles_scheduled), m.horizon);
  out << buf;
}

}  // namespace greenwave::cli
