// `greenwave convert`: any supported scenario format to the native text or binary format.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {

int cmd_convert(int argc, char** argv) {
  const Args args(argc, argv, 2, {"help", "force"}, {"flow"});
  if (args.flag("help") || args.positional().size() != 2) {
    std::cout << "usage: greenwave convert SCENARIO OUT.pbtxt|OUT.pb [--flow FLOW]\n"
                 "Reads SCENARIO in any supported format (native, CityFlow, CBEngine, SUMO), validates it (the\n"
                 "same checks as `info`) and writes it in the native format: .pbtxt = Protobuf text, .pb = binary.\n"
                 "OUT is replaced atomically.\n";
    return args.flag("help") ? 0 : 2;
  }
  const std::string& in = args.positional()[0];
  const std::string& out = args.positional()[1];
  const v1::Scenario scenario = read_scenario(in, args.get_or("flow", ""));
  compile_scenario(scenario, in);  // refuse to write what could not be loaded
  args.refuse_overwrite(out, "OUT");
  write_native(scenario, out);
  std::cerr << "wrote " << out << "\n";
  return 0;
}

}  // namespace greenwave::cli
