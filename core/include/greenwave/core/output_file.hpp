// Output files that never replace a good file with a broken one: each is written under a
// temporary name in its target's directory, then renamed over the target once complete.
#pragma once

#include <string>
#include <string_view>

#include "greenwave/core/error.hpp"

namespace greenwave {

/// A file being written. The constructor creates a hidden temporary ".NAME.tmp.PID.N" beside
/// `path`; commit() flushes it to disk and renames it onto `path`; destroying it uncommitted
/// removes the temporary, so `path` keeps its previous content whatever failed in between.
class OutputFile {
 public:
  /// Creates the temporary; throws IoError naming `path` when the directory refuses it.
  explicit OutputFile(std::string path);
  /// Removes the temporary unless committed.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// The file this one replaces on commit.
  const std::string& path() const noexcept { return path_; }
  /// The temporary's path (for libraries that open files by name, such as HDF5).
  const std::string& temp_path() const noexcept { return temp_path_; }
  /// Appends `bytes` to the temporary; throws IoError (with the OS reason) on a short write.
  void write(std::string_view bytes);
  /// Syncs and closes the temporary, then renames it onto path(); throws IoError on failure
  /// (the temporary is removed and path() is untouched).
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
};

/// Writes `bytes` to `path` through an OutputFile: all of them, or nothing changes.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace greenwave
