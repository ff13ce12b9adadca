// Shared helpers for simulator tests: locating ../shared/data.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace greenwave::testing {

/// The shared data folder: $GREENWAVE_DATA_DIR, else ../shared/data beside the source tree.
inline std::string data_dir() {
  if (const char* env = std::getenv("GREENWAVE_DATA_DIR")) return env;
  return std::string(GREENWAVE_SOURCE_DIR) + "/../shared/data";
}

/// A file under the shared data folder ("" when it is absent).
inline std::string data_file(const std::string& relative) {
  const std::string path = data_dir() + "/" + relative;
  return std::filesystem::exists(path) ? path : std::string();
}

}  // namespace greenwave::testing

/// Skips the current test with a clear message when a shared data file is missing.
#define GW_REQUIRE_DATA(var, relative)                                                          \
  const std::string var = ::greenwave::testing::data_file(relative);                           \
  if (var.empty()) GTEST_SKIP() << "shared data not found: " << ::greenwave::testing::data_dir() \
                                << "/" << (relative) << " (set GREENWAVE_DATA_DIR)"
