#include "greenwave/env/env_registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "greenwave/core/error.hpp"

namespace greenwave {

void EnvRegistry::add(EnvEntry entry) {
  if (entry.name.empty()) throw ConfigError("env", "an env entry needs a name");
  if (contains(entry.name)) throw ConfigError("env", "'" + entry.name + "' is already registered");
  if (!entry.factory) throw ConfigError("env", "entry '" + entry.name + "' has no factory");
  std::set<std::string> seen;
  for (const EnvOption& o : entry.options)
    if (o.name.empty() || !seen.insert(o.name).second)
      throw ConfigError("env", "entry '" + entry.name + "' declares option '" + o.name + "' twice or unnamed");
  entries_.push_back(std::move(entry));
}

bool EnvRegistry::contains(const std::string& name) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const EnvEntry& e) { return e.name == name; });
}

const EnvEntry& EnvRegistry::at(const std::string& name) const {
  for (const EnvEntry& e : entries_)
    if (e.name == name) return e;
  std::string known;
  for (const EnvEntry& e : entries_) known += (known.empty() ? "" : ", ") + e.name;
  throw ConfigError("env", "unknown env '" + name + "' (known: " + known + ")");
}

std::vector<std::string> EnvRegistry::names() const {
  std::vector<std::string> out;
  for (const EnvEntry& e : entries_) out.push_back(e.name);
  return out;
}

EnvOptions EnvRegistry::resolve(const std::string& name, const EnvOptions& given) const {
  const EnvEntry& entry = at(name);
  for (const auto& given_option : given) {
    const std::string& key = given_option.first;  // a named variable: clang 14 cannot capture a structured binding
    const bool known = std::any_of(entry.options.begin(), entry.options.end(), [&](const EnvOption& o) { return o.name == key; });
    if (!known) {
      std::string accepted;
      for (const EnvOption& o : entry.options) accepted += (accepted.empty() ? "" : ", ") + o.name;
      throw ConfigError(key, "env '" + name + "' has no option '" + key + "' (its options: " + accepted + ")");
    }
  }
  EnvOptions out;
  for (const EnvOption& o : entry.options) {
    const auto it = given.find(o.name);
    if (it != given.end()) out[o.name] = it->second;
    else if (o.required) throw ConfigError(o.name, "env '" + name + "' requires option '" + o.name + "' (" + o.help + ")");
    else out[o.name] = o.default_value;
  }
  return out;
}

std::unique_ptr<Env> EnvRegistry::make(const std::string& name, const EnvOptions& given) const {
  return at(name).factory(resolve(name, given));
}

std::string env_options_to_json(const EnvOptions& options) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : options) j[key] = value;
  return j.dump();
}

EnvOptions env_options_from_json(const std::string& json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) throw ConfigError("env_options", "expected a JSON object of strings, got '" + json + "'");
  EnvOptions out;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) throw ConfigError("env_options", "option '" + key + "' is not a string");
    out[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace greenwave
