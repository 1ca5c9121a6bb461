// Textbook labels (views/html_textbook.hpp). Two passes over the segments put on the wire, in
// trace order: the first groups them into streams (a 4-tuple and an incarnation of it) and finds
// what the numbering must leave alone (a simultaneous open or close); the second names the
// letters and numbers the handshake (RFC 9293 3.5) and the close (RFC 9293 3.6) as the seed
// articles do.
#include "views/html_textbook.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "tcp/config.hpp"
#include "tcp/segment.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// ---- Words (the page's Chinese is the seed articles') ----

std::string handshake_ordinal(int step, Language language) {
  static constexpr std::array<std::string_view, 4> chinese = {"一", "二", "三", "四"};
  if (language == Language::chinese) {
    return "第" + std::string(chinese[static_cast<std::size_t>(step - 1)]) + "次握手";
  }
  return "handshake " + std::to_string(step);
}

std::string close_ordinal(int step, Language language) {
  static constexpr std::array<std::string_view, 4> chinese = {"一", "二", "三", "四"};
  if (step == 23) return language == Language::chinese ? "第二、三次挥手" : "close 2+3";
  if (language == Language::chinese) {
    return "第" + std::string(chinese[static_cast<std::size_t>(step - 1)]) + "次挥手";
  }
  return "close " + std::to_string(step);
}

std::string retransmitted(Language language) {
  return language == Language::chinese ? "（重传）" : " (retransmitted)";
}
std::string again(Language language) {
  return language == Language::chinese ? "（再次）" : " (again)";
}

// The letters of the n-th stream (0, 1, ...): x, then x′, x″, x‴, then x5, x6, ...
std::string letter(char base, int stream) {
  static constexpr std::array<std::string_view, 4> primes = {"", "′", "″", "‴"};
  if (stream < 4) {
    return std::string(1, base) + std::string(primes[static_cast<std::size_t>(stream)]);
  }
  return std::string(1, base) + std::to_string(stream + 1);
}

// ---- Streams ----

std::uint64_t endpoint(tcp::Address address, tcp::Port port) {
  return (static_cast<std::uint64_t>(address) << 16) | port;
}

bool has(const TraceSegment& segment, std::uint8_t flag) { return (segment.flags & flag) != 0; }
bool is_open_request(const TraceSegment& segment) {  // a SYN without ACK
  return has(segment, tcp::flag::syn) && !has(segment, tcp::flag::ack);
}
// Sequence space order (RFC 9293 3.4): a at or after b.
bool at_or_after(std::uint32_t a, std::uint32_t b) { return a - b < 0x80000000U; }

struct Anchor {
  std::string letter;
  std::uint32_t value = 0;
};

struct Stream {
  int number = 0;
  std::uint64_t opener = 0;  // side 0: the endpoint that sent its first segment (its SYN)
  // Pass 1.
  std::array<std::optional<std::uint32_t>, 2> isn;
  std::array<bool, 2> open_request = {false, false};  // a SYN without ACK from the side
  std::array<bool, 2> other = {false, false};         // anything else from the side
  bool simultaneous_open = false;
  int first_fin_side = -1;
  std::uint32_t first_fin_seq = 0;
  bool second_fin = false;
  bool simultaneous_close = false;
  // Pass 2.
  std::array<std::vector<Anchor>, 2> anchors;
  bool handshake_ack_sent = false;
  std::uint32_t handshake_ack_seq = 0;
  bool opener_sent_data = false;
  int close_phase = 0;  // the last close step numbered: 0 none, 1, 2, 3 (also 2+3), 4
  int closer = -1;
  std::uint32_t u = 0;
  std::uint32_t w = 0;
  std::uint32_t final_ack_seq = 0;
};

struct Sent {
  std::size_t event = 0;
  std::size_t stream = 0;
  int side = 0;
};

std::string express(std::uint32_t value, const std::vector<Anchor>& anchors,
                    const std::string& fallback) {
  const Anchor* best = nullptr;
  for (const Anchor& anchor : anchors) {
    if (at_or_after(value, anchor.value)) best = &anchor;  // the last one named wins
  }
  if (best == nullptr) return fallback;
  const std::uint32_t offset = value - best->value;
  return offset == 0 ? best->letter : best->letter + "+" + std::to_string(offset);
}

void name(Stream& stream, int side, char base, std::uint32_t value) {
  stream.anchors[static_cast<std::size_t>(side)].push_back({letter(base, stream.number), value});
}

}  // namespace

std::map<std::uint64_t, TextbookLabel> textbook_labels(const runner::Scenario& scenario,
                                                       const runner::RunResult& result,
                                                       Language language, bool absolute) {
  // Pass 1: streams, and what each side of each one sent.
  std::vector<Stream> streams;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> current;  // by 4-tuple
  std::vector<Sent> sent;
  for (std::size_t index = 0; index < result.trace.size(); ++index) {
    const TraceEvent& event = result.trace[index];
    if ((event.kind != TraceKind::send && event.kind != TraceKind::inject) ||
        event.segment.copy) {
      continue;
    }
    const TraceSegment& segment = event.segment;
    const std::uint64_t from = endpoint(segment.source, segment.source_port);
    const std::uint64_t to = endpoint(segment.destination, segment.destination_port);
    const std::pair<std::uint64_t, std::uint64_t> key{std::min(from, to), std::max(from, to)};
    auto found = current.find(key);
    bool fresh = found == current.end();
    if (!fresh && is_open_request(segment)) {
      // A SYN starts a new incarnation when its side already sent more than SYNs, or another
      // ISN.
      const Stream& old = streams[found->second];
      const std::size_t side = from == old.opener ? 0 : 1;
      fresh = old.other[side] || (old.isn[side] && *old.isn[side] != segment.seq);
    }
    if (fresh) {
      Stream stream;
      stream.number = static_cast<int>(streams.size());
      stream.opener = from;
      current[key] = streams.size();
      streams.push_back(stream);
      found = current.find(key);
    }
    Stream& stream = streams[found->second];
    const int side = from == stream.opener ? 0 : 1;
    const auto s = static_cast<std::size_t>(side);
    if (has(segment, tcp::flag::syn) && !stream.isn[s]) stream.isn[s] = segment.seq;
    if (is_open_request(segment)) {
      stream.open_request[s] = true;
    } else {
      stream.other[s] = true;
    }
    if (stream.open_request[0] && stream.open_request[1]) stream.simultaneous_open = true;
    if (has(segment, tcp::flag::fin)) {
      if (stream.first_fin_side < 0) {
        stream.first_fin_side = side;
        stream.first_fin_seq = segment.seq;
      } else if (side != stream.first_fin_side && !stream.second_fin) {
        stream.second_fin = true;
        // Sent before the first FIN reached it: both sides close at once (RFC 9293 3.6).
        const bool covers = has(segment, tcp::flag::ack) &&
                            at_or_after(segment.ack, stream.first_fin_seq + 1);
        if (!covers) stream.simultaneous_close = true;
      }
    }
    sent.push_back({index, found->second, side});
  }

  // The opener's host, for the two-way handshake (its client sends no third segment).
  const auto two_way = [&scenario](tcp::Address address) {
    for (const auto& host : scenario.hosts) {
      if (host.address == address) return host.tcp.handshake == tcp::Handshake::two_way;
    }
    return false;
  };

  // Pass 2: letters and numbers.
  std::map<std::uint64_t, TextbookLabel> labels;
  for (const Sent& item : sent) {
    const TraceSegment& segment = result.trace[item.event].segment;
    Stream& stream = streams[item.stream];
    const int side = item.side;
    const int other = 1 - side;
    const bool syn = has(segment, tcp::flag::syn);
    const bool ack = has(segment, tcp::flag::ack);
    const bool fin = has(segment, tcp::flag::fin);
    const bool rst = has(segment, tcp::flag::rst);
    const std::string again_or_retransmitted =
        segment.retransmission ? retransmitted(language) : again(language);
    std::string ordinal;

    // The handshake (RFC 9293 3.5).
    if (syn) {
      auto& own = stream.anchors[static_cast<std::size_t>(side)];
      if (own.empty()) name(stream, side, side == 0 ? 'x' : 'y', segment.seq);
      if (!stream.simultaneous_open) {
        const int step = ack ? 2 : 1;
        if ((step == 1) == (side == 0)) {
          ordinal = handshake_ordinal(step, language) +
                    (segment.retransmission ? retransmitted(language) : "");
        }
      }
    } else if (!stream.simultaneous_open && side == 0 && ack && !fin && !rst &&
               segment.length == 0 && !stream.opener_sent_data &&
               stream.anchors[1].size() == 1 && stream.anchors[0].size() == 1 &&
               segment.seq == stream.anchors[0][0].value + 1 &&
               segment.ack == stream.anchors[1][0].value + 1 &&
               !two_way(segment.source)) {
      ordinal = handshake_ordinal(3, language);
      if (stream.handshake_ack_sent && segment.seq == stream.handshake_ack_seq) {
        ordinal += again(language);
      }
      stream.handshake_ack_sent = true;
      stream.handshake_ack_seq = segment.seq;
    }
    if (side == 0 && segment.length > 0) stream.opener_sent_data = true;

    // The close (RFC 9293 3.6).
    if (fin && stream.close_phase == 0 && stream.closer < 0) {
      stream.closer = side;
      stream.u = segment.seq;
      name(stream, side, 'u', segment.seq);
      if (!stream.simultaneous_close) {
        ordinal = close_ordinal(1, language);
        stream.close_phase = 1;
      }
    } else if (fin && side == stream.closer && segment.seq == stream.u) {
      if (stream.close_phase >= 1) ordinal = close_ordinal(1, language) + retransmitted(language);
    } else if (stream.closer >= 0 && side != stream.closer && !stream.simultaneous_close &&
               stream.close_phase == 1 && ack && segment.ack == stream.u + 1) {
      if (fin) {
        ordinal = close_ordinal(23, language);
        stream.close_phase = 3;
        stream.w = segment.seq;
        name(stream, side, 'w', segment.seq);
      } else {
        ordinal = close_ordinal(2, language);
        stream.close_phase = 2;
        name(stream, side, 'v', segment.seq);
      }
    } else if (stream.closer >= 0 && side != stream.closer && fin) {
      if (stream.close_phase == 2 || stream.simultaneous_close) {
        stream.w = segment.seq;
        name(stream, side, 'w', segment.seq);
        if (!stream.simultaneous_close) {
          ordinal = close_ordinal(3, language);
          stream.close_phase = 3;
        }
      } else if (stream.close_phase >= 3 && segment.seq == stream.w) {
        ordinal = close_ordinal(3, language) + retransmitted(language);
      }
    } else if (stream.closer >= 0 && side == stream.closer && !stream.simultaneous_close &&
               stream.close_phase >= 3 && ack && !fin && !rst && segment.length == 0 &&
               segment.ack == stream.w + 1 && segment.seq == stream.u + 1) {
      ordinal = close_ordinal(4, language);
      if (stream.close_phase == 4 && segment.seq == stream.final_ack_seq) {
        ordinal += again_or_retransmitted;
      }
      stream.close_phase = 4;
      stream.final_ack_seq = segment.seq;
    }

    // The fields: flags as bits, numbers from the letters.
    TextbookLabel label;
    std::string& out = label.fields;
    const auto bit = [&out](const char* name_of_bit) {
      if (!out.empty()) out += ' ';
      out += name_of_bit;
      out += "=1";
    };
    if (syn) bit("SYN");
    if (fin) bit("FIN");
    if (rst) bit("RST");
    if (has(segment, tcp::flag::psh)) bit("PSH");
    if (has(segment, tcp::flag::urg)) bit("URG");
    if (ack) bit("ACK");
    const bool relative = !absolute;
    const std::string seq_number = std::to_string(
        relative && segment.has_relative_seq ? segment.relative_seq : segment.seq);
    if (!out.empty()) out += ' ';
    out += "seq=" + express(segment.seq, stream.anchors[static_cast<std::size_t>(side)],
                            seq_number);
    if (ack) {
      const std::string ack_number = std::to_string(
          relative && segment.has_relative_ack ? segment.relative_ack : segment.ack);
      out += " ack=" + express(segment.ack, stream.anchors[static_cast<std::size_t>(other)],
                               ack_number);
    }
    if (segment.length > 0) out += " len=" + std::to_string(segment.length);
    label.ordinal = ordinal;
    labels[segment.id] = label;
  }
  return labels;
}

}  // namespace tcpsim::views
