// Architecture data sets: JSON files of {id: {"arch": ..., <numeric fields>...}}.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace greenwave::nas {

/// How to read one data set file.
struct DatasetOptions {
  std::string arch_field = "arch";  ///< the field holding the architecture
  std::string target;               ///< numeric field to predict; "" reads architectures only
  bool lower_is_better = false;     ///< true for ranks or errors, false for accuracies
  double target_scale = 1.0;        ///< targets are multiplied by this on load (e.g. 100)
};

/// Architectures flattened to genes, in file order, with their targets.
struct ArchDataset {
  std::string source;               ///< file name (or "<memory>") for messages
  std::vector<std::string> ids;     ///< entry keys, in file order
  Eigen::MatrixXd genes;            ///< one row per entry, one column per gene
  Eigen::VectorXd targets;          ///< one per entry (empty when no target was asked for)
  bool categorical = false;         ///< true when arch was a string (genes are character codes)
  bool lower_is_better = false;     ///< copied from the options
  /// Number of entries.
  int size() const { return static_cast<int>(ids.size()); }
};

/// Flattens one "arch" value: a list of numbers, a list of lists of numbers (concatenated), or
/// a string (one gene per character, its code). Throws ScenarioError naming `source` and `id`.
std::vector<double> parse_arch(const nlohmann::json& arch, const std::string& source, const std::string& id);

/// Reads a data set from parsed JSON; every entry must have the same gene count and, when a
/// target is asked for, a numeric target. Throws ScenarioError naming the entry.
ArchDataset parse_dataset(const nlohmann::ordered_json& doc, const std::string& source, const DatasetOptions& options);

/// Reads a data set file; ScenarioError for an unreadable file or bad content.
ArchDataset load_dataset(const std::string& path, const DatasetOptions& options);

}  // namespace greenwave::nas
