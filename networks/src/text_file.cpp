#include "text_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "greenwave/core/error.hpp"
#include "greenwave/core/phase_timing.hpp"

namespace greenwave::detail {

std::string read_text_file(const std::string& path) {
  const ScopedPhase phase("read files");
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw ScenarioError(path, "", "no such file");
  if (fs::is_directory(st)) throw ScenarioError(path, "", "is a directory, expected a scenario file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxScenarioFileBytes)
    throw ScenarioError(path, "", "file of " + std::to_string(size) + " bytes is larger than the 2 GiB limit");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "", "cannot be opened for reading");
  // Read into a buffer of the file's size (one allocation, no copy); a file that is not a regular
  // one (a pipe) or that grew meanwhile is read on to its end.
  std::string text(ec ? 0 : static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.good()) {
    std::ostringstream rest;
    rest << in.rdbuf();
    text += std::move(rest).str();
  }
  if (in.bad()) throw ScenarioError(path, "", "read error");
  return text;
}

}  // namespace greenwave::detail
