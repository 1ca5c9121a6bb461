#include "runner/output_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

namespace tcpsim::runner {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {}

AtomicFile::~AtomicFile() {
  if (!open_) return;
  out_.close();
  if (!temporary_.empty()) std::remove(temporary_.c_str());
}

bool AtomicFile::open(std::string& error) {
  std::error_code status_error;
  const auto status = std::filesystem::status(path_, status_error);
  const bool special = !status_error && std::filesystem::exists(status) &&
                       !std::filesystem::is_regular_file(status);
  if (special && std::filesystem::is_directory(status)) {
    error = "cannot write " + path_ + ": it is a directory";
    return false;
  }
  temporary_ = special ? std::string() : path_ + ".tmp-tcpsim";
  out_.open(special ? path_ : temporary_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    error = "cannot write " + path_ + ": " + std::strerror(errno);
    return false;
  }
  open_ = true;
  return true;
}

bool AtomicFile::commit(std::string& error) {
  out_.flush();
  const bool written = static_cast<bool>(out_);
  const int write_errno = errno;
  out_.close();
  open_ = false;
  if (!written) {
    error = "cannot write " + path_ + ": " + std::strerror(write_errno);
    if (!temporary_.empty()) std::remove(temporary_.c_str());
    return false;
  }
  if (!temporary_.empty() && std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    error = "cannot write " + path_ + ": " + std::strerror(errno);
    std::remove(temporary_.c_str());
    return false;
  }
  return true;
}

bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string& error) {
  AtomicFile file(path);
  if (!file.open(error)) return false;
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  return file.commit(error);
}

}  // namespace tcpsim::runner
