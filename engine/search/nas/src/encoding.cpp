// Raw, one-hot, modulo and count features of gene vectors.
#include "greenwave/nas/encoding.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "greenwave/core/error.hpp"

namespace greenwave::nas {

namespace {

// The index of `v` in the sorted `domain`, or -1 when it was never seen.
int index_of(const std::vector<double>& domain, double v) {
  auto it = std::lower_bound(domain.begin(), domain.end(), v);
  return (it != domain.end() && *it == v) ? static_cast<int>(it - domain.begin()) : -1;
}

// Non-negative remainder of a gene value (values are integers in every supported format).
int mod_of(double v, int k) {
  long long x = std::llround(v);
  return static_cast<int>(((x % k) + k) % k);
}

}  // namespace

EncodingSpec parse_encoding(const std::string& parts, const std::string& positions) {
  EncodingSpec spec;
  std::string text = parts;
  std::replace(text.begin(), text.end(), ',', '+');
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, '+')) {
    if (part == "raw") spec.raw = true;
    else if (part == "onehot") spec.onehot = true;
    else if (part == "counts") spec.counts = true;
    else if (part.rfind("mod", 0) == 0 && part.size() > 3 &&
             std::all_of(part.begin() + 3, part.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
             std::stoi(part.substr(3)) >= 2)
      spec.modulo = std::stoi(part.substr(3));
    else
      throw ConfigError("--encoding", "expected raw, onehot, mod<K> (K >= 2) or counts joined by '+', got '" + part + "' in '" + parts + "'");
  }
  if (!spec.raw && !spec.onehot && !spec.counts && spec.modulo == 0)
    throw ConfigError("--encoding", "no part given in '" + parts + "'");
  std::stringstream ps(positions);
  std::string p;
  while (std::getline(ps, p, ',')) {
    if (p.empty() || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw ConfigError("--genes", "expected a comma list of gene indices, got '" + positions + "'");
    spec.positions.push_back(std::stoi(p));
  }
  return spec;
}

std::string encoding_name(const EncodingSpec& spec) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "+") + s; };
  if (spec.raw) add("raw");
  if (spec.onehot) add("onehot");
  if (spec.modulo > 0) add("mod" + std::to_string(spec.modulo));
  if (spec.counts) add("counts");
  return out;
}

std::vector<std::vector<double>> gene_domains(const Eigen::MatrixXd& genes) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(genes.cols()));
  for (Eigen::Index c = 0; c < genes.cols(); ++c) {
    auto& d = out[static_cast<std::size_t>(c)];
    d.assign(genes.col(c).data(), genes.col(c).data() + genes.rows());
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
  }
  return out;
}

Encoder Encoder::fit(const EncodingSpec& spec, const Eigen::MatrixXd& genes) {
  Encoder e;
  e.spec_ = spec;
  e.genes_ = static_cast<int>(genes.cols());
  auto domains = gene_domains(genes);
  if (e.spec_.positions.empty()) {
    for (int c = 0; c < e.genes_; ++c)
      if (domains[static_cast<std::size_t>(c)].size() > 1) e.spec_.positions.push_back(c);
    if (e.spec_.positions.empty()) throw ConfigError("--genes", "no gene varies in the data, nothing to encode");
  }
  for (int p : e.spec_.positions) {
    if (p < 0 || p >= e.genes_)
      throw ConfigError("--genes", "gene index " + std::to_string(p) + " out of range (architectures have " +
                                       std::to_string(e.genes_) + " genes)");
    e.domains_.push_back(domains[static_cast<std::size_t>(p)]);
  }
  for (const auto& d : e.domains_) e.all_values_.insert(e.all_values_.end(), d.begin(), d.end());
  std::sort(e.all_values_.begin(), e.all_values_.end());
  e.all_values_.erase(std::unique(e.all_values_.begin(), e.all_values_.end()), e.all_values_.end());
  e.compute_width();
  return e;
}

void Encoder::compute_width() {
  int n = static_cast<int>(spec_.positions.size());
  width_ = 0;
  if (spec_.raw) width_ += n;
  if (spec_.onehot)
    for (const auto& d : domains_) width_ += static_cast<int>(d.size());
  if (spec_.modulo > 0) width_ += n * spec_.modulo;
  if (spec_.counts) width_ += static_cast<int>(all_values_.size());
}

Eigen::MatrixXd Encoder::encode(const Eigen::MatrixXd& genes) const {
  if (genes.cols() != genes_)
    throw ConfigError("arch", "has " + std::to_string(genes.cols()) + " genes, the encoding was fitted to " +
                                  std::to_string(genes_));
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(genes.rows(), width_);
  for (Eigen::Index r = 0; r < genes.rows(); ++r) {
    Eigen::Index col = 0;
    if (spec_.raw)
      for (int p : spec_.positions) out(r, col++) = genes(r, p);
    if (spec_.onehot)
      for (std::size_t i = 0; i < spec_.positions.size(); ++i) {
        int k = index_of(domains_[i], genes(r, spec_.positions[i]));
        if (k >= 0) out(r, col + k) = 1.0;  // a value never seen in fitting has no indicator
        col += static_cast<Eigen::Index>(domains_[i].size());
      }
    if (spec_.modulo > 0)
      for (int p : spec_.positions) {
        out(r, col + mod_of(genes(r, p), spec_.modulo)) = 1.0;
        col += spec_.modulo;
      }
    if (spec_.counts) {
      for (int p : spec_.positions) {
        int k = index_of(all_values_, genes(r, p));
        if (k >= 0) out(r, col + k) += 1.0;
      }
      col += static_cast<Eigen::Index>(all_values_.size());
    }
  }
  return out;
}

nlohmann::json Encoder::to_json() const {
  return {{"parts", encoding_name(spec_)}, {"positions", spec_.positions}, {"domains", domains_}, {"genes", genes_}};
}

Encoder Encoder::from_json(const nlohmann::json& j) {
  Encoder e;
  e.spec_ = parse_encoding(j.at("parts").get<std::string>());
  e.spec_.positions = j.at("positions").get<std::vector<int>>();
  e.domains_ = j.at("domains").get<std::vector<std::vector<double>>>();
  e.genes_ = j.at("genes").get<int>();
  for (const auto& d : e.domains_) e.all_values_.insert(e.all_values_.end(), d.begin(), d.end());
  std::sort(e.all_values_.begin(), e.all_values_.end());
  e.all_values_.erase(std::unique(e.all_values_.begin(), e.all_values_.end()), e.all_values_.end());
  e.compute_width();
  return e;
}

}  // namespace greenwave::nas
