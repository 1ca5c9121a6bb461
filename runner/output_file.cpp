#include "runner/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <streambuf>
#include <utility>

#include "runner/visible_text.hpp"

namespace tcpsim::runner {

namespace {

// ---- Pending temporary files, removed by a signal handler ----
// The handler may only make async-signal-safe calls (unlink, signal, raise), so the names are
// kept in fixed buffers; a slot is published by its `used` flag after its name is complete.

constexpr std::size_t max_pending = 16;
constexpr std::size_t max_name = 4096;

struct PendingSlot {
  std::atomic<bool> used{false};
  char name[max_name] = {};
};
std::array<PendingSlot, max_pending> pending;

extern "C" void remove_pending_and_reraise(int signal_number) {
  for (auto& slot : pending) {
    if (slot.used.load()) ::unlink(slot.name);
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void install_handlers_once() {
  static const bool installed = [] {
    for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction action {};
      if (sigaction(signal_number, nullptr, &action) == 0 && action.sa_handler == SIG_IGN) {
        continue;  // ignored by the parent (nohup): stays ignored
      }
      action = {};
      action.sa_handler = remove_pending_and_reraise;
      sigemptyset(&action.sa_mask);
      sigaction(signal_number, &action, nullptr);
    }
    return true;
  }();
  (void)installed;
}

int register_pending(const std::string& name) {
  if (name.size() >= max_name) return -1;
  install_handlers_once();
  for (std::size_t index = 0; index < pending.size(); ++index) {
    auto& slot = pending[index];
    if (slot.used.load()) continue;
    std::memcpy(slot.name, name.c_str(), name.size() + 1);
    slot.used.store(true);
    return static_cast<int>(index);
  }
  return -1;
}

void unregister_pending(int& slot) {
  if (slot >= 0) pending[static_cast<std::size_t>(slot)].used.store(false);
  slot = -1;
}

std::string errno_text(int number) { return std::strerror(number); }

}  // namespace

// An output buffer over a file descriptor: the temporary file is written through the
// descriptor mkstemp returned, never reopened by name.
class AtomicFile::Buffer : public std::streambuf {
 public:
  explicit Buffer(int descriptor) : descriptor_(descriptor) { setp(data_, data_ + sizeof data_); }
  int write_errno() const { return write_errno_; }
  bool drain() {
    const char* at = pbase();
    while (at < pptr() && write_errno_ == 0) {
      const ssize_t written = ::write(descriptor_, at, static_cast<std::size_t>(pptr() - at));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        write_errno_ = written < 0 ? errno : EIO;
        break;
      }
      at += written;
    }
    setp(data_, data_ + sizeof data_);
    return write_errno_ == 0;
  }

 protected:
  int_type overflow(int_type character) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(character, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(character);
      pbump(1);
    }
    return traits_type::not_eof(character);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  int descriptor_;
  int write_errno_ = 0;
  char data_[1 << 16];
};

std::string shown_path(const std::string& path) { return visible_short(path); }

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {}

AtomicFile::~AtomicFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  unregister_pending(slot_);
}

std::ostream& AtomicFile::stream() { return *stream_; }

bool AtomicFile::open(std::string& error) {
  const std::string shown = shown_path(path_);
  if (path_.empty()) {
    error = "an output path is empty";
    return false;
  }
  struct stat status {};
  const bool exists = ::stat(path_.c_str(), &status) == 0;
  if (exists && S_ISDIR(status.st_mode)) {
    error = "cannot write " + shown + ": it is a directory";
    return false;
  }
  if (exists && !S_ISREG(status.st_mode)) {
    descriptor_ = ::open(path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  } else {
    // Unique, created exclusively beside the target so that rename() replaces it atomically.
    const std::filesystem::path target(path_);
    const std::string name = target.filename().string();
    const std::string directory = target.parent_path().string();
    std::string pattern = (directory.empty() ? std::string() : directory + "/") + "." + name +
                          ".tmp-tcpsim-XXXXXX";
    // Signals are held until the name is registered, so none can leave it behind.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &previous);
    descriptor_ = ::mkstemp(pattern.data());
    const int open_errno = errno;
    if (descriptor_ >= 0) {
      // mkstemp creates 0600; the output gets the mode any new file would (0666 less umask).
      const mode_t mask = ::umask(0);
      ::umask(mask);
      ::fchmod(descriptor_, 0666 & ~mask);
      temporary_ = pattern;
      slot_ = register_pending(temporary_);
    }
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    errno = open_errno;
    if (descriptor_ >= 0 && slot_ < 0) {
      error = "cannot write " + shown + ": too many outputs at once";
      return false;
    }
  }
  if (descriptor_ < 0) {
    error = "cannot write " + shown + ": " + errno_text(errno);
    return false;
  }
  buffer_ = std::make_unique<Buffer>(descriptor_);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
  return true;
}

bool AtomicFile::finish(std::string& error) {
  const std::string shown = shown_path(path_);
  if (descriptor_ < 0) {
    error = "cannot write " + shown + ": it was not opened";
    return false;
  }
  stream_->flush();
  int failure = 0;
  if (!buffer_->drain() || !*stream_) {
    failure = buffer_->write_errno() != 0 ? buffer_->write_errno() : EIO;
  }
  if (::close(descriptor_) != 0 && failure == 0) failure = errno;
  descriptor_ = -1;
  if (failure != 0) {
    error = "cannot write " + shown + ": " + errno_text(failure);
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
    temporary_.clear();
    unregister_pending(slot_);
    return false;
  }
  return true;
}

bool AtomicFile::publish(std::string& error) {
  if (!temporary_.empty()) {
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
      error = "cannot write " + shown_path(path_) + ": " + errno_text(errno);
      ::unlink(temporary_.c_str());
      temporary_.clear();
      unregister_pending(slot_);
      return false;
    }
    temporary_.clear();
    unregister_pending(slot_);
  }
  return true;
}

bool AtomicFile::commit(std::string& error) { return finish(error) && publish(error); }

bool commit_together(const std::vector<AtomicFile*>& files, std::string& error) {
  for (AtomicFile* file : files) {
    if (!file->finish(error)) return false;  // the others are removed by their destructors
  }
  for (AtomicFile* file : files) {
    if (!file->publish(error)) return false;
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
