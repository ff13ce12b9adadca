#include "greenwave/agents/trainer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/core/rng.hpp"

namespace greenwave {

namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

std::size_t idx(std::int64_t i) { return static_cast<std::size_t>(i); }

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Eval seeds are a stream of their own, so evaluation never replays a training episode.
constexpr std::uint64_t kEvalStream = 0x6576616cULL;  // "eval"

// Vehicle counts among the traffic metrics: written as JSON integers (a mean over evaluation
// episodes rounded to the nearest vehicle, as `greenwave eval` prints it).
bool is_vehicle_count(const std::string& name) {
  static const std::set<std::string> counts = {"served_vehicles", "throughput", "vehicles_scheduled", "departed",
                                               "running", "waiting_to_enter", "queued"};
  return counts.count(name) != 0;
}

Json episode_json(const EpisodeResult& r);

// An EpisodeResult back from episode_json's object (best.json keeps the best evaluation).
EpisodeResult episode_from_json(const Json& j) {
  EpisodeResult r;
  for (const auto& [key, value] : j.items()) {
    if (key == "steps") r.steps = value.get<std::int64_t>();
    else if (key == "return") r.total_reward = value.get<double>();
    else if (value.is_number()) {
      r.metric_names.push_back(key);
      r.metric_values.push_back(value.get<double>());
    }
  }
  return r;
}

Json episode_json(const EpisodeResult& r) {
  Json j = Json::object();
  j["steps"] = r.steps;
  j["return"] = r.total_reward;
  for (std::size_t i = 0; i < r.metric_names.size(); ++i) {
    if (is_vehicle_count(r.metric_names[i])) j[r.metric_names[i]] = std::llround(r.metric_values[i]);
    else j[r.metric_names[i]] = r.metric_values[i];
  }
  return j;
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "--";
  const auto t = static_cast<long long>(s);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, (t / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  }
  return buf;
}

void write_file(const fs::path& path, const std::string& text) { write_file_atomically(path.string(), text + "\n"); }

// The metrics.jsonl line of training episode `episode`: its result, loss and the agent's
// counters after it.
Json episode_line(const EpisodeResult& r, int episode, const DqnAgent& agent, double wall_s) {
  Json line = episode_json(r);
  line["episode"] = episode;
  line["loss"] = r.train.loss;
  line["updates"] = agent.counters().updates;
  line["epsilon"] = agent.epsilon();
  line["wall_s"] = wall_s;
  return line;
}

// Appends a round's lines to metrics.jsonl (opened as `metrics` from `path`) and flushes them.
void append_lines(std::ofstream& metrics, const std::string& path, const std::vector<Json>& lines) {
  errno = 0;
  for (const Json& line : lines) metrics << line.dump() << "\n";
  metrics << std::flush;
  // The stream keeps no errno of its own; the failed write() left it set (EIO if not).
  if (!metrics) throw IoError(path, "append to the file", errno != 0 ? errno : EIO);
}

}  // namespace

double EpisodeResult::metric(const std::string& name) const {
  if (name == "return") return total_reward;
  if (name == "steps") return static_cast<double>(steps);
  for (std::size_t i = 0; i < metric_names.size(); ++i)
    if (metric_names[i] == name) return metric_values[i];
  throw ConfigError("metric", "the environment reports no metric '" + name + "'");
}

EpisodeResult run_episode(Env& env, Agent& agent, std::uint64_t seed, bool explore, bool learn, const StepHook& hook) {
  const EnvSpec& spec = env.spec();
  const std::int64_t rows = spec.num_agents();
  const std::int64_t obs_size = spec.observation.size();
  std::vector<float> obs(idx(rows * obs_size)), next_obs(obs.size()), rewards(idx(rows));
  std::vector<std::uint8_t> mask(idx(rows * spec.max_actions)), next_mask(mask.size());
  std::vector<std::uint8_t> terminated(idx(rows)), truncated(idx(rows));
  std::vector<std::int32_t> actions(idx(rows));
  StepInfo info;
  EpisodeResult result;
  result.metric_names = env.metric_names();

  agent.begin_episode(seed);
  env.reset(seed, obs, info);
  env.action_mask(mask);
  double loss_sum = 0;
  while (true) {
    agent.act(obs, mask, actions, explore);
    env.step(actions, next_obs, rewards, info);
    env.action_mask(next_mask);
    ++result.steps;
    for (const float r : rewards) result.total_reward += r;
    if (learn) {
      std::fill(terminated.begin(), terminated.end(), info.terminated ? 1 : 0);
      std::fill(truncated.begin(), truncated.end(), info.truncated ? 1 : 0);
      agent.observe({obs, actions, rewards, next_obs, next_mask, terminated, truncated, {}, mask});
      const TrainStats s = agent.train();
      result.train.updates += s.updates;
      loss_sum += s.loss * static_cast<double>(s.updates);
    }
    if (hook) hook(info, result.steps);
    obs.swap(next_obs);
    mask.swap(next_mask);
    if (info.terminated || info.truncated) break;
  }
  result.terminated = info.terminated;
  result.truncated = info.truncated;
  result.metric_values = info.metric_values;
  if (result.train.updates > 0) result.train.loss = loss_sum / static_cast<double>(result.train.updates);
  return result;
}

EpisodeResult evaluate(Env& env, Agent& agent, std::uint64_t seed, int episodes) {
  if (episodes < 1) throw ConfigError("episodes", "must be >= 1, got " + std::to_string(episodes));
  EpisodeResult mean;
  double steps = 0;
  for (int e = 0; e < episodes; ++e) {
    const EpisodeResult r = run_episode(env, agent, mix_seed(seed, static_cast<std::uint64_t>(e)), false, false);
    if (e == 0) {
      mean.metric_names = r.metric_names;
      mean.metric_values.assign(r.metric_values.size(), 0.0);
    }
    steps += static_cast<double>(r.steps);
    mean.total_reward += r.total_reward / episodes;
    for (std::size_t i = 0; i < r.metric_values.size(); ++i) mean.metric_values[i] += r.metric_values[i] / episodes;
    mean.terminated = r.terminated;
    mean.truncated = r.truncated;
  }
  mean.steps = std::llround(steps / episodes);
  return mean;
}

std::string training_trajectory_path(const std::string& dir, int env, std::int64_t first_episode) {
  const std::string name = "train_env" + std::to_string(env) +
                           (first_episode > 0 ? "_from" + std::to_string(first_episode) : std::string()) + ".h5";
  return (fs::path(dir) / name).string();
}

Trainer::Trainer(VectorEnv& env, Env& eval_env, DqnAgent& agent, TrainerConfig config)
    : Trainer(env, std::vector<Env*>{&eval_env}, agent, std::move(config)) {}

Trainer::Trainer(VectorEnv& env, std::vector<Env*> validation_envs, DqnAgent& agent, TrainerConfig config)
    : env_(env), eval_envs_(std::move(validation_envs)), agent_(agent), config_(std::move(config)) {
  if (eval_envs_.empty()) throw ConfigError("validation", "at least one validation env is required");
  if (config_.episodes < 1) throw ConfigError("episodes", "must be >= 1");
  if (config_.eval_every < 1) throw ConfigError("eval_every", "must be >= 1");
  if (config_.eval_episodes < 1) throw ConfigError("eval_episodes", "must be >= 1");
  if (config_.out_dir.empty()) throw ConfigError("out", "an output directory is required");
  if (config_.wsm.enabled && (config_.wsm.warmup_updates < 0 || config_.wsm.checkpoint_every < 1 ||
                              config_.wsm.merge_count < 1))
    throw ConfigError("wsm", "warmup_updates >= 0, checkpoint_every >= 1 and merge_count >= 1 are required");
  std::vector<const EnvSpec*> specs = {&env_.spec()};
  for (const Env* e : eval_envs_) specs.push_back(&e->spec());
  for (const EnvSpec* spec : specs) {
    const EnvSpec& s = *spec;
    if (s.observation.size() != agent_.shape().obs_size || s.max_actions != agent_.shape().num_actions)
      throw ConfigError("agent", "the agent was built for observations of " + std::to_string(agent_.shape().obs_size) +
                                     " and " + std::to_string(agent_.shape().num_actions) + " actions; env '" + s.name +
                                     "' has " + std::to_string(s.observation.size()) + " and " +
                                     std::to_string(s.max_actions));
  }
  const std::int64_t rows = static_cast<std::int64_t>(env_.num_envs()) * env_.spec().num_agents();
  if (rows != agent_.shape().rows)
    throw ConfigError("agent", "the agent learns from " + std::to_string(agent_.shape().rows) + " rows per step; " +
                                   std::to_string(env_.num_envs()) + " envs of '" + env_.spec().name + "' give " +
                                   std::to_string(rows));
  std::error_code ec;
  fs::create_directories(config_.out_dir, ec);
  if (ec) throw ConfigError("out", "cannot create " + config_.out_dir + ": " + ec.message());
  draw_ = config_.progress && isatty(fileno(stderr));
}

std::string Trainer::wsm_checkpoint_dir() const { return (fs::path(config_.out_dir) / "wsm").string(); }

EpisodeResult Trainer::validate(Agent& agent, std::uint64_t seed) {
  EpisodeResult mean;
  double steps = 0;
  const double n = static_cast<double>(eval_envs_.size());
  for (Env* env : eval_envs_) {
    const EpisodeResult r = evaluate(*env, agent, seed, config_.eval_episodes);
    if (mean.metric_names.empty()) {
      mean.metric_names = r.metric_names;
      mean.metric_values.assign(r.metric_values.size(), 0.0);
    }
    if (r.metric_names != mean.metric_names)
      throw ConfigError("validation", "validation env '" + env->spec().name + "' reports other metrics than the first");
    steps += static_cast<double>(r.steps);
    mean.total_reward += r.total_reward / n;
    for (std::size_t i = 0; i < r.metric_values.size(); ++i) mean.metric_values[i] += r.metric_values[i] / n;
    mean.terminated = r.terminated;
    mean.truncated = r.truncated;
  }
  mean.steps = std::llround(steps / n);
  return mean;
}

void Trainer::on_step(const StepInfo& info, std::int64_t steps) {
  const std::int64_t updates = agent_.counters().updates;
  if (config_.wsm.enabled) {
    const WsmSchedule& w = config_.wsm;
    const double warm = w.warmup_updates == 0 ? 1.0 : std::min(1.0, static_cast<double>(updates + 1) / static_cast<double>(w.warmup_updates));
    agent_.set_learning_rate(agent_.config().learning_rate * warm);
    if (updates >= w.warmup_updates && updates >= next_wsm_update_) {
      const std::string path = (fs::path(wsm_checkpoint_dir()) / ("update_" + std::to_string(updates) + ".pt")).string();
      agent_.save(path, CheckpointContents::WeightsOnly);
      wsm_window_.push_back(path);
      if (std::ssize(wsm_window_) > w.merge_count) {
        fs::remove(wsm_window_.front());
        wsm_window_.erase(wsm_window_.begin());
      }
      next_wsm_update_ = updates + w.checkpoint_every;
    }
  }
  if (!draw_) return;
  const double t = now_s();
  if (t - last_draw_ < 0.2) return;
  last_draw_ = t;
  const double in_episode = last_episode_steps_ > 0 ? std::min(1.0, static_cast<double>(steps) / static_cast<double>(last_episode_steps_)) : 0.0;
  const double done = (episode_ - first_episode_ + in_episode) / std::max(1, config_.episodes - first_episode_);
  const double eta = done > 0 ? (t - started_) * (1.0 - done) / done : NAN;
  std::string line = "\r\033[Kepisode " + std::to_string(episode_ + 1) + "/" + std::to_string(config_.episodes) +
                     " " + std::to_string(static_cast<int>(100 * done)) + "% ETA " + format_duration(eta);
  const auto& names = env_.env(0).metric_names();
  // Label and printf format of the live traffic metrics, when the env reports them.
  const std::pair<const char*, const char*> shown[] = {
      {"served_vehicles", " | served %.0f"}, {"delay_index", " | delay index %.3f"}, {"average_travel_time", " | ATT %.1f s"}};
  for (const auto& [key, format] : shown) {
    const auto it = std::find(names.begin(), names.end(), key);
    if (it == names.end() || info.metric_values.size() != names.size()) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, format, info.metric_values[idx(it - names.begin())]);
    line += buf;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, " | eps %.2f updates %lld", agent_.epsilon(), static_cast<long long>(updates));
  line += buf;
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

std::vector<EpisodeResult> Trainer::run_round(std::uint64_t seed) {
  const EnvSpec& spec = env_.spec();
  const std::size_t n = idx(env_.num_envs());
  const std::size_t agents = idx(spec.num_agents());
  const std::size_t rows = n * agents;
  const std::size_t obs_size = idx(spec.observation.size());
  std::vector<float> obs(rows * obs_size), next_obs(obs.size()), rewards(rows);
  std::vector<std::uint8_t> mask(rows * idx(spec.max_actions)), next_mask(mask.size());
  std::vector<std::uint8_t> env_term(n), env_trunc(n), term(rows), trunc(rows), valid(rows, 1);
  std::vector<std::int32_t> actions(rows);
  std::vector<EpisodeResult> results(n);
  std::vector<double> loss_sum(n, 0.0);
  std::vector<std::uint8_t> running(n, 1);
  std::size_t still_running = n;
  env_.reset(seed, obs);
  env_.action_mask(mask);
  for (std::size_t e = 0; e < writers_.size(); ++e)
    writers_[e]->begin_episode(seed + e, std::span<const float>(obs).subspan(e * agents * obs_size, agents * obs_size));
  std::int64_t steps = 0;
  while (still_running > 0) {
    agent_.act(obs, mask, actions, true);
    env_.step(actions, next_obs, rewards, env_term, env_trunc);
    env_.action_mask(next_mask);
    ++steps;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t e = r / agents;
      valid[r] = running[e];
      term[r] = env_term[e];
      trunc[r] = env_trunc[e];
    }
    agent_.observe({obs, actions, rewards, next_obs, next_mask, term, trunc, valid, mask});
    const TrainStats s = agent_.train();
    for (std::size_t e = 0; e < n; ++e) {
      if (!running[e]) continue;
      EpisodeResult& res = results[e];
      if (!writers_.empty())
        writers_[e]->append(std::span<const std::int32_t>(actions).subspan(e * agents, agents),
                            std::span<const float>(rewards).subspan(e * agents, agents),
                            std::span<const float>(next_obs).subspan(e * agents * obs_size, agents * obs_size),
                            env_.info(static_cast<std::int32_t>(e)));
      ++res.steps;
      for (std::size_t a = 0; a < agents; ++a) res.total_reward += rewards[e * agents + a];
      res.train.updates += s.updates;
      loss_sum[e] += s.loss * static_cast<double>(s.updates);
      if (env_term[e] || env_trunc[e]) {
        // The env's info still holds the finished episode (it autoresets on the next step).
        const StepInfo& info = env_.info(static_cast<std::int32_t>(e));
        res.terminated = env_term[e];
        res.truncated = env_trunc[e];
        res.metric_names = env_.env(static_cast<std::int32_t>(e)).metric_names();
        res.metric_values = info.metric_values;
        if (res.train.updates > 0) res.train.loss = loss_sum[e] / static_cast<double>(res.train.updates);
        if (!writers_.empty()) writers_[e]->end_episode();
        running[e] = 0;
        --still_running;
      }
    }
    on_step(env_.info(0), steps);
    obs.swap(next_obs);
    mask.swap(next_mask);
  }
  return results;
}

void Trainer::write_config_json() const {
  Json cfg = Json::object();
  cfg["dqn"] = Json::parse(dqn_config_to_json(agent_.config()));
  cfg["trainer"] = {{"episodes", config_.episodes},
                    {"seed", config_.seed},
                    {"eval_every", config_.eval_every},
                    {"eval_episodes", config_.eval_episodes},
                    {"best_metric", config_.best_metric},
                    {"lower_is_better", config_.lower_is_better},
                    {"schedule", config_.wsm.enabled ? "wsm" : "constant"}};
  if (config_.wsm.enabled)
    cfg["trainer"]["wsm"] = {{"warmup_updates", config_.wsm.warmup_updates},
                             {"checkpoint_every", config_.wsm.checkpoint_every},
                             {"merge_count", config_.wsm.merge_count}};
  cfg["env"] = {{"name", env_.spec().name}, {"agents", env_.spec().num_agents()},
                {"obs_size", env_.spec().observation.size()}, {"max_actions", env_.spec().max_actions},
                {"reward", env_.spec().reward_names}};
  cfg["run"] = Json::parse(config_.run_json);
  write_file(fs::path(config_.out_dir) / "config.json", cfg.dump(2));
}

void Trainer::restore_best(TrainResult& result) {
  const fs::path path = fs::path(config_.out_dir) / "best.json";
  if (!fs::exists(path)) return;
  std::ifstream in(path);
  const Json b = Json::parse(in, nullptr, false);
  if (!b.is_object() || !b.contains("score")) return;
  best_score_ = b["score"].get<double>();
  has_best_ = true;
  result.best_episode = b.value("episode", -1);
  result.best_candidate = b.value("candidate", std::string("last"));
  if (b.contains("eval") && b["eval"].is_object()) result.best_eval = episode_from_json(b["eval"]);
}

void Trainer::restore_wsm_window(bool resumed) {
  fs::create_directories(wsm_checkpoint_dir());
  if (resumed) {
    // Rebuild the window from the kept files, ordered by update number.
    std::vector<std::pair<std::int64_t, std::string>> kept;
    for (const auto& entry : fs::directory_iterator(wsm_checkpoint_dir())) {
      const std::string stem = entry.path().stem().string();
      if (stem.rfind("update_", 0) == 0) kept.emplace_back(std::stoll(stem.substr(7)), entry.path().string());
    }
    std::sort(kept.begin(), kept.end());
    for (const auto& [u, path] : kept) wsm_window_.push_back(path);
    if (!kept.empty()) next_wsm_update_ = kept.back().first + config_.wsm.checkpoint_every;
  }
  next_wsm_update_ = std::max(next_wsm_update_, config_.wsm.warmup_updates);
}

void Trainer::open_trajectory_writers() {
  writers_.clear();
  if (config_.trajectory_dir.empty()) return;
  std::error_code ec;
  fs::create_directories(config_.trajectory_dir, ec);
  if (ec) throw ConfigError("trajectories", "cannot create " + config_.trajectory_dir + ": " + ec.message());
  for (int e = 0; e < env_.num_envs(); ++e) {
    writers_.push_back(std::make_unique<TrajectoryWriter>(training_trajectory_path(config_.trajectory_dir, e, first_episode_),
                                                          env_.spec(), env_.env(e).metric_names(), config_.trajectory_meta));
  }
}

void Trainer::consider_candidate(const EpisodeResult& eval, const std::string& candidate, const std::function<void()>& save,
                                 TrainResult& result) {
  const double score = eval.metric(config_.best_metric);
  if (has_best_ && !(config_.lower_is_better ? score < best_score_ : score > best_score_)) return;
  has_best_ = true;
  best_score_ = score;
  save();
  result.best_eval = eval;
  result.best_candidate = candidate;
  result.best_episode = episode_ - 1;
  write_file(fs::path(config_.out_dir) / "best.json",
             Json{{"episode", episode_ - 1}, {"score", score}, {"metric", config_.best_metric},
                  {"candidate", candidate}, {"eval", episode_json(eval)}}.dump());
}

bool Trainer::merge_candidate(std::uint64_t eval_seed, TrainResult& result) {
  if (!config_.wsm.enabled || wsm_window_.size() < 2) return false;
  const std::string merged = (fs::path(wsm_checkpoint_dir()) / "merged.pt").string();
  merge_checkpoints(wsm_window_, wsm_merge_weights(config_.wsm.shape, static_cast<int>(wsm_window_.size())), merged);
  const auto merged_agent = DqnAgent::load(merged, agent_.config().device);
  result.merged_eval = validate(*merged_agent, eval_seed);
  result.has_merged = true;
  consider_candidate(result.merged_eval, "merged",
                     [&] { merged_agent->save(result.best_checkpoint, CheckpointContents::WeightsOnly); }, result);
  return true;
}

bool Trainer::evaluation_round(std::uint64_t eval_seed, TrainResult& result) {
  // The candidates for best.pt: the last network, then (WSM) the merged window.
  result.final_eval = validate(agent_, eval_seed);
  consider_candidate(result.final_eval, "last", [&] { agent_.save(result.best_checkpoint); }, result);
  return merge_candidate(eval_seed, result);
}

TrainResult Trainer::run() {
  const fs::path dir(config_.out_dir);
  TrainResult result;
  result.last_checkpoint = (dir / "last.pt").string();
  result.best_checkpoint = (dir / "best.pt").string();
  const bool resumed = agent_.counters().episodes > 0;
  write_config_json();
  // best.json remembers the best score across resumes.
  has_best_ = false;
  best_score_ = 0;
  if (resumed) restore_best(result);
  if (config_.wsm.enabled) restore_wsm_window(resumed);

  const std::string metrics_path = (dir / "metrics.jsonl").string();
  std::ofstream metrics(metrics_path, resumed ? std::ios::app : std::ios::trunc);
  if (!metrics) throw IoError(metrics_path, "create the file", errno);
  started_ = now_s();
  const int n_envs = env_.num_envs();
  first_episode_ = static_cast<int>(agent_.counters().episodes);
  open_trajectory_writers();
  on_step(StepInfo{}, 0);  // sets the warm-up learning rate before the first update
  const std::uint64_t eval_seed = mix_seed(config_.seed, kEvalStream);
  bool evaluated_last = false;
  for (episode_ = first_episode_; episode_ < config_.episodes;) {
    const auto round = static_cast<std::uint64_t>(episode_ / n_envs);
    const std::vector<EpisodeResult> finished = run_round(mix_seed(config_.seed, round));
    std::vector<Json> lines;
    for (const EpisodeResult& r : finished) {
      last_episode_steps_ = r.steps;
      agent_.record_episode();
      lines.push_back(episode_line(r, episode_++, agent_, now_s() - started_));
    }
    evaluated_last = episode_ / config_.eval_every > (episode_ - n_envs) / config_.eval_every || episode_ >= config_.episodes;
    if (evaluated_last) {
      const bool merged = evaluation_round(eval_seed, result);
      lines.back()["eval"] = episode_json(result.final_eval);
      if (merged) lines.back()["eval_merged"] = episode_json(result.merged_eval);
    }
    agent_.save(result.last_checkpoint);
    append_lines(metrics, metrics_path, lines);
  }
  if (draw_) std::fputs("\r\033[K", stderr);
  if (!evaluated_last) result.final_eval = validate(agent_, eval_seed);
  return result;
}

}  // namespace greenwave
