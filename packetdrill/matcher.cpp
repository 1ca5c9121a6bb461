#include "packetdrill/matcher.hpp"

#include <cstdio>

#include "tcp/segment.hpp"

namespace tcpsim::packetdrill {

namespace {

constexpr std::uint32_t ip_header_bytes = 20;
constexpr std::uint32_t tcp_header_bytes = 20;

// An option's length on the wire (RFC 9293 3.2, RFC 7323, RFC 2018).
std::uint32_t option_bytes(const TcpOption& option) {
  switch (option.kind) {
    case TcpOption::Kind::nop:
    case TcpOption::Kind::eol: return 1;
    case TcpOption::Kind::mss: return 4;
    case TcpOption::Kind::wscale: return 3;
    case TcpOption::Kind::sack_permitted: return 2;
    case TcpOption::Kind::sack:
      return 2 + 8 * static_cast<std::uint32_t>(option.sack_blocks.size());
    case TcpOption::Kind::timestamp: return 10;
    case TcpOption::Kind::md5: return 18;
    case TcpOption::Kind::fast_open: return 2;
    case TcpOption::Kind::fast_open_exp: return 4;
  }
  return 0;
}
// The option kind byte (the IANA registry), which packetdrill's messages print.
int option_kind_number(TcpOption::Kind kind) {
  switch (kind) {
    case TcpOption::Kind::eol: return 0;
    case TcpOption::Kind::nop: return 1;
    case TcpOption::Kind::mss: return 2;
    case TcpOption::Kind::wscale: return 3;
    case TcpOption::Kind::sack_permitted: return 4;
    case TcpOption::Kind::sack: return 5;
    case TcpOption::Kind::timestamp: return 8;
    case TcpOption::Kind::md5: return 19;
    case TcpOption::Kind::fast_open: return 34;
    case TcpOption::Kind::fast_open_exp: return 254;
  }
  return -1;
}

std::uint32_t options_bytes(const std::vector<TcpOption>& options) {
  std::uint32_t total = 0;
  for (const TcpOption& option : options) total += option_bytes(option);
  return total;
}

// run_packet.c check_field(): "live packet field NAME: expected: E (0xE) vs actual: A (0xA)".
std::optional<std::string> check_field(const char* name, std::uint32_t expected,
                                       std::uint32_t actual) {
  if (expected == actual) return std::nullopt;
  char text[160];
  std::snprintf(text, sizeof text, "live packet field %s: expected: %u (0x%x) vs actual: %u (0x%x)",
                name, expected, expected, actual, actual);
  return std::string(text);
}

bool has(std::uint8_t flags, std::uint8_t bit) { return (flags & bit) != 0; }

}  // namespace

bool option_modelled(TcpOption::Kind kind) {
  switch (kind) {
    case TcpOption::Kind::md5:
    case TcpOption::Kind::fast_open:
    case TcpOption::Kind::fast_open_exp: return false;
    default: return true;
  }
}

std::vector<TcpOption> options_of(const std::vector<std::uint8_t>& bytes) {
  std::vector<TcpOption> options;
  const auto word = [&](std::size_t at) {
    return static_cast<std::uint32_t>(bytes[at] << 24 | bytes[at + 1] << 16 | bytes[at + 2] << 8 |
                                      bytes[at + 3]);
  };
  std::size_t at = 0;
  while (at < bytes.size()) {
    TcpOption option;
    const std::uint8_t kind = bytes[at];
    if (kind == tcp::option_kind::end_of_list || kind == tcp::option_kind::no_operation) {
      option.kind = kind == 0 ? TcpOption::Kind::eol : TcpOption::Kind::nop;
      options.push_back(option);
      ++at;
      continue;
    }
    if (at + 1 >= bytes.size() || bytes[at + 1] < 2) break;  // encode_options never writes it
    const std::size_t length = bytes[at + 1];
    switch (kind) {
      case tcp::option_kind::mss:
        option.kind = TcpOption::Kind::mss;
        option.value = static_cast<std::uint32_t>(bytes[at + 2] << 8 | bytes[at + 3]);
        break;
      case tcp::option_kind::window_scale:
        option.kind = TcpOption::Kind::wscale;
        option.value = bytes[at + 2];
        break;
      case tcp::option_kind::sack_permitted: option.kind = TcpOption::Kind::sack_permitted; break;
      case tcp::option_kind::timestamps:
        option.kind = TcpOption::Kind::timestamp;
        option.value = word(at + 2);
        option.echo = word(at + 6);
        break;
      case tcp::option_kind::sack:
        option.kind = TcpOption::Kind::sack;
        for (std::size_t block = at + 2; block + 8 <= at + length; block += 8) {
          option.sack_blocks.emplace_back(word(block), word(block + 4));
        }
        break;
      default: break;
    }
    options.push_back(option);
    at += length;
  }
  return options;
}

bool option_ignorable_when_lenient(TcpOption::Kind kind) {
  switch (kind) {
    case TcpOption::Kind::nop:
    case TcpOption::Kind::eol:
    case TcpOption::Kind::wscale:
    case TcpOption::Kind::sack_permitted:
    case TcpOption::Kind::timestamp: return true;
    default: return false;
  }
}

std::vector<TcpOption> effective_options(const std::vector<TcpOption>& options, bool lenient) {
  if (!lenient) return options;
  std::vector<TcpOption> kept;
  for (const TcpOption& option : options) {
    if (!option_ignorable_when_lenient(option.kind)) kept.push_back(option);
  }
  return kept;
}

WireSegment expected_segment(const PacketSpec& spec, bool lenient) {
  WireSegment segment;
  segment.flags = spec.flags;
  segment.ece = spec.ece;
  segment.cwr = spec.cwr;
  segment.seq = spec.seq;
  segment.ack = spec.ack;
  segment.window = spec.window.value_or(0);
  segment.urgent = spec.urgent;
  segment.options = effective_options(spec.options, lenient);
  segment.payload = spec.payload;
  return segment;
}

std::optional<std::string> match_outbound(const PacketSpec& spec, const WireSegment& actual,
                                          bool lenient) {
  const WireSegment expected = expected_segment(spec, lenient);
  // do_outbound_script_packet(): the payload length first.
  if (expected.payload != actual.payload) {
    return "live packet payload: expected " + std::to_string(expected.payload) +
           " bytes vs actual " + std::to_string(actual.payload) + " bytes";
  }
  // "<...>" does not check options: their bytes are allowed for in the lengths.
  const std::uint32_t expected_options =
      spec.any_options ? options_bytes(actual.options) : options_bytes(expected.options);
  const std::uint32_t actual_options = options_bytes(actual.options);
  // verify_ipv4(), then verify_tcp(), in their order.
  const std::pair<const char*, std::pair<std::uint32_t, std::uint32_t>> fields[] = {
      {"ipv4_total_length",
       {ip_header_bytes + tcp_header_bytes + expected_options + expected.payload,
        ip_header_bytes + tcp_header_bytes + actual_options + actual.payload}},
      {"tcp_data_offset",
       {(tcp_header_bytes + expected_options) / 4, (tcp_header_bytes + actual_options) / 4}},
      {"tcp_fin", {has(expected.flags, tcp::flag::fin), has(actual.flags, tcp::flag::fin)}},
      {"tcp_syn", {has(expected.flags, tcp::flag::syn), has(actual.flags, tcp::flag::syn)}},
      {"tcp_rst", {has(expected.flags, tcp::flag::rst), has(actual.flags, tcp::flag::rst)}},
      {"tcp_psh", {has(expected.flags, tcp::flag::psh), has(actual.flags, tcp::flag::psh)}},
      {"tcp_ack", {has(expected.flags, tcp::flag::ack), has(actual.flags, tcp::flag::ack)}},
      {"tcp_urg", {has(expected.flags, tcp::flag::urg), has(actual.flags, tcp::flag::urg)}},
      {"tcp_ece", {expected.ece, actual.ece}},
      {"tcp_cwr", {expected.cwr, actual.cwr}},
      {"tcp_seq", {expected.seq, actual.seq}},
      {"tcp_ack_seq", {expected.ack, actual.ack}},
  };
  for (const auto& [name, values] : fields) {
    if (auto mismatch = check_field(name, values.first, values.second)) return mismatch;
  }
  if (spec.window) {
    if (auto mismatch = check_field("tcp_window", expected.window, actual.window)) return mismatch;
  }
  if (auto mismatch = check_field("tcp_urg_ptr", expected.urgent, actual.urgent)) return mismatch;
  if (spec.any_options) return std::nullopt;
  // verify_outbound_live_tcp_options(): the same kinds in the same order, then each value.
  for (std::size_t index = 0; index < expected.options.size() || index < actual.options.size();
       ++index) {
    if (index >= expected.options.size() || index >= actual.options.size() ||
        expected.options[index].kind != actual.options[index].kind) {
      return std::string("bad outbound TCP options");
    }
    const TcpOption& want = expected.options[index];
    const TcpOption& got = actual.options[index];
    const bool differs = want.kind == TcpOption::Kind::sack
                             ? want.sack_blocks != got.sack_blocks
                             : want.kind != TcpOption::Kind::timestamp && want.value != got.value;
    if (option_bytes(want) != option_bytes(got)) {
      return "bad lengths for outbound TCP option " +
             std::to_string(option_kind_number(want.kind));
    }
    if (differs) {
      return "bad value outbound TCP option " + std::to_string(option_kind_number(want.kind));
    }
  }
  return std::nullopt;
}

std::string options_text(const std::vector<TcpOption>& options) {
  std::string text;
  for (const TcpOption& option : options) {
    if (!text.empty()) text += ",";
    switch (option.kind) {
      case TcpOption::Kind::mss: text += "mss " + std::to_string(option.value); break;
      case TcpOption::Kind::wscale: text += "wscale " + std::to_string(option.value); break;
      case TcpOption::Kind::timestamp:
        text += "TS val " + std::to_string(option.value) + " ecr " + std::to_string(option.echo);
        break;
      case TcpOption::Kind::sack:
        text += "sack";
        for (const auto& [left, right] : option.sack_blocks) {
          text += " " + std::to_string(left) + ":" + std::to_string(right);
        }
        break;
      default: text += option_name(option.kind); break;
    }
  }
  return text;
}

std::string segment_text(const WireSegment& segment, bool window) {
  // tcpdump's flag order, as packet_to_string.c prints it.
  std::string text;
  if (has(segment.flags, tcp::flag::fin)) text += 'F';
  if (has(segment.flags, tcp::flag::syn)) text += 'S';
  if (has(segment.flags, tcp::flag::rst)) text += 'R';
  if (has(segment.flags, tcp::flag::psh)) text += 'P';
  if (has(segment.flags, tcp::flag::ack)) text += '.';
  if (has(segment.flags, tcp::flag::urg)) text += 'U';
  if (segment.ece) text += 'E';
  if (segment.cwr) text += 'W';
  text += " " + std::to_string(segment.seq) + ":" +
          std::to_string(static_cast<std::uint32_t>(segment.seq + segment.payload)) + "(" +
          std::to_string(segment.payload) + ")";
  if (has(segment.flags, tcp::flag::ack)) text += " ack " + std::to_string(segment.ack);
  if (window) text += " win " + std::to_string(segment.window);
  if (!segment.options.empty()) text += " <" + options_text(segment.options) + ">";
  return text;
}

}  // namespace tcpsim::packetdrill
