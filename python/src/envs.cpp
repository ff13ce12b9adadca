// The C++ cores of greenwave.TrafficEnv and greenwave.VectorEnv: they own the batch buffers
// that NumPy reads without copies and release the GIL while the envs step.
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/replay.hpp"
#include "greenwave/env/process_env.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/env/vector_env.hpp"
#include "simulator_handle.hpp"
#ifdef GREENWAVE_WITH_SUMO
#include "greenwave/sumo/sumo_backend.hpp"
#endif

namespace greenwave::python {
namespace {

/// Finishes `replay` and describes it ({path, frames, vehicle_poses, bytes}); None without one.
py::object finished_replay(ReplayRecorder* replay) {
  if (replay == nullptr) return py::none();
  const ReplayStats st = replay->finish();
  py::dict d;
  d["path"] = replay->path();
  d["frames"] = st.frames;
  d["vehicle_poses"] = st.vehicle_poses;
  d["bytes"] = st.bytes;
  return d;
}

template <class T>
std::span<T> span_of(const py::array_t<T>& a) {
  return {const_cast<T*>(a.data()), static_cast<std::size_t>(a.size())};
}

std::span<std::uint8_t> bytes_of(const py::array_t<bool>& a) {
  return {reinterpret_cast<std::uint8_t*>(const_cast<bool*>(a.data())), static_cast<std::size_t>(a.size())};
}

/// The actions argument as a C-ordered int32 array (converted when needed, never reinterpreted).
using Actions = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

/// Element-wise observation bounds from the spec's components.
std::pair<py::array_t<float>, py::array_t<float>> observation_bounds(const ObservationSpec& spec) {
  py::array_t<float> low(spec.size()), high(spec.size());
  for (const ObservationComponent& c : spec.components)
    for (std::int64_t k = c.offset; k < c.offset + c.size; ++k) {
      low.mutable_at(k) = c.low;
      high.mutable_at(k) = c.high;
    }
  return {low, high};
}

py::list component_list(const ObservationSpec& spec) {
  py::list out;
  for (const ObservationComponent& c : spec.components) {
    py::dict d;
    d["name"] = c.name;
    d["offset"] = c.offset;
    d["size"] = c.size;
    d["low"] = c.low;
    d["high"] = c.high;
    out.append(d);
  }
  return out;
}

/// The backend of an EnvCore: a SumoBackend on `sumo_source`'s network when it is not empty
/// (ConfigError when this module was built without it), else none (the native simulator).
std::unique_ptr<TrafficBackend> sumo_backend(const std::shared_ptr<const CompiledScenario>& scenario, const std::string& sumo_source) {
  if (sumo_source.empty()) return nullptr;
#ifdef GREENWAVE_WITH_SUMO
  return std::make_unique<SumoBackend>(scenario, sumo_network_of(sumo_source));
#else
  throw ConfigError("backend", "this greenwave was built without the SUMO backend (GREENWAVE_WITH_SUMO off)");
#endif
}

/// One TrafficEnv on its own native simulator, or on SUMO (`sumo_source` = the SUMO scenario
/// file), with (agents, ...) buffers.
class EnvCore {
 public:
  EnvCore(std::shared_ptr<const CompiledScenario> scenario, const std::string& observation, const std::string& reward,
          int threads, const std::string& sumo_source, const std::string& replay)
      : sumo_(sumo_backend(scenario, sumo_source)),
        sim_(sumo_ ? SimulatorHandle{} : make_simulator(std::move(scenario), threads)),
        replay_(replay.empty() ? nullptr : std::make_unique<ReplayRecorder>(inner_backend(), replay)),
        env_(std::make_unique<TrafficEnv>(replay_ ? *replay_ : inner_backend(), TrafficEnvConfig{observation, reward})) {
    const EnvSpec& s = env_->spec();
    const py::ssize_t agents = s.num_agents();
    obs_ = owned_buffer<float>({agents, static_cast<py::ssize_t>(s.observation.size())});
    rewards_ = owned_buffer<float>({agents});
    mask_ = owned_buffer<bool>({agents, s.max_actions});
    ignored_ = owned_buffer<bool>({agents});
    in_clearance_ = owned_buffer<bool>({agents});
    env_->action_mask(bytes_of(mask_));
  }

  void reset(std::uint64_t seed) {
    py::gil_scoped_release release;
    env_->reset(seed, span_of(obs_), info_);
    copy_flags();
  }

  void step(const Actions& actions) {
    py::gil_scoped_release release;
    env_->step({actions.data(), static_cast<std::size_t>(actions.size())}, span_of(obs_), span_of(rewards_), info_);
    copy_flags();
  }

  /// Finishes the replay (the file is complete after this); None without one.
  py::object finish_replay() {
    return finished_replay(replay_.get());
  }

  const TrafficEnv& env() const { return *env_; }
  const SimulatorHandle& simulator() const {
    if (sumo_) throw ConfigError("simulator", "a backend='sumo' env has no native simulator");
    return sim_;
  }
  const StepInfo& info() const { return info_; }
  const py::array_t<float>& obs() const { return obs_; }
  const py::array_t<float>& rewards() const { return rewards_; }
  const py::array_t<bool>& mask() const { return mask_; }
  const py::array_t<bool>& ignored() const { return ignored_; }
  const py::array_t<bool>& in_clearance() const { return in_clearance_; }

 private:
  void copy_flags() {
    std::copy(info_.ignored.begin(), info_.ignored.end(), bytes_of(ignored_).begin());
    const std::span<std::uint8_t> clearance = bytes_of(in_clearance_);
    for (std::size_t a = 0; a < clearance.size(); ++a) clearance[a] = env_->in_clearance(static_cast<std::int32_t>(a));
  }

  /// The backend the env (or the replay) drives: SUMO or the native simulator.
  TrafficBackend& inner_backend() { return sumo_ ? *sumo_ : static_cast<TrafficBackend&>(*sim_.sim); }

  std::unique_ptr<TrafficBackend> sumo_;  // before env_: the env refers to it
  SimulatorHandle sim_;                    // the same, for the native simulator (empty on SUMO)
  std::unique_ptr<ReplayRecorder> replay_; // between the backend and the env, when recording
  std::unique_ptr<TrafficEnv> env_;
  StepInfo info_;
  py::array_t<float> obs_, rewards_;
  py::array_t<bool> mask_, ignored_, in_clearance_;
};

/// N TrafficEnvs in a VectorEnv, with (N, agents, ...) buffers and per-env info arrays. With
/// `sumo_sources` (one SUMO file per env) each env is a TrafficEnv on a SumoBackend in a worker
/// process of its own (ProcessEnv: libsumo holds one simulation per process). A non-empty
/// `replay` records env 0's first episode to that file (native backend only).
class VectorCore {
 public:
  VectorCore(const std::vector<std::shared_ptr<const CompiledScenario>>& scenarios, const std::string& observation,
             const std::string& reward, int num_threads, int sim_threads, const std::vector<std::string>& sumo_sources,
             const std::string& replay) {
    if (scenarios.empty()) throw ConfigError("num_envs", "a VectorEnv needs at least one env");
    if (!replay.empty() && !sumo_sources.empty())
      throw ConfigError("replay", "a backend='sumo' VectorEnv runs its envs in worker processes and cannot record '" + replay + "'");
    std::vector<std::unique_ptr<Env>> envs;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      const TrafficEnvConfig config{observation, reward};
      if (!sumo_sources.empty()) {
        const std::shared_ptr<const CompiledScenario> scenario = scenarios[i];
        const std::string source = sumo_sources[i];
        // Built in the child: the parent never loads a simulation into libsumo.
        envs.push_back(std::make_unique<ProcessEnv>([scenario, source, config]() -> std::unique_ptr<Env> {
          return std::make_unique<TrafficEnv>(sumo_backend(scenario, source), config);
        }));
        continue;
      }
      sims_.push_back(make_simulator(scenarios[i], sim_threads));
      if (i == 0 && !replay.empty()) {
        replay_ = std::make_unique<ReplayRecorder>(*sims_.back().sim, replay);
        envs.push_back(std::make_unique<TrafficEnv>(*replay_, config));
        continue;
      }
      envs.push_back(std::make_unique<TrafficEnv>(*sims_.back().sim, config));
    }
    venv_ = std::make_unique<VectorEnv>(std::move(envs), num_threads);
    const EnvSpec& s = venv_->spec();
    const py::ssize_t n = venv_->num_envs(), agents = s.num_agents();
    obs_ = owned_buffer<float>({n, agents, static_cast<py::ssize_t>(s.observation.size())});
    rewards_ = owned_buffer<float>({n, agents});
    reward_sums_ = owned_buffer<float>({n});
    terminated_ = owned_buffer<bool>({n});
    truncated_ = owned_buffer<bool>({n});
    mask_ = owned_buffer<bool>({n, agents, s.max_actions});
    time_ = owned_buffer<double>({n});
    ignored_ = owned_buffer<bool>({n, agents});
    in_clearance_ = owned_buffer<bool>({n, agents});
    metrics_ = owned_buffer<double>({n, static_cast<py::ssize_t>(traffic_metric_names().size())});
    venv_->action_mask(bytes_of(mask_));
  }

  void reset(std::uint64_t seed) {
    py::gil_scoped_release release;
    venv_->reset(seed, span_of(obs_));
    std::fill(bytes_of(terminated_).begin(), bytes_of(terminated_).end(), 0);
    std::fill(bytes_of(truncated_).begin(), bytes_of(truncated_).end(), 0);
    std::fill(span_of(rewards_).begin(), span_of(rewards_).end(), 0.0f);
    std::fill(span_of(reward_sums_).begin(), span_of(reward_sums_).end(), 0.0f);
    copy_infos();
  }

  void step(const Actions& actions) { step_n(actions, 1); }

  /// `n` steps with the same actions, in C++ (the benchmark's reference loop).
  void step_n(const Actions& actions, long long n) {
    if (n < 0) throw ConfigError("n", "expected a non-negative number of steps, got " + std::to_string(n));
    py::gil_scoped_release release;
    const std::span<const std::int32_t> a{actions.data(), static_cast<std::size_t>(actions.size())};
    for (long long k = 0; k < n; ++k) {
      venv_->step(a, span_of(obs_), span_of(rewards_), bytes_of(terminated_), bytes_of(truncated_));
      sum_rewards();
      copy_infos();
    }
  }

  /// Finishes env 0's replay (the file is complete after this); None without one.
  py::object finish_replay() {
    return finished_replay(replay_.get());
  }

  const VectorEnv& venv() const { return *venv_; }
  VectorEnv& venv() { return *venv_; }
  const std::vector<SimulatorHandle>& simulators() const { return sims_; }
  py::dict buffers() const {
    py::dict d;
    d["obs"] = obs_;
    d["rewards"] = rewards_;
    d["reward_sums"] = reward_sums_;
    d["terminated"] = terminated_;
    d["truncated"] = truncated_;
    d["action_mask"] = mask_;
    d["time"] = time_;
    d["ignored"] = ignored_;
    d["in_clearance"] = in_clearance_;
    d["metrics"] = metrics_;
    return d;
  }

 private:
  /// Each env's reward: the sum over its agents (the joint agent's reward, as GymEnv's).
  void sum_rewards() {
    const std::span<const float> rewards = span_of(rewards_);
    const std::span<float> sums = span_of(reward_sums_);
    const std::size_t agents = rewards.size() / sums.size();
    for (std::size_t i = 0; i < sums.size(); ++i) {
      float sum = 0.0f;
      for (std::size_t a = 0; a < agents; ++a) sum += rewards[i * agents + a];
      sums[i] = sum;
    }
  }

  void copy_infos() {
    const std::size_t agents = static_cast<std::size_t>(venv_->spec().num_agents());
    const std::size_t k = traffic_metric_names().size();
    for (std::int32_t i = 0; i < venv_->num_envs(); ++i) {
      const StepInfo& info = venv_->info(i);
      const auto row = static_cast<std::size_t>(i);
      span_of(time_)[row] = info.time;
      std::copy(info.ignored.begin(), info.ignored.end(), bytes_of(ignored_).begin() + static_cast<std::ptrdiff_t>(row * agents));
      // The envs are the TrafficEnvs (or SUMO workers) this core built; clearance is a traffic
      // fact, not in StepInfo.
      const Env& env = venv_->env(i);
      const auto* worker = dynamic_cast<const ProcessEnv*>(&env);
      for (std::size_t a = 0; a < agents; ++a) {
        const auto agent = static_cast<std::int32_t>(a);
        bytes_of(in_clearance_)[row * agents + a] =
            worker != nullptr ? worker->in_clearance(agent) : static_cast<const TrafficEnv&>(env).in_clearance(agent);
      }
      std::copy(info.metric_values.begin(), info.metric_values.end(), span_of(metrics_).begin() + static_cast<std::ptrdiff_t>(row * k));
    }
  }

  std::vector<SimulatorHandle> sims_;  // before venv_: its envs refer to them
  std::unique_ptr<ReplayRecorder> replay_;  // env 0's, between its simulator and its env, when recording
  std::unique_ptr<VectorEnv> venv_;
  py::array_t<float> obs_, rewards_, reward_sums_;
  py::array_t<bool> terminated_, truncated_, mask_, ignored_, in_clearance_;
  py::array_t<double> time_, metrics_;
};

/// The spec fields both cores expose, as properties.
template <class Core, class Class, class SpecOf>
void bind_spec(Class& cls, SpecOf spec_of) {
  cls.def_property_readonly("agent_ids", [spec_of](const Core& c) { return spec_of(c).agent_ids; })
      .def_property_readonly("action_counts", [spec_of](const Core& c) { return spec_of(c).action_counts; })
      .def_property_readonly("max_actions", [spec_of](const Core& c) { return spec_of(c).max_actions; })
      .def_property_readonly("obs_size", [spec_of](const Core& c) { return spec_of(c).observation.size(); })
      .def_property_readonly("obs_bounds", [spec_of](const Core& c) { return observation_bounds(spec_of(c).observation); })
      .def_property_readonly("components", [spec_of](const Core& c) { return component_list(spec_of(c).observation); })
      .def_property_readonly("reward_names", [spec_of](const Core& c) { return spec_of(c).reward_names; })
      .def_property_readonly("metric_names", [](const Core&) { return traffic_metric_names(); });
}

}  // namespace

void bind_envs(py::module_& m) {
#ifdef GREENWAVE_WITH_SUMO
  m.attr("_with_sumo") = true;  // backend="sumo" is available
#else
  m.attr("_with_sumo") = false;
#endif
  py::class_<EnvCore> env(m, "_EnvCore", "C++ core of greenwave.TrafficEnv (use greenwave.make).");
  env.def(py::init([](const py::object& scenario, const std::string& observation, const std::string& reward, int threads,
                       const std::string& sumo_source, const std::string& replay) {
            return std::make_unique<EnvCore>(scenario_from(scenario), observation, reward, threads, sumo_source, replay);
          }),
          py::arg("scenario"), py::arg("observation"), py::arg("reward"), py::arg("threads"), py::arg("sumo_source") = "",
          py::arg("replay") = "")
      .def("finish_replay", &EnvCore::finish_replay)
      .def("reset", &EnvCore::reset, py::arg("seed"))
      .def("step", &EnvCore::step, py::arg("actions"))
      .def_property_readonly("obs", &EnvCore::obs)
      .def_property_readonly("rewards", &EnvCore::rewards)
      .def_property_readonly("action_mask", &EnvCore::mask)
      .def_property_readonly("ignored", &EnvCore::ignored)
      .def_property_readonly("in_clearance", &EnvCore::in_clearance)
      .def_property_readonly("time", [](const EnvCore& c) { return c.info().time; })
      .def_property_readonly("terminated", [](const EnvCore& c) { return c.info().terminated; })
      .def_property_readonly("truncated", [](const EnvCore& c) { return c.info().truncated; })
      .def("metrics", [](const EnvCore& c) { return metrics_dict(c.env().backend().metrics()); })
      .def_property_readonly("simulator", &EnvCore::simulator)
      .def_property_readonly("steps_per_action", [](const EnvCore& c) { return c.env().steps_per_action(); })
      .def_property_readonly("reward_spec", [](const EnvCore& c) { return c.env().reward().text(); })
      .def_property_readonly("config_json", [](const EnvCore& c) { return c.env().config().to_json(); });
  bind_spec<EnvCore>(env, [](const EnvCore& c) -> const EnvSpec& { return c.env().spec(); });

  py::class_<VectorCore> vec(m, "_VectorCore", "C++ core of greenwave.VectorEnv.");
  vec.def(py::init([](const py::list& scenarios, const std::string& observation, const std::string& reward,
                       int num_threads, int sim_threads, const std::vector<std::string>& sumo_sources,
                       const std::string& replay) {
            std::vector<std::shared_ptr<const CompiledScenario>> compiled;
            for (const py::handle s : scenarios) compiled.push_back(scenario_from(s));
            if (!sumo_sources.empty() && sumo_sources.size() != compiled.size())
              throw ConfigError("backend", "one SUMO file per env expected");
            return std::make_unique<VectorCore>(compiled, observation, reward, num_threads, sim_threads, sumo_sources, replay);
          }),
          py::arg("scenarios"), py::arg("observation"), py::arg("reward"), py::arg("num_threads"), py::arg("sim_threads"),
          py::arg("sumo_sources") = std::vector<std::string>{}, py::arg("replay") = "")
      .def("finish_replay", &VectorCore::finish_replay)
      .def("reset", &VectorCore::reset, py::arg("seed"))
      .def("step", &VectorCore::step, py::arg("actions"))
      .def("step_n", &VectorCore::step_n, py::arg("actions"), py::arg("n"))
      .def("buffers", &VectorCore::buffers, "The batch arrays, which every reset/step overwrites in place.")
      .def_property_readonly("num_envs", [](const VectorCore& c) { return c.venv().num_envs(); })
      .def_property("num_threads", [](const VectorCore& c) { return c.venv().num_threads(); },
                    [](VectorCore& c, int n) { c.venv().set_num_threads(n); })
      .def("simulator", [](const VectorCore& c, std::int32_t i) {
             if (i < 0 || i >= c.venv().num_envs()) throw ConfigError("env", "index " + std::to_string(i) + " is out of range");
             if (c.simulators().empty()) throw ConfigError("simulator", "a backend='sumo' env has no native simulator");
             return c.simulators()[static_cast<std::size_t>(i)];
           }, py::arg("env"));
  bind_spec<VectorCore>(vec, [](const VectorCore& c) -> const EnvSpec& { return c.venv().spec(); });
}

}  // namespace greenwave::python
