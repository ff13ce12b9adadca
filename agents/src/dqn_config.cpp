#include "greenwave/agents/dqn_config.hpp"

#include <nlohmann/json.hpp>

#include "greenwave/core/error.hpp"

namespace greenwave {

namespace {

using Json = nlohmann::json;

// Applies `fn(name, member)` to every field, so serialisation and parsing cannot drift apart.
template <typename Config, typename Fn>
void for_each_field(Config& c, Fn&& fn) {
  fn("hidden_sizes", c.hidden_sizes);
  fn("dueling", c.dueling);
  fn("learning_rate", c.learning_rate);
  fn("adam_eps", c.adam_eps);
  fn("gamma", c.gamma);
  fn("n_step", c.n_step);
  fn("double_dqn", c.double_dqn);
  fn("huber_delta", c.huber_delta);
  fn("max_grad_norm", c.max_grad_norm);
  fn("batch_size", c.batch_size);
  fn("learning_starts", c.learning_starts);
  fn("train_frequency", c.train_frequency);
  fn("gradient_steps", c.gradient_steps);
  fn("tau", c.tau);
  fn("target_update_interval", c.target_update_interval);
  fn("buffer_size", c.buffer_size);
  fn("prioritized", c.prioritized);
  fn("per_alpha", c.per_alpha);
  fn("per_beta_start", c.per_beta_start);
  fn("per_beta_updates", c.per_beta_updates);
  fn("per_eps", c.per_eps);
  fn("epsilon_start", c.epsilon_start);
  fn("epsilon_end", c.epsilon_end);
  fn("epsilon_decay_steps", c.epsilon_decay_steps);
  fn("seed", c.seed);
  fn("device", c.device);
  fn("torch_threads", c.torch_threads);
}

void require(bool ok, const char* field, const std::string& what) {
  if (!ok) throw ConfigError(field, what);
}

}  // namespace

void validate(const DqnConfig& c) {
  for (const auto h : c.hidden_sizes) require(h > 0, "hidden_sizes", "every width must be > 0");
  require(c.learning_rate > 0, "learning_rate", "must be > 0, got " + std::to_string(c.learning_rate));
  require(c.adam_eps > 0, "adam_eps", "must be > 0");
  require(c.gamma >= 0 && c.gamma <= 1, "gamma", "must be in [0, 1], got " + std::to_string(c.gamma));
  require(c.n_step >= 1, "n_step", "must be >= 1, got " + std::to_string(c.n_step));
  require(c.huber_delta > 0, "huber_delta", "must be > 0");
  require(c.batch_size >= 1, "batch_size", "must be >= 1");
  require(c.learning_starts >= 0, "learning_starts", "must be >= 0");
  require(c.train_frequency >= 1, "train_frequency", "must be >= 1");
  require(c.gradient_steps >= 1, "gradient_steps", "must be >= 1");
  require(c.tau > 0 && c.tau <= 1, "tau", "must be in (0, 1], got " + std::to_string(c.tau));
  require(c.target_update_interval >= 1, "target_update_interval", "must be >= 1");
  require(c.buffer_size >= 1, "buffer_size", "must be >= 1");
  require(c.per_alpha >= 0, "per_alpha", "must be >= 0");
  require(c.per_beta_start >= 0 && c.per_beta_start <= 1, "per_beta_start", "must be in [0, 1]");
  require(c.per_beta_updates >= 1, "per_beta_updates", "must be >= 1");
  require(c.per_eps > 0, "per_eps", "must be > 0");
  require(c.epsilon_start >= 0 && c.epsilon_start <= 1, "epsilon_start", "must be in [0, 1]");
  require(c.epsilon_end >= 0 && c.epsilon_end <= 1, "epsilon_end", "must be in [0, 1]");
  require(c.epsilon_decay_steps >= 1, "epsilon_decay_steps", "must be >= 1");
  require(c.device == "cpu" || c.device == "cuda" || c.device == "auto", "device",
          "expected cpu, cuda or auto, got '" + c.device + "'");
  require(c.torch_threads >= 0, "torch_threads", "must be >= 0");
}

std::string dqn_config_to_json(const DqnConfig& config) {
  Json j = Json::object();
  for_each_field(config, [&j](const char* name, const auto& value) { j[name] = value; });
  return j.dump(2);
}

DqnConfig dqn_config_from_json(const std::string& text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw ConfigError("config", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("config", "expected a JSON object");
  DqnConfig config;
  std::size_t known = 0;
  for_each_field(config, [&j, &known](const char* name, auto& value) {
    const auto it = j.find(name);
    if (it == j.end()) return;
    ++known;
    try {
      it->get_to(value);
    } catch (const Json::exception& e) {
      throw ConfigError(name, std::string("wrong type: ") + e.what());
    }
  });
  if (known != j.size()) {
    DqnConfig probe;
    for (const auto& item : j.items()) {
      const std::string& key = item.key();
      bool found = false;
      for_each_field(probe, [&](const char* name, const auto&) { found = found || key == name; });
      if (!found) throw ConfigError(key, "unknown DQN config key");
    }
  }
  validate(config);
  return config;
}

}  // namespace greenwave
