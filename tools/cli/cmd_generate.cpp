// `greenwave generate grid|arterial|city`: synthetic scenarios in the native format (a city also
// in CBEngine's).
#include <filesystem>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {
namespace {

constexpr const char* kUsage =
    "usage: greenwave generate grid --rows R --cols C [options] --out OUT.pbtxt|OUT.pb\n"
    "       greenwave generate arterial --intersections N [options] --out OUT.pbtxt|OUT.pb\n"
    "       greenwave generate city --intersections N [city options] --out DIR\n"
    "grid, arterial: signalized 4-leg intersections (3 lanes per direction: left, through, right; CBEngine's 8\n"
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
    "arterial:  --arterial-speed (16.67) --side-speed (11.11) --side-rate-ratio (0.5)\n"
    "city: an irregular city (2-, 3- and 4-leg junctions, missing legs, unsignalized junctions,\n"
    "dead ends where vehicles enter and leave, arterial/collector/local roads of 3/2/1 lanes at\n"
    "16.67/13.89/11.11 m/s) with peaked origin-destination demand on shortest routes; writes\n"
    "DIR/roadnet.txt, DIR/flow.txt, DIR/simulator.cfg (CBEngine) and DIR/city.pb (native, the same\n"
    "city). Deterministic per seed.\n"
    "  --intersections N      all intersections, dead ends included (20% of them), 10..100000\n"
    "  --signalized-share F   signalized / intersections, at most 0.8 (0.49)\n"
    "  --vehicles V           departures in all (37 x N)\n"
    "  --horizon S            whole seconds; departures peak at 55% of it (1200)\n"
    "  --seed S               layout and demand (0)\n"
    "  --name NAME            scenario name (city_<N>_s<seed>)\n";

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

/// `generate city`: writes the CBEngine files and the native scenario into `dir`.
int generate_city_files(const Args& args, const std::string& dir) {
  if (!args.get("intersections")) throw ConfigError("--intersections", "required for a city");
  CityOptions o;
  o.intersections = to_int(args, "intersections", o.intersections);
  o.signalized_share = args.get_double("signalized-share", o.signalized_share);
  o.vehicles = args.get_int("vehicles", 37LL * o.intersections);
  o.horizon = args.get_double("horizon", o.horizon);
  o.seed = args.get_seed(0);
  o.name = args.get_or("name", "");
  const GeneratedCity city = generate_city(o);
  std::filesystem::create_directories(dir);
  const std::filesystem::path d(dir);
  write_file_atomically((d / "roadnet.txt").string(), city.roadnet);
  write_file_atomically((d / "flow.txt").string(), city.flow);
  write_file_atomically((d / "simulator.cfg").string(), city.cfg);
  write_native(city.scenario, (d / "city.pb").string());
  int signalized = 0;
  for (const v1::Intersection& x : city.scenario.intersections()) signalized += x.signalized();
  std::cerr << "wrote " << dir << "/{roadnet.txt,flow.txt,simulator.cfg,city.pb} (" << city.scenario.intersections_size()
            << " intersections, " << signalized << " signalized, " << city.scenario.roads_size() << " roads, "
            << city.scenario.demand().flows_size() << " flows, " << o.vehicles << " vehicles)\n";
  return 0;
}

}  // namespace

int cmd_generate(int argc, char** argv) {
  const Args args(argc, argv, 2, {"help", "force"},
                  {"rows", "cols", "intersections", "signalized-share", "vehicles", "spacing", "speed", "arterial-speed", "side-speed",
                   "side-rate-ratio", "demand", "rate", "horizon", "seed", "name", "out"});
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << kUsage;
    return args.flag("help") ? 0 : 2;
  }
  const std::string& kind = args.positional()[0];
  const auto out = args.get("out");
  if (!out)
    throw ConfigError("--out", kind == "city" ? "missing, expected the output folder"
                                              : "missing, expected the output file (.pbtxt or .pb)");
  args.refuse_overwrite(*out, "--out");
  if (kind == "city") return generate_city_files(args, *out);
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
    throw ConfigError("generate", "unknown kind '" + kind + "', expected grid, arterial or city");
  }
  write_native(scenario, *out);
  std::cerr << "wrote " << *out << " (" << scenario.intersections_size() << " intersections, " << scenario.roads_size()
            << " roads, " << scenario.demand().flows_size() << " flows)\n";
  return 0;
}

}  // namespace greenwave::cli
