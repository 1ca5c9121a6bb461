// Files written whole or not at all, so that a run that fails or stops leaves no half file.
#pragma once

#include <fstream>
#include <string>

namespace tcpsim::runner {

// The bytes go to a temporary file beside `path`, renamed over it by commit(); destroyed
// uncommitted (a run that stopped), the temporary file is removed. A path that exists and is
// not a regular file (a device, a pipe: /dev/stdout) is written directly: renaming over it
// would replace the device itself.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  bool open(std::string& error);
  std::ostream& stream() { return out_; }
  // Everything written is in place at `path`; false (and nothing at `path`) on a write error.
  bool commit(std::string& error);

 private:
  std::string path_;
  std::string temporary_;  // empty when writing `path_` directly
  std::ofstream out_;
  bool open_ = false;
};

// Writes `content` to `path` whole or not at all (an AtomicFile).
bool write_file_atomically(const std::string& path, const std::string& content,
                           std::string& error);

}  // namespace tcpsim::runner
