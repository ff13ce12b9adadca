// Episode loop, evaluation and the DQN training driver: checkpoints, metrics.jsonl, progress
// line, and the WSM (warm-up, constant learning rate, merge) schedule.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/agents/agent.hpp"
#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/wsm.hpp"
#include "greenwave/env/env.hpp"
#include "greenwave/env/trajectory_writer.hpp"
#include "greenwave/env/vector_env.hpp"

namespace greenwave {

/// The outcome of one episode.
struct EpisodeResult {
  std::int64_t steps = 0;        ///< decisions taken
  double total_reward = 0;       ///< sum of rewards over agents and steps
  bool terminated = false;       ///< ended by itself
  bool truncated = false;        ///< cut at the horizon
  std::vector<std::string> metric_names;   ///< Env::metric_names()
  std::vector<double> metric_values;       ///< StepInfo::metric_values after the last step
  TrainStats train;              ///< updates and mean loss while learning (zero otherwise)
  /// The value of metric `name`; "return" gives total_reward. Throws ConfigError if unknown.
  double metric(const std::string& name) const;
};

/// Called after every step of run_episode with the step's info and the steps taken so far.
using StepHook = std::function<void(const StepInfo& info, std::int64_t steps)>;

/// Plays one episode of `agent` on `env` from reset(seed). With `learn`, every step is passed to
/// observe() and train() is called after it. `explore` selects the agent's behaviour policy.
EpisodeResult run_episode(Env& env, Agent& agent, std::uint64_t seed, bool explore, bool learn,
                          const StepHook& hook = {});

/// Mean of each metric (and of total_reward, steps) over `episodes` greedy episodes with seeds
/// mix_seed(seed, 0..episodes-1).
EpisodeResult evaluate(Env& env, Agent& agent, std::uint64_t seed, int episodes);

/// WSM schedule options (REFERENCE.md §5).
struct WsmSchedule {
  bool enabled = false;                 ///< train with warm-up + constant lr and merge checkpoints
  std::int64_t warmup_updates = 1000;   ///< updates of linear learning-rate warm-up from 0
  std::int64_t checkpoint_every = 200;  ///< updates between kept checkpoints after warm-up
  int merge_count = 10;                 ///< newest checkpoints merged
  DecayShape shape = DecayShape::Cosine;  ///< decay the merge emulates
};

/// Options of Trainer.
struct TrainerConfig {
  int episodes = 50;                 ///< training episodes over all envs, run in rounds of one
                                     ///< episode per env (rounded up to a multiple of N); a
                                     ///< resumed agent continues its count
  std::uint64_t seed = 0;            ///< round r resets the VectorEnv with seed mix_seed(seed, r)
  int eval_every = 5;                ///< greedy evaluation every this many episodes (and at the end)
  int eval_episodes = 1;             ///< episodes per evaluation
  std::string out_dir;               ///< where config.json, metrics.jsonl, last.pt, best.pt go
  std::string best_metric = "return";  ///< eval metric that picks best.pt ("return" or a metric name)
  bool lower_is_better = false;      ///< direction of best_metric
  bool progress = true;              ///< draw the progress line (only when stderr is a TTY)
  std::string run_json = "{}";       ///< extra JSON object stored as "run" in config.json
  WsmSchedule wsm;                   ///< the WSM schedule, off by default
  /// When not empty, every training episode of env i is logged to the HDF5 trajectory file
  /// DIR/train_env<i>.h5 (DIR/train_env<i>_from<E>.h5 when a resume starts at episode E);
  /// docs/trajectories.md has the schema.
  std::string trajectory_dir;
  TrajectoryMeta trajectory_meta;    ///< file attributes of those trajectory files
};

/// The trajectory file of training env `env` under `dir`: train_env<i>.h5, or
/// train_env<i>_from<E>.h5 for a run resumed at episode E = `first_episode` > 0.
std::string training_trajectory_path(const std::string& dir, int env, std::int64_t first_episode);

/// What Trainer::run produced. Evaluations are on the validation envs (the mean over them).
struct TrainResult {
  EpisodeResult final_eval;          ///< greedy evaluation of the last network
  bool has_merged = false;           ///< WSM: a merged network was evaluated
  EpisodeResult merged_eval;         ///< WSM: greedy evaluation of the merged network
  std::string last_checkpoint;       ///< DIR/last.pt
  std::string best_checkpoint;       ///< DIR/best.pt
  EpisodeResult best_eval;           ///< the evaluation that made DIR/best.pt (this run or, resumed, an earlier one)
  std::string best_candidate;        ///< which network best.pt holds: "last" (the trained one) or "merged" (WSM)
  int best_episode = -1;             ///< metrics.jsonl episode whose line holds that evaluation (-1: none)
};

/// Trains a DqnAgent on a VectorEnv of N envs. A round resets every env, then steps them
/// together until each has finished one episode (an env that finishes early idles: its rows are
/// not learned from until the round ends). After each round: one JSON line per episode in
/// DIR/metrics.jsonl, greedy evaluation on the validation envs when due (the mean of
/// evaluate() on each), DIR/best.pt when a candidate (the last network, or the WSM-merged one)
/// improves on the best validation score, DIR/last.pt (so a resume continues exactly from a
/// round boundary). DIR/config.json at start.
class Trainer {
 public:
  /// Binds the pieces (all must outlive the trainer); creates out_dir. Throws ConfigError on
  /// bad options or when the envs do not match the agent's shape (rows = N x agents).
  Trainer(VectorEnv& env, Env& eval_env, DqnAgent& agent, TrainerConfig config);
  /// The same with several validation envs (at least one; all with the training env's shapes).
  Trainer(VectorEnv& env, std::vector<Env*> validation_envs, DqnAgent& agent, TrainerConfig config);
  /// Runs until the agent has seen config.episodes episodes; returns the final evaluation.
  TrainResult run();

 private:
  void on_step(const StepInfo& info, std::int64_t steps);
  std::vector<EpisodeResult> run_round(std::uint64_t seed);
  std::string wsm_checkpoint_dir() const;
  EpisodeResult validate(Agent& agent, std::uint64_t seed);
  // Setup of run(): DIR/config.json; a resume's best score from DIR/best.json; a resume's WSM
  // window from the kept DIR/wsm/update_<U>.pt files; the trajectory files (when asked).
  void write_config_json() const;
  void restore_best(TrainResult& result);
  void restore_wsm_window(bool resumed);
  void open_trajectory_writers();
  // The evaluation round after training episode episode_ - 1: validates the last network and
  // (WSM) the merged window, each a candidate for best.pt; true when a merged one was validated.
  bool evaluation_round(std::uint64_t eval_seed, TrainResult& result);
  // WSM with two or more kept checkpoints: merges them into DIR/wsm/merged.pt and validates it
  // as a candidate; false (nothing done) otherwise.
  bool merge_candidate(std::uint64_t eval_seed, TrainResult& result);
  // Makes `candidate` (saved by `save`) best.pt, with DIR/best.json, when its validation
  // `eval` beats the best score so far.
  void consider_candidate(const EpisodeResult& eval, const std::string& candidate, const std::function<void()>& save,
                          TrainResult& result);

  VectorEnv& env_;
  std::vector<Env*> eval_envs_;
  DqnAgent& agent_;
  TrainerConfig config_;
  std::vector<std::string> wsm_window_;  // kept checkpoints, oldest first
  std::vector<std::unique_ptr<TrajectoryWriter>> writers_;  // one per env, when logging
  std::int64_t next_wsm_update_ = 0;
  double started_ = 0;
  int first_episode_ = 0;
  int episode_ = 0;
  std::int64_t last_episode_steps_ = 0;
  double last_draw_ = 0;
  bool draw_ = false;
  bool has_best_ = false;   // a best.pt candidate was kept (this run or, resumed, an earlier one)
  double best_score_ = 0;   // its validation score
};

}  // namespace greenwave
