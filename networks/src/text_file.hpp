// Reading a whole scenario file into memory with ScenarioErrors instead of stream states.
#pragma once

#include <cstdint>
#include <string>

namespace greenwave::detail {

/// The largest scenario file accepted (bytes); bigger ones are refused before reading.
inline constexpr std::uintmax_t kMaxScenarioFileBytes = std::uintmax_t{1} << 31;

/// The bytes of `path`; throws ScenarioError naming the file when it is missing, a directory,
/// unreadable or larger than kMaxScenarioFileBytes.
std::string read_text_file(const std::string& path);

}  // namespace greenwave::detail
