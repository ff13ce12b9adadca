// `greenwave convert`: any supported scenario format to the native text or binary format, or out
// to SUMO or CityFlow files.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/cityflow.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/networks/sumo.hpp"

namespace greenwave::cli {

int cmd_convert(int argc, char** argv) {
  const Args args(argc, argv, 2, {"help", "force"}, {"flow", "to"});
  if (args.flag("help") || args.positional().size() != 2) {
    std::cout << "usage: greenwave convert SCENARIO OUT [--to native|sumo|cityflow] [--flow FLOW]\n"
                 "Reads SCENARIO in any supported format (native, CityFlow, CBEngine, SUMO), validates it (the\n"
                 "same checks as `info`) and writes it:\n"
                 "  --to native (default): OUT.pbtxt = Protobuf text, OUT.pb = binary;\n"
                 "  --to sumo: OUT.sumocfg with OUT.net.xml (built by SUMO's netconvert) and OUT.rou.xml\n"
                 "             (docs/sumo.md, \"Writing SUMO files\");\n"
                 "  --to cityflow: OUT.json (a CityFlow config.json) with OUT.roadnet.json and OUT.flow.json,\n"
                 "             one flow entry per departure (docs/scenario-format.md, \"Writing CityFlow files\").\n"
                 "Each output file is replaced atomically; --force replaces existing ones.\n";
    return args.flag("help") ? 0 : 2;
  }
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  const std::string to = args.get_or("to", "native");
  if (to != "native" && to != "sumo" && to != "cityflow")
    throw ConfigError("--to", "expected native, sumo or cityflow, got '" + to + "'");
  const v1::Scenario scenario = read_scenario(in, args.get_or("flow", ""));
  const CompiledScenario compiled = compile_scenario(scenario, in);  // refuse to write what could not be loaded
  if (to == "sumo") {
    const SumoFiles files = sumo_files_for(out);
    for (const std::string& f : {files.config, files.net, files.routes}) args.refuse_overwrite(f, "OUT");
    write_sumo(scenario, compiled, out);
    std::cerr << "wrote " << files.config << ", " << files.net << ", " << files.routes << "\n";
    return 0;
  }
  if (to == "cityflow") {
    const CityFlowFiles files = cityflow_files_for(out);
    for (const std::string& f : {files.config, files.roadnet, files.flow}) args.refuse_overwrite(f, "OUT");
    write_cityflow(scenario, compiled, out);
    std::cerr << "wrote " << files.config << ", " << files.roadnet << ", " << files.flow << "\n";
    return 0;
  }
  args.refuse_overwrite(out, "OUT");
  write_native(scenario, out);
  std::cerr << "wrote " << out << "\n";
  return 0;
}

}  // namespace greenwave::cli
