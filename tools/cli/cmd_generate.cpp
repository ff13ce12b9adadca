// `greenwave generate grid|arterial`: synthetic scenarios in the native format.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {
namespace {

constexpr const char* kUsage =
    "usage: greenwave generate grid --rows R --cols C [options] --out OUT.pbtxt|OUT.pb\n"
    "       greenwave generate arterial --intersections N [options] --out OUT.pbtxt|OUT.pb\n"
    "Signalized 4-leg intersections (3 lanes per direction: left, through, right; CBEngine's 8\n"
    "phases; right turns always green) with boundary nodes at the open ends.\n"
    "common options:\n"
    "  --spacing M            metres between intersections (300)\n"
    "  --demand PATTERN       uniform (straight through) | random (seeded origin/destination) |\n"
    "                         peak (uniform with a rate rising to 1.6x mid-horizon) (uniform)\n"
    "  --rate VEH_PER_HOUR    per boundary entry (300)\n"
    "  --horizon S            seconds (3600)\n"
    "  --seed S               random demand and run seed (0)\n"
    "  --name NAME            scenario name\n"
    "grid:      --speed M_PER_S (13.89)\n"
    "arterial:  --arterial-speed (16.67) --side-speed (11.11) --side-rate-ratio (0.5)\n";

DemandOptions demand_options(const Args& args) {
  DemandOptions d;
  const std::string pattern = args.get_or("demand", "uniform");
  if (pattern == "uniform") d.pattern = DemandPattern::Uniform;
  else if (pattern == "random") d.pattern = DemandPattern::Random;
  else if (pattern == "peak") d.pattern = DemandPattern::Peak;
  else throw ConfigError("--demand", "expected uniform, random or peak, got '" + pattern + "'");
  d.rate = args.get_double("rate", d.rate);
  d.horizon = args.get_double("horizon", d.horizon);
  d.seed = args.get_seed(0);
  return d;
}

int to_int(const Args& args, const char* name, int fallback) {
  const long long v = args.get_int(name, fallback);
  if (v < 1 || v > 100000) throw ConfigError(std::string("--") + name, "expected a positive count");
  return static_cast<int>(v);
}

}  // namespace

int cmd_generate(int argc, char** argv) {
  const Args args(argc, argv, 2, {"help", "force"},
                  {"rows", "cols", "intersections", "spacing", "speed", "arterial-speed", "side-speed",
                   "side-rate-ratio", "demand", "rate", "horizon", "seed", "name", "out"});
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << kUsage;
    return args.flag("help") ? 0 : 2;
  }
  const auto out = args.get("out");
  if (!out) throw ConfigError("--out", "missing, expected the output file (.pbtxt or .pb)");
  args.refuse_overwrite(*out, "--out");
  const std::string& kind = args.positional()[0];
  v1::Scenario scenario;
  if (kind == "grid") {
    if (!args.get("rows") || !args.get("cols")) throw ConfigError("--rows/--cols", "both are required for a grid");
    GridOptions o;
    o.rows = to_int(args, "rows", o.rows);
    o.cols = to_int(args, "cols", o.cols);
    o.spacing = args.get_double("spacing", o.spacing);
    o.speed = args.get_double("speed", o.speed);
    o.demand = demand_options(args);
    o.name = args.get_or("name", "");
    scenario = generate_grid(o);
  } else if (kind == "arterial") {
    if (!args.get("intersections")) throw ConfigError("--intersections", "required for an arterial");
    ArterialOptions o;
    o.intersections = to_int(args, "intersections", o.intersections);
    o.spacing = args.get_double("spacing", o.spacing);
    o.arterial_speed = args.get_double("arterial-speed", o.arterial_speed);
    o.side_speed = args.get_double("side-speed", o.side_speed);
    o.side_rate_ratio = args.get_double("side-rate-ratio", o.side_rate_ratio);
    o.demand = demand_options(args);
    o.name = args.get_or("name", "");
    scenario = generate_arterial(o);
  } else {
    throw ConfigError("generate", "unknown kind '" + kind + "', expected grid or arterial");
  }
  write_native(scenario, *out);
  std::cerr << "wrote " << *out << " (" << scenario.intersections_size() << " intersections, " << scenario.roads_size()
            << " roads, " << scenario.demand().flows_size() << " flows)\n";
  return 0;
}

}  // namespace greenwave::cli
