// The DQN agent's LibTorch side: Q-network, action selection, the update, checkpoints, merging.
// The one translation unit of agents/ that includes Torch (its headers are expensive).
#include "greenwave/agents/dqn.hpp"

#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/serialize/archive.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>

#include "greenwave/agents/replay.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/core/rng.hpp"

namespace greenwave {

namespace {

constexpr std::int64_t kCheckpointFormat = 1;

/// The MLP Q-network: ReLU hidden layers, then a linear head or a dueling V + A head whose
/// advantages are centred on their mean over the allowed actions.
struct QNetImpl : torch::nn::Module {
  QNetImpl(std::int64_t obs_size, std::int64_t num_actions, const std::vector<std::int64_t>& hidden,
           bool dueling) {
    std::int64_t in = obs_size;
    for (const std::int64_t width : hidden) {
      body->push_back(torch::nn::Linear(in, width));
      body->push_back(torch::nn::ReLU());
      in = width;
    }
    register_module("body", body);
    if (dueling) {
      value = register_module("value", torch::nn::Linear(in, 1));
      advantage = register_module("advantage", torch::nn::Linear(in, num_actions));
    } else {
      head = register_module("head", torch::nn::Linear(in, num_actions));
    }
  }

  /// (batch, obs_size) -> (batch, num_actions) Q-values; `allowed` (batch, num_actions, bool)
  /// is the action mask: Q = V + A - mean of A over the allowed actions (a row allowing none
  /// subtracts 0). The linear head ignores it.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& allowed) {
    x = body->is_empty() ? x : body->forward(x);
    if (head) return head->forward(x);
    const torch::Tensor a = advantage->forward(x);
    const torch::Tensor m = allowed.to(a.scalar_type());
    const torch::Tensor mean = (a * m).sum(1, /*keepdim=*/true) / m.sum(1, /*keepdim=*/true).clamp_min(1);
    return value->forward(x) + a - mean;
  }

  torch::nn::Sequential body;
  torch::nn::Linear head{nullptr}, value{nullptr}, advantage{nullptr};
};
TORCH_MODULE(QNet);

std::int64_t as_i64(std::size_t n) { return static_cast<std::int64_t>(n); }

// Flat std::vector <-> tensor copies for checkpoints (the archive owns a copy).
template <typename T>
torch::Tensor to_tensor(const std::vector<T>& v, torch::ScalarType type) {
  return torch::from_blob(const_cast<T*>(v.data()), {as_i64(v.size())}, type).clone();
}

template <typename T>
std::vector<T> from_tensor(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU).contiguous();
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

// FNV-1a (64-bit) over the content of a checkpoint, stored beside it so that load() refuses
// altered or damaged bytes: LibTorch's reader does not check the archive's CRCs.
class Digest {
 public:
  void add(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 0x100000001b3ULL;
  }
  void add(const std::string& text) { add(text.data(), text.size()); }
  template <typename T>
  void add(const std::vector<T>& v) {
    add(v.data(), v.size() * sizeof(T));
  }
  void add(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    add(c.data_ptr(), static_cast<std::size_t>(c.numel()) * c.element_size());
  }
  std::int64_t value() const { return std::bit_cast<std::int64_t>(h_); }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

const DqnConfig& validated(const DqnConfig& c) {
  validate(c);
  return c;
}

[[noreturn]] void bad_checkpoint(const std::string& path, const std::string& what) {
  throw ConfigError("checkpoint", path + ": " + what);
}

// The parts of DqnAgent::load, in the order the file is read. A checkpoint archive holds
// "format", "contents", "config" (JSON text), "shape", "metadata", "online" (a module archive)
// and "digest"; a Full one also "target", "counters", "rng", "optimizer" and "replay".

/// What a checkpoint says before its tensors: its contents, config (as stored and as used) and
/// shape.
struct CheckpointHeader {
  CheckpointContents contents = CheckpointContents::Full;  ///< Full or WeightsOnly
  std::string config_json;  ///< the config text as stored (the digest covers it)
  DqnConfig config;         ///< that config, with the caller's device when one is given
  DqnShape shape;           ///< observation size, actions, rows
};

/// Reads the format, contents, config and shape of the checkpoint at `path`; a non-empty
/// `device` replaces the stored one.
CheckpointHeader read_header(torch::serialize::InputArchive& archive, const std::string& path, const std::string& device) {
  c10::IValue value;
  if (!archive.try_read("format", value) || !value.isInt() || value.toInt() != kCheckpointFormat)
    bad_checkpoint(path, "not a greenwave DQN checkpoint (format " + std::to_string(kCheckpointFormat) + ")");
  CheckpointHeader h;
  archive.read("contents", value);
  h.contents = static_cast<CheckpointContents>(value.toInt());
  archive.read("config", value);
  h.config_json = value.toStringRef();
  h.config = dqn_config_from_json(h.config_json);
  if (!device.empty()) h.config.device = device;
  torch::Tensor shape_t;
  archive.read("shape", shape_t);
  const std::vector<std::int64_t> sizes = from_tensor<std::int64_t>(shape_t);
  if (sizes.size() != 3) bad_checkpoint(path, "shape must have 3 entries");
  h.shape = DqnShape{sizes[0], static_cast<std::int32_t>(sizes[1]), sizes[2]};
  return h;
}

/// Loads network `key` ("online" or "target") into `net`, which must have the same layer sizes,
/// then moves it to `device`. Tensors are read on the CPU (Module::load swaps them in).
void load_network(torch::serialize::InputArchive& archive, const char* key, QNet& net, const torch::Device& device,
                  const std::string& path) {
  std::vector<std::vector<std::int64_t>> expected;
  for (const torch::Tensor& p : net->parameters()) expected.push_back(p.sizes().vec());
  torch::serialize::InputArchive sub;
  archive.read(key, sub);
  net->load(sub);
  const auto params = net->parameters();
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].sizes().vec() != expected[i]) bad_checkpoint(path, std::string(key) + " network has other layer sizes than its config");
  net->to(device);
}

/// A Full checkpoint's counters; its exploration generator's state goes into `rng`.
DqnCounters read_counters(torch::serialize::InputArchive& archive, Rng& rng) {
  torch::Tensor t;
  archive.read("counters", t);
  const auto c = from_tensor<std::int64_t>(t);
  const DqnCounters counters{c.at(0), c.at(1), c.at(2)};
  archive.read("rng", t);
  const auto words = from_tensor<std::int64_t>(t);
  for (int i = 0; i < 4; ++i) rng.state[i] = std::bit_cast<std::uint64_t>(words.at(static_cast<std::size_t>(i)));
  return counters;
}

/// A Full checkpoint's Adam state, loaded into `optimizer` with its moments moved to `device`.
void load_optimizer(torch::serialize::InputArchive& archive, torch::optim::Adam& optimizer, const torch::Device& device) {
  torch::serialize::InputArchive sub;
  archive.read("optimizer", sub);
  optimizer.load(sub);
  // Adam's moment estimates come back on the CPU; they must live beside the parameters.
  for (auto& state : optimizer.state()) {
    auto& adam = static_cast<torch::optim::AdamParamState&>(*state.second);
    adam.exp_avg(adam.exp_avg().to(device));
    adam.exp_avg_sq(adam.exp_avg_sq().to(device));
    if (adam.max_exp_avg_sq().defined()) adam.max_exp_avg_sq(adam.max_exp_avg_sq().to(device));
  }
}

/// A Full checkpoint's replay buffer. `with_masks` is set false for a file written before
/// replay kept action masks: every stored row then counts as acted with every action allowed.
ReplayStorage read_replay(torch::serialize::InputArchive& archive, const DqnConfig& config, const DqnShape& shape,
                          bool& with_masks) {
  torch::serialize::InputArchive sub;
  archive.read("replay", sub);
  const auto read_t = [&](const char* key) {
    torch::Tensor x;
    sub.read(key, x);
    return x;
  };
  const auto read_i = [&](const char* key) {
    c10::IValue x;
    sub.read(key, x);
    return x;
  };
  ReplayStorage r;
  r.obs = from_tensor<float>(read_t("obs"));
  torch::Tensor masks;
  with_masks = sub.try_read("masks", masks);
  if (with_masks) {
    r.masks = from_tensor<std::uint8_t>(masks);
    r.pending_masks = from_tensor<std::uint8_t>(read_t("pending_masks"));
  } else {
    r.masks.assign(static_cast<std::size_t>(config.buffer_size) * static_cast<std::size_t>(shape.num_actions), 1);
    r.pending_masks.assign(static_cast<std::size_t>(shape.rows * config.n_step * shape.num_actions), 1);
  }
  r.actions = from_tensor<std::int32_t>(read_t("actions"));
  r.returns = from_tensor<float>(read_t("returns"));
  r.next_obs = from_tensor<float>(read_t("next_obs"));
  r.next_mask = from_tensor<std::uint8_t>(read_t("next_mask"));
  r.discounts = from_tensor<float>(read_t("discounts"));
  r.priorities = from_tensor<double>(read_t("priorities"));
  r.size = read_i("size").toInt();
  r.next = read_i("next").toInt();
  r.max_priority = read_i("max_priority").toDouble();
  r.pending_obs = from_tensor<float>(read_t("pending_obs"));
  r.pending_actions = from_tensor<std::int32_t>(read_t("pending_actions"));
  r.pending_rewards = from_tensor<float>(read_t("pending_rewards"));
  r.pending_count = from_tensor<std::int32_t>(read_t("pending_count"));
  return r;
}

}  // namespace

std::string resolve_device(const std::string& requested) {
  if (requested == "cpu") return "cpu";
  if (requested == "auto") return torch::cuda::is_available() ? "cuda" : "cpu";
  if (requested == "cuda") {
    if (!torch::cuda::is_available())
      throw ConfigError("device",
                        "'cuda' requested but this LibTorch has no CUDA support or sees no GPU "
                        "(torch::cuda::is_available() is false); use --device cpu or auto");
    return "cuda";
  }
  throw ConfigError("device", "expected cpu, cuda or auto, got '" + requested + "'");
}

struct DqnAgent::Impl {
  Impl(const DqnConfig& c, const DqnShape& s)
      : config(validated(c)),
        shape(s),
        device(resolve_device(c.device)),
        replay(c.buffer_size, s.obs_size, s.num_actions, s.rows, c.n_step, c.gamma, c.prioritized, c.per_alpha),
        rng(mix_seed(c.seed, 1)) {
    if (shape.obs_size < 1 || shape.num_actions < 1 || shape.rows < 1)
      throw ConfigError("shape", "obs_size, num_actions and rows must be >= 1");
    if (config.torch_threads > 0) torch::set_num_threads(config.torch_threads);
    torch::manual_seed(config.seed);
    online = QNet(shape.obs_size, shape.num_actions, config.hidden_sizes, config.dueling);
    target = QNet(shape.obs_size, shape.num_actions, config.hidden_sizes, config.dueling);
    online->to(device);
    target->to(device);
    copy_target(1.0);
    optimizer = std::make_unique<torch::optim::Adam>(
        online->parameters(), torch::optim::AdamOptions(config.learning_rate).eps(config.adam_eps));
  }

  // target <- tau * online + (1 - tau) * target (tau = 1: hard copy).
  void copy_target(double tau) {
    torch::NoGradGuard no_grad;
    const auto src = online->parameters();
    auto dst = target->parameters();
    for (std::size_t i = 0; i < src.size(); ++i) {
      if (tau >= 1.0) {
        dst[i].copy_(src[i]);
      } else {
        dst[i].mul_(1.0 - tau).add_(src[i], tau);
      }
    }
  }

  torch::Tensor device_tensor(const void* data, torch::IntArrayRef sizes, torch::ScalarType type) const {
    // from_blob aliases the host vector; .to() makes the one host-to-device copy per field (a
    // no-op alias on CPU, which is safe because the tensor dies before the vector changes).
    return torch::from_blob(const_cast<void*>(data), sizes, type).to(device);
  }

  // The checkpoint digest of this state; `config_json` is the config text as stored. Files
  // written before replay kept action masks have a digest without them (`with_masks` false).
  std::int64_t digest(const std::string& config_json, CheckpointContents contents, bool with_masks = true) const {
    Digest d;
    d.add(config_json);
    d.add(metadata);
    d.add(std::vector<std::int64_t>{shape.obs_size, shape.num_actions, shape.rows, static_cast<std::int64_t>(contents)});
    for (const torch::Tensor& p : online->parameters()) d.add(p);
    if (contents == CheckpointContents::WeightsOnly) return d.value();
    for (const torch::Tensor& p : target->parameters()) d.add(p);
    d.add(std::vector<std::int64_t>{counters.steps, counters.updates, counters.episodes});
    d.add(rng.state, sizeof rng.state);
    const ReplayStorage& r = replay.storage();
    d.add(r.obs);
    d.add(r.actions);
    d.add(r.returns);
    d.add(r.next_obs);
    d.add(r.next_mask);
    d.add(r.discounts);
    d.add(r.priorities);
    d.add(std::vector<std::int64_t>{r.size, r.next});
    d.add(&r.max_priority, sizeof r.max_priority);
    d.add(r.pending_obs);
    d.add(r.pending_actions);
    d.add(r.pending_rewards);
    d.add(r.pending_count);
    if (with_masks) {
      d.add(r.masks);
      d.add(r.pending_masks);
    }
    return d.value();
  }

  DqnConfig config;
  DqnShape shape;
  torch::Device device;
  QNet online{nullptr};
  QNet target{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  ReplayBuffer replay;
  Rng rng;
  DqnCounters counters;
  ReplaySample sample;
  std::string metadata = "{}";
};

DqnAgent::DqnAgent(const DqnConfig& config, const DqnShape& shape) : impl_(std::make_unique<Impl>(config, shape)) {}
DqnAgent::DqnAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DqnAgent::~DqnAgent() = default;

std::string DqnAgent::name() const { return "dqn"; }

void DqnAgent::begin_episode(std::uint64_t /*seed*/) {}

void DqnAgent::record_episode() { ++impl_->counters.episodes; }

double DqnAgent::epsilon() const {
  const DqnConfig& c = impl_->config;
  const double frac = std::min(1.0, static_cast<double>(impl_->counters.steps) / static_cast<double>(c.epsilon_decay_steps));
  return c.epsilon_start + (c.epsilon_end - c.epsilon_start) * frac;
}

void DqnAgent::act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
                   bool explore) {
  Impl& m = *impl_;
  const std::int64_t rows = as_i64(actions.size());
  const std::int64_t width = m.shape.num_actions;
  GW_CHECK(as_i64(obs.size()) == rows * m.shape.obs_size, "act: obs is not rows x obs_size");
  GW_CHECK(as_i64(mask.size()) == rows * width, "act: mask is not rows x num_actions");
  torch::Tensor greedy;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor allowed = m.device_tensor(mask.data(), {rows, width}, torch::kUInt8).to(torch::kBool);
    const torch::Tensor q = m.online->forward(m.device_tensor(obs.data(), {rows, m.shape.obs_size}, torch::kFloat32), allowed);
    greedy = q.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity()).argmax(1).to(torch::kCPU);
  }
  const auto* best = greedy.data_ptr<std::int64_t>();
  const double eps = explore ? epsilon() : 0.0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto row_mask = mask.subspan(static_cast<std::size_t>(r * width), static_cast<std::size_t>(width));
    const auto n_allowed = std::count_if(row_mask.begin(), row_mask.end(), [](std::uint8_t v) { return v != 0; });
    GW_CHECK(n_allowed > 0, "act: a row has no allowed action");
    // One uniform draw per row whatever the outcome, so the Rng stream does not depend on Q.
    if (explore && m.rng.uniform() < eps) {
      auto pick = static_cast<std::int64_t>(m.rng.below(static_cast<std::uint64_t>(n_allowed)));
      for (std::int64_t a = 0; a < width; ++a) {
        if (row_mask[static_cast<std::size_t>(a)] && pick-- == 0) {
          actions[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(a);
          break;
        }
      }
    } else {
      actions[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(best[r]);
    }
  }
}

void DqnAgent::observe(const TransitionBatch& batch) {
  impl_->replay.add(batch);
  ++impl_->counters.steps;
}

TrainStats DqnAgent::train() {
  const DqnConfig& c = impl_->config;
  const DqnCounters& n = impl_->counters;
  TrainStats stats;
  if (n.steps < c.learning_starts || impl_->replay.size() == 0 || n.steps % c.train_frequency != 0) return stats;
  for (std::int64_t i = 0; i < c.gradient_steps; ++i) {
    stats.loss += update();
    ++stats.updates;
  }
  stats.loss /= static_cast<double>(stats.updates);
  return stats;
}

double DqnAgent::update() {
  Impl& m = *impl_;
  const DqnConfig& c = m.config;
  const std::int64_t b = c.batch_size;
  const std::int64_t d = m.shape.obs_size;
  const std::int64_t width = m.shape.num_actions;
  const double progress = std::min(1.0, static_cast<double>(m.counters.updates) / static_cast<double>(c.per_beta_updates));
  const double beta = c.per_beta_start + (1.0 - c.per_beta_start) * progress;
  m.replay.sample(b, beta, m.rng, m.sample);
  const ReplaySample& s = m.sample;

  const torch::Tensor obs = m.device_tensor(s.obs.data(), {b, d}, torch::kFloat32);
  const torch::Tensor allowed = m.device_tensor(s.masks.data(), {b, width}, torch::kUInt8).to(torch::kBool);
  const torch::Tensor actions = m.device_tensor(s.actions.data(), {b, 1}, torch::kInt64);
  const torch::Tensor returns = m.device_tensor(s.returns.data(), {b}, torch::kFloat32);
  const torch::Tensor next_obs = m.device_tensor(s.next_obs.data(), {b, d}, torch::kFloat32);
  const torch::Tensor next_allowed = m.device_tensor(s.next_mask.data(), {b, width}, torch::kUInt8).to(torch::kBool);
  const torch::Tensor discounts = m.device_tensor(s.discounts.data(), {b}, torch::kFloat32);
  const torch::Tensor weights = m.device_tensor(s.weights.data(), {b}, torch::kFloat32);

  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    const float neg_inf = -std::numeric_limits<float>::infinity();
    const torch::Tensor next_target_q = m.target->forward(next_obs, next_allowed);
    torch::Tensor next_value;
    if (c.double_dqn) {
      const torch::Tensor next_action =
          m.online->forward(next_obs, next_allowed).masked_fill(next_allowed.logical_not(), neg_inf).argmax(1, /*keepdim=*/true);
      next_value = next_target_q.gather(1, next_action).squeeze(1);
    } else {
      next_value = std::get<0>(next_target_q.masked_fill(next_allowed.logical_not(), neg_inf).max(1));
    }
    // Terminated rows (discount 0) must add nothing, even when their next mask is empty (-inf).
    next_value = torch::where(discounts > 0, next_value, torch::zeros_like(next_value));
    target = returns + discounts * next_value;
  }
  const torch::Tensor q = m.online->forward(obs, allowed).gather(1, actions).squeeze(1);
  namespace F = torch::nn::functional;
  const torch::Tensor per_row =
      F::huber_loss(q, target, F::HuberLossFuncOptions().reduction(torch::kNone).delta(c.huber_delta));
  const torch::Tensor loss = (weights * per_row).mean();

  m.optimizer->zero_grad();
  loss.backward();
  if (c.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(m.online->parameters(), c.max_grad_norm);
  m.optimizer->step();
  ++m.counters.updates;

  if (c.prioritized) {
    const torch::Tensor td = (target - q.detach()).to(torch::kCPU).contiguous();
    m.replay.update_priorities(s.indices, std::span<const float>(td.data_ptr<float>(), static_cast<std::size_t>(b)),
                               c.per_eps);
  }
  if (m.counters.updates % c.target_update_interval == 0) m.copy_target(c.tau);
  return loss.item<double>();
}

std::vector<float> DqnAgent::q_values(std::span<const float> obs, std::span<const std::uint8_t> mask) const {
  Impl& m = *impl_;
  const std::int64_t rows = as_i64(obs.size()) / m.shape.obs_size;
  GW_CHECK(rows * m.shape.obs_size == as_i64(obs.size()), "q_values: obs is not rows x obs_size");
  GW_CHECK(mask.empty() || as_i64(mask.size()) == rows * m.shape.num_actions, "q_values: mask is not rows x num_actions");
  torch::NoGradGuard no_grad;
  const torch::Tensor allowed = mask.empty() ? torch::ones({rows, m.shape.num_actions}, torch::kBool).to(m.device)
                                             : m.device_tensor(mask.data(), {rows, m.shape.num_actions}, torch::kUInt8).to(torch::kBool);
  return from_tensor<float>(m.online->forward(m.device_tensor(obs.data(), {rows, m.shape.obs_size}, torch::kFloat32), allowed).flatten());
}

std::vector<float> DqnAgent::parameters() const {
  std::vector<float> flat;
  for (const torch::Tensor& p : impl_->online->parameters()) {
    const std::vector<float> part = from_tensor<float>(p.detach().flatten());
    flat.insert(flat.end(), part.begin(), part.end());
  }
  return flat;
}

void DqnAgent::set_parameters(std::span<const double> flat) {
  Impl& m = *impl_;
  std::int64_t total = 0;
  for (const torch::Tensor& p : m.online->parameters()) total += p.numel();
  if (total != as_i64(flat.size()))
    throw ConfigError("parameters", "expected " + std::to_string(total) + " values, got " + std::to_string(flat.size()));
  torch::NoGradGuard no_grad;
  std::int64_t offset = 0;
  for (torch::Tensor& p : m.online->parameters()) {
    const torch::Tensor src = torch::from_blob(const_cast<double*>(flat.data() + offset), p.sizes(), torch::kFloat64);
    p.copy_(src.to(torch::kFloat32));
    offset += p.numel();
  }
  m.copy_target(1.0);
}

void DqnAgent::set_learning_rate(double lr) {
  for (auto& group : impl_->optimizer->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

void DqnAgent::set_metadata(const std::string& json) { impl_->metadata = json; }
const std::string& DqnAgent::metadata() const { return impl_->metadata; }
const DqnConfig& DqnAgent::config() const { return impl_->config; }
const DqnShape& DqnAgent::shape() const { return impl_->shape; }
const DqnCounters& DqnAgent::counters() const { return impl_->counters; }

void DqnAgent::save(const std::string& path, CheckpointContents contents) const {
  const Impl& m = *impl_;
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(kCheckpointFormat));
  archive.write("contents", c10::IValue(static_cast<std::int64_t>(contents)));
  const std::string config_json = dqn_config_to_json(m.config);
  archive.write("config", c10::IValue(config_json));
  archive.write("digest", c10::IValue(m.digest(config_json, contents)));
  archive.write("metadata", c10::IValue(m.metadata));
  archive.write("shape", torch::tensor({m.shape.obs_size, static_cast<std::int64_t>(m.shape.num_actions), m.shape.rows}));
  torch::serialize::OutputArchive online;
  m.online->save(online);
  archive.write("online", online);
  if (contents == CheckpointContents::Full) {
    archive.write("counters", torch::tensor({m.counters.steps, m.counters.updates, m.counters.episodes}));
    std::vector<std::int64_t> words(4);
    for (int i = 0; i < 4; ++i) words[static_cast<std::size_t>(i)] = std::bit_cast<std::int64_t>(m.rng.state[i]);
    archive.write("rng", to_tensor(words, torch::kInt64));
    torch::serialize::OutputArchive target;
    m.target->save(target);
    archive.write("target", target);
    torch::serialize::OutputArchive optimizer;
    m.optimizer->save(optimizer);
    archive.write("optimizer", optimizer);
    const ReplayStorage& r = m.replay.storage();
    torch::serialize::OutputArchive replay;
    replay.write("obs", to_tensor(r.obs, torch::kFloat32));
    replay.write("masks", to_tensor(r.masks, torch::kUInt8));
    replay.write("pending_masks", to_tensor(r.pending_masks, torch::kUInt8));
    replay.write("actions", to_tensor(r.actions, torch::kInt32));
    replay.write("returns", to_tensor(r.returns, torch::kFloat32));
    replay.write("next_obs", to_tensor(r.next_obs, torch::kFloat32));
    replay.write("next_mask", to_tensor(r.next_mask, torch::kUInt8));
    replay.write("discounts", to_tensor(r.discounts, torch::kFloat32));
    replay.write("priorities", to_tensor(r.priorities, torch::kFloat64));
    replay.write("size", c10::IValue(r.size));
    replay.write("next", c10::IValue(r.next));
    replay.write("max_priority", c10::IValue(r.max_priority));
    replay.write("pending_obs", to_tensor(r.pending_obs, torch::kFloat32));
    replay.write("pending_actions", to_tensor(r.pending_actions, torch::kInt32));
    replay.write("pending_rewards", to_tensor(r.pending_rewards, torch::kFloat32));
    replay.write("pending_count", to_tensor(r.pending_count, torch::kInt32));
    archive.write("replay", replay);
  }
  // Written under a temporary name, then renamed: a failed or killed save keeps the previous
  // checkpoint intact. The archive's writer must never see a failed write, because it retries
  // the write in its destructor and a throw from there aborts the process; the first error is
  // kept aside and thrown once the archive is done.
  OutputFile out(path);
  std::optional<IoError> failure;
  try {
    archive.save_to([&](const void* data, std::size_t n) -> std::size_t {
      if (failure) return n;
      try {
        out.write(std::string_view(static_cast<const char*>(data), n));
      } catch (const IoError& e) {
        failure = e;
      }
      return n;
    });
  } catch (const c10::Error& e) {
    bad_checkpoint(path, std::string("cannot encode: ") + e.what_without_backtrace());
  }
  if (failure) throw IoError(path, "write the checkpoint", failure->error_number());
  out.commit();
}

std::unique_ptr<DqnAgent> DqnAgent::load(const std::string& path, const std::string& device) {
  if (!std::filesystem::is_regular_file(path)) bad_checkpoint(path, "no such file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, torch::Device(torch::kCPU));
    const CheckpointHeader header = read_header(archive, path, device);
    auto impl = std::make_unique<Impl>(header.config, header.shape);
    Impl& m = *impl;
    c10::IValue value;
    if (archive.try_read("metadata", value) && value.isString()) m.metadata = value.toStringRef();
    load_network(archive, "online", m.online, m.device, path);
    bool with_masks = true;  // false for Full files written before replay kept action masks
    if (header.contents == CheckpointContents::Full) {
      load_network(archive, "target", m.target, m.device, path);
      m.counters = read_counters(archive, m.rng);
      load_optimizer(archive, *m.optimizer, m.device);
      m.replay.restore(read_replay(archive, header.config, header.shape, with_masks));
    }
    // Files written before the digest existed have none; every other file must match its own.
    if (archive.try_read("digest", value) &&
        (!value.isInt() || value.toInt() != m.digest(header.config_json, header.contents, with_masks)))
      bad_checkpoint(path, "content does not match its digest (the file was altered or damaged)");
    if (header.contents == CheckpointContents::WeightsOnly) m.copy_target(1.0);
    return std::unique_ptr<DqnAgent>(new DqnAgent(std::move(impl)));
  } catch (const c10::Error& e) {
    bad_checkpoint(path, std::string("unreadable: ") + e.what_without_backtrace());
  }
}

void merge_checkpoints(std::span<const std::string> paths, std::span<const double> weights, const std::string& out) {
  if (paths.empty()) throw ConfigError("checkpoints", "nothing to merge");
  if (paths.size() != weights.size())
    throw ConfigError("weights", std::to_string(weights.size()) + " weights for " + std::to_string(paths.size()) + " checkpoints");
  std::vector<double> merged;
  std::unique_ptr<DqnAgent> newest;
  for (std::size_t j = 0; j < paths.size(); ++j) {
    auto agent = DqnAgent::load(paths[j], "cpu");
    const std::vector<float> theta = agent->parameters();
    if (j == 0) merged.assign(theta.size(), 0.0);
    const DqnConfig& c = agent->config();
    if (theta.size() != merged.size() || (newest && (c.hidden_sizes != newest->config().hidden_sizes ||
                                                     c.dueling != newest->config().dueling ||
                                                     agent->shape().obs_size != newest->shape().obs_size ||
                                                     agent->shape().num_actions != newest->shape().num_actions)))
      bad_checkpoint(paths[j], "network differs from " + paths[0] + "; only identical architectures merge");
    for (std::size_t i = 0; i < theta.size(); ++i) merged[i] += weights[j] * static_cast<double>(theta[i]);
    newest = std::move(agent);
  }
  newest->set_parameters(merged);
  newest->save(out, CheckpointContents::WeightsOnly);
}

}  // namespace greenwave
