#include "greenwave/env/process_env.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"

namespace greenwave {
namespace {

/// Blocking reads and writes of whole values over one socket.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  void write(const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t k = ::write(fd_, p, n);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) throw std::runtime_error(std::string("process env: write failed: ") + std::strerror(errno));
      p += k, n -= static_cast<std::size_t>(k);
    }
  }
  void read(void* data, std::size_t n) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
      const ssize_t k = ::read(fd_, p, n);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) throw std::runtime_error("process env: the worker process ended unexpectedly");
      p += k, n -= static_cast<std::size_t>(k);
    }
  }
  template <class T>
  void put(const T& v) { write(&v, sizeof v); }
  template <class T>
  T get() {
    T v;
    read(&v, sizeof v);
    return v;
  }
  void put_string(const std::string& s) {
    put<std::uint64_t>(s.size());
    write(s.data(), s.size());
  }
  std::string get_string() {
    std::string s(get<std::uint64_t>(), '\0');
    read(s.data(), s.size());
    return s;
  }
  template <class T>
  void put_vector(std::span<const T> v) {
    put<std::uint64_t>(v.size());
    write(v.data(), v.size() * sizeof(T));
  }
  template <class T>
  void get_vector(std::vector<T>& v) {
    v.resize(get<std::uint64_t>());
    read(v.data(), v.size() * sizeof(T));
  }
  /// Reads exactly span.size() elements into `out` (the sizes were checked by the child).
  template <class T>
  void get_into(std::span<T> out) {
    const auto n = get<std::uint64_t>();
    if (n != out.size()) throw std::runtime_error("process env: reply size mismatch");
    read(out.data(), n * sizeof(T));
  }

 private:
  int fd_;
};

enum Command : char { kReset = 'R', kStep = 'S', kMask = 'M', kQuit = 'Q' };
enum Status : char { kOk = 0, kActionError = 'A', kConfigError = 'C', kScenarioError = 'S', kOtherError = 'E' };

void put_info(Channel& c, const StepInfo& info) {
  c.put(info.time);
  c.put<std::uint8_t>(info.terminated);
  c.put<std::uint8_t>(info.truncated);
  c.put_vector<std::uint8_t>(info.ignored);
  c.put_vector<double>(info.metric_values);
}

void get_info(Channel& c, StepInfo& info) {
  info.time = c.get<double>();
  info.terminated = c.get<std::uint8_t>() != 0;
  info.truncated = c.get<std::uint8_t>() != 0;
  c.get_vector(info.ignored);
  c.get_vector(info.metric_values);
}

void put_spec(Channel& c, const EnvSpec& s, const std::vector<std::string>& metrics) {
  c.put_string(s.name);
  c.put<std::uint64_t>(s.agent_ids.size());
  for (const auto& a : s.agent_ids) c.put_string(a);
  c.put_vector<std::int64_t>(s.observation.shape);
  c.put(s.observation.low);
  c.put(s.observation.high);
  c.put<std::uint64_t>(s.observation.components.size());
  for (const auto& k : s.observation.components) {
    c.put_string(k.name);
    c.put(k.offset), c.put(k.size), c.put(k.low), c.put(k.high);
  }
  c.put_vector<std::int32_t>(s.action_counts);
  c.put(s.max_actions);
  c.put<std::uint64_t>(s.reward_names.size());
  for (const auto& r : s.reward_names) c.put_string(r);
  c.put<std::uint64_t>(metrics.size());
  for (const auto& m : metrics) c.put_string(m);
}

void get_spec(Channel& c, EnvSpec& s, std::vector<std::string>& metrics) {
  s.name = c.get_string();
  s.agent_ids.resize(c.get<std::uint64_t>());
  for (auto& a : s.agent_ids) a = c.get_string();
  c.get_vector(s.observation.shape);
  s.observation.low = c.get<float>();
  s.observation.high = c.get<float>();
  s.observation.components.resize(c.get<std::uint64_t>());
  for (auto& k : s.observation.components) {
    k.name = c.get_string();
    k.offset = c.get<std::int64_t>(), k.size = c.get<std::int64_t>();
    k.low = c.get<float>(), k.high = c.get<float>();
  }
  c.get_vector(s.action_counts);
  s.max_actions = c.get<std::int32_t>();
  s.reward_names.resize(c.get<std::uint64_t>());
  for (auto& r : s.reward_names) r = c.get_string();
  metrics.resize(c.get<std::uint64_t>());
  for (auto& m : metrics) m = c.get_string();
}

/// Sends the exception being handled as a status and message.
void put_error(Channel& c) {
  try {
    throw;
  } catch (const ActionError& e) {
    c.put<char>(kActionError), c.put_string(e.what());
  } catch (const ConfigError& e) {
    // The field and the rest of the message, so the parent rebuilds the same error.
    c.put<char>(kConfigError), c.put_string(e.field()), c.put_string(std::string(e.what()).substr(e.field().size() + 2));
  } catch (const ScenarioError& e) {
    const std::size_t prefix = std::string(ScenarioError(e.file(), e.where(), "").what()).size();
    c.put<char>(kScenarioError), c.put_string(e.file()), c.put_string(e.where()), c.put_string(std::string(e.what()).substr(prefix));
  } catch (const std::exception& e) {
    c.put<char>(kOtherError), c.put_string(e.what());
  }
}

/// Reads a status; rethrows the child's error in the parent.
void check_status(Channel& c) {
  const char status = c.get<char>();
  if (status == kOk) return;
  if (status == kConfigError) {
    std::string field = c.get_string();
    throw ConfigError(field, c.get_string());
  }
  if (status == kScenarioError) {
    std::string file = c.get_string();
    std::string where = c.get_string();
    throw ScenarioError(file, where, c.get_string());
  }
  const std::string message = c.get_string();
  if (status == kActionError) throw ActionError(message);
  throw std::runtime_error(message);
}

/// The child: builds the env, sends its spec, then serves commands until quit or EOF.
[[noreturn]] void serve(int fd, const std::function<std::unique_ptr<Env>()>& make) {
  Channel c(fd);
  try {
    std::unique_ptr<Env> env;
    try {
      env = make();
    } catch (...) {
      put_error(c);
      ::_exit(1);
    }
    c.put<char>(kOk);
    put_spec(c, env->spec(), env->metric_names());
    const EnvSpec& spec = env->spec();
    const auto agents = static_cast<std::size_t>(spec.num_agents());
    std::vector<float> obs(agents * static_cast<std::size_t>(spec.observation.size())), rewards(agents);
    std::vector<std::int32_t> actions;
    std::vector<std::uint8_t> mask(agents * static_cast<std::size_t>(spec.max_actions));
    StepInfo info;
    // A TrafficEnv's clearance flags go back with every reply (none for other envs).
    const auto* traffic = dynamic_cast<const TrafficEnv*>(env.get());
    std::vector<std::uint8_t> clearance(traffic != nullptr ? agents : 0);
    auto put_clearance = [&] {
      for (std::size_t a = 0; a < clearance.size(); ++a) clearance[a] = traffic->in_clearance(static_cast<std::int32_t>(a));
      c.put_vector<std::uint8_t>(clearance);
    };
    for (;;) {
      char command = kQuit;
      if (::read(fd, &command, 1) != 1 || command == kQuit) ::_exit(0);
      try {
        if (command == kReset) {
          const auto seed = c.get<std::uint64_t>();
          env->reset(seed, obs, info);
          c.put<char>(kOk);
          c.put_vector<float>(obs);
          put_info(c, info);
          put_clearance();
        } else if (command == kStep) {
          c.get_vector(actions);
          env->step(actions, obs, rewards, info);
          c.put<char>(kOk);
          c.put_vector<float>(obs);
          c.put_vector<float>(rewards);
          put_info(c, info);
          put_clearance();
        } else if (command == kMask) {
          env->action_mask(mask);
          c.put<char>(kOk);
          c.put_vector<std::uint8_t>(mask);
        }
      } catch (...) {
        put_error(c);
      }
    }
  } catch (...) {
    ::_exit(2);  // the parent went away
  }
}

}  // namespace

ProcessEnv::ProcessEnv(std::function<std::unique_ptr<Env>()> make) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::runtime_error(std::string("process env: socketpair failed: ") + std::strerror(errno));
  std::fflush(nullptr);
  child_ = ::fork();
  if (child_ < 0) {
    ::close(fds[0]), ::close(fds[1]);
    throw std::runtime_error(std::string("process env: fork failed: ") + std::strerror(errno));
  }
  if (child_ == 0) {
    ::close(fds[0]);
    serve(fds[1], make);
  }
  ::close(fds[1]);
  fd_ = fds[0];
  try {
    Channel c(fd_);
    check_status(c);
    get_spec(c, spec_, metric_names_);
  } catch (...) {
    ::close(fd_);
    ::waitpid(child_, nullptr, 0);
    throw;
  }
}

ProcessEnv::~ProcessEnv() {
  const char quit = kQuit;
  (void)!::write(fd_, &quit, 1);
  ::close(fd_);
  ::waitpid(child_, nullptr, 0);
}

void ProcessEnv::reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) {
  const auto expected = static_cast<std::size_t>(spec_.num_agents() * spec_.observation.size());
  if (obs.size() != expected)
    throw ActionError("reset: observation buffer has " + std::to_string(obs.size()) + " floats, expected " + std::to_string(expected));
  Channel c(fd_);
  c.put<char>(kReset);
  c.put(seed);
  check_status(c);
  c.get_into(obs);
  get_info(c, info);
  c.get_vector(clearance_);
}

void ProcessEnv::step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards, StepInfo& info) {
  const auto expected = static_cast<std::size_t>(spec_.num_agents() * spec_.observation.size());
  if (obs.size() != expected || rewards.size() != static_cast<std::size_t>(spec_.num_agents()))
    throw ActionError("step: buffers must hold agents x observation floats and one reward per agent");
  Channel c(fd_);
  c.put<char>(kStep);
  c.put_vector(actions);
  check_status(c);
  c.get_into(obs);
  c.get_into(rewards);
  get_info(c, info);
  c.get_vector(clearance_);
}

bool ProcessEnv::in_clearance(std::int32_t agent) const {
  const auto a = static_cast<std::size_t>(agent);
  return a < clearance_.size() && clearance_[a] != 0;
}

void ProcessEnv::action_mask(std::span<std::uint8_t> mask) const {
  if (mask.size() != static_cast<std::size_t>(spec_.num_agents() * spec_.max_actions))
    throw ActionError("action_mask: mask must hold agents x max_actions bytes");
  Channel c(fd_);
  c.put<char>(kMask);
  check_status(c);
  c.get_into(mask);
}

}  // namespace greenwave
