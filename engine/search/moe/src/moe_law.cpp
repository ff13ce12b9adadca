#include "greenwave/search/moe/moe_law.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "greenwave/core/error.hpp"

namespace greenwave::moe {

namespace {

double as_double(std::int64_t v) { return static_cast<double>(v); }

void require_positive(const char* field, double v) {
  if (!(std::isfinite(v) && v > 0)) throw ConfigError(field, "expected a positive finite number, got " + std::to_string(v));
}

}  // namespace

void validate(const MoeConfig& c) {
  const auto fail = [](const char* field, std::int64_t v, const std::string& rule) {
    throw ConfigError(field, "expected " + rule + ", got " + std::to_string(v));
  };
  if (c.experts < 1) fail("experts", c.experts, ">= 1");
  if (c.active_experts < 1 || c.active_experts > c.experts)
    fail("active_experts", c.active_experts, "1..experts (" + std::to_string(c.experts) + ")");
  if (c.shared_experts < 0) fail("shared_experts", c.shared_experts, ">= 0");
  if (c.d_model < 1) fail("d_model", c.d_model, ">= 1");
  if (c.d_expert < 1) fail("d_expert", c.d_expert, ">= 1");
  if (c.layers < 1) fail("layers", c.layers, ">= 1");
  if (c.dense_layers < 0 || c.dense_layers >= c.layers)
    fail("dense_layers", c.dense_layers, "0..layers-1 (" + std::to_string(c.layers - 1) + ")");
}

double activation_ratio(const MoeConfig& c) {
  validate(c);
  return as_double(c.active_experts + c.shared_experts) / as_double(c.experts + c.shared_experts);
}

double sharing_ratio(const MoeConfig& c) {
  validate(c);
  return as_double(c.shared_experts) / as_double(c.active_experts + c.shared_experts);
}

double granularity(const MoeConfig& c) {
  validate(c);
  return 2.0 * as_double(c.d_model) / as_double(c.d_expert);
}

ParamCount parameter_count(const MoeConfig& c) {
  validate(c);
  const double d = as_double(c.d_model);
  const double expert = 3.0 * d * as_double(c.d_expert);
  const double attention = 2.5 * d * d;
  const double moe_layers = as_double(c.layers - c.dense_layers);
  const double dense_layers = as_double(c.dense_layers);
  const double router = d * as_double(c.experts);
  const double used = as_double(c.active_experts + c.shared_experts) * expert;  // also the dense FFN
  ParamCount p;
  p.total = as_double(c.layers) * attention + moe_layers * (router + as_double(c.experts + c.shared_experts) * expert) +
            dense_layers * used;
  p.active = as_double(c.layers) * attention + moe_layers * (router + used) + dense_layers * used;
  return p;
}

double flops_per_token(const MoeConfig& c, double seq_len) {
  require_positive("seq_len", seq_len);
  return 6.0 * parameter_count(c).active + 6.0 * as_double(c.layers) * as_double(c.d_model) * seq_len;
}

double saturated_activation(double a, const ElCoefficients& k) {
  const double offset = 1.0 / (1.0 / k.a_start - 1.0 / k.a_max);
  return 1.0 / (1.0 / (a + offset) + 1.0 / k.a_max);
}

double efficiency_leverage(double a, double g, double compute, const ElCoefficients& k) {
  if (!(std::isfinite(a) && a > 0 && a <= 1))
    throw ConfigError("activation_ratio", "expected 0 < A <= 1, got " + std::to_string(a));
  require_positive("granularity", g);
  require_positive("compute", compute);
  // Bases: log10 for the compute, log2 for the granularity (see the header).
  const double lg = std::log2(g);
  const double exponent = k.a + k.d * std::log10(compute) + k.gamma * lg * lg + k.beta * lg;
  return std::pow(saturated_activation(a, k), exponent);
}

double efficiency_leverage(const MoeConfig& c, double compute, const ElCoefficients& k) {
  return efficiency_leverage(activation_ratio(c), granularity(c), compute, k);
}

double optimal_granularity(const ElCoefficients& k) { return std::exp2(-k.beta / (2.0 * k.gamma)); }

ComputeOptimal compute_optimal_moe(double compute) {
  require_positive("compute", compute);
  return {1.1576 * std::pow(compute, -0.1529), 0.0694 * std::pow(compute, 0.3644), 0.1915 * std::pow(compute, 0.5095),
          5.2232 * std::pow(compute, 0.4905)};
}

ComputeOptimal compute_optimal_dense(double compute) {
  require_positive("compute", compute);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {nan, nan, 0.0655 * std::pow(compute, 0.5422), 15.2582 * std::pow(compute, 0.4578)};
}

std::string to_string(const MoeConfig& c) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "E%lld/Ea%lld/Es%lld/d%lld/de%lld/L%lld", static_cast<long long>(c.experts),
                static_cast<long long>(c.active_experts), static_cast<long long>(c.shared_experts),
                static_cast<long long>(c.d_model), static_cast<long long>(c.d_expert), static_cast<long long>(c.layers));
  return buf;
}

}  // namespace greenwave::moe
