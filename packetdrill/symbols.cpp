#include "packetdrill/symbols.hpp"

#include <array>

namespace tcpsim::packetdrill {

namespace {

// Linux's errno numbers and glibc's strerror() text for the errors a socket call gives.
constexpr std::array<ErrnoInfo, 22> errno_table{{
    {"EPERM", 1, "Operation not permitted"},
    {"ENOENT", 2, "No such file or directory"},
    {"EINTR", 4, "Interrupted system call"},
    {"EBADF", 9, "Bad file descriptor"},
    {"EAGAIN", 11, "Resource temporarily unavailable"},
    {"EWOULDBLOCK", 11, "Resource temporarily unavailable"},
    {"ENOMEM", 12, "Cannot allocate memory"},
    {"EFAULT", 14, "Bad address"},
    {"EINVAL", 22, "Invalid argument"},
    {"EPIPE", 32, "Broken pipe"},
    {"ENOPROTOOPT", 92, "Protocol not available"},
    {"EOPNOTSUPP", 95, "Operation not supported"},
    {"EADDRINUSE", 98, "Address already in use"},
    {"EADDRNOTAVAIL", 99, "Cannot assign requested address"},
    {"ECONNABORTED", 103, "Software caused connection abort"},
    {"ECONNRESET", 104, "Connection reset by peer"},
    {"EISCONN", 106, "Transport endpoint is already connected"},
    {"ENOTCONN", 107, "Transport endpoint is not connected"},
    {"ETIMEDOUT", 110, "Connection timed out"},
    {"ECONNREFUSED", 111, "Connection refused"},
    {"EALREADY", 114, "Operation already in progress"},
    {"EINPROGRESS", 115, "Operation now in progress"},
}};

struct Constant {
  std::string_view name;
  std::int64_t value;
};
// Linux's values (<sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <fcntl.h>).
constexpr std::array<Constant, 36> constant_table{{
    {"AF_INET", 2},          {"AF_INET6", 10},       {"PF_INET", 2},
    {"SOCK_STREAM", 1},      {"SOCK_DGRAM", 2},      {"IPPROTO_IP", 0},
    {"IPPROTO_TCP", 6},      {"IPPROTO_UDP", 17},    {"SOL_SOCKET", 1},
    {"SO_REUSEADDR", 2},     {"SO_ERROR", 4},        {"SO_SNDBUF", 7},
    {"SO_RCVBUF", 8},        {"SO_KEEPALIVE", 9},    {"SO_LINGER", 13},
    {"SO_REUSEPORT", 15},    {"TCP_NODELAY", 1},     {"TCP_MAXSEG", 2},
    {"TCP_KEEPIDLE", 4},     {"TCP_KEEPINTVL", 5},   {"TCP_KEEPCNT", 6},
    {"TCP_INFO", 11},        {"TCP_USER_TIMEOUT", 18}, {"F_GETFL", 3},
    {"F_SETFL", 4},          {"O_RDONLY", 0},        {"O_WRONLY", 1},
    {"O_RDWR", o_rdwr},      {"O_NONBLOCK", o_nonblock}, {"SHUT_RD", 0},
    {"SHUT_WR", 1},          {"SHUT_RDWR", 2},       {"MSG_DONTWAIT", 0x40},
    {"MSG_PEEK", 2},         {"MSG_WAITALL", 0x100}, {"NULL", 0},
}};

}  // namespace

const ErrnoInfo* find_errno(std::string_view name) {
  for (const ErrnoInfo& info : errno_table)
    if (info.name == name) return &info;
  return nullptr;
}

const ErrnoInfo* find_errno(int number) {
  for (const ErrnoInfo& info : errno_table)
    if (info.number == number) return &info;
  return nullptr;
}

std::string errno_text(int number) {
  if (number == 0) return "0 (Success)";
  const ErrnoInfo* info = find_errno(number);
  return std::to_string(number) + " (" +
         (info ? std::string(info->message) : "Unknown error " + std::to_string(number)) + ")";
}

std::optional<std::int64_t> symbol_value(std::string_view name) {
  for (const Constant& constant : constant_table)
    if (constant.name == name) return constant.value;
  if (const ErrnoInfo* info = find_errno(name)) return info->number;
  return std::nullopt;
}

}  // namespace tcpsim::packetdrill
