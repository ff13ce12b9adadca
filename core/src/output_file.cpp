#include "greenwave/core/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace greenwave {
namespace {

// Distinguishes temporaries of one process (several writers, several threads).
std::atomic<unsigned> temp_counter{0};

std::string temp_name_beside(const std::string& path) {
  const std::filesystem::path p(path);
  std::string name = ".";
  name += p.filename().string();
  name += ".tmp.";
  name += std::to_string(::getpid());
  name += ".";
  name += std::to_string(temp_counter.fetch_add(1));
  return (p.parent_path() / name).string();
}

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)), temp_path_(temp_name_beside(path_)) {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) throw IoError(path_, "create a file in its directory", errno);
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void OutputFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    // A short write of 0 bytes without errno cannot loop forever: report it as ENOSPC.
    if (n <= 0) throw IoError(path_, "write", n < 0 ? errno : ENOSPC);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputFile::commit() {
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    throw IoError(path_, "write", err);
  }
  if (::close(fd) != 0) throw IoError(path_, "write", errno);
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) throw IoError(path_, "replace it", errno);
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  OutputFile out(path);
  out.write(bytes);
  out.commit();
}

}  // namespace greenwave
