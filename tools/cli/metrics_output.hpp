// Printing the metrics object (CLI.md) as a table or as one JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "greenwave/sim/backend.hpp"

namespace greenwave::cli {

/// The metrics object with the keys of CLI.md.
nlohmann::json metrics_json(const Metrics& m);
/// Prints the metrics as JSON (one line) or as an aligned table.
void print_metrics(std::ostream& out, const Metrics& m, bool json);

}  // namespace greenwave::cli
