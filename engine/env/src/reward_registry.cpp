#include <algorithm>
#include <charconv>
#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/env/reward.hpp"

namespace greenwave {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string format_weight(double w) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, w);
  return std::string(buf, res.ptr);
}

}  // namespace

RewardRegistry& RewardRegistry::global() {
  static RewardRegistry* registry = [] {
    // Never destroyed: registered Python callables must not be released after the interpreter
    // has shut down, which static destruction would do.
    auto* r = new RewardRegistry();
    register_builtin_rewards(*r);
    return r;
  }();
  return *registry;
}

void RewardRegistry::register_reward(const std::string& name, RewardFn fn) {
  if (!valid_name(name)) throw ConfigError("reward", "bad name '" + name + "' (letters, digits and _ only)");
  if (!fn) throw ConfigError("reward", "'" + name + "' has an empty function");
  const std::lock_guard lock(mutex_);
  if (!fns_.emplace(name, std::move(fn)).second) throw ConfigError("reward", "'" + name + "' is already registered");
}

RewardFn RewardRegistry::find(const std::string& name) const {
  const std::lock_guard lock(mutex_);
  const auto it = fns_.find(name);
  if (it != fns_.end()) return it->second;
  std::string known;
  for (const auto& [n, fn] : fns_) known += (known.empty() ? "" : ", ") + n;
  throw ConfigError("reward", "unknown reward '" + name + "' (known: " + known + ")");
}

std::vector<std::string> RewardRegistry::names() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [n, fn] : fns_) out.push_back(n);
  return out;
}

RewardSpec::RewardSpec(std::string_view spec, const RewardRegistry& registry) {
  const std::string full(spec);
  while (true) {
    const auto comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    const auto colon = item.find(':');
    const std::string name(trim(item.substr(0, colon)));
    if (name.empty()) throw ConfigError("reward", "empty reward name in '" + full + "'");
    double weight = 1.0;
    if (colon != std::string_view::npos) {
      const std::string_view w = trim(item.substr(colon + 1));
      const auto res = std::from_chars(w.data(), w.data() + w.size(), weight);
      if (w.empty() || res.ec != std::errc() || res.ptr != w.data() + w.size() || !std::isfinite(weight))
        throw ConfigError("reward", "weight of '" + name + "' must be a finite number, got '" + std::string(w) + "'");
    }
    if (std::any_of(terms_.begin(), terms_.end(), [&](const RewardTerm& t) { return t.name == name; }))
      throw ConfigError("reward", "'" + name + "' given twice in '" + full + "'");
    terms_.push_back({name, weight, registry.find(name)});
    text_ += (text_.empty() ? "" : ",") + name + ":" + format_weight(weight);
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
}

std::vector<std::string> RewardSpec::names() const {
  std::vector<std::string> out;
  for (const RewardTerm& t : terms_) out.push_back(t.name);
  return out;
}

double RewardSpec::evaluate(const RewardView& view) const {
  double total = 0;
  for (const RewardTerm& t : terms_) {
    const double r = t.fn(view);
    if (!std::isfinite(r))
      throw ConfigError("reward '" + t.name + "'",
                        "returned " + std::string(std::isnan(r) ? "NaN" : "an infinite value") + " for agent '" +
                            view.network.intersection_ids[view.agent.intersection] + "' at t = " +
                            std::to_string(view.backend.time()) + " s");
    total += t.weight * r;
  }
  return total;
}

}  // namespace greenwave
