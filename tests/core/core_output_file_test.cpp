#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "file_size_limit.hpp"
#include "greenwave/core/output_file.hpp"

namespace greenwave {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("greenwave_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

TEST(OutputFile, ReplacesTheFileAndLeavesNoTemporary) {
  const fs::path dir = fresh_dir("output_replace");
  const std::string path = (dir / "a.txt").string();
  write_file_atomically(path, "first");
  write_file_atomically(path, "second, longer");
  EXPECT_EQ(read_all(path), "second, longer");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"a.txt"});
}

TEST(OutputFile, AFullDiskKeepsThePreviousFileAndNamesTheOsReason) {
  const fs::path dir = fresh_dir("output_full");
  const std::string path = (dir / "a.txt").string();
  write_file_atomically(path, "previous");
  try {
    const testing::FileSizeLimit limit(100);
    write_file_atomically(path, std::string(1000, 'x'));
    FAIL() << "a write past the file-size limit succeeded";
  } catch (const IoError& e) {
    EXPECT_EQ(e.error_number(), EFBIG);
    EXPECT_EQ(e.path(), path);
    EXPECT_STREQ(e.what(), (path + ": cannot write: File too large").c_str());
  }
  EXPECT_EQ(read_all(path), "previous");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"a.txt"});
}

TEST(OutputFile, AnUnusableDirectoryIsAnIoError) {
  const fs::path dir = fresh_dir("output_notdir");
  write_file_atomically((dir / "plain").string(), "a file, not a directory");
  const std::string path = (dir / "plain" / "a.txt").string();
  try {
    write_file_atomically(path, "x");
    FAIL() << "a file was created under a regular file";
  } catch (const IoError& e) {
    EXPECT_EQ(e.error_number(), ENOTDIR);
    EXPECT_STREQ(e.what(), (path + ": cannot create a file in its directory: Not a directory").c_str());
  }
}

TEST(OutputFile, AnUncommittedFileChangesNothing) {
  const fs::path dir = fresh_dir("output_abandon");
  const std::string path = (dir / "a.txt").string();
  write_file_atomically(path, "kept");
  {
    OutputFile out(path);
    out.write("abandoned");
    EXPECT_EQ(names_in(dir).size(), 2u);  // the file and its hidden temporary
  }
  EXPECT_EQ(read_all(path), "kept");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"a.txt"});
}

}  // namespace
}  // namespace greenwave
