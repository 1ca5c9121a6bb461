// The ladder diagram as SVG. Layout first (which moments get which height, which lane each
// connection runs in, which column each timer bracket takes), drawing second, all in integers.
#include "views/svg.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "runner/trace_format.hpp"

namespace tcpsim::views {

using runner::TraceEvent;
using runner::TraceKind;
using runner::TraceSegment;
using tcpsim::Time;

std::string format_seconds(Time time) {
  const bool negative = time < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(time + 1)) + 1 : static_cast<std::uint64_t>(time);
  const std::uint64_t whole = magnitude / 1'000'000'000ULL;
  std::uint64_t fraction = magnitude % 1'000'000'000ULL;
  int digits = 9;
  if (fraction % 1'000'000 == 0) {
    fraction /= 1'000'000;
    digits = 3;
  } else if (fraction % 1'000 == 0) {
    fraction /= 1'000;
    digits = 6;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s%llu.%0*llu", negative ? "-" : "",
                static_cast<unsigned long long>(whole), digits,
                static_cast<unsigned long long>(fraction));
  return buffer;
}

std::string segment_label(const TraceSegment& segment, bool absolute) {
  std::string out = "#" + std::to_string(segment.id) + (segment.copy ? "'" : "") + " ";
  const std::string flags = tcp::flags_to_string(segment.flags);
  out += flags.empty() ? "(no flags)" : flags;
  out += " seq=" + (!absolute && segment.has_relative_seq ? std::to_string(segment.relative_seq)
                                                          : std::to_string(segment.seq));
  if ((segment.flags & tcp::flag::ack) != 0) {
    out += " ack=" + (!absolute && segment.has_relative_ack ? std::to_string(segment.relative_ack)
                                                            : std::to_string(segment.ack));
  }
  out += " len=" + std::to_string(segment.length);
  if (segment.window == 0 && (segment.flags & tcp::flag::rst) == 0) out += " win=0";
  if (segment.retransmission) out += " retx";
  return out;
}

// Families of states share a hue: opening yellow, open green, the active closer violet, the
// passive closer orange, LISTEN grey; CLOSED has no fill (its lifeline is a dashed line).
std::string_view state_fill_colour(tcp::State state) {
  switch (state) {
    case tcp::State::closed: return "#ffffff";
    case tcp::State::listen: return "#e5e7eb";
    case tcp::State::syn_sent:
    case tcp::State::syn_received: return "#fde68a";
    case tcp::State::established: return "#86efac";
    case tcp::State::fin_wait_1:
    case tcp::State::fin_wait_2:
    case tcp::State::closing: return "#ddd6fe";
    case tcp::State::time_wait: return "#a78bfa";
    case tcp::State::close_wait:
    case tcp::State::last_ack: return "#fed7aa";
  }
  return "#e5e7eb";
}

std::string_view state_text_colour(tcp::State state) {
  switch (state) {
    case tcp::State::closed: return "#4b5563";
    case tcp::State::listen: return "#374151";
    case tcp::State::syn_sent:
    case tcp::State::syn_received: return "#92400e";
    case tcp::State::established: return "#166534";
    case tcp::State::fin_wait_1:
    case tcp::State::fin_wait_2:
    case tcp::State::closing:
    case tcp::State::time_wait: return "#5b21b6";
    case tcp::State::close_wait:
    case tcp::State::last_ack: return "#9a3412";
  }
  return "#374151";
}

namespace svg_text {

namespace {
// The length of the valid UTF-8 sequence starting at text[index], or 0 if it is not one.
std::size_t utf8_sequence(std::string_view text, std::size_t index) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(index);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07u;
  } else {
    return 0;
  }
  if (index + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char next = byte(index + k);
    if ((next & 0xC0u) != 0x80u) return 0;
    code = (code << 6) | (next & 0x3Fu);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not valid.
  if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
      (code >= 0xD800 && code <= 0xDFFF)) {
    return 0;
  }
  return length;
}
}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  std::size_t index = 0;
  while (index < text.size()) {
    const std::size_t length = utf8_sequence(text, index);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++index;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(index, length));
      index += length;
      continue;
    }
    const char c = text[index++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) ? ' ' : c;
    }
  }
  return out;
}

std::string utf8_sanitized(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t index = 0;
  while (index < text.size()) {
    const std::size_t length = utf8_sequence(text, index);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++index;
    } else {
      out.append(text.substr(index, length));
      index += length;
    }
  }
  return out;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++count;
  }
  return count;
}

std::vector<std::string> wrap_words(std::string_view text, std::size_t width,
                                    std::size_t first_indent) {
  std::vector<std::string> rows(1);
  std::size_t row_width = first_indent;
  if (width < 8) width = 8;
  std::size_t position = 0;
  while (position < text.size()) {
    std::size_t end = text.find(' ', position);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(position, end - position);
    position = end + 1;
    if (word.empty()) continue;
    while (!word.empty()) {
      const std::size_t word_width = utf8_length(word);
      const std::size_t room = width > row_width ? width - row_width : 0;
      const std::size_t needed = word_width + (rows.back().empty() ? 0 : 1);
      if (needed <= room) {
        if (!rows.back().empty()) rows.back() += ' ';
        rows.back() += word;
        row_width += needed;
        word = {};
      } else if (!rows.back().empty()) {
        rows.emplace_back();
        row_width = 0;
      } else {
        // A word longer than a whole row: cut it at a character boundary.
        std::size_t cut = 0;
        std::size_t characters = 0;
        while (cut < word.size() && characters < std::max<std::size_t>(room, 1)) {
          ++cut;
          while (cut < word.size() && (static_cast<unsigned char>(word[cut]) & 0xC0u) == 0x80u) ++cut;
          ++characters;
        }
        rows.back() += word.substr(0, cut);
        word = word.substr(cut);
        rows.emplace_back();
        row_width = 0;
      }
    }
  }
  if (rows.size() > 1 && rows.back().empty()) rows.pop_back();
  return rows;
}

std::string printable(const std::vector<std::uint8_t>& data, std::size_t limit) {
  std::string out = "\"";
  for (std::size_t index = 0; index < data.size() && index < limit; ++index) {
    const unsigned char c = data[index];
    out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '.';
  }
  out += data.size() > limit ? "...\"" : "\"";
  return out;
}

}  // namespace svg_text

using svg_text::printable;
using svg_text::utf8_length;
using svg_text::wrap_words;
using svg_text::xml_escape;

namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// --- Geometry (pixels). Text is monospace 12 px (0.6 em wide per character). ---
constexpr int margin = 32;
constexpr int gutter = 96;           // the time column
constexpr int line_height = 16;      // one row of annotation text
constexpr int unit_height = 64;      // the reference one-way delay
constexpr int min_arrow_height = 64; // room for a label on every arrow
constexpr int break_threshold = 4 * unit_height;  // idle longer than 4 delays: compressed
constexpr int break_height = 44;
constexpr int lane_spacing = 16;
constexpr int lane_half_width = 5;
constexpr int timer_spacing = 14;
constexpr int drop_height = 34;
constexpr int head_length = 10;
constexpr int head_half_width = 4;
constexpr std::size_t wrap_chars = 44;
constexpr int min_middle_width = 460;

int text_width(std::size_t characters) {
  return static_cast<int>((characters * 72 + 9) / 10);
}
int text_width(std::string_view text) { return text_width(utf8_length(text)); }

// Sans-serif 13 px for the description: a conservative average width per character.
constexpr int description_char_width = 7;

std::string num(long long value) { return std::to_string(value); }

// Integer square root (floor), for arrowheads.
std::int64_t isqrt(std::int64_t value) {
  if (value <= 0) return 0;
  std::int64_t root = 0;
  std::int64_t bit = std::int64_t{1} << 62;
  while (bit > value) bit >>= 2;
  while (bit != 0) {
    if (value >= root + bit) {
      value -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return root;
}

// a * b / c rounded to nearest (ties away from zero), for small pixel values.
int scale_round(std::int64_t a, std::int64_t b, std::int64_t c) {
  if (c == 0) return 0;
  std::int64_t product = a * b;
  const bool negative = (product < 0) != (c < 0);
  if (product < 0) product = -product;
  const std::int64_t divisor = c < 0 ? -c : c;
  const std::int64_t quotient = (product + divisor / 2) / divisor;
  return static_cast<int>(negative ? -quotient : quotient);
}

// "1 s", "1.5 s", "200 ms", "250 us", "1 ns": a duration as people write it.
std::string format_duration(Time duration) {
  struct Unit {
    Time size;
    const char* name;
  };
  static constexpr Unit units[] = {{tcpsim::second, "s"},
                                   {tcpsim::millisecond, "ms"},
                                   {tcpsim::microsecond, "us"},
                                   {tcpsim::nanosecond, "ns"}};
  for (const Unit& unit : units) {
    if (duration >= unit.size || unit.size == tcpsim::nanosecond) {
      std::string text = std::to_string(duration / unit.size);
      Time rest = duration % unit.size;
      if (rest != 0) {
        std::string decimals;
        Time step = unit.size / 10;
        while (rest != 0 && step != 0) {
          decimals += static_cast<char>('0' + rest / step);
          rest %= step;
          step /= 10;
        }
        text += "." + decimals;
      }
      return text + " " + unit.name;
    }
  }
  return "0 s";
}

std::string_view timer_short_name(tcp::TimerKind kind) {
  switch (kind) {
    case tcp::TimerKind::retransmission: return "RTO";
    case tcp::TimerKind::time_wait: return "TIME_WAIT";
    case tcp::TimerKind::persist: return "persist";
    case tcp::TimerKind::keepalive: return "keepalive";
    case tcp::TimerKind::delayed_ack: return "delayed ACK";
    case tcp::TimerKind::user_timeout: return "user timeout";
    case tcp::TimerKind::fin_wait_2: return "FIN_WAIT_2";
  }
  return "timer";
}

std::string_view timer_colour(tcp::TimerKind kind) {
  switch (kind) {
    case tcp::TimerKind::retransmission: return "#0891b2";
    case tcp::TimerKind::time_wait: return "#7c3aed";
    case tcp::TimerKind::persist: return "#65a30d";
    case tcp::TimerKind::keepalive: return "#db2777";
    case tcp::TimerKind::delayed_ack: return "#0d9488";
    case tcp::TimerKind::user_timeout: return "#9333ea";
    case tcp::TimerKind::fin_wait_2: return "#b45309";
  }
  return "#6b7280";
}

// Connection colours: distinct, dark enough for text, none of them the red of loss or the
// brown of a held segment.
constexpr std::string_view connection_palette[] = {"#1d4ed8", "#0f766e", "#7e22ce",
                                                   "#be185d", "#4d7c0f", "#0e7490",
                                                   "#6d28d9", "#9d174d"};
constexpr std::string_view no_connection_colour = "#475569";
constexpr std::string_view loss_colour = "#dc2626";
constexpr std::string_view held_colour = "#b45309";

struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool overlaps(const Rect& other) const {
    return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1;
  }
};

// One connection's lifeline.
struct Lane {
  std::size_t record = 0;  // index into RunResult::connections
  int host = 0;
  Time open = 0;
  Time end = 0;  // freed, or the end of the run
  std::size_t open_step = npos;
  std::size_t free_step = npos;
  int lane = 0;
  int colour = 0;
  int peer = -1;  // the connection on the other host with the same sockets, alive at once
  struct Span {
    Time from = 0;
    tcp::State state = tcp::State::closed;
  };
  std::vector<Span> spans;
};

// One arrow: a segment (or a copy) from its sending to its arrival, loss or expiry.
struct Arrow {
  enum class Fate : std::uint8_t { in_flight, delivered, dropped, expired };
  std::size_t send_step = 0;
  std::size_t end_step = npos;     // deliver, drop or expire
  std::size_t style_step = npos;   // delay (held) or duplicate (copy)
  std::size_t discard_step = npos;  // the receiving TCP dropped it
  Fate fate = Fate::in_flight;
  bool copy = false;
  bool held = false;
  int from_host = 0;
  int from_lane = -1;  // index into lanes, -1 for the host's own line
  int to_lane = -1;
  Time sent = 0;
  Time arrival = 0;      // the end's time
  Time expected = -1;    // the arrival the link announced (delay or duplicate), -1 if unknown
  std::string note;      // why it was held, copied, lost or expired
  TraceSegment segment;
};

struct Bracket {
  enum class End : std::uint8_t { open, fired, cancelled, replaced };
  int host = 0;
  int lane = -1;
  tcp::TimerKind kind = tcp::TimerKind::retransmission;
  Time set = 0;
  Time deadline = 0;
  Time end_time = 0;
  std::size_t set_step = 0;
  std::size_t end_step = npos;
  End end = End::open;
  int column = 0;
};

// Text written beside a host's lifeline at one moment, one event's worth.
struct Note {
  std::size_t step = 0;
  std::string prefix;  // the connection's name, in its colour, when the host has several
  std::string_view prefix_colour;
  std::vector<std::string> rows;
  std::string css_class;
  std::string_view colour;  // empty: the class's colour
  std::string title;
};

struct BreakMark {
  std::size_t after = 0;  // the gap after this instant
  Time idle = 0;
};

class SvgWriter {
 public:
  SvgWriter(const runner::Scenario& scenario, const runner::RunResult& result,
            const SvgOptions& options)
      : scenario_(scenario),
        result_(result),
        options_(options),
        names_(result),
        absolute_(options.absolute_seq || runner::scenario_uses_fixed_isns(scenario)) {}

  std::vector<std::string> colours() {
    collect_instants();
    collect_lanes();
    std::vector<std::string> out(result_.connections.size(), std::string(no_connection_colour));
    for (std::size_t record = 0; record < lane_of_record_.size(); ++record) {
      if (lane_of_record_[record] >= 0) out[record] = std::string(lane_colour(lane_of_record_[record]));
    }
    return out;
  }

  std::string write() {
    collect_instants();
    collect_lanes();
    collect_arrows();
    collect_brackets();
    collect_notes();
    layout_x();
    layout_y();
    return draw();
  }

 private:
  const std::vector<TraceEvent>& trace() const { return result_.trace; }
  int host_count() const { return static_cast<int>(std::min<std::size_t>(scenario_.hosts.size(), 2)); }
  static int side_of(int host) { return host == 1 ? 1 : 0; }

  // ---------------------------------------------------------------- instants (distinct times)
  void collect_instants() {
    for (const TraceEvent& event : trace()) {
      if (instants_.empty() || instants_.back() != event.time) instants_.push_back(event.time);
    }
    const Time last = instants_.empty() ? 0 : instants_.back();
    end_time_ = std::max(result_.end_time, last);
    if (instants_.empty() || end_time_ > instants_.back()) instants_.push_back(end_time_);
    event_instant_.resize(trace().size());
    std::size_t instant = 0;
    for (std::size_t index = 0; index < trace().size(); ++index) {
      while (instants_[instant] < trace()[index].time) ++instant;
      event_instant_[index] = instant;
    }
  }
  std::size_t instant_of(Time time) const {
    const auto it = std::lower_bound(instants_.begin(), instants_.end(), time);
    if (it == instants_.end()) return instants_.size() - 1;
    return static_cast<std::size_t>(it - instants_.begin());
  }

  // ---------------------------------------------------------------- lanes (connections)
  void collect_lanes() {
    const auto& records = result_.connections;
    lane_of_record_.assign(records.size(), -1);
    for (std::size_t index = 0; index < records.size(); ++index) {
      const auto& record = records[index];
      // A connect that failed has no TCB, hence no lifeline (its event is on the host's line).
      if (record.host < 0 || record.host > 1 || record.id == tcp::no_connection) continue;
      Lane lane;
      lane.record = index;
      lane.host = record.host;
      lane.end = end_time_;
      lane_of_record_[index] = static_cast<int>(lanes_.size());
      lanes_.push_back(lane);
      auto& by_id = lane_by_id_[static_cast<std::size_t>(record.host)];
      if (by_id.size() <= record.id) by_id.resize(static_cast<std::size_t>(record.id) + 1, -1);
      by_id[record.id] = lane_of_record_[index];
    }
    std::vector<bool> opened(lanes_.size(), false);
    for (std::size_t step = 0; step < trace().size(); ++step) {
      const TraceEvent& event = trace()[step];
      const int index = lane_for(event.host, event.connection);
      if (index < 0) continue;
      Lane& lane = lanes_[static_cast<std::size_t>(index)];
      if (!opened[static_cast<std::size_t>(index)]) {
        // The record exists from its first event (normally `open`), in the state it is born
        // in: CLOSED, or LISTEN for a listener's connection.
        opened[static_cast<std::size_t>(index)] = true;
        lane.open = event.time;
        const auto& states = result_.connections[lane.record].states;
        lane.spans.push_back({event.time, states.empty() ? tcp::State::closed : states.front()});
      }
      if (event.kind == TraceKind::open && lane.open_step == npos) lane.open_step = step;
      if (event.kind == TraceKind::state) lane.spans.push_back({event.time, event.to});
      if (event.kind == TraceKind::free) {
        lane.free_step = step;
        lane.end = event.time;
      }
    }
    // Lanes: a connection takes the innermost lane free when it opens (a freed one's lane is
    // taken again), so a host with one connection at a time has one lifeline.
    for (int host = 0; host < 2; ++host) {
      std::vector<Time> lane_free_at;
      for (Lane& lane : lanes_) {
        if (lane.host != host || lane.spans.empty()) continue;
        std::size_t chosen = lane_free_at.size();
        for (std::size_t k = 0; k < lane_free_at.size(); ++k) {
          if (lane_free_at[k] <= lane.open) {
            chosen = k;
            break;
          }
        }
        if (chosen == lane_free_at.size()) lane_free_at.push_back(0);
        // A lane whose connection was freed at the same moment is reused only strictly later,
        // so two lifelines never touch.
        lane_free_at[chosen] = lane.free_step == npos ? std::numeric_limits<Time>::max()
                                                      : lane.end + 1;
        lane.lane = static_cast<int>(chosen);
      }
      lane_count_[static_cast<std::size_t>(host)] =
          std::max<int>(1, static_cast<int>(lane_free_at.size()));
      connections_on_host_[static_cast<std::size_t>(host)] = 0;
      for (const Lane& lane : lanes_) {
        if (lane.host == host && !lane.spans.empty()) ++connections_on_host_[static_cast<std::size_t>(host)];
      }
    }
    // Colours: the two ends of one connection (mirrored sockets, alive at the same time) share
    // one; every other connection gets the next, and the listeners, which send nothing of their
    // own, the ones after those.
    int next_colour = 0;
    for (std::size_t index = 0; index < lanes_.size(); ++index) {
      Lane& lane = lanes_[index];
      if (result_.connections[lane.record].listener) continue;
      const auto& tuple = result_.connections[lane.record].tuple;
      for (std::size_t other = 0; other < index; ++other) {
        Lane& candidate = lanes_[other];
        if (candidate.host == lane.host || candidate.peer >= 0) continue;
        const auto& other_tuple = result_.connections[candidate.record].tuple;
        if (!(other_tuple.local == tuple.remote && other_tuple.remote == tuple.local)) continue;
        if (candidate.end < lane.open || lane.end < candidate.open) continue;
        lane.peer = static_cast<int>(other);
        candidate.peer = static_cast<int>(index);
        lane.colour = candidate.colour;
        break;
      }
      if (lane.peer < 0) lane.colour = next_colour++;
    }
    for (Lane& lane : lanes_) {
      if (result_.connections[lane.record].listener) lane.colour = next_colour++;
    }
  }

  int lane_for(int host, tcp::ConnectionId id) const {
    if (host < 0 || host > 1 || id == tcp::no_connection) return -1;
    const auto& by_id = lane_by_id_[static_cast<std::size_t>(host)];
    return id < by_id.size() ? by_id[id] : -1;
  }

  // The connection an arriving segment is for: the receiving host's connection with these
  // sockets alive at that moment (the newest, when one was just created for it), else the
  // listener on its port, which takes what no connection owns (RFC 9293 3.10.7.2).
  int lane_for_arrival(int host, const TraceSegment& segment, Time time) const {
    int found = -1;
    int listener = -1;
    for (std::size_t index = 0; index < lanes_.size(); ++index) {
      const Lane& lane = lanes_[index];
      if (lane.host != host || lane.spans.empty()) continue;
      if (lane.open > time || lane.end < time) continue;
      const auto& record = result_.connections[lane.record];
      const auto& tuple = record.tuple;
      if (tuple.local.address != segment.destination ||
          tuple.local.port != segment.destination_port) {
        continue;
      }
      if (record.listener) {
        listener = static_cast<int>(index);
        continue;
      }
      if (tuple.remote.address != segment.source || tuple.remote.port != segment.source_port) {
        continue;
      }
      found = static_cast<int>(index);
    }
    return found >= 0 ? found : listener;
  }

  std::string_view lane_colour(int lane) const {
    if (lane < 0) return no_connection_colour;
    const int colour = lanes_[static_cast<std::size_t>(lane)].colour;
    return connection_palette[static_cast<std::size_t>(colour) % std::size(connection_palette)];
  }
  std::string lane_name(int lane) const {
    if (lane < 0) return "";
    return result_.connections[lanes_[static_cast<std::size_t>(lane)].record].name;
  }
  bool host_has_several(int host) const {
    return host >= 0 && host <= 1 && connections_on_host_[static_cast<std::size_t>(host)] > 1;
  }

  // ---------------------------------------------------------------- arrows
  void collect_arrows() {
    std::map<std::pair<std::uint64_t, bool>, std::vector<std::size_t>> by_key;
    auto find = [&](const TraceSegment& segment, Time time, bool unfinished_only) -> std::size_t {
      const auto it = by_key.find({segment.id, segment.copy});
      if (it == by_key.end()) return npos;
      std::size_t fallback = npos;
      for (const std::size_t index : it->second) {
        const Arrow& arrow = arrows_[index];
        if (unfinished_only && arrow.fate != Arrow::Fate::in_flight) continue;
        if (arrow.expected == time) return index;
        if (fallback == npos) fallback = index;
      }
      return fallback;
    };
    for (std::size_t step = 0; step < trace().size(); ++step) {
      const TraceEvent& event = trace()[step];
      const TraceSegment& segment = event.segment;
      switch (event.kind) {
        case TraceKind::send: {
          Arrow arrow;
          arrow.send_step = step;
          arrow.from_host = event.host;
          arrow.from_lane = lane_for(event.host, event.connection);
          arrow.sent = event.time;
          arrow.segment = segment;
          by_key[{segment.id, false}].push_back(arrows_.size());
          arrows_.push_back(arrow);
          break;
        }
        case TraceKind::delay: {
          const std::size_t index = find(segment, -2, true);
          if (index == npos) break;
          arrows_[index].held = true;
          arrows_[index].style_step = step;
          arrows_[index].expected = event.deadline;
          arrows_[index].note = "held until " + format_seconds(event.deadline) + " s" +
                                (event.text.empty() ? "" : " (" + event.text + ")");
          break;
        }
        case TraceKind::duplicate: {
          TraceSegment original = segment;
          original.copy = false;
          const std::size_t source = find(original, -2, false);
          if (source == npos) break;
          Arrow copy = arrows_[source];
          copy.copy = true;
          copy.held = false;
          copy.segment.copy = true;
          copy.style_step = step;
          copy.expected = event.deadline;
          copy.fate = Arrow::Fate::in_flight;
          copy.end_step = npos;
          copy.note = "copy made by the network" + (event.text.empty() ? "" : " (" + event.text + ")");
          by_key[{segment.id, true}].push_back(arrows_.size());
          arrows_.push_back(copy);
          break;
        }
        case TraceKind::drop:
        case TraceKind::expire:
        case TraceKind::deliver: {
          const std::size_t index = find(segment, event.time, true);
          if (index == npos) break;
          Arrow& arrow = arrows_[index];
          arrow.end_step = step;
          arrow.arrival = event.time;
          if (event.kind == TraceKind::drop) {
            arrow.fate = Arrow::Fate::dropped;
            arrow.note = "lost" + (event.text.empty() ? "" : ": " + event.text);
          } else if (event.kind == TraceKind::expire) {
            // Only a segment the network held back outlives MSL: it looks held.
            arrow.fate = Arrow::Fate::expired;
            arrow.held = true;
            arrow.note = "expired" + (event.text.empty() ? "" : ": " + event.text);
          } else {
            arrow.fate = Arrow::Fate::delivered;
            arrow.to_lane = lane_for_arrival(event.host, segment, event.time);
          }
          break;
        }
        case TraceKind::discard: {
          if (segment.id == 0) break;
          const auto it = by_key.find({segment.id, segment.copy});
          if (it == by_key.end()) break;
          // The arrival just before it at this host.
          for (auto index = it->second.rbegin(); index != it->second.rend(); ++index) {
            Arrow& arrow = arrows_[*index];
            if (arrow.fate == Arrow::Fate::delivered && arrow.arrival == event.time &&
                arrow.discard_step == npos) {
              arrow.discard_step = step;
              break;
            }
          }
          break;
        }
        default:
          break;
      }
    }
  }

  // ---------------------------------------------------------------- timer brackets
  void collect_brackets() {
    std::map<std::tuple<int, tcp::ConnectionId, int>, std::size_t> armed;
    for (std::size_t step = 0; step < trace().size(); ++step) {
      const TraceEvent& event = trace()[step];
      if (event.kind != TraceKind::timer_set && event.kind != TraceKind::timer_cancel &&
          event.kind != TraceKind::timer_fire) {
        continue;
      }
      const auto key = std::make_tuple(event.host, event.connection, static_cast<int>(event.timer));
      const auto it = armed.find(key);
      if (it != armed.end()) {
        Bracket& bracket = brackets_[it->second];
        bracket.end_time = event.time;
        bracket.end_step = step;
        bracket.end = event.kind == TraceKind::timer_fire     ? Bracket::End::fired
                      : event.kind == TraceKind::timer_cancel ? Bracket::End::cancelled
                                                              : Bracket::End::replaced;
        armed.erase(it);
      } else if (event.kind != TraceKind::timer_set) {
        lone_timer_steps_.push_back(step);  // nothing armed that we saw: a mark alone
      }
      if (event.kind == TraceKind::timer_set) {
        Bracket bracket;
        bracket.host = event.host;
        bracket.lane = lane_for(event.host, event.connection);
        bracket.kind = event.timer;
        bracket.set = event.time;
        bracket.deadline = event.deadline;
        bracket.set_step = step;
        bracket.end_time = end_time_;
        armed[key] = brackets_.size();
        brackets_.push_back(bracket);
      }
    }
    if (!options_.timers) {
      // Only the timers that fire are drawn; the rest is the ladder's --no-timers.
      std::vector<Bracket> kept;
      for (const Bracket& bracket : brackets_) {
        if (bracket.end == Bracket::End::fired) kept.push_back(bracket);
      }
      brackets_ = std::move(kept);
      lone_timer_steps_.clear();
    }
    // Columns: each bracket takes the innermost column free at its start (a restarted timer
    // continues in the same column).
    for (int host = 0; host < 2; ++host) {
      std::vector<Time> busy_until;
      for (Bracket& bracket : brackets_) {
        if (bracket.host != host) continue;
        std::size_t chosen = busy_until.size();
        for (std::size_t k = 0; k < busy_until.size(); ++k) {
          if (busy_until[k] <= bracket.set) {
            chosen = k;
            break;
          }
        }
        if (chosen == busy_until.size()) busy_until.push_back(0);
        busy_until[chosen] = bracket.end_time;
        bracket.column = static_cast<int>(chosen);
      }
      timer_columns_[static_cast<std::size_t>(host)] = static_cast<int>(busy_until.size());
    }
  }

  // ---------------------------------------------------------------- notes beside lifelines
  void add_note(std::size_t step, int host, std::string text, std::string css_class,
                std::string_view colour, std::string title) {
    if (host < 0 || host > 1) return;
    const TraceEvent& event = trace()[step];
    Note note;
    note.step = step;
    note.css_class = std::move(css_class);
    note.colour = colour;
    note.title = std::move(title);
    const int lane = lane_for(host, event.connection);
    if (lane >= 0 && host_has_several(host)) {
      note.prefix = lane_name(lane) + " ";
      note.prefix_colour = lane_colour(lane);
    }
    note.rows = wrap_words(text, wrap_chars, utf8_length(note.prefix));
    notes_[event_instant_[step]][static_cast<std::size_t>(side_of(host))].push_back(note);
  }

  void collect_notes() {
    notes_.assign(instants_.size(), {});
    for (std::size_t step = 0; step < trace().size(); ++step) {
      const TraceEvent& event = trace()[step];
      const int host = event.host;
      switch (event.kind) {
        case TraceKind::action:
          add_note(step, host, "\u25b8 " + event.text, "act", "", "application call");
          break;
        case TraceKind::action_failed:
          add_note(step, host, "! " + event.text, "fail", "", "the call failed");
          break;
        case TraceKind::state:
          add_note(step, host, std::string(tcp::state_name(event.to)), "state",
                   state_text_colour(event.to),
                   std::string(tcp::state_name(event.from)) + " \u2192 " +
                       std::string(tcp::state_name(event.to)) + ": " + event.text);
          break;
        case TraceKind::app: {
          std::string text = "app: " + std::string(tcp::app_event_name(event.app_event));
          if (event.app_event == tcp::AppEventKind::data) {
            text += " " + std::to_string(event.data.size()) + " bytes " + printable(event.data, 16);
          }
          if (event.app_event == tcp::AppEventKind::connect_failed) {
            // No connection exists to draw it on: the note names the connect and says why.
            if (!event.socket.empty()) text = event.socket + " " + text;
            text += ": " + event.text;
            add_note(step, host, text, "fail", "", event.text);
            break;
          }
          add_note(step, host, text, "app", "", event.text);
          break;
        }
        case TraceKind::timer_fire:
          add_note(step, host, std::string(timer_short_name(event.timer)) + " timer fires", "timer",
                   timer_colour(event.timer),
                   std::string(tcp::timer_name(event.timer)) + " timer fires");
          break;
        case TraceKind::discard: {
          std::string text = "\u2298 discards ";
          text += event.segment.id != 0 ? "#" + std::to_string(event.segment.id) +
                                              (event.segment.copy ? "'" : "")
                                        : tcp::flags_to_string(event.segment.flags);
          if (!event.text.empty()) text += ": " + event.text;
          add_note(step, host, text, "discard", "", segment_label(event.segment, absolute_));
          break;
        }
        case TraceKind::free:
          if (!event.text.empty()) {
            add_note(step, host, "record deleted: " + event.text, "act", "", "connection record deleted");
          }
          break;
        case TraceKind::send:
        case TraceKind::deliver:
        case TraceKind::drop:
        case TraceKind::expire:
        case TraceKind::delay:
        case TraceKind::duplicate:
        case TraceKind::timer_set:
        case TraceKind::timer_cancel:
        case TraceKind::open:
          break;  // drawn as arrows, brackets and lifeline marks
      }
    }
  }

  // ---------------------------------------------------------------- horizontal layout
  void layout_x() {
    int widest[2] = {0, 0};
    for (const auto& sides : notes_) {
      for (int side = 0; side < 2; ++side) {
        for (const Note& note : sides[static_cast<std::size_t>(side)]) {
          for (std::size_t row = 0; row < note.rows.size(); ++row) {
            const std::size_t extra = row == 0 ? utf8_length(note.prefix) : 0;
            widest[side] = std::max(widest[side], text_width(utf8_length(note.rows[row]) + extra));
          }
        }
      }
    }
    int widest_label = 0;
    for (const Arrow& arrow : arrows_) {
      widest_label = std::max(widest_label, text_width(segment_label(arrow.segment, absolute_)));
      widest_label = std::max(widest_label, text_width(arrow.note) * 3 / 4);
    }
    // Room for the host headers too.
    for (int host = 0; host < host_count(); ++host) {
      widest[host] = std::max(widest[host], 120);
    }
    text_width_[0] = widest[0];
    text_width_[1] = widest[1];
    const int middle = std::max(min_middle_width, widest_label + 160);

    int cursor = gutter + text_width_[0];
    left_text_right_ = cursor;
    cursor += 10;
    // timer_x_[side][c]: column c, c = 0 innermost.
    timer_x_[0].assign(static_cast<std::size_t>(timer_columns_[0]), 0);
    for (int column = 0; column < timer_columns_[0]; ++column) {
      timer_x_[0][static_cast<std::size_t>(column)] =
          cursor + 4 + (timer_columns_[0] - 1 - column) * timer_spacing;
    }
    if (timer_columns_[0] > 0) cursor += timer_columns_[0] * timer_spacing + 6;
    lane_x_[0].assign(static_cast<std::size_t>(lane_count_[0]), 0);
    for (int lane = 0; lane < lane_count_[0]; ++lane) {
      lane_x_[0][static_cast<std::size_t>(lane)] =
          cursor + lane_half_width + (lane_count_[0] - 1 - lane) * lane_spacing;
    }
    host_x_[0] = lane_x_[0][0];
    host_x_[1] = host_x_[0] + middle;
    cursor = host_x_[1];
    lane_x_[1].assign(static_cast<std::size_t>(lane_count_[1]), 0);
    for (int lane = 0; lane < lane_count_[1]; ++lane) {
      lane_x_[1][static_cast<std::size_t>(lane)] = cursor + lane * lane_spacing;
    }
    cursor += (lane_count_[1] - 1) * lane_spacing + lane_half_width + 6;
    timer_x_[1].assign(static_cast<std::size_t>(timer_columns_[1]), 0);
    for (int column = 0; column < timer_columns_[1]; ++column) {
      timer_x_[1][static_cast<std::size_t>(column)] = cursor + 4 + column * timer_spacing;
    }
    if (timer_columns_[1] > 0) cursor += timer_columns_[1] * timer_spacing + 6;
    right_text_left_ = cursor + 10;
    width_ = right_text_left_ + text_width_[1] + margin;
  }

  int lane_x(int host, int lane_index) const {
    const auto side = static_cast<std::size_t>(side_of(host));
    if (lane_index < 0) return host_x_[side];
    const int lane = lanes_[static_cast<std::size_t>(lane_index)].lane;
    return lane_x_[side][static_cast<std::size_t>(lane)];
  }

  // ---------------------------------------------------------------- vertical layout
  // Rows each instant's text needs below its line.
  void layout_y() {
    const std::size_t count = instants_.size();
    std::vector<int> need(count, line_height);
    for (std::size_t i = 0; i < count; ++i) {
      for (const auto& side : notes_[i]) {
        int rows = 0;
        for (const Note& note : side) rows += static_cast<int>(note.rows.size());
        need[i] = std::max(need[i], rows * line_height + 6);
      }
    }
    for (const Arrow& arrow : arrows_) {
      if (arrow.fate == Arrow::Fate::dropped) {
        const std::size_t i = instant_of(arrow.sent);
        need[i] = std::max(need[i], drop_height + line_height);
      }
    }
    need_ = need;

    // The reference one-way delay: the shortest trip of a segment the link did not hold back.
    Time reference = 0;
    for (const Arrow& arrow : arrows_) {
      if (arrow.fate != Arrow::Fate::delivered || arrow.held || arrow.copy) continue;
      const Time trip = arrow.arrival - arrow.sent;
      if (trip > 0 && (reference == 0 || trip < reference)) reference = trip;
    }
    if (reference == 0) {
      for (const auto& direction : scenario_.link.directions) {
        if (direction.delay > 0 && (reference == 0 || direction.delay < reference)) {
          reference = direction.delay;
        }
      }
    }
    if (reference == 0) reference = tcpsim::millisecond;
    reference_delay_ = reference;

    // Arrows that end at each instant, for the minimum arrow height.
    std::vector<std::vector<std::size_t>> arriving(count);
    for (const Arrow& arrow : arrows_) {
      if (arrow.fate == Arrow::Fate::delivered || arrow.fate == Arrow::Fate::expired) {
        const std::size_t from = instant_of(arrow.sent);
        const std::size_t to = instant_of(arrow.arrival);
        if (to > from) arriving[to].push_back(from);
      }
    }

    y_.assign(count, 0);
    y_[0] = diagram_top_;
    for (std::size_t i = 1; i < count; ++i) {
      const Time gap = instants_[i] - instants_[i - 1];
      // Linear height, without overflow for any gap.
      const Time units = gap / reference;
      std::int64_t linear =
          units > 1'000'000 ? std::int64_t{1} << 40
                            : units * unit_height +
                                  (gap % reference) / std::max<Time>(1, reference / unit_height);
      std::int64_t height = std::max<std::int64_t>(linear, need[i - 1]);
      if (linear > break_threshold && linear > need[i - 1] + break_height) {
        height = need[i - 1] + break_height;
        breaks_.push_back({i - 1, gap});
      }
      int y = y_[i - 1] + static_cast<int>(height);
      // Arrows with the same ends (crossing segments, a segment and its copy) share the room:
      // each one more makes them taller, so their labels can sit at different heights.
      for (const std::size_t from : arriving[i]) {
        const auto same = std::count(arriving[i].begin(), arriving[i].end(), from);
        y = std::max(y, y_[from] + min_arrow_height + static_cast<int>(same - 1) * 28);
      }
      y_[i] = y;
    }
    diagram_bottom_ = y_.back() + need.back();
    // The run's end: below the text of the last moment, or on it when nothing happens then.
    const bool end_is_empty = trace().empty() || trace().back().time < instants_.back();
    end_y_ = end_is_empty ? y_.back() : diagram_bottom_;
  }

  // The row of a moment. What is still alive when the run ends reaches end_y_ instead.
  int y_at(Time time) const { return y_[instant_of(time)]; }

  // ---------------------------------------------------------------- drawing
  std::string draw() {
    std::string body;
    // Header: title, description, what the numbers mean.
    int y = margin + 22;
    header_ += text_element(margin, y, "title", "", scenario_.name);
    y += 10;
    const std::size_t description_chars =
        static_cast<std::size_t>(std::max(40, (width_ - 2 * margin) / description_char_width));
    for (const std::string& row : wrap_words(scenario_.description, description_chars, 0)) {
      y += 18;
      header_ += text_element(margin, y, "desc", "", row);
    }
    y += 22;
    std::string subtitle = "seed " + std::to_string(result_.seed) + " \u00b7 " +
                           (absolute_ ? "seq/ack: absolute sequence numbers"
                                      : "seq/ack: relative to each side's ISN") +
                           " \u00b7 time in seconds, runs down";
    header_ += text_element(margin, y, "sub", "", subtitle);
    y += 34;
    for (int host = 0; host < host_count(); ++host) {
      const runner::HostSpec& spec = scenario_.hosts[static_cast<std::size_t>(host)];
      const int x = host_x_[static_cast<std::size_t>(host)];
      header_ += text_element(x, y, "host", "middle", spec.name);
      std::string detail = tcp::address_to_string(spec.address);
      if (spec.tcp.handshake == tcp::Handshake::two_way) detail += " \u00b7 two-way handshake";
      if (spec.tcp.time_wait == 0) detail += " \u00b7 no TIME_WAIT";
      if (spec.profile != "rfc9293") detail += " \u00b7 profile " + spec.profile;
      header_ += text_element(x, y + 16, "addr", "middle", detail);
    }
    header_ += text_element(gutter - 12, y + 16, "addr", "end", "time (s)");
    diagram_top_ = y + 44;
    // The vertical layout depends on the header height: shift it now.
    const int shift = diagram_top_ - y_[0];
    for (int& value : y_) value += shift;
    diagram_bottom_ += shift;
    end_y_ += shift;

    draw_grid(body);
    draw_lanes(body);
    draw_brackets(body);
    draw_breaks(body);
    draw_arrows(body);
    draw_notes(body);
    draw_times(body);
    const int legend_bottom = draw_legend(body, std::max(diagram_bottom_, end_y_ + 16) + 28);
    height_ = legend_bottom + margin;

    std::string out;
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width_) + "\" height=\"" +
           num(height_) + "\" viewBox=\"0 0 " + num(width_) + " " + num(height_) +
           "\" role=\"img\" aria-labelledby=\"" + options_.id_prefix + "title\">\n";
    out += "<title id=\"" + options_.id_prefix + "title\">" + xml_escape(scenario_.name) +
           "</title>\n";
    out += "<desc>" + xml_escape(scenario_.description) + "</desc>\n";
    out += style();
    out += "<rect x=\"0\" y=\"0\" width=\"" + num(width_) + "\" height=\"" + num(height_) +
           "\" fill=\"#ffffff\"/>\n";
    out += header_;
    out += body;
    out += "</svg>\n";
    return out;
  }

  static std::string style() {
    return "<style>\n"
           "text{font-family:ui-monospace,'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas,"
           "monospace;font-size:12px;fill:#1f2937}\n"
           ".title{font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial,"
           "sans-serif;font-size:22px;font-weight:bold;fill:#111827}\n"
           ".desc{font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial,"
           "sans-serif;font-size:13px;fill:#374151}\n"
           ".sub{font-size:11px;fill:#6b7280}\n"
           ".host{font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial,"
           "sans-serif;font-size:17px;font-weight:bold;fill:#111827}\n"
           ".addr{font-size:11px;fill:#6b7280}\n"
           ".time{font-size:11px;fill:#6b7280}\n"
           ".gap{font-size:11px;fill:#6b7280;font-style:italic}\n"
           ".state{font-weight:bold}\n"
           ".act{fill:#111827}\n"
           ".fail{fill:#b91c1c;font-weight:bold}\n"
           ".app{fill:#4b5563;font-style:italic}\n"
           ".discard{fill:#b91c1c}\n"
           ".timer{font-weight:bold}\n"
           ".seglabel{paint-order:stroke;stroke:#ffffff;stroke-width:4px;stroke-linejoin:round}\n"
           ".note{font-size:11px;paint-order:stroke;stroke:#ffffff;stroke-width:4px;"
           "stroke-linejoin:round}\n"
           ".tlabel{font-size:10px;font-weight:bold}\n"
           ".legend{font-size:11px;fill:#374151}\n"
           ".legendhead{font-size:11px;font-weight:bold;fill:#111827}\n"
           "</style>\n";
  }

  // ' id="ev-N" data-step="N"': the id on the first element drawn for the event only.
  std::string step_attributes(std::size_t step) {
    if (step == npos || step >= trace().size()) return "";
    std::string out;
    if (has_id_.empty()) has_id_.assign(trace().size(), false);
    if (!has_id_[step]) {
      has_id_[step] = true;
      out += " id=\"" + options_.id_prefix + "ev-" + num(static_cast<long long>(step)) + "\"";
    }
    out += " data-step=\"" + num(static_cast<long long>(step)) + "\"";
    return out;
  }

  static std::string text_element(int x, int y, std::string_view css_class, std::string_view anchor,
                                  std::string_view text) {
    std::string out = "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
    if (!css_class.empty()) out += " class=\"" + std::string(css_class) + "\"";
    if (!anchor.empty()) out += " text-anchor=\"" + std::string(anchor) + "\"";
    return out + ">" + xml_escape(text) + "</text>\n";
  }

  static std::string line(int x1, int y1, int x2, int y2, std::string_view colour, int width,
                          std::string_view extra = {}) {
    std::string out = "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) +
                      "\" y2=\"" + num(y2) + "\" stroke=\"" + std::string(colour) +
                      "\" stroke-width=\"" + num(width) + "\"";
    if (!extra.empty()) out += " " + std::string(extra);
    return out + "/>\n";
  }

  void draw_grid(std::string& out) {
    out += "<g class=\"grid\">\n";
    for (std::size_t i = 0; i < instants_.size(); ++i) {
      out += line(gutter - 6, y_[i], width_ - margin, y_[i], "#f1f5f9", 1);
    }
    out += "</g>\n";
  }

  void draw_lanes(std::string& out) {
    out += "<g class=\"lifelines\">\n";
    // The hosts' own lines, under the connections' lanes.
    // A host that crashed is down (dotted red) until it reboots.
    for (int host = 0; host < host_count(); ++host) {
      const int x = host_x_[static_cast<std::size_t>(host)];
      int from = diagram_top_ - 14;
      bool down = false;
      for (const runner::Action& action : scenario_.timeline) {
        if (action.host != host) continue;
        if (action.kind != runner::ActionKind::crash && action.kind != runner::ActionKind::reboot) continue;
        const bool crash = action.kind == runner::ActionKind::crash;
        if (crash == down) continue;
        const int y = y_at(action.at);
        if (y > from) {
          out += down ? line(x, from, x, y, "#f87171", 2, "stroke-dasharray=\"2 4\"")
                      : line(x, from, x, y, "#9ca3af", 2);
        }
        from = y;
        down = crash;
      }
      if (end_y_ > from) {
        out += down ? line(x, from, x, end_y_, "#f87171", 2, "stroke-dasharray=\"2 4\"")
                    : line(x, from, x, end_y_, "#9ca3af", 2);
      }
    }
    for (std::size_t index = 0; index < lanes_.size(); ++index) {
      const Lane& lane = lanes_[index];
      if (lane.spans.empty()) continue;
      const int x = lane_x(lane.host, static_cast<int>(index));
      const std::string_view colour = lane_colour(static_cast<int>(index));
      const std::string name = lane_name(static_cast<int>(index));
      out += "<g class=\"lane\" data-connection=\"" + xml_escape(name) + "\">\n";
      for (std::size_t span = 0; span < lane.spans.size(); ++span) {
        const Time from = lane.spans[span].from;
        const Time to = span + 1 < lane.spans.size() ? lane.spans[span + 1].from : lane.end;
        const int y0 = y_at(from);
        const int y1 = span + 1 == lane.spans.size() && lane.free_step == npos ? end_y_ : y_at(to);
        if (y1 <= y0) continue;
        const tcp::State state = lane.spans[span].state;
        if (state == tcp::State::closed) {
          out += line(x, y0, x, y1, "#9ca3af", 2, "stroke-dasharray=\"4 4\"");
          continue;
        }
        out += "<rect x=\"" + num(x - lane_half_width) + "\" y=\"" + num(y0) + "\" width=\"" +
               num(2 * lane_half_width) + "\" height=\"" + num(y1 - y0) + "\" fill=\"" +
               std::string(state_fill_colour(state)) + "\" stroke=\"" + std::string(colour) +
               "\" stroke-width=\"1\"><title>" + xml_escape(name + ": " + std::string(tcp::state_name(state))) +
               "</title></rect>\n";
      }
      const int y_open = y_[instant_of(lane.open)];
      out += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y_open) + "\" r=\"4\" fill=\"" +
             std::string(colour) + "\"" + step_attributes(lane.open_step) + "><title>" +
             xml_escape(name + " created" +
                        (lane.spans.front().state == tcp::State::listen
                             ? std::string(" in LISTEN, a copy of its listener")
                             : std::string())) +
             "</title></circle>\n";
      if (lane.free_step != npos) {
        const int y_free = y_[instant_of(lane.end)];
        out += "<rect x=\"" + num(x - 8) + "\" y=\"" + num(y_free - 2) + "\" width=\"16\" height=\"4\" fill=\"" +
               std::string(colour) + "\"" + step_attributes(lane.free_step) + "><title>" +
               xml_escape(name + " deleted") + "</title></rect>\n";
      }
      out += "</g>\n";
    }
    out += "</g>\n";
  }

  void draw_brackets(std::string& out) {
    out += "<g class=\"timers\">\n";
    for (const Bracket& bracket : brackets_) {
      const auto side = static_cast<std::size_t>(side_of(bracket.host));
      const int x = timer_x_[side][static_cast<std::size_t>(bracket.column)];
      const int inward = side == 0 ? 5 : -5;  // ticks point at the lifeline
      const int y0 = y_at(bracket.set);
      const int y1 = bracket.end == Bracket::End::open ? end_y_ : y_at(bracket.end_time);
      const std::string colour(timer_colour(bracket.kind));
      const std::string name(tcp::timer_name(bracket.kind));
      const std::string who = bracket.lane >= 0 ? lane_name(bracket.lane) + ": " : std::string();
      std::string title = who + name + " timer set at " + format_seconds(bracket.set) +
                          " s for " + format_duration(bracket.deadline - bracket.set) + " (until " +
                          format_seconds(bracket.deadline) + " s)";
      switch (bracket.end) {
        case Bracket::End::fired: title += ", fires"; break;
        case Bracket::End::cancelled: title += ", cancelled at " + format_seconds(bracket.end_time) + " s"; break;
        case Bracket::End::replaced: title += ", set again at " + format_seconds(bracket.end_time) + " s"; break;
        case Bracket::End::open: title += ", still running when the run ends"; break;
      }
      out += "<g class=\"timer\"" + step_attributes(bracket.set_step) + "><title>" +
             xml_escape(title) + "</title>\n";
      out += line(x, y0, x + inward, y0, colour, 2);
      out += line(x, y0, x, y1, colour, 2,
                  bracket.end == Bracket::End::open ? "stroke-dasharray=\"2 3\"" : "");
      // Its name and duration along it, where it is long enough.
      const std::string label = std::string(timer_short_name(bracket.kind)) + " " +
                                format_duration(bracket.deadline - bracket.set);
      // In the longest stretch of the bracket that no break crosses.
      int best_from = y0;
      int best_to = y0;
      int from = y0;
      for (const BreakMark& mark : breaks_) {
        const int mid = break_middle(mark);
        if (mid - 10 <= from || mid + 10 >= y1) continue;
        if (mid - 10 - from > best_to - best_from) {
          best_from = from;
          best_to = mid - 10;
        }
        from = mid + 10;
      }
      if (y1 - from > best_to - best_from) {
        best_from = from;
        best_to = y1;
      }
      if (best_to - best_from >= text_width(label) * 5 / 6 + 12) {
        const int tx = side == 0 ? x - 3 : x + 11;
        const int ty = (best_from + best_to) / 2;
        out += "<text x=\"" + num(tx) + "\" y=\"" + num(ty) + "\" class=\"tlabel\" fill=\"" + colour +
               "\" style=\"fill:" + colour + "\" text-anchor=\"middle\" transform=\"rotate(-90 " + num(tx) + " " +
               num(ty) + ")\">" + xml_escape(label) + "</text>\n";
      } else {
        // Too short where time runs linearly (a long timer across an idle gap): the label goes
        // into the first break it crosses, beside it.
        for (const BreakMark& mark : breaks_) {
          const int mid = break_middle(mark);
          if (mid - 8 <= y0 || mid + 8 >= y1) continue;
          const int width = text_width(label) * 5 / 6;
          const Rect rect = side == 0 ? Rect{x - 6 - width, mid - 6, x - 4, mid + 6}
                                      : Rect{x + 4, mid - 6, x + 6 + width, mid + 6};
          bool clear = true;
          for (const Rect& placed : band_labels_) clear = clear && !placed.overlaps(rect);
          if (!clear) break;
          band_labels_.push_back(rect);
          band_text_ += "<text x=\"" + num(side == 0 ? x - 6 : x + 6) + "\" y=\"" + num(mid + 4) +
                        "\" class=\"tlabel\" style=\"fill:" + colour + "\" text-anchor=\"" +
                        (side == 0 ? "end" : "start") + "\"" + step_attributes(bracket.set_step) + ">" +
                        xml_escape(label) + "</text>\n";
          break;
        }
      }
      out += "</g>\n";
      switch (bracket.end) {
        case Bracket::End::fired:
          out += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y1) + "\" r=\"4\" fill=\"" + colour +
                 "\"" + step_attributes(bracket.end_step) + "><title>" + xml_escape(who + name) +
                 " timer fires</title></circle>\n";
          break;
        case Bracket::End::cancelled:
          out += "<line x1=\"" + num(x) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x + inward) +
                 "\" y2=\"" + num(y1) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
                 step_attributes(bracket.end_step) + "><title>" + xml_escape(who + name) +
                 " timer cancelled</title></line>\n";
          break;
        case Bracket::End::replaced:
          // The new bracket starts here; the end belongs to the new timer_set's step.
          break;
        case Bracket::End::open:
          out += "<polygon points=\"" + num(x - 4) + "," + num(y1 - 6) + " " + num(x + 4) + "," +
                 num(y1 - 6) + " " + num(x) + "," + num(y1) + "\" fill=\"" + colour + "\"/>\n";
          break;
      }
    }
    for (const std::size_t step : lone_timer_steps_) {
      const TraceEvent& event = trace()[step];
      const auto side = static_cast<std::size_t>(side_of(event.host));
      const int x = timer_x_[side].empty() ? host_x_[side] + (side == 0 ? -12 : 12)
                                           : timer_x_[side][0];
      const int y = y_[event_instant_[step]];
      out += line(x - 3, y, x + 3, y, std::string(timer_colour(event.timer)), 2,
                  step_attributes(step).substr(1));
    }
    out += "</g>\n";
  }

  // The middle of a break's band, in the gap below the text of the instant before it.
  int break_middle(const BreakMark& mark) const {
    const int top = y_[mark.after] + need_[mark.after];
    return (top + y_[mark.after + 1]) / 2;
  }

  void draw_breaks(std::string& out) {
    out += "<g class=\"breaks\">\n";
    for (const BreakMark& mark : breaks_) {
      const int mid = break_middle(mark);
      const int left = gutter - 4;
      const int right = width_ - margin;
      out += "<rect x=\"" + num(left) + "\" y=\"" + num(mid - 8) + "\" width=\"" + num(right - left) +
             "\" height=\"16\" fill=\"#ffffff\"/>\n";
      for (const int edge : {mid - 8, mid + 8}) {
        std::string points;
        int k = 0;
        for (int x = left; x <= right; x += 8, ++k) {
          if (!points.empty()) points += ' ';
          points += num(x) + "," + num(edge + (k % 2 == 0 ? -2 : 2));
        }
        out += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"#9ca3af\" stroke-width=\"1\"/>\n";
      }
      out += "<text x=\"" + num(gutter - 12) + "\" y=\"" + num(mid + 4) +
             "\" class=\"gap\" text-anchor=\"end\">+" + xml_escape(format_duration(mark.idle)) +
             "</text>\n";
    }
    out += band_text_;
    out += "</g>\n";
  }

  // The arrowhead at (x2, y2) for a line from (x1, y1): a triangle, integer corners.
  static std::string head(int x1, int y1, int x2, int y2, std::string_view colour,
                          const std::string& attributes) {
    const std::int64_t dx = x2 - x1;
    const std::int64_t dy = y2 - y1;
    const std::int64_t length = std::max<std::int64_t>(1, isqrt(dx * dx + dy * dy));
    const int bx = x2 - scale_round(dx, head_length, length);
    const int by = y2 - scale_round(dy, head_length, length);
    const int px = scale_round(-dy, head_half_width, length);
    const int py = scale_round(dx, head_half_width, length);
    return "<polygon points=\"" + num(x2) + "," + num(y2) + " " + num(bx + px) + "," + num(by + py) +
           " " + num(bx - px) + "," + num(by - py) + "\" fill=\"" + std::string(colour) + "\"" +
           attributes + "/>\n";
  }

  // Places a label of `rows` rows on the segment (x1,y1)-(x2,y2), at the first position along it
  // where it overlaps no label placed before; returns its centre.
  // A long arrow (held by the network) crosses busy stretches: its label goes near its start.
  std::pair<int, int> place_label(int x1, int y1, int x2, int y2, int width, int rows, bool early) {
    static constexpr int middle_first[] = {50, 38, 62, 28, 72, 20, 80, 12, 88};
    static constexpr int start_first[] = {20, 28, 12, 38, 50, 62, 72, 80, 88};
    const auto& fractions = early ? start_first : middle_first;
    const int height = rows * 14;
    const int min_x = host_x_[0] + 10 + width / 2;
    const int max_x = host_x_[1] - 10 - width / 2;
    std::optional<std::pair<int, int>> first;
    for (const int fraction : fractions) {
      int x = x1 + scale_round(x2 - x1, fraction, 100);
      const int y = y1 + scale_round(y2 - y1, fraction, 100);
      if (min_x <= max_x) x = std::clamp(x, min_x, max_x);
      const Rect rect{x - width / 2 - 6, y - height / 2 - 3, x + width / 2 + 6, y + height / 2 + 3};
      if (!first) first = std::make_pair(x, y);
      bool clear = true;
      for (const Rect& placed : placed_) {
        if (placed.overlaps(rect)) {
          clear = false;
          break;
        }
      }
      if (clear) {
        placed_.push_back(rect);
        return {x, y};
      }
    }
    const auto [x, y] = *first;
    placed_.push_back({x - width / 2 - 6, y - height / 2 - 3, x + width / 2 + 6, y + height / 2 + 3});
    return *first;
  }

  void draw_arrows(std::string& out) {
    std::string lines;
    std::string labels;
    // Reserve the breaks' bands and the texts beside drops first, so labels keep clear of them.
    for (const BreakMark& mark : breaks_) {
      const int mid = break_middle(mark);
      placed_.push_back({gutter, mid - 10, width_, mid + 10});
    }
    for (const Arrow& arrow : arrows_) {
      const int side = side_of(arrow.from_host);
      const int x1 = lane_x(arrow.from_host, arrow.from_lane);
      const int y1 = y_[instant_of(arrow.sent)];
      const int target = host_x_[static_cast<std::size_t>(1 - side)];
      if (arrow.fate == Arrow::Fate::dropped || arrow.fate == Arrow::Fate::expired) {
        const int xm = x1 + scale_round(target - x1, 45, 100);
        const int ym = arrow.fate == Arrow::Fate::dropped ? y1 + drop_height
                                                          : y_[instant_of(arrow.arrival)];
        const int width = text_width(arrow.note) * 11 / 12;
        const int tx = side == 0 ? xm + 10 : xm - 10;
        const Rect rect = side == 0 ? Rect{tx - 2, ym - 10, tx + width + 2, ym + 6}
                                    : Rect{tx - width - 2, ym - 10, tx + 2, ym + 6};
        placed_.push_back(rect);
      }
    }
    for (const Arrow& arrow : arrows_) {
      const int side = side_of(arrow.from_host);
      const int x1 = lane_x(arrow.from_host, arrow.from_lane);
      const int y1 = y_[instant_of(arrow.sent)];
      std::string_view colour = lane_colour(arrow.from_lane);
      if (arrow.held) colour = held_colour;
      std::string dash;
      if (arrow.copy) dash = "stroke-dasharray=\"9 5\"";
      if (arrow.held) dash = arrow.copy ? "stroke-dasharray=\"9 3 2 3\"" : "stroke-dasharray=\"3 4\"";
      const std::size_t group_step = arrow.copy ? arrow.style_step : arrow.send_step;
      const std::string label = segment_label(arrow.segment, absolute_);
      std::string title = label + ", sent at " + format_seconds(arrow.sent) + " s";
      int x2 = 0;
      int y2 = 0;
      const int to_side = 1 - side;
      switch (arrow.fate) {
        case Arrow::Fate::delivered: {
          const int lane_center = lane_x(arrow.from_host == 0 ? 1 : 0, arrow.to_lane);
          x2 = lane_center + (to_side == 1 ? -lane_half_width : lane_half_width);
          y2 = y_[instant_of(arrow.arrival)];
          title += ", arrives at " + format_seconds(arrow.arrival) + " s";
          break;
        }
        case Arrow::Fate::dropped:
        case Arrow::Fate::expired: {
          const int target = host_x_[static_cast<std::size_t>(to_side)];
          x2 = x1 + scale_round(target - x1, 45, 100);
          y2 = arrow.fate == Arrow::Fate::dropped ? y1 + drop_height : y_[instant_of(arrow.arrival)];
          title += arrow.fate == Arrow::Fate::dropped ? ", lost" : ", expired at " + format_seconds(arrow.arrival) + " s";
          break;
        }
        case Arrow::Fate::in_flight: {
          const int target = host_x_[static_cast<std::size_t>(to_side)];
          x2 = x1 + scale_round(target - x1, 50, 100);
          y2 = end_y_;
          title += ", still in the network when the run ends";
          break;
        }
      }
      if (!arrow.note.empty()) title += "; " + arrow.note;
      std::string css = "seg";
      if (arrow.copy) css += " copy";
      if (arrow.held) css += " held";
      if (arrow.fate == Arrow::Fate::dropped || arrow.fate == Arrow::Fate::expired) css += " lost";
      lines += "<g class=\"" + css + "\"" + step_attributes(group_step) + "><title>" +
               xml_escape(title) + "</title>\n";
      if (arrow.fate == Arrow::Fate::delivered) {
        // The line stops at the arrowhead's base, so the tip stays sharp.
        const std::int64_t dx = x2 - x1;
        const std::int64_t dy = y2 - y1;
        const std::int64_t length = std::max<std::int64_t>(1, isqrt(dx * dx + dy * dy));
        const int lx = x2 - scale_round(dx, head_length - 2, length);
        const int ly = y2 - scale_round(dy, head_length - 2, length);
        lines += line(x1, y1, lx, ly, colour, 2, dash);
        lines += head(x1, y1, x2, y2, colour, step_attributes(arrow.end_step));
        if (arrow.discard_step != npos) {
          const int cx = x2 + (to_side == 1 ? -9 : 9);
          lines += "<g class=\"discarded\"" + step_attributes(arrow.discard_step) +
                   "><title>discarded by the receiving TCP: " +
                   xml_escape(trace()[arrow.discard_step].text) + "</title><circle cx=\"" +
                   num(cx) + "\" cy=\"" + num(y2) + "\" r=\"6\" fill=\"#ffffff\" stroke=\"" +
                   std::string(loss_colour) + "\" stroke-width=\"2\"/>" +
                   line(cx - 4, y2 + 4, cx + 4, y2 - 4, loss_colour, 2) + "</g>\n";
        }
      } else {
        lines += line(x1, y1, x2, y2, colour, 2, arrow.fate == Arrow::Fate::in_flight ? "stroke-dasharray=\"2 3\"" : dash);
        if (arrow.fate != Arrow::Fate::in_flight) {
          lines += "<g class=\"cross\"" + step_attributes(arrow.end_step) + "><title>" +
                   xml_escape(arrow.note) + "</title>" +
                   line(x2 - 6, y2 - 6, x2 + 6, y2 + 6, loss_colour, 3) +
                   line(x2 - 6, y2 + 6, x2 + 6, y2 - 6, loss_colour, 3) + "</g>\n";
          const int tx = side == 0 ? x2 + 10 : x2 - 10;
          labels += "<text x=\"" + num(tx) + "\" y=\"" + num(y2 + 4) + "\" class=\"note\" text-anchor=\"" +
                    (side == 0 ? "start" : "end") + "\" style=\"fill:" + std::string(loss_colour) + "\"" +
                    step_attributes(arrow.end_step) + ">" + xml_escape(arrow.note) + "</text>\n";
        }
      }
      lines += "</g>\n";

      // The label, along the arrow, with the link's note (held, copy) under it.
      // (An expired segment's note is beside its cross already.)
      const bool expired = arrow.fate == Arrow::Fate::expired;
      const bool note_under =
          (arrow.held && !expired) || arrow.copy || arrow.fate == Arrow::Fate::in_flight;
      std::string second;
      if ((arrow.held && !expired) || arrow.copy) second = arrow.note;
      if (arrow.fate == Arrow::Fate::in_flight) second = "still in the network at the end";
      const int width = std::max(text_width(label), note_under ? text_width(second) * 11 / 12 : 0);
      const auto [cx, cy] = place_label(x1, y1, x2, y2, width, note_under ? 2 : 1,
                                         arrow.held && y2 - y1 > 3 * min_arrow_height);
      const int baseline = note_under ? cy - 2 : cy + 4;
      // An opaque box under the label: the arrow passes behind it, never through the letters.
      const int box_height = note_under ? 30 : 16;
      labels += "<rect x=\"" + num(cx - width / 2 - 4) + "\" y=\"" + num(cy - box_height / 2) +
                "\" width=\"" + num(width + 8) + "\" height=\"" + num(box_height) +
                "\" rx=\"3\" fill=\"#ffffff\"/>\n";
      labels += "<text x=\"" + num(cx) + "\" y=\"" + num(baseline) +
                "\" class=\"seglabel\" text-anchor=\"middle\" style=\"fill:" + std::string(colour) +
                "\"" + step_attributes(group_step) + ">" + xml_escape(label) + "</text>\n";
      if (note_under) {
        labels += "<text x=\"" + num(cx) + "\" y=\"" + num(baseline + 13) +
                  "\" class=\"note\" text-anchor=\"middle\" style=\"fill:" + std::string(colour) + "\"" +
                  step_attributes(arrow.copy ? arrow.style_step : arrow.style_step) + ">" +
                  xml_escape(second) + "</text>\n";
      }
    }
    out += "<g class=\"segments\">\n" + lines + labels + "</g>\n";
  }

  void draw_notes(std::string& out) {
    out += "<g class=\"notes\">\n";
    for (std::size_t i = 0; i < instants_.size(); ++i) {
      for (int side = 0; side < 2; ++side) {
        int row = 0;
        const bool left = side == 0;
        const int x = left ? left_text_right_ : right_text_left_;
        for (const Note& note : notes_[i][static_cast<std::size_t>(side)]) {
          const int baseline = y_[i] + 4 + row * line_height;
          out += "<text x=\"" + num(x) + "\" y=\"" + num(baseline) + "\" class=\"" + note.css_class +
                 "\" text-anchor=\"" + (left ? "end" : "start") + "\"";
          if (!note.colour.empty()) out += " style=\"fill:" + std::string(note.colour) + "\"";
          out += step_attributes(note.step) + ">";
          if (!note.title.empty()) out += "<title>" + xml_escape(note.title) + "</title>";
          for (std::size_t r = 0; r < note.rows.size(); ++r) {
            if (r == 0) {
              if (!note.prefix.empty()) {
                out += "<tspan style=\"fill:" + std::string(note.prefix_colour) + "\">" +
                       xml_escape(note.prefix) + "</tspan>";
              }
              out += xml_escape(note.rows[r]);
            } else {
              out += "<tspan x=\"" + num(x) + "\" dy=\"" + num(line_height) + "\">" +
                     xml_escape(note.rows[r]) + "</tspan>";
            }
          }
          out += "</text>\n";
          row += static_cast<int>(note.rows.size());
        }
      }
    }
    out += "</g>\n";
  }

  void draw_times(std::string& out) {
    out += "<g class=\"times\">\n";
    for (std::size_t i = 0; i < instants_.size(); ++i) {
      out += text_element(gutter - 12, y_[i] + 4, "time", "end", format_seconds(instants_[i]));
    }
    const int y_end = end_y_;
    out += line(gutter - 6, y_end, width_ - margin, y_end, "#9ca3af", 1, "stroke-dasharray=\"6 4\"");
    out += text_element((host_x_[0] + host_x_[1]) / 2, y_end + 16, "gap", "middle", "end of run");
    out += "</g>\n";
  }

  // ---------------------------------------------------------------- legend
  struct LegendItem {
    std::string sample;  // drawn at (0,0) to (28, 0), translated
    std::string text;
  };

  int draw_legend(std::string& out, int top) {
    std::vector<LegendItem> marks;
    bool any_copy = false, any_held = false, any_lost = false, any_discard = false;
    for (const Arrow& arrow : arrows_) {
      any_copy = any_copy || arrow.copy;
      any_held = any_held || arrow.held;
      any_lost = any_lost || arrow.fate == Arrow::Fate::dropped || arrow.fate == Arrow::Fate::expired;
      any_discard = any_discard || arrow.discard_step != npos;
    }
    const std::string_view base = connection_palette[0];
    marks.push_back({line(0, 0, 20, 0, base, 2) + head(0, 0, 28, 0, base, ""), "segment (#id flags seq ack len)"});
    if (any_copy) marks.push_back({line(0, 0, 20, 0, base, 2, "stroke-dasharray=\"9 5\"") + head(0, 0, 28, 0, base, ""), "copy made by the network"});
    if (any_held) marks.push_back({line(0, 0, 20, 0, held_colour, 2, "stroke-dasharray=\"3 4\"") + head(0, 0, 28, 0, held_colour, ""), "held back by the network (stale)"});
    if (any_lost) marks.push_back({line(0, 0, 16, 0, base, 2) + line(14, -5, 24, 5, loss_colour, 3) + line(14, 5, 24, -5, loss_colour, 3), "lost or expired in the network"});
    if (any_discard) marks.push_back({"<circle cx=\"14\" cy=\"0\" r=\"6\" fill=\"#ffffff\" stroke=\"" + std::string(loss_colour) + "\" stroke-width=\"2\"/>" + line(10, 4, 18, -4, loss_colour, 2), "discarded by the receiving TCP"});

    std::vector<LegendItem> timers;
    bool seen_timer[tcp::timer_kind_count] = {};
    for (const Bracket& bracket : brackets_) seen_timer[static_cast<int>(bracket.kind)] = true;
    for (int kind = 0; kind < tcp::timer_kind_count; ++kind) {
      if (!seen_timer[kind]) continue;
      const auto timer = static_cast<tcp::TimerKind>(kind);
      const std::string colour(timer_colour(timer));
      timers.push_back({line(6, -6, 6, 6, colour, 2) + line(6, -6, 11, -6, colour, 2) +
                            "<circle cx=\"6\" cy=\"6\" r=\"3\" fill=\"" + colour + "\"/>",
                        std::string(timer_short_name(timer)) + " (" + std::string(tcp::timer_name(timer)) + ")"});
    }
    if (!timers.empty()) {
      timers.push_back({"", "bracket from set to fire (dot) or cancel (tick)"});
    }

    // The states drawn with some height, one item per colour ("SYN_SENT, SYN_RCVD").
    std::vector<LegendItem> states;
    bool seen_state[tcp::state_count] = {};
    for (const Lane& lane : lanes_) {
      for (std::size_t span = 0; span < lane.spans.size(); ++span) {
        const Time to = span + 1 < lane.spans.size() ? lane.spans[span + 1].from : lane.end;
        if (y_[instant_of(to)] > y_[instant_of(lane.spans[span].from)]) {
          seen_state[static_cast<int>(lane.spans[span].state)] = true;
        }
      }
    }
    bool listed[tcp::state_count] = {};
    for (int index = 0; index < tcp::state_count; ++index) {
      if (!seen_state[index] || listed[index]) continue;
      const auto state = static_cast<tcp::State>(index);
      std::string names;
      for (int other = index; other < tcp::state_count; ++other) {
        const auto candidate = static_cast<tcp::State>(other);
        if (!seen_state[other] || state_fill_colour(candidate) != state_fill_colour(state)) continue;
        if (state == tcp::State::closed && other != index) continue;
        listed[other] = true;
        if (!names.empty()) names += ", ";
        names += std::string(tcp::state_name(candidate));
      }
      std::string sample = state == tcp::State::closed
                               ? line(4, -7, 4, 7, "#9ca3af", 2, "stroke-dasharray=\"4 4\"")
                               : "<rect x=\"0\" y=\"-7\" width=\"10\" height=\"14\" fill=\"" +
                                     std::string(state_fill_colour(state)) +
                                     "\" stroke=\"#6b7280\" stroke-width=\"1\"/>";
      states.push_back({sample, names});
    }

    for (const runner::Action& action : scenario_.timeline) {
      if (action.kind == runner::ActionKind::crash) {
        states.push_back({line(4, -7, 4, 7, "#f87171", 2, "stroke-dasharray=\"2 4\""),
                          "host down (crashed)"});
        break;
      }
    }

    std::vector<LegendItem> connections;
    if (host_has_several(0) || host_has_several(1)) {
      for (std::size_t index = 0; index < lanes_.size(); ++index) {
        const Lane& lane = lanes_[index];
        if (lane.spans.empty()) continue;
        if (lane.peer >= 0 && static_cast<std::size_t>(lane.peer) < index) continue;
        std::string text = lane_name(static_cast<int>(index)) + " (" +
                           scenario_.hosts[static_cast<std::size_t>(lane.host)].name + ")";
        if (lane.peer >= 0) {
          const Lane& peer = lanes_[static_cast<std::size_t>(lane.peer)];
          text += " \u2194 " + lane_name(lane.peer) + " (" +
                  scenario_.hosts[static_cast<std::size_t>(peer.host)].name + ")";
        } else if (result_.connections[lane.record].listener) {
          text += ", listener";
        } else {
          text += ", no peer";
        }
        const std::string colour(lane_colour(static_cast<int>(index)));
        connections.push_back({"<rect x=\"0\" y=\"-6\" width=\"22\" height=\"12\" fill=\"" + colour + "\"/>", text});
      }
    }

    int y = top;
    out += "<g class=\"legend\">\n";
    out += line(margin, y - 14, width_ - margin, y - 14, "#e5e7eb", 1);
    auto section = [&](const std::string& heading, const std::vector<LegendItem>& items) {
      if (items.empty()) return;
      y += 8;
      out += text_element(margin, y + 4, "legendhead", "", heading);
      int x = margin + 110;
      for (const LegendItem& item : items) {
        const int item_width = (item.sample.empty() ? 0 : 36) + text_width(item.text) * 11 / 12 + 24;
        if (x + item_width > width_ - margin && x > margin + 110) {
          x = margin + 110;
          y += 20;
        }
        if (!item.sample.empty()) {
          out += "<g transform=\"translate(" + num(x) + " " + num(y) + ")\">" + item.sample + "</g>\n";
        }
        out += text_element(x + (item.sample.empty() ? 0 : 36), y + 4, "legend", "", item.text);
        x += item_width;
      }
      y += 20;
    };
    section("arrows", marks);
    section("timers", timers);
    section("states", states);
    section("connections", connections);
    out += "</g>\n";
    return y;
  }

  const runner::Scenario& scenario_;
  const runner::RunResult& result_;
  const SvgOptions& options_;
  const runner::ConnectionNames names_;
  const bool absolute_;

  std::vector<Time> instants_;
  std::vector<std::size_t> event_instant_;
  Time end_time_ = 0;
  Time reference_delay_ = 0;

  std::vector<Lane> lanes_;
  std::vector<int> lane_of_record_;
  std::array<std::vector<int>, 2> lane_by_id_;
  std::array<int, 2> lane_count_ = {1, 1};
  std::array<int, 2> connections_on_host_ = {0, 0};
  std::vector<Arrow> arrows_;
  std::vector<Bracket> brackets_;
  std::vector<std::size_t> lone_timer_steps_;
  std::array<int, 2> timer_columns_ = {0, 0};
  std::vector<std::array<std::vector<Note>, 2>> notes_;

  std::array<int, 2> text_width_ = {0, 0};
  std::array<std::vector<int>, 2> lane_x_;
  std::array<std::vector<int>, 2> timer_x_;
  std::array<int, 2> host_x_ = {0, 0};
  int left_text_right_ = 0;
  int right_text_left_ = 0;
  int width_ = 0;
  int height_ = 0;

  std::vector<int> y_;
  std::vector<int> need_;
  std::vector<BreakMark> breaks_;
  int diagram_top_ = 0;
  int diagram_bottom_ = 0;
  int end_y_ = 0;

  std::string header_;
  std::vector<Rect> placed_;
  std::vector<Rect> band_labels_;  // timer labels written in breaks
  std::string band_text_;
  std::vector<bool> has_id_;
};

}  // namespace

std::vector<std::string> connection_colours(const runner::Scenario& scenario,
                                            const runner::RunResult& result) {
  const SvgOptions options;
  return SvgWriter(scenario, result, options).colours();
}

std::string render_svg(const runner::Scenario& scenario, const runner::RunResult& result,
                       const SvgOptions& options) {
  return SvgWriter(scenario, result, options).write();
}

}  // namespace tcpsim::views
