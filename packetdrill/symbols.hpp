// The symbols a packetdrill script names (packetdrill's symbols_linux.c): errno values with
// their strerror() text, and the socket API's constants. The numbers are Linux's, fixed here so
// that a run's messages never depend on the machine that runs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim::packetdrill {

struct ErrnoInfo {
  std::string_view name;     // "ECONNRESET"
  int number = 0;            // 104
  std::string_view message;  // "Connection reset by peer"
};
// EWOULDBLOCK is EAGAIN, as on Linux.
const ErrnoInfo* find_errno(std::string_view name);
const ErrnoInfo* find_errno(int number);
// "104 (Connection reset by peer)"; "0 (Success)" for 0.
std::string errno_text(int number);

// The value of a constant (SOL_SOCKET, SO_RCVBUF, O_NONBLOCK, F_GETFL, SHUT_WR, ...), or of an
// errno name; nothing when the name is unknown.
std::optional<std::int64_t> symbol_value(std::string_view name);

inline constexpr std::int64_t o_rdwr = 02;
inline constexpr std::int64_t o_nonblock = 04000;

}  // namespace tcpsim::packetdrill
