// Files compiled into the greenwave binary (the web viewer of `greenwave view`), generated at
// build time from viewer/ by cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace greenwave::cli {

/// One embedded file: its name relative to viewer/ and its bytes.
struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

/// The viewer's files (index.html, viewer.js, replay.js, viewer.css).
extern const std::vector<EmbeddedFile> kEmbeddedFiles;

}  // namespace greenwave::cli
