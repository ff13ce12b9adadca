#include "registry_env.hpp"

#include <cstring>

#include "greenwave/catalog/catalog.hpp"

namespace greenwave::cli {

std::optional<std::string> peek_option(int argc, char** argv, int first, const std::string& name) {
  const std::string flag = "--" + name;
  for (int i = first; i < argc; ++i) {
    if (argv[i] == flag && i + 1 < argc) return std::string(argv[i + 1]);
    if (std::strncmp(argv[i], (flag + "=").c_str(), flag.size() + 1) == 0) return std::string(argv[i] + flag.size() + 1);
  }
  return std::nullopt;
}

std::optional<std::string> peek_env_option(int argc, char** argv, int first) { return peek_option(argc, argv, first, "env"); }

std::set<std::string> env_option_names(const EnvEntry& entry) {
  std::set<std::string> names;
  for (const EnvOption& o : entry.options) names.insert(o.name);
  return names;
}

EnvOptions env_options_from_args(const Args& args, const EnvEntry& entry) {
  EnvOptions given;
  for (const EnvOption& o : entry.options)
    if (const auto v = args.get(o.name)) given[o.name] = *v;
  return given;
}

std::string env_options_help(const EnvEntry& entry) {
  std::string out = "options of env '" + entry.name + "' (" + entry.summary + "):\n";
  for (const EnvOption& o : entry.options) {
    std::string line = "  --" + o.name + " VALUE";
    line.resize(std::max<std::size_t>(line.size() + 1, 28), ' ');
    out += line + o.help + (o.required ? " (required)" : " (default " + o.default_value + ")") + "\n";
  }
  return out;
}

std::string env_names_text() {
  std::string out;
  for (const std::string& n : env_catalog().names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

nlohmann::json episode_result_json(const EpisodeResult& r) {
  nlohmann::json j = nlohmann::json::object();
  j["return"] = r.total_reward;
  j["steps"] = r.steps;
  for (std::size_t i = 0; i < r.metric_names.size(); ++i) j[r.metric_names[i]] = r.metric_values[i];
  return j;
}

}  // namespace greenwave::cli
