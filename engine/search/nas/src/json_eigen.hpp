// Eigen vectors and matrices to and from JSON arrays (model files).
#pragma once

#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace greenwave::nas::detail {

/// A vector as a JSON array.
inline nlohmann::json to_json(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

/// A matrix as a JSON array of rows.
inline nlohmann::json to_json(const Eigen::MatrixXd& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    Eigen::VectorXd row = m.row(r).transpose();
    rows.push_back(to_json(row));
  }
  return rows;
}

/// A JSON array as a vector.
inline Eigen::VectorXd vector_from_json(const nlohmann::json& j) {
  auto v = j.get<std::vector<double>>();
  return Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

/// A JSON array of equal rows as a matrix (`cols` when there are no rows).
inline Eigen::MatrixXd matrix_from_json(const nlohmann::json& j, Eigen::Index cols = 0) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(j.size()), j.empty() ? cols : static_cast<Eigen::Index>(j[0].size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r) m.row(r) = vector_from_json(j[static_cast<std::size_t>(r)]).transpose();
  return m;
}

}  // namespace greenwave::nas::detail
