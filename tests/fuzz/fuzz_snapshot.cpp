// libFuzzer: restoring a snapshot of a small generated grid must throw ConfigError or succeed,
// never crash; a restored state must then run. An input is a serialized SnapshotState, which the
// harness signs as save_snapshot() does (scenario fingerprint, FNV-1a checksum) so that mutations
// reach the validation instead of stopping at the checksum; an input starting with 'E' is given
// to restore_snapshot whole (the envelope path). With GREENWAVE_FUZZ_SEEDS=DIR set, start-up
// writes seed states (genuine snapshots after 0, 150 and 400 steps) into DIR.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"
#include "greenwave/v1/snapshot.pb.h"

namespace {

/// A 2x2 grid, random demand, lane changing on: queues, clearances and lane changes within 400 s.
std::shared_ptr<const greenwave::CompiledScenario> scenario() {
  greenwave::GridOptions o;
  o.rows = 2;
  o.cols = 2;
  o.demand.pattern = greenwave::DemandPattern::Random;
  o.demand.rate = 900;
  o.demand.horizon = 600;
  o.demand.seed = 5;
  greenwave::v1::Scenario s = greenwave::generate_grid(o);
  s.mutable_settings()->set_lane_change(true);
  return std::make_shared<const greenwave::CompiledScenario>(greenwave::compile_scenario(s, "fuzz-grid"));
}

/// The scenario and an envelope of one of its genuine snapshots (format and fingerprint).
struct Fixture {
  std::shared_ptr<const greenwave::CompiledScenario> sc = scenario();
  greenwave::v1::Snapshot envelope;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

/// FNV-1a 64, the state checksum of snapshot.cpp.
std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Fixture& f = fixture();
  greenwave::Simulator sim(f.sc);
  if (!f.envelope.ParseFromString(sim.save_snapshot())) std::abort();
  const char* seeds = std::getenv("GREENWAVE_FUZZ_SEEDS");
  for (const int steps : {0, 150, 400}) {
    while (sim.steps() < steps) {
      if (sim.steps() % 20 == 0)
        for (const greenwave::IntersectionId i : f.sc->network.signalized)
          sim.switch_phase(i, static_cast<std::int32_t>((sim.steps() / 20) % f.sc->network.phase_count(i)), 3.0);
      sim.step();
    }
    greenwave::v1::Snapshot e;
    if (!e.ParseFromString(sim.save_snapshot())) std::abort();
    if (seeds) std::ofstream(std::string(seeds) + "/state_" + std::to_string(steps) + ".bin", std::ios::binary) << e.state();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string bytes;
  if (!input.empty() && input[0] == 'E') {
    bytes = input.substr(1);
  } else {
    greenwave::v1::Snapshot e = f.envelope;
    e.set_state(std::string(input));
    e.set_state_checksum(fnv1a(input));
    bytes = e.SerializeAsString();
  }
  greenwave::Simulator sim(f.sc);
  try {
    sim.restore_snapshot(bytes);
  } catch (const greenwave::ConfigError&) {
    return 0;
  }
  // What was accepted must run: signals switch, vehicles move, a snapshot is taken again.
  for (int k = 0; k < 40; ++k) {
    if (k == 10)
      for (const greenwave::IntersectionId i : f.sc->network.signalized) sim.switch_phase(i, f.sc->network.phase_count(i) - 1, 3.0);
    sim.step();
  }
  (void)sim.metrics();
  (void)sim.save_snapshot();
  return 0;
}
