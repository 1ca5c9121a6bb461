#include "views/text.hpp"

#include "runner/visible_text.hpp"

#include <algorithm>
#include <cstdio>

#include "tcp/segment.hpp"

namespace tcpsim::views::text {

std::string seconds(Time time, Decimals decimals) {
  const bool negative = time < 0;
  // Unsigned magnitude: also correct for the most negative value.
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(time)
                                           : static_cast<std::uint64_t>(time);
  std::uint64_t fraction = magnitude % 1'000'000'000ULL;  // nanoseconds
  int digits = 9;
  switch (decimals) {
    case Decimals::six:
      fraction /= 1'000;
      digits = 6;
      break;
    case Decimals::nine:
      break;
    case Decimals::three_six_or_nine:
      if (fraction % 1'000'000 == 0) {
        fraction /= 1'000'000;
        digits = 3;
      } else if (fraction % 1'000 == 0) {
        fraction /= 1'000;
        digits = 6;
      }
      break;
    case Decimals::as_needed:
      while (digits > 0 && fraction % 10 == 0) {
        fraction /= 10;
        --digits;
      }
      break;
  }
  std::string out = (negative ? "-" : "") + std::to_string(magnitude / 1'000'000'000ULL);
  if (digits > 0) {
    // The fraction's `digits` decimal digits, zero-padded (written by hand: g++'s
    // -Wformat-truncation cannot bound a "%0*llu" width at every optimisation level).
    std::string decimals(static_cast<std::size_t>(digits), '0');
    for (std::size_t i = decimals.size(); i > 0 && fraction > 0; --i) {
      decimals[i - 1] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
    out += '.';
    out += decimals;
  }
  return out;
}

std::string duration_in_unit(Time duration) {
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
      std::string out = std::to_string(duration / unit.size);
      Time rest = duration % unit.size;
      if (rest != 0) {
        std::string decimals;
        Time step = unit.size / 10;
        while (rest != 0 && step != 0) {
          decimals += static_cast<char>('0' + rest / step);
          rest %= step;
          step /= 10;
        }
        out += "." + decimals;
      }
      return out + " " + unit.name;
    }
  }
  return "0 s";
}

std::size_t utf8_sequence(std::string_view text, std::size_t index, char32_t& code_point) {
  return runner::utf8_sequence(text, index, code_point);
}

std::string visible(std::string_view text) { return runner::visible(text); }

std::string replace_characters(std::string_view text, std::initializer_list<Replacement> table) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    const auto found = std::find_if(table.begin(), table.end(),
                                    [c](const Replacement& entry) { return entry.from == c; });
    if (found == table.end()) {
      out += c;
    } else {
      out += found->to;
    }
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  return replace_characters(visible(text), {{'&', "&amp;"},
                                            {'<', "&lt;"},
                                            {'>', "&gt;"},
                                            {'"', "&quot;"},
                                            {'\'', "&#39;"}});
}

namespace {

// Decodes one code point at `position` and advances it; malformed bytes count as one
// code point each (U+FFFD), so width and wrapping never stall on bad input.
char32_t decode(std::string_view text, std::size_t& position) {
  char32_t code = 0;
  const std::size_t length = text::utf8_sequence(text, position, code);
  position += length == 0 ? 1 : length;
  return length == 0 ? 0xFFFD : code;
}

std::size_t code_point_width(char32_t code) {
  if (code >= 0x0300 && code <= 0x036F) return 0;  // combining marks
  const bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0x303E) ||
                    (code >= 0x3041 && code <= 0x33FF) || (code >= 0x3400 && code <= 0x4DBF) ||
                    (code >= 0x4E00 && code <= 0x9FFF) || (code >= 0xA000 && code <= 0xA4CF) ||
                    (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                    (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                    (code >= 0xFFE0 && code <= 0xFFE6) || (code >= 0x20000 && code <= 0x3FFFD);
  return wide ? 2 : 1;
}

bool is_closing_punctuation(char32_t code) {
  switch (code) {
    case U'，': case U'。': case U'、': case U'：': case U'；': case U'！': case U'？':
    case U'）': case U'」': case U'』': case U'”': case U'’': case U'》':
      return true;
    default:
      return false;
  }
}

bool is_opening_punctuation(char32_t code) {
  switch (code) {
    case U'（': case U'「': case U'『': case U'“': case U'‘': case U'《':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  std::size_t position = 0;
  while (position < utf8.size()) width += code_point_width(decode(utf8, position));
  return width;
}

std::string wrap_text(std::string_view utf8, std::string_view prefix, std::size_t width) {
  // Chunks that never break inside: an ASCII word, or one wide character with the punctuation
  // that must stay beside it. `space_before` is a space that disappears at a line break.
  struct Chunk {
    std::string text;
    std::size_t width = 0;
    bool space_before = false;
  };
  std::vector<Chunk> chunks;
  bool pending_space = false;
  bool glue_next = false;  // the previous chunk ends with opening punctuation
  bool in_word = false;    // the previous chunk is an ASCII word still being read
  std::size_t position = 0;
  while (position < utf8.size()) {
    const std::size_t start = position;
    const char32_t code = decode(utf8, position);
    const std::string_view bytes = utf8.substr(start, position - start);
    if (code == U' ' || code == U'\n' || code == U'\t') {
      pending_space = true;
      in_word = false;
      continue;
    }
    const bool ascii = code < 0x80;
    const bool joins_previous =
        !chunks.empty() && !pending_space &&
        ((ascii && in_word) || glue_next || is_closing_punctuation(code));
    // "RFC 9293" stays on one line, and "3.000000 秒": a citation split after "RFC", or a unit
    // away from its number, reads badly.
    const bool after_rfc = !chunks.empty() && pending_space && ascii && code != U'(' &&
                           chunks.back().text.size() >= 3 &&
                           std::string_view(chunks.back().text).substr(
                               chunks.back().text.size() - 3) == "RFC";
    const bool unit = !chunks.empty() && pending_space && code == U'秒';
    if (after_rfc || unit) {
      chunks.back().text += ' ';
      chunks.back().width += 1;
    }
    if (joins_previous || after_rfc || unit) {
      chunks.back().text += bytes;
      chunks.back().width += code_point_width(code);
    } else {
      chunks.push_back(Chunk{std::string(bytes), code_point_width(code), pending_space});
    }
    pending_space = false;
    in_word = ascii;
    glue_next = is_opening_punctuation(code);
  }

  const std::size_t prefix_width = display_width(prefix);
  const std::size_t room = width > prefix_width + 10 ? width - prefix_width : 10;
  std::string out;
  std::string line;
  std::size_t line_width = 0;
  for (const Chunk& chunk : chunks) {
    const std::size_t gap = (line_width > 0 && chunk.space_before) ? 1 : 0;
    if (line_width > 0 && line_width + gap + chunk.width > room) {
      out += std::string(prefix) + line + "\n";
      line.clear();
      line_width = 0;
    } else if (gap > 0) {
      line += ' ';
      line_width += 1;
    }
    line += chunk.text;
    line_width += chunk.width;
  }
  if (line_width > 0 || out.empty()) out += std::string(prefix) + line + "\n";
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
      const std::size_t word_width = display_width(word);
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
        // A word longer than a whole row (or Chinese, which has no spaces): cut it at a
        // character boundary, by display width.
        std::size_t cut = 0;
        std::size_t columns = 0;
        const std::size_t limit = std::max<std::size_t>(room, 1);
        while (cut < word.size()) {
          std::size_t next = cut + 1;
          while (next < word.size() &&
                 (static_cast<unsigned char>(word[next]) & 0xC0u) == 0x80u) {
            ++next;
          }
          const std::size_t character = display_width(word.substr(cut, next - cut));
          if (columns > 0 && columns + character > limit) break;
          columns += character;
          cut = next;
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

std::string quoted_payload(const std::vector<std::uint8_t>& data, std::size_t limit) {
  std::string out = "\"";
  for (std::size_t index = 0; index < data.size() && index < limit; ++index) {
    const unsigned char c = data[index];
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(c));
      out += buffer;
    }
  }
  out += data.size() > limit ? "...\"" : "\"";
  return out;
}

std::string segment_number(const runner::TraceSegment& segment) {
  return "#" + std::to_string(segment.id) + (segment.copy ? "'" : "");
}

std::string spoofed_source(const runner::Scenario& scenario, const runner::TraceEvent& event) {
  const bool on_lane = event.host >= 0 &&
                       static_cast<std::size_t>(event.host) < scenario.hosts.size() &&
                       scenario.hosts[static_cast<std::size_t>(event.host)].address ==
                           event.segment.source;
  if (on_lane) return {};
  return tcp::address_to_string(event.segment.source) + ":" +
         std::to_string(event.segment.source_port);
}

std::string options_text(const runner::TraceSegment& segment, bool absolute_seq) {
  if (segment.window_scale < 0 && !segment.sack_permitted && !segment.has_timestamps &&
      segment.sack_block_count == 0) {
    return {};
  }
  std::vector<std::string> parts;
  if (segment.mss != 0) parts.push_back("mss " + std::to_string(segment.mss));
  if (segment.window_scale >= 0) parts.push_back("ws " + std::to_string(segment.window_scale));
  if (segment.sack_permitted) parts.push_back("sackOK");
  if (segment.has_timestamps) {
    parts.push_back("TS val " + std::to_string(segment.timestamp_value) + " ecr " +
                    std::to_string(segment.timestamp_echo));
  }
  if (segment.sack_block_count > 0) {
    // The blocks cover the data the ACK field counts: relative to the same ISN as the ACK.
    const bool relative = !absolute_seq && segment.has_relative_ack;
    const std::uint32_t base =
        relative ? static_cast<std::uint32_t>(segment.ack - segment.relative_ack) : 0U;
    const std::span<const tcp::SackBlock> used(segment.sack_blocks.data(),
                                               segment.sack_block_count);
    // A D-SACK block (RFC 2883) is named apart: it reports data received twice.
    const bool duplicate = tcp::first_sack_block_is_duplicate(segment.ack, used);
    const auto block_text = [&](const tcp::SackBlock& block) {
      return std::to_string(block.left - base) + ":" + std::to_string(block.right - base);
    };
    if (duplicate) parts.push_back("D-SACK " + block_text(used[0]));
    if (used.size() > (duplicate ? 1U : 0U)) {
      std::string blocks = "sack";
      for (std::size_t index = duplicate ? 1 : 0; index < used.size(); ++index) {
        blocks += " " + block_text(used[index]);
      }
      parts.push_back(blocks);
    }
  }
  std::string out = "<";
  for (std::size_t index = 0; index < parts.size(); ++index) {
    if (index > 0) out += ",";
    out += parts[index];
  }
  return out + ">";
}

std::string segment_length_text(const runner::TraceSegment& segment) {
  return " len=" + std::to_string(segment.length);
}

std::string segment_label(const runner::TraceSegment& segment, const SegmentLabelStyle& style) {
  std::string out = segment_number(segment) + " ";
  const std::string flags = tcp::flags_to_string(segment.flags);
  out += flags.empty() ? std::string(style.no_flags) : flags;
  const bool relative = !style.absolute_seq;
  out += " seq=" + (relative && segment.has_relative_seq ? std::to_string(segment.relative_seq)
                                                         : std::to_string(segment.seq));
  if ((segment.flags & tcp::flag::ack) != 0) {
    out += " ack=" + (relative && segment.has_relative_ack ? std::to_string(segment.relative_ack)
                                                           : std::to_string(segment.ack));
  }
  if (style.window ||
      (style.zero_window && segment.window == 0 && (segment.flags & tcp::flag::rst) == 0)) {
    out += " win=" + std::to_string(segment.window);
  }
  out += segment_length_text(segment);
  if (segment.retransmission) out += style.retransmission;
  if (segment.injected) out += style.injected;
  return out;
}

}  // namespace tcpsim::views::text
