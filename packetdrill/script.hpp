// A packetdrill script as the parser reads it (packetdrill/parser.hpp): options, then events,
// each an event time and one action (a packet, a system call, a shell command or a code block).
// The grammar is packetdrill's (gtests/net/packetdrill/parser.y); the meaning of each part is
// given where the interpreter (packetdrill/interpreter.hpp) gives it one.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tcpsim::packetdrill {

struct Position {
  int line = 0;
  int column = 0;  // 1-based, in bytes
};

// A syntax or semantic error in a script: what() is "FILE:LINE:COL: error: MESSAGE", the form
// the scenario loader uses, and `tcpsim run` exits 2 with it.
class ScriptError : public std::runtime_error {
 public:
  ScriptError(std::string file, Position where, std::string message);
  const std::string& file() const { return file_; }
  Position where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  Position where_;
  std::string message_;
};

// packetdrill's event times (parser.y event_time), in microseconds.
enum class TimeKind : std::uint8_t {
  absolute,        // 0.1
  relative,        // +0.1
  any,             // *          (outbound packets only)
  absolute_range,  // 0.1~0.2    (outbound packets only)
  relative_range,  // +0.1~+0.2  (outbound packets only)
};
struct EventTime {
  TimeKind kind = TimeKind::absolute;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;  // ranges only
};

struct TcpOption {
  enum class Kind : std::uint8_t {
    nop,
    eol,
    mss,
    wscale,
    sack_permitted,
    sack,          // sack blocks
    timestamp,     // TS val V ecr E
    md5,
    fast_open,     // FO [cookie]
    fast_open_exp  // FOEXP [cookie]
  } kind = Kind::nop;
  std::uint32_t value = 0;  // mss, wscale, TS val
  std::uint32_t echo = 0;   // TS ecr
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sack_blocks;
  Position where;
};
// The option's name as a script writes it ("mss", "sackOK", "TS").
std::string option_name(TcpOption::Kind kind);

struct PacketSpec {
  bool inbound = false;  // '<': the script sends it; '>': the system under test must
  std::string flags_text;      // as written: "S.", "F.", ".", "R", "-" for none
  std::uint8_t flags = 0;      // tcp::flag bits (S F R P . U)
  bool ece = false;            // E
  bool cwr = false;            // W
  std::uint32_t seq = 0;       // start:end(length)
  std::uint32_t seq_end = 0;
  std::uint16_t payload = 0;
  std::uint32_t ack = 0;       // "ack N" (0 when not written)
  bool ack_written = false;
  std::optional<std::uint16_t> window;  // "win N"; absent: not checked (FLAG_WIN_NOCHECK)
  std::uint16_t urgent = 0;             // "urg N"
  bool any_options = false;             // "<...>": options not checked (outbound only)
  std::vector<TcpOption> options;       // "<mss 1460,nop,...>"
  std::uint16_t source_port = 0;        // "1234>8080 " before the flags (0: not written)
  std::uint16_t destination_port = 0;
};

struct Expression {
  enum class Kind : std::uint8_t {
    ellipsis,   // ...
    integer,    // 5, -1, 0x02
    word,       // SOCK_STREAM
    string,     // "abc" (adjacent strings concatenated); `string_ellipsis`: "abc"...
    list,       // [a, b]
    braces,     // {a, b} (sockaddr, linger, ...)
    bitwise_or, // a | b (items)
    assign,     // name=value (text: the name, items[0]: the value)
    call,       // name(args) (inet_addr("..."), htons(8080))
  } kind = Kind::ellipsis;
  std::int64_t number = 0;
  bool hex = false;
  bool string_ellipsis = false;
  std::string text;
  std::vector<Expression> items;
  Position where;
};

struct SyscallSpec {
  std::string name;
  std::vector<Expression> arguments;
  Expression result;
  std::string errno_name;  // "EINPROGRESS"; "" when none is written
  std::string note;        // "(Operation now in progress)", without the parentheses
  std::optional<std::int64_t> end_us;  // "...0.2": a blocking call and when it returns
  Position name_where;
};

struct CommandSpec {  // `shell command`
  std::string text;
};

struct CodeSpec {  // %{ python }%
  std::string text;
};

struct Event {
  Position where;  // of the event's time
  EventTime time;
  std::variant<PacketSpec, SyscallSpec, CommandSpec, CodeSpec> action;
  const PacketSpec* packet() const { return std::get_if<PacketSpec>(&action); }
  const SyscallSpec* syscall() const { return std::get_if<SyscallSpec>(&action); }
  const CommandSpec* command() const { return std::get_if<CommandSpec>(&action); }
  const CodeSpec* code() const { return std::get_if<CodeSpec>(&action); }
};

struct ScriptOption {  // --name[=value] before the first event
  std::string name;
  std::string value;
  bool has_value = false;
  Position where;
};

// A construct the parser recognises but tcpsim cannot run (ICMP, UDP, ECN, ...): the
// interpreter reports the script SKIPPED, naming the first one and its line.
struct Unsupported {
  std::string construct;
  Position where;
};

struct Script {
  std::string file;
  std::vector<ScriptOption> options;
  std::optional<CommandSpec> init_command;  // a `command` before the first event, no time
  Position init_command_where;
  std::vector<Event> events;
  std::optional<CommandSpec> cleanup_command;  // a `command` after the last event, no time
  Position cleanup_command_where;
  std::vector<Unsupported> unsupported;
};

}  // namespace tcpsim::packetdrill
