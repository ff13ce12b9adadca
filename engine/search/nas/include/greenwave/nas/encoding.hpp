// Feature encodings of gene vectors: configuration, so a new data set needs no code.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace greenwave::nas {

/// Which features to build from which genes. Parts are concatenated in the order raw, onehot,
/// mod, counts.
struct EncodingSpec {
  std::vector<int> positions;  ///< genes used; empty = every gene that varies in the fitting data
  bool raw = false;            ///< the gene values themselves
  bool onehot = false;         ///< one indicator per (gene, value seen at that gene)
  int modulo = 0;              ///< > 0: one indicator per (gene, value mod this)
  bool counts = false;         ///< per value seen anywhere: how many used genes hold it
};

/// Parses "raw", "onehot", "mod<K>", "counts" joined by '+' or ','; `positions` is "" or a
/// comma list of gene indices. ConfigError naming "--encoding"/"--genes" on a bad value.
EncodingSpec parse_encoding(const std::string& parts, const std::string& positions = "");

/// The spec's parts as parse_encoding reads them (e.g. "onehot+mod2").
std::string encoding_name(const EncodingSpec& spec);

/// An encoding fitted to data: the genes used and the values each can take.
class Encoder {
 public:
  /// Fits `spec` to `genes` (rows = architectures): resolves positions and value domains.
  /// ConfigError when a position is out of range or no gene varies.
  static Encoder fit(const EncodingSpec& spec, const Eigen::MatrixXd& genes);
  /// Features of every row (rows = architectures).
  Eigen::MatrixXd encode(const Eigen::MatrixXd& genes) const;
  /// Number of features.
  int width() const { return width_; }
  /// The spec with its positions resolved.
  const EncodingSpec& spec() const { return spec_; }
  /// Serialises spec and domains.
  nlohmann::json to_json() const;
  /// Reads what to_json wrote.
  static Encoder from_json(const nlohmann::json& j);

 private:
  EncodingSpec spec_;
  std::vector<std::vector<double>> domains_;  // per used position: sorted values seen
  std::vector<double> all_values_;             // sorted union of domains_, for counts
  int width_ = 0;
  int genes_ = 0;
  void compute_width();
};

/// Per gene: the sorted distinct values seen in `genes` (a gene with one value is fixed).
std::vector<std::vector<double>> gene_domains(const Eigen::MatrixXd& genes);

}  // namespace greenwave::nas
