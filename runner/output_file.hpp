// Files written whole or not at all, so that a run that fails or stops leaves no half file.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace tcpsim::runner {

// The bytes go to a temporary file created exclusively (O_CREAT|O_EXCL, mkstemp) with a unique
// name in the target's directory, so no planted file or symlink is ever written through; it
// replaces `path` at publish(). Until then it is removed when the AtomicFile is destroyed, and
// when the process is stopped by SIGINT, SIGTERM or SIGHUP (a handler that unlinks every
// pending temporary file, then re-raises the signal). A path that exists and is not a regular
// file (a device, a pipe: /dev/stdout) is written directly: renaming over it would replace the
// device itself.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  bool open(std::string& error);
  std::ostream& stream();
  // Flushes and closes the temporary file: false on a write error (the temporary is removed).
  bool finish(std::string& error);
  // Renames the finished temporary file over `path`.
  bool publish(std::string& error);
  // finish() and publish().
  bool commit(std::string& error);
  const std::string& path() const { return path_; }

 private:
  class Buffer;
  std::string path_;
  std::string temporary_;  // empty when writing `path_` directly
  int descriptor_ = -1;
  int slot_ = -1;  // in the signal handler's table of pending temporary files
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
};

// The outputs of one run, committed together or not at all: every file is finished first, and
// only when all were written are they renamed into place. On failure none is renamed and every
// temporary file is removed.
bool commit_together(const std::vector<AtomicFile*>& files, std::string& error);

// Writes `content` to `path` whole or not at all (an AtomicFile).
bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string& error);

// An error message's name for `path` (visible, shortened with "...": runner/visible_text.hpp).
std::string shown_path(const std::string& path);

}  // namespace tcpsim::runner
