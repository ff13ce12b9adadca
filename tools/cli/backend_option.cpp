#include "backend_option.hpp"

#include "greenwave/core/error.hpp"
#include "greenwave/sim/simulator.hpp"
#include "sim_options.hpp"
#ifdef GREENWAVE_WITH_SUMO
#include "greenwave/sumo/sumo_backend.hpp"
#endif

namespace greenwave::cli {

bool sumo_backend_option(const Args& args) {
  const std::string name = args.get_or("backend", "native");
  if (name == "native") return false;
  if (name != "sumo") throw ConfigError("--backend", "expected native or sumo, got '" + name + "'");
#ifdef GREENWAVE_WITH_SUMO
  return true;
#else
  throw ConfigError("--backend", "this build has no SUMO backend (configure with GREENWAVE_WITH_SUMO=ON; needs sumo)");
#endif
}

std::unique_ptr<TrafficBackend> make_backend(const Args& args, std::shared_ptr<const CompiledScenario> scenario) {
#ifdef GREENWAVE_WITH_SUMO
  if (sumo_backend_option(args) && scenario->settings.demand_jitter > 0)
    throw ConfigError("--demand-jitter", "needs the native engine: SUMO runs its own demand (drop --backend sumo or the jitter)");
  if (sumo_backend_option(args)) return std::make_unique<SumoBackend>(std::move(scenario), sumo_network_of(args.positional()[0]));
#else
  sumo_backend_option(args);
#endif
  return std::make_unique<Simulator>(std::move(scenario), SimOptions{threads_option(args)});
}

}  // namespace greenwave::cli
