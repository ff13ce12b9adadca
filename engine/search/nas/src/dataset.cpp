// Loading {id: {"arch": ..., fields...}} files into a gene matrix.
#include "greenwave/nas/dataset.hpp"

#include <fstream>
#include <sstream>

#include "greenwave/core/error.hpp"

namespace greenwave::nas {

namespace {

// Appends the numbers of a flat list; throws naming the entry on anything else.
void append_numbers(const nlohmann::json& list, const std::string& source, const std::string& id,
                    const std::string& where, std::vector<double>& out) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_number())
      throw ScenarioError(source, "/" + id + where + "/" + std::to_string(i),
                          "expected a number in arch, got " + list[i].dump());
    out.push_back(list[i].get<double>());
  }
}

}  // namespace

std::vector<double> parse_arch(const nlohmann::json& arch, const std::string& source, const std::string& id) {
  std::vector<double> genes;
  const std::string where = "/" + id;
  if (arch.is_string()) {
    for (unsigned char c : arch.get<std::string>()) genes.push_back(static_cast<double>(c));
  } else if (arch.is_array() && !arch.empty() && arch[0].is_array()) {
    std::size_t width = arch[0].size();
    for (std::size_t b = 0; b < arch.size(); ++b) {
      if (!arch[b].is_array() || arch[b].size() != width)
        throw ScenarioError(source, where + "/arch/" + std::to_string(b),
                            "expected a list of " + std::to_string(width) + " numbers (as block 0), got " + arch[b].dump());
      append_numbers(arch[b], source, id, "/arch/" + std::to_string(b), genes);
    }
  } else if (arch.is_array()) {
    append_numbers(arch, source, id, "/arch", genes);
  } else {
    throw ScenarioError(source, where + "/arch",
                        "expected a list of numbers, a list of lists of numbers or a string, got " + arch.dump());
  }
  if (genes.empty()) throw ScenarioError(source, where + "/arch", "the architecture has no genes");
  return genes;
}

ArchDataset parse_dataset(const nlohmann::ordered_json& doc, const std::string& source, const DatasetOptions& options) {
  if (!doc.is_object() || doc.empty())
    throw ScenarioError(source, "", "expected a non-empty JSON object {id: {\"" + options.arch_field + "\": ...}}");
  ArchDataset out;
  out.source = source;
  out.lower_is_better = options.lower_is_better;
  std::vector<std::vector<double>> rows;
  std::vector<double> targets;
  bool first = true;
  for (const auto& [id, entry] : doc.items()) {
    if (!entry.is_object()) throw ScenarioError(source, "/" + id, "expected an object, got " + entry.dump());
    if (!entry.contains(options.arch_field))
      throw ScenarioError(source, "/" + id, "missing field '" + options.arch_field + "'");
    // Round-trips through nlohmann::json so parse_arch takes one JSON type.
    bool is_string = entry.at(options.arch_field).is_string();
    std::vector<double> genes = parse_arch(nlohmann::json::parse(entry.at(options.arch_field).dump()), source, id);
    if (first) {
      out.categorical = is_string;
    } else {
      if (is_string != out.categorical)
        throw ScenarioError(source, "/" + id + "/" + options.arch_field,
                            "mixes string and list architectures (entry '" + out.ids.front() + "' differs)");
      if (genes.size() != rows.front().size())
        throw ScenarioError(source, "/" + id + "/" + options.arch_field,
                            "has " + std::to_string(genes.size()) + " genes, expected " +
                                std::to_string(rows.front().size()) + " (as entry '" + out.ids.front() + "')");
    }
    if (!options.target.empty()) {
      if (!entry.contains(options.target))
        throw ScenarioError(source, "/" + id, "missing target field '" + options.target + "'");
      const auto& t = entry.at(options.target);
      if (!t.is_number())
        throw ScenarioError(source, "/" + id + "/" + options.target, "expected a number, got " + t.dump());
      targets.push_back(t.get<double>() * options.target_scale);
    }
    out.ids.push_back(id);
    rows.push_back(std::move(genes));
    first = false;
  }
  out.genes.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.front().size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c) out.genes(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c];
  if (!targets.empty()) out.targets = Eigen::Map<Eigen::VectorXd>(targets.data(), static_cast<Eigen::Index>(targets.size()));
  return out;
}

ArchDataset load_dataset(const std::string& path, const DatasetOptions& options) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path, "", "cannot open the file");
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ScenarioError(path, "", std::string("not valid JSON: ") + e.what());
  }
  return parse_dataset(doc, path, options);
}

}  // namespace greenwave::nas
