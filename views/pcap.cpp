#include "views/pcap.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include "tcp/segment.hpp"
#include "views/text.hpp"

namespace tcpsim::views {
namespace {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

// pcapng (draft-ietf-opsawg-pcapng): block types, option codes, and the link type.
constexpr std::uint32_t block_section_header = 0x0A0D0D0A;
constexpr std::uint32_t block_interface_description = 0x00000001;
constexpr std::uint32_t block_enhanced_packet = 0x00000006;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::uint16_t option_end = 0;
constexpr std::uint16_t option_comment = 1;
constexpr std::uint16_t option_shb_userappl = 4;
constexpr std::uint16_t option_if_name = 2;
constexpr std::uint16_t option_if_description = 3;
constexpr std::uint16_t option_if_tsresol = 9;
constexpr std::uint16_t linktype_raw = 101;  // a bare IPv4 or IPv6 packet, no link header
constexpr std::uint32_t snapshot_length = 65535;

constexpr std::uint8_t ip_version_ihl = 0x45;  // IPv4, 5 words of header: no IP options
constexpr std::uint16_t ip_dont_fragment = 0x4000;
constexpr std::uint8_t ip_ttl = 64;
constexpr std::uint8_t ip_protocol_tcp = 6;
constexpr std::size_t ip_header_length = 20;
constexpr std::size_t tcp_header_length = 20;
constexpr std::uint8_t tcp_option_mss = 2;
constexpr std::uint8_t tcp_option_mss_length = 4;

void put_le16(std::string& out, std::uint16_t value) {
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>(value >> 8);
}
void put_le32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out += static_cast<char>((value >> shift) & 0xFF);
}
void put_le64(std::string& out, std::uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out += static_cast<char>((value >> shift) & 0xFF);
}
void pad_to_4(std::string& out) {
  while (out.size() % 4 != 0) out += '\0';
}

void put_be16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value & 0xFF);
}
void put_be32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t value) {
  put_be16(out, at, static_cast<std::uint16_t>(value >> 16));
  put_be16(out, at + 2, static_cast<std::uint16_t>(value & 0xFFFF));
}

std::uint32_t read_le32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int index = 3; index >= 0; --index) {
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at + static_cast<std::size_t>(index)]);
  }
  return value;
}
std::uint16_t read_le16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(bytes[at]) |
                                    (static_cast<std::uint8_t>(bytes[at + 1]) << 8));
}
std::uint32_t read_be(std::string_view bytes, std::size_t at, std::size_t count) {
  std::uint32_t value = 0;
  for (std::size_t index = 0; index < count; ++index) {
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at + index]);
  }
  return value;
}

// ---- What became of each segment ----

struct Fate {
  std::uint64_t id = 0;
  std::vector<std::string> phrases;  // in the order things happened
  bool notable = false;              // anything but one plain delivery
  int in_network = 1;                // copies sent but not yet delivered, dropped or expired
};

std::string with_reason(std::string phrase, const std::string& reason) {
  if (!reason.empty()) phrase += " (" + reason + ")";
  return phrase;
}

std::string host_label(const runner::Scenario& scenario, int host) {
  if (host >= 0 && static_cast<std::size_t>(host) < scenario.hosts.size()) {
    return scenario.hosts[static_cast<std::size_t>(host)].name + "'s";
  }
  return "the receiver's";
}

// Applies one trace event to the fate of the segment it names.
void note_event(const runner::Scenario& scenario, const TraceEvent& event, Fate& fate) {
  const bool copy = event.segment.copy;
  const std::string the = copy ? "the copy " : "";
  switch (event.kind) {
    case TraceKind::deliver:
      --fate.in_network;
      fate.phrases.push_back(the + "delivered at " + format_capture_time(event.time));
      break;
    case TraceKind::drop:
      --fate.in_network;
      fate.notable = true;
      fate.phrases.push_back(with_reason(the + "dropped by the link", event.text));
      break;
    case TraceKind::expire:
      --fate.in_network;
      fate.notable = true;
      fate.phrases.push_back(with_reason(
          the + "expired in the network at " + format_capture_time(event.time), event.text));
      break;
    case TraceKind::delay:
      fate.notable = true;
      fate.phrases.push_back(with_reason(
          the + "delayed by the link until " + format_capture_time(event.deadline), event.text));
      break;
    case TraceKind::duplicate:
      ++fate.in_network;
      fate.notable = true;
      fate.phrases.push_back(with_reason(
          "duplicated by the link, the copy due at " + format_capture_time(event.deadline),
          event.text));
      break;
    case TraceKind::discard:
      fate.notable = true;
      fate.phrases.push_back(with_reason(
          the + "discarded by " + host_label(scenario, event.host) + " TCP", event.text));
      break;
    case TraceKind::send:  // handled by the caller: it opens a frame
    case TraceKind::inject:
    case TraceKind::action:
    case TraceKind::action_failed:
    case TraceKind::state:
    case TraceKind::timer_set:
    case TraceKind::timer_cancel:
    case TraceKind::timer_fire:
    case TraceKind::app:
    case TraceKind::open:
    case TraceKind::free:
      break;
  }
}

// ---- The hex dump of the goldens ----

std::string hex_lines(std::string_view bytes, std::size_t begin, std::size_t end) {
  std::string out;
  char buffer[16];
  for (std::size_t line = begin; line < end; line += 16) {
    std::snprintf(buffer, sizeof buffer, "  %04zx ", line - begin);
    out += buffer;
    std::string ascii;
    for (std::size_t at = line; at < line + 16; ++at) {
      if (at < end) {
        const auto octet = static_cast<std::uint8_t>(bytes[at]);
        std::snprintf(buffer, sizeof buffer, " %02x", octet);
        out += buffer;
        ascii += (octet >= 0x20 && octet < 0x7F) ? static_cast<char>(octet) : '.';
      } else {
        out += "   ";
      }
      if (at == line + 7) out += ' ';
    }
    out += "  |" + ascii + "|\n";
  }
  return out;
}

std::string option_name(std::uint32_t block_type, std::uint16_t code) {
  if (code == option_comment) return "opt_comment";
  if (block_type == block_section_header) {
    if (code == 2) return "shb_hardware";
    if (code == 3) return "shb_os";
    if (code == option_shb_userappl) return "shb_userappl";
  } else if (block_type == block_interface_description) {
    if (code == option_if_name) return "if_name";
    if (code == option_if_description) return "if_description";
    if (code == option_if_tsresol) return "if_tsresol";
  }
  return "option " + std::to_string(code);
}

// One line per option in [begin, end): its name and its value, printable ASCII kept, other
// octets as \xNN.
std::string option_lines(std::string_view bytes, std::size_t begin, std::size_t end,
                         std::uint32_t block_type) {
  std::string out;
  std::size_t at = begin;
  char buffer[8];
  while (at + 4 <= end) {
    const std::uint16_t code = read_le16(bytes, at);
    const std::uint16_t length = read_le16(bytes, at + 2);
    if (code == option_end || at + 4 + length > end) break;
    out += "  " + option_name(block_type, code) + ": ";
    for (std::size_t index = at + 4; index < at + 4 + length; ++index) {
      const auto octet = static_cast<std::uint8_t>(bytes[index]);
      if (octet >= 0x20 && octet < 0x7F && octet != '\\') {
        out += static_cast<char>(octet);
      } else {
        std::snprintf(buffer, sizeof buffer, "\\x%02x", octet);
        out += buffer;
      }
    }
    out += "\n";
    at += 4 + ((length + 3U) & ~3U);
  }
  return out;
}

// "10.0.0.1:49152 > 10.0.0.2:80 SYN seq=1 ack=0 win=65535 len=0 mss=536", read from the bytes.
std::string describe_packet(std::string_view packet) {
  if (packet.size() < ip_header_length || static_cast<std::uint8_t>(packet[0]) >> 4 != 4) {
    return "not an IPv4 packet";
  }
  const std::size_t ip_length = (static_cast<std::uint8_t>(packet[0]) & 0x0F) * 4U;
  const auto source = static_cast<tcp::Address>(read_be(packet, 12, 4));
  const auto destination = static_cast<tcp::Address>(read_be(packet, 16, 4));
  std::string out = tcp::address_to_string(source) + " > " + tcp::address_to_string(destination);
  if (static_cast<std::uint8_t>(packet[9]) != ip_protocol_tcp ||
      packet.size() < ip_length + tcp_header_length) {
    return out + " (not TCP)";
  }
  const std::size_t tcp_at = ip_length;
  const std::size_t data_offset = (static_cast<std::uint8_t>(packet[tcp_at + 12]) >> 4) * 4U;
  const std::size_t total = read_be(packet, 2, 2);
  const std::uint8_t flags = static_cast<std::uint8_t>(packet[tcp_at + 13]);
  out = tcp::address_to_string(source) + ":" + std::to_string(read_be(packet, tcp_at, 2)) + " > " +
        tcp::address_to_string(destination) + ":" + std::to_string(read_be(packet, tcp_at + 2, 2));
  const std::string flag_text = tcp::flags_to_string(flags);
  out += " " + (flag_text.empty() ? std::string("(no flags)") : flag_text);
  out += " seq=" + std::to_string(read_be(packet, tcp_at + 4, 4));
  out += " ack=" + std::to_string(read_be(packet, tcp_at + 8, 4));
  out += " win=" + std::to_string(read_be(packet, tcp_at + 14, 2));
  if (total >= ip_length + data_offset) {
    out += " len=" + std::to_string(total - ip_length - data_offset);
  }
  // TCP options: end (0), no-operation (1), else kind, length, value.
  std::size_t at = tcp_at + tcp_header_length;
  const std::size_t options_end = std::min(tcp_at + data_offset, packet.size());
  while (at < options_end) {
    const auto kind = static_cast<std::uint8_t>(packet[at]);
    if (kind == 0) break;
    if (kind == 1) {
      ++at;
      continue;
    }
    if (at + 1 >= options_end) break;
    const auto length = static_cast<std::uint8_t>(packet[at + 1]);
    if (length < 2 || at + length > options_end) break;
    if (kind == tcp_option_mss && length == tcp_option_mss_length) {
      out += " mss=" + std::to_string(read_be(packet, at + 2, 2));
    }
    at += length;
  }
  return out;
}

}  // namespace

// ---- Checksums ----

std::uint16_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint16_t sum) {
  std::uint32_t total = sum;
  std::size_t index = 0;
  for (; index + 1 < bytes.size(); index += 2) {
    total += static_cast<std::uint32_t>(bytes[index] << 8 | bytes[index + 1]);
  }
  if (index < bytes.size()) total += static_cast<std::uint32_t>(bytes[index] << 8);
  while ((total >> 16) != 0) total = (total & 0xFFFF) + (total >> 16);
  return static_cast<std::uint16_t>(total);
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
  return static_cast<std::uint16_t>(~ones_complement_sum(bytes) & 0xFFFF);
}

// ---- Packets ----

std::vector<std::uint8_t> encode_ipv4_tcp(const TraceSegment& segment) {
  const std::size_t payload_length = std::min<std::size_t>(segment.length, max_captured_payload);
  const std::size_t tcp_length =
      tcp_header_length + (segment.mss != 0 ? tcp_option_mss_length : 0) + payload_length;
  const std::size_t total_length = ip_header_length + tcp_length;
  std::vector<std::uint8_t> packet(total_length, 0);

  // IPv4 header (RFC 791 3.1).
  packet[0] = ip_version_ihl;
  packet[1] = 0;  // DSCP and ECN
  put_be16(packet, 2, static_cast<std::uint16_t>(total_length));
  put_be16(packet, 4, static_cast<std::uint16_t>(segment.id & 0xFFFF));  // deterministic id
  put_be16(packet, 6, ip_dont_fragment);
  packet[8] = ip_ttl;
  packet[9] = ip_protocol_tcp;
  put_be32(packet, 12, segment.source);
  put_be32(packet, 16, segment.destination);
  put_be16(packet, 10,
           internet_checksum(std::span<const std::uint8_t>(packet.data(), ip_header_length)));

  // TCP header (RFC 9293 3.1).
  const std::size_t at = ip_header_length;
  const std::size_t header_length = tcp_length - payload_length;
  put_be16(packet, at, segment.source_port);
  put_be16(packet, at + 2, segment.destination_port);
  put_be32(packet, at + 4, segment.seq);
  put_be32(packet, at + 8, segment.ack);
  packet[at + 12] = static_cast<std::uint8_t>((header_length / 4) << 4);  // data offset
  packet[at + 13] = segment.flags;
  put_be16(packet, at + 14, segment.window);
  // at + 16: checksum, filled below; at + 18: urgent pointer, 0 (tcpsim sends no urgent data).
  if (segment.mss != 0) {
    packet[at + 20] = tcp_option_mss;
    packet[at + 21] = tcp_option_mss_length;
    put_be16(packet, at + 22, segment.mss);
  }
  // The trace's payload bytes; a trace without them (or with fewer) is filled with zeros.
  const std::size_t known = std::min(payload_length, segment.payload.size());
  std::copy_n(segment.payload.begin(), known,
              packet.begin() + static_cast<std::ptrdiff_t>(at + header_length));

  // Pseudo-header: source, destination, zero, protocol, TCP length.
  std::array<std::uint8_t, 12> pseudo{};
  std::copy_n(packet.begin() + 12, 8, pseudo.begin());  // the IP header's two addresses
  pseudo[9] = ip_protocol_tcp;
  pseudo[10] = static_cast<std::uint8_t>(tcp_length >> 8);
  pseudo[11] = static_cast<std::uint8_t>(tcp_length & 0xFF);
  const std::uint16_t pseudo_sum = ones_complement_sum(pseudo);
  const std::uint16_t sum = ones_complement_sum(
      std::span<const std::uint8_t>(packet.data() + at, tcp_length), pseudo_sum);
  put_be16(packet, at + 16, static_cast<std::uint16_t>(~sum & 0xFFFF));
  return packet;
}

// ---- Comments ----

std::string format_capture_time(Time time) {
  return text::seconds(time, text::Decimals::nine) + "s";
}

std::vector<std::string> segment_fate_comments(const runner::Scenario& scenario,
                                               const runner::RunResult& result) {
  std::vector<Fate> fates;
  std::map<std::uint64_t, std::size_t> frame_of_id;  // looked up only
  for (const TraceEvent& event : result.trace) {
    if (event.kind == TraceKind::send || event.kind == TraceKind::inject) {
      frame_of_id[event.segment.id] = fates.size();
      Fate& fate = fates.emplace_back();
      fate.id = event.segment.id;
      if (event.kind == TraceKind::inject) {
        // A capture cannot mark a packet as crafted; its comment says so.
        fate.notable = true;
        fate.phrases.emplace_back("injected by the script");
      }
      continue;
    }
    if (!runner::is_segment_event(event.kind)) continue;
    // A discard that names no segment sent (id 0) has nothing to attach to.
    const auto found = frame_of_id.find(event.segment.id);
    if (event.segment.id == 0 || found == frame_of_id.end()) continue;
    note_event(scenario, event, fates[found->second]);
  }
  std::vector<std::string> comments;
  comments.reserve(fates.size());
  for (Fate& fate : fates) {
    if (fate.in_network > 0) {
      fate.notable = true;
      fate.phrases.push_back("still in the network when the run stopped at " +
                             format_capture_time(result.end_time));
    }
    std::string comment;
    if (fate.notable) {
      comment = "segment #" + std::to_string(fate.id) + ": ";
      for (std::size_t index = 0; index < fate.phrases.size(); ++index) {
        if (index > 0) comment += "; ";
        comment += fate.phrases[index];
      }
    }
    // Fault rule names and reasons come from the scenario: Wireshark shows them as they are.
    comments.push_back(text::visible(comment));
  }
  return comments;
}

// ---- pcapng ----

TimestampWords split_timestamp(Time time) {
  const std::uint64_t ticks = time < 0 ? 0 : static_cast<std::uint64_t>(time);
  return {static_cast<std::uint32_t>(ticks >> 32), static_cast<std::uint32_t>(ticks & 0xFFFFFFFF)};
}

std::string pcapng_options(const std::vector<PcapngOption>& options) {
  std::string out;
  for (const PcapngOption& option : options) {
    const std::size_t length = std::min<std::size_t>(option.value.size(), 0xFFFF);
    put_le16(out, option.code);
    put_le16(out, static_cast<std::uint16_t>(length));
    out.append(option.value, 0, length);
    pad_to_4(out);
  }
  put_le16(out, option_end);
  put_le16(out, 0);
  return out;
}

std::string pcapng_block(std::uint32_t type, std::string_view body) {
  const std::size_t padded = (body.size() + 3) & ~static_cast<std::size_t>(3);
  const auto total = static_cast<std::uint32_t>(12 + padded);
  std::string out;
  out.reserve(total);
  put_le32(out, type);
  put_le32(out, total);
  out.append(body);
  pad_to_4(out);
  put_le32(out, total);
  return out;
}

std::string pcapng_enhanced_packet(Time time, std::span<const std::uint8_t> packet,
                                   std::string_view comment, std::uint32_t interface) {
  const TimestampWords stamp = split_timestamp(time);
  std::string body;
  put_le32(body, interface);
  put_le32(body, stamp.high);
  put_le32(body, stamp.low);
  put_le32(body, static_cast<std::uint32_t>(packet.size()));  // captured
  put_le32(body, static_cast<std::uint32_t>(packet.size()));  // on the wire
  body.append(reinterpret_cast<const char*>(packet.data()), packet.size());
  pad_to_4(body);
  if (!comment.empty()) body += pcapng_options({{option_comment, std::string(comment)}});
  return pcapng_block(block_enhanced_packet, body);
}

std::vector<CaptureFrame> capture_frames(const runner::Scenario& scenario,
                                         const runner::RunResult& result) {
  const std::vector<std::string> sent_comments = segment_fate_comments(scenario, result);
  const auto interface_of = [&scenario](int host) {
    return host >= 0 && static_cast<std::size_t>(host) < scenario.hosts.size()
               ? static_cast<std::uint32_t>(host)
               : 0U;
  };
  using Key = std::pair<std::uint64_t, bool>;  // a segment, or the link's copy of it
  std::map<Key, std::string> held;             // why the link held it, once it did
  std::map<std::uint64_t, std::string> copied;  // why the link copied it
  std::map<std::uint64_t, Time> sent_at;
  std::map<Key, std::size_t> arrival_frame;  // its last arrival, for a discard that follows
  // The phrases of an arrival frame, joined once every event is read.
  std::vector<std::vector<std::string>> arrival_phrases;
  std::vector<CaptureFrame> frames;
  std::size_t sent = 0;
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    const TraceEvent& event = result.trace[index];
    const Key key{event.segment.id, event.segment.copy};
    switch (event.kind) {
      case TraceKind::send:
      case TraceKind::inject:
        sent_at[event.segment.id] = event.time;
        frames.push_back({index, interface_of(event.host), false, sent_comments[sent++]});
        arrival_phrases.emplace_back();
        break;
      case TraceKind::delay:
        held[key] = with_reason("held by the link since " +
                                    format_capture_time(sent_at.count(event.segment.id) != 0
                                                            ? sent_at[event.segment.id]
                                                            : event.time),
                                event.text);
        break;
      case TraceKind::duplicate:
        copied[event.segment.id] = event.text;
        break;
      case TraceKind::deliver: {
        std::vector<std::string> phrases;
        if (event.segment.injected) phrases.emplace_back("injected by the script");
        if (event.segment.copy) {
          phrases.push_back(with_reason("a copy the link made", copied[event.segment.id]));
        }
        const auto hold = held.find(key);
        if (hold != held.end()) phrases.push_back(hold->second);
        arrival_frame[key] = frames.size();
        frames.push_back({index, interface_of(event.host), true, ""});
        arrival_phrases.push_back(std::move(phrases));
        break;
      }
      case TraceKind::discard: {
        const auto arrival = arrival_frame.find(key);
        if (event.segment.id == 0 || arrival == arrival_frame.end() ||
            frames[arrival->second].interface != interface_of(event.host)) {
          break;
        }
        arrival_phrases[arrival->second].push_back(with_reason(
            "discarded by " + host_label(scenario, event.host) + " TCP", event.text));
        break;
      }
      default:
        break;
    }
  }
  for (std::size_t frame = 0; frame < frames.size(); ++frame) {
    const std::vector<std::string>& phrases = arrival_phrases[frame];
    if (!frames[frame].arrival || phrases.empty()) continue;
    const TraceEvent& event = result.trace[frames[frame].event];
    std::string comment = "segment " + text::segment_number(event.segment) + " arrives at " +
                          scenario.hosts[frames[frame].interface].name + ": ";
    for (std::size_t index = 0; index < phrases.size(); ++index) {
      if (index > 0) comment += "; ";
      comment += phrases[index];
    }
    frames[frame].comment = text::visible(comment);
  }
  return frames;
}

std::string format_pcapng(const runner::Scenario& scenario, const runner::RunResult& result) {
  std::string out;

  std::string section;
  put_le32(section, byte_order_magic);
  put_le16(section, 1);      // major version
  put_le16(section, 0);      // minor version
  put_le64(section, ~0ULL);  // section length not given
  section += pcapng_options(
      {{option_comment, "tcpsim scenario " + scenario.name + ", seed " +
                            std::to_string(result.seed) +
                            ": one interface at each host, the segments it sent and received "
                            "there, at virtual time; a segment the link lost is sent at one end "
                            "and never received at the other; comments tell what the link and "
                            "the receivers did"},
       {option_shb_userappl, "tcpsim"}});
  out += pcapng_block(block_section_header, section);

  // Interface i: the wire at host i, as a capture on that host would see it.
  for (const auto& host : scenario.hosts) {
    std::string interface;
    put_le16(interface, linktype_raw);
    put_le16(interface, 0);  // reserved
    put_le32(interface, snapshot_length);
    interface += pcapng_options(
        {{option_if_name, text::visible(host.name)},
         {option_if_description, text::visible("the wire at " + host.name + " " +
                                               tcp::address_to_string(host.address) +
                                               ": the segments it sends and receives")},
         {option_if_tsresol, std::string(1, '\x09')}});  // 10^-9 s
    out += pcapng_block(block_interface_description, interface);
  }

  for (const CaptureFrame& frame : capture_frames(scenario, result)) {
    const TraceEvent& event = result.trace[frame.event];
    std::string comment = frame.comment;
    if (event.segment.length > max_captured_payload) {
      comment += comment.empty() ? "segment " + text::segment_number(event.segment) + ": " : "; ";
      comment += "payload cut to " + std::to_string(max_captured_payload) + " of " +
                 std::to_string(event.segment.length) + " octets to fit one IPv4 packet";
    }
    out += pcapng_enhanced_packet(event.time, encode_ipv4_tcp(event.segment), comment,
                                  frame.interface);
  }
  return out;
}

std::string pcapng_hex_dump(std::string_view bytes) {
  std::string out;
  std::size_t at = 0;
  int number = 0;
  char buffer[128];
  while (at < bytes.size()) {
    ++number;
    const std::size_t left = bytes.size() - at;
    const std::uint32_t type = left >= 12 ? read_le32(bytes, at) : 0;
    const std::uint32_t length = left >= 12 ? read_le32(bytes, at + 4) : 0;
    if (left < 12 || length < 12 || length % 4 != 0 || length > left ||
        read_le32(bytes, at + length - 4) != length) {
      std::snprintf(buffer, sizeof buffer, "block %d at 0x%08zx: malformed, %zu octets left\n",
                    number, at, left);
      out += buffer;
      out += hex_lines(bytes, at, bytes.size());
      break;
    }
    std::snprintf(buffer, sizeof buffer, "block %d at 0x%08zx, %u octets: ", number, at, length);
    out += buffer;
    std::size_t options_at = at + length - 4;  // no options unless the type says where they are
    if (type == block_section_header && length >= 28) {
      out += "Section Header Block, version " + std::to_string(read_le16(bytes, at + 12)) + "." +
             std::to_string(read_le16(bytes, at + 14)) + "\n";
      options_at = at + 24;
    } else if (type == block_interface_description && length >= 20) {
      out += "Interface Description Block, link type " + std::to_string(read_le16(bytes, at + 8)) +
             ", snapshot length " + std::to_string(read_le32(bytes, at + 12)) + "\n";
      options_at = at + 16;
    } else if (type == block_enhanced_packet && length >= 32) {
      const std::uint32_t captured = read_le32(bytes, at + 20);
      const std::size_t data_at = at + 28;
      const std::uint64_t ticks =
          (static_cast<std::uint64_t>(read_le32(bytes, at + 12)) << 32) | read_le32(bytes, at + 16);
      out += "Enhanced Packet Block, interface " + std::to_string(read_le32(bytes, at + 8)) + ", " +
             std::to_string(captured) + " octets captured\n";
      if (captured <= length - 32) {
        out += "  " + format_capture_time(static_cast<Time>(ticks & 0x7FFFFFFFFFFFFFFFULL)) + " " +
               describe_packet(bytes.substr(data_at, captured)) + "\n";
        options_at = data_at + ((captured + 3U) & ~3U);
      }
    } else {
      std::snprintf(buffer, sizeof buffer, "block type 0x%08x\n", type);
      out += buffer;
    }
    out += option_lines(bytes, options_at, at + length - 4, type);
    out += hex_lines(bytes, at, at + length);
    at += length;
  }
  return out;
}

}  // namespace tcpsim::views
