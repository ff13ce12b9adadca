// The Efficiency-Leverage scaling law for Mixture-of-Experts language models (arXiv 2507.17702,
// "Towards Greater Leverage"): MoE configurations, their derived ratios and parameter counts,
// the joint EL law and the compute-optimal hyper-parameter and model/data laws. Formulas and
// coefficients: ../shared/REFERENCE.md §4; docs/moe.md.
#pragma once

#include <cstdint>
#include <string>

namespace greenwave::moe {

/// One MoE transformer configuration. Every layer but the first `dense_layers` holds E routed
/// experts (E_a of them active per token) and E_s always-active shared experts, each a SwiGLU
/// feed-forward of width d_expert.
struct MoeConfig {
  std::int64_t experts = 0;         ///< E: routed experts per MoE layer
  std::int64_t active_experts = 0;  ///< E_a: routed experts each token uses
  std::int64_t shared_experts = 0;  ///< E_s: shared experts every token uses
  std::int64_t d_model = 0;         ///< hidden size
  std::int64_t d_expert = 0;        ///< width of one expert's feed-forward
  std::int64_t layers = 20;         ///< transformer layers
  std::int64_t dense_layers = 1;    ///< leading layers with a dense feed-forward instead (width (E_a + E_s) d_expert)
};

/// Throws ConfigError naming the field unless E >= 1, 1 <= E_a <= E, E_s >= 0, d_model >= 1,
/// d_expert >= 1, layers >= 1 and 0 <= dense_layers < layers.
void validate(const MoeConfig& config);

/// Activation ratio A = (E_a + E_s) / (E + E_s).
double activation_ratio(const MoeConfig& config);
/// Sharing ratio S = E_s / (E_a + E_s).
double sharing_ratio(const MoeConfig& config);
/// Granularity G = 2 d_model / d_expert.
double granularity(const MoeConfig& config);

/// Non-embedding parameter counts of a configuration (docs/moe.md "Parameter count").
struct ParamCount {
  double total = 0;   ///< every parameter
  double active = 0;  ///< parameters one token uses
};

/// Parameter count: per layer grouped-query attention of 2.5 d_model^2 (query and output
/// d_model^2 each, key and value with 4 of 16 heads: Ling 2.0's), a router of d_model E per
/// MoE layer, 3 d_model d_expert per expert (SwiGLU), and a dense layer's feed-forward of
/// width (E_a + E_s) d_expert. Validates `config`.
ParamCount parameter_count(const MoeConfig& config);

/// Non-embedding training FLOPs per token M = 6 N_active + 6 layers d_model seq_len (forward
/// and backward of the weights plus the attention scores, as DeepSeek's M). Validates.
double flops_per_token(const MoeConfig& config, double seq_len = 4096);

/// Coefficients of the joint EL law (Table 2 of the paper).
struct ElCoefficients {
  double a = 1.23;           ///< alpha = a + d log10 C
  double d = -7.61e-2;       ///< compute slope of alpha
  double gamma = 1.67e-2;    ///< coefficient of (log2 G)^2
  double beta = -1.17e-1;    ///< coefficient of log2 G
  double a_start = 1.63e-2;  ///< saturating transform: where A stops mattering from below
  double a_max = 5.28e16;    ///< saturating transform: upper asymptote
};

/// The saturating transform of A: 1/Â = 1 / (A + (1/A_start - 1/A_max)^-1) + 1/A_max.
double saturated_activation(double activation_ratio, const ElCoefficients& k = {});

/// Efficiency leverage EL(A, G, C) = Â ^ (a + d log10 C + γ (log2 G)^2 + β log2 G). The paper does
/// not name its log bases; log10 for C and log2 for G is the reading that reproduces both
/// published claims (EL(3.1%, 12, 1e22) ≈ 7.25 and G* ≈ 11.3; REFERENCE.md §4). ConfigError
/// unless 0 < A <= 1, G > 0 and C > 0 (all finite).
double efficiency_leverage(double activation_ratio, double granularity, double compute, const ElCoefficients& k = {});

/// EL of a configuration at compute C (validates the configuration).
double efficiency_leverage(const MoeConfig& config, double compute, const ElCoefficients& k = {});

/// The granularity that maximises EL at any A < 1 and any C: 2^(-β / 2γ) (≈ 11.3).
double optimal_granularity(const ElCoefficients& k = {});

/// Compute-optimal settings at a compute budget C (FLOPs).
struct ComputeOptimal {
  double learning_rate = 0;  ///< MoE: 1.1576 C^-0.1529 (NaN for dense: the paper fits it for MoE only)
  double batch_tokens = 0;   ///< MoE: 0.0694 C^0.3644 tokens per batch (NaN for dense)
  double flops_per_token = 0;  ///< M_opt (non-embedding FLOPs per token)
  double tokens = 0;         ///< D_opt
};

/// The MoE laws: η, B, M_opt = 0.1915 C^0.5095, D_opt = 5.2232 C^0.4905. ConfigError unless C > 0.
ComputeOptimal compute_optimal_moe(double compute);
/// The dense laws: M_opt = 0.0655 C^0.5422, D_opt = 15.2582 C^0.4578. ConfigError unless C > 0.
ComputeOptimal compute_optimal_dense(double compute);

/// "E384/Ea12/Es1/d2048/de384/L20" — a configuration in one token, for logs and the CLI.
std::string to_string(const MoeConfig& config);

}  // namespace greenwave::moe
