// Textbook labels (views/html_textbook.hpp). Two passes over the segments put on the wire, in
// trace order: the first groups them into streams (a 4-tuple and an incarnation of it) and finds
// what the numbering must leave alone (a simultaneous open or close); the second names the
// letters and numbers the handshake (RFC 9293 3.5) and the close (RFC 9293 3.6) as the seed
// articles do.
#include "views/html_textbook.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "tcp/config.hpp"
#include "tcp/segment.hpp"
#include "views/segment_reasons.hpp"
#include "views/words.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;

namespace {

// ---- Words: the ordinals are the segment story's (views/segment_reasons.hpp), in the words
// table's terms, so the page numbers the handshake and the close as every other view does.

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
  int close_phase = 0;  // the last close step numbered: 0 none, 1, 2, 3 (also 2+3), 4
  int closer = -1;
  std::uint32_t u = 0;
  std::uint32_t w = 0;
  std::set<int> steps_given;  // (side, handshake or close step) already numbered
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

  // Pass 2: letters and numbers; the handshake and close steps are the segment story's.
  const SegmentStory story(scenario, result);
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

    // The handshake (RFC 9293 3.5): x and y, the two ISNs.
    if (syn) {
      auto& own = stream.anchors[static_cast<std::size_t>(side)];
      if (own.empty()) name(stream, side, side == 0 ? 'x' : 'y', segment.seq);
    }

    // The close (RFC 9293 3.6).
    if (fin && stream.close_phase == 0 && stream.closer < 0) {
      stream.closer = side;
      stream.u = segment.seq;
      name(stream, side, 'u', segment.seq);
      if (!stream.simultaneous_close) stream.close_phase = 1;
    } else if (fin && side == stream.closer && segment.seq == stream.u) {
      // the first FIN again
    } else if (stream.closer >= 0 && side != stream.closer && !stream.simultaneous_close &&
               stream.close_phase == 1 && ack && segment.ack == stream.u + 1) {
      if (fin) {
        stream.close_phase = 3;
        stream.w = segment.seq;
        name(stream, side, 'w', segment.seq);
      } else {
        stream.close_phase = 2;
        name(stream, side, 'v', segment.seq);
      }
    } else if (stream.closer >= 0 && side != stream.closer && fin) {
      if (stream.close_phase == 2 || stream.simultaneous_close) {
        stream.w = segment.seq;
        name(stream, side, 'w', segment.seq);
        if (!stream.simultaneous_close) stream.close_phase = 3;
      }
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
    // The ordinal, from the segment story; one given before on this stream is marked as the
    // same step again (a retransmission, or an ACK repeated).
    const SegmentReasons& reasons = story.at(item.event);
    std::string ordinal =
        reasons.handshake != HandshakeStep::none
            ? handshake_step_words(reasons.handshake, reasons.two_way_handshake, language)
        : reasons.close != CloseStep::none ? close_step_words(reasons.close, language)
                                           : std::string();
    if (!ordinal.empty()) {
      const int step_key = side * 16 + (reasons.handshake != HandshakeStep::none
                                            ? static_cast<int>(reasons.handshake)
                                            : 8 + static_cast<int>(reasons.close));
      if (!stream.steps_given.insert(step_key).second) {
        ordinal += term(segment.retransmission ? Term::step_retransmitted : Term::step_again,
                        language);
      }
    }
    label.ordinal = ordinal;
    labels[segment.id] = label;
  }
  return labels;
}

}  // namespace tcpsim::views
