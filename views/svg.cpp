// The SVG ladder diagram, step 3 of 3: drawing, the SVG text. The model
// (views/svg_model.hpp) says what to draw and the layout (views/svg_layout.hpp) where; this
// file writes the elements, placing segment labels where they overlap no other label and
// laying out the legend as it goes. Integer coordinates and fixed formatting only.
#include "views/svg.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "views/svg_layout.hpp"
#include "views/svg_model.hpp"

namespace tcpsim::views {

text::SegmentLabelStyle diagram_label_style(bool absolute) {
  return diagram_label_style(absolute, false, Language::english);
}

text::SegmentLabelStyle diagram_label_style(bool absolute, bool window, Language language) {
  text::SegmentLabelStyle style;
  style.absolute_seq = absolute;
  style.window = window;
  style.no_flags = term(Term::no_flags, language);
  style.retransmission = term(Term::retx_mark, language);
  style.injected = term(Term::injected_mark, language);
  return style;
}

// Families of states share a hue: opening yellow, open green, the active closer violet, the
// passive closer orange, LISTEN grey; CLOSED has no fill (its lifeline is a dashed line).
// The text colour is a darker shade of the family's hue (TIME_WAIT shares the closer's).
namespace {

struct StateColours {
  std::string_view fill;
  std::string_view text;
};

StateColours state_colours(tcp::State state) {
  switch (state) {
    case tcp::State::closed: return {"#ffffff", "#4b5563"};
    case tcp::State::listen: return {"#e5e7eb", "#374151"};
    case tcp::State::syn_sent:
    case tcp::State::syn_received: return {"#fde68a", "#92400e"};
    case tcp::State::established: return {"#86efac", "#166534"};
    case tcp::State::fin_wait_1:
    case tcp::State::fin_wait_2:
    case tcp::State::closing: return {"#ddd6fe", "#5b21b6"};
    case tcp::State::time_wait: return {"#a78bfa", "#5b21b6"};
    case tcp::State::close_wait:
    case tcp::State::last_ack: return {"#fed7aa", "#9a3412"};
  }
  return {"#e5e7eb", "#374151"};
}

}  // namespace

std::string_view state_fill_colour(tcp::State state) { return state_colours(state).fill; }
std::string_view state_text_colour(tcp::State state) { return state_colours(state).text; }

namespace svg_diagram {
namespace {

using text::xml_escape;

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
std::string format_duration(Time duration) { return text::duration_in_unit(duration); }

struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool overlaps(const Rect& other) const {
    return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1;
  }
};

// The labels placed so far, filed by the horizontal bands of `band_height` pixels they cover, so
// a new label is tested only against those near its rows: linear in the labels, where a list
// scanned whole was quadratic (an arrow label per segment). Same answers as the whole scan.
class PlacedRects {
 public:
  bool overlaps_any(const Rect& rect) const {
    for (std::size_t band = band_of(rect.y0); band <= band_of(rect.y1); ++band) {
      const auto it = bands_.find(band);
      if (it == bands_.end()) continue;
      for (const std::size_t index : it->second) {
        if (rects_[index].overlaps(rect)) return true;
      }
    }
    return false;
  }
  void add(const Rect& rect) {
    for (std::size_t band = band_of(rect.y0); band <= band_of(rect.y1); ++band)
      bands_[band].push_back(rects_.size());
    rects_.push_back(rect);
  }

 private:
  static constexpr int band_height = 64;
  // Rows above the top (negative y) share band 0: still found, only less finely filed.
  static std::size_t band_of(int y) {
    return y <= 0 ? 0 : static_cast<std::size_t>(y / band_height);
  }
  std::vector<Rect> rects_;
  std::map<std::size_t, std::vector<std::size_t>> bands_;
};

class Drawing {
 public:
  // `packed`: a layout where labels did not all fit at their usual places (pack_labels).
  Drawing(const DiagramModel& model, const DiagramLayout& layout, bool packed)
      : model_(model), layout_(layout), packed_(packed) {}

  std::string draw() {
    std::string body;
    // Header: title, description, what the numbers mean.
    header_ += text_element(margin, layout_.title_y, "title", "", model_.scenario.name);
    int row_y = layout_.description_top;
    for (const std::string& row : layout_.description_rows) {
      row_y += description_line_height;
      header_ += text_element(margin, row_y, "desc", "", row);
    }
    std::string subtitle =
        fill(Term::seed, model_.language(), {std::to_string(model_.result.seed)}) + " \u00b7 " +
        std::string(model_.word(model_.absolute ? Term::seq_absolute : Term::seq_relative_short)) +
        " \u00b7 " + std::string(model_.word(Term::time_runs_down));
    header_ += text_element(margin, layout_.subtitle_y, "sub", "", subtitle);
    const int y = layout_.hosts_y;
    for (int host = 0; host < model_.host_count(); ++host) {
      const runner::HostSpec& spec = model_.scenario.hosts[static_cast<std::size_t>(host)];
      const int x = layout_.host_x[static_cast<std::size_t>(host)];
      header_ += text_element(x, y, "host", "middle", host_display_name(spec));
      std::string detail = tcp::address_to_string(spec.address);
      for (const std::string& tag : host_tags(spec, model_.language())) {
        detail += " \u00b7 " + tag;
      }
      header_ += text_element(x, y + 16, "addr", "middle", detail);
    }
    header_ += text_element(gutter - 12, y + 16, "addr", "end",
                            model_.word(Term::time_column));

    draw_grid(body);
    draw_lanes(body);
    draw_brackets(body);
    draw_breaks(body);
    draw_arrows(body);
    draw_notes(body);
    draw_times(body);
    const int legend_bottom =
        draw_legend(body, std::max(layout_.diagram_bottom, layout_.end_y + 32) + 28);
    height_ = draw_congestion(body, legend_bottom) + margin;

    std::string out;
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(layout_.width) +
           "\" height=\"" + num(height_) + "\" viewBox=\"0 0 " + num(layout_.width) + " " +
           num(height_) + "\" role=\"img\" aria-labelledby=\"" + model_.options.id_prefix +
           "title\">\n";
    out += "<title id=\"" + model_.options.id_prefix + "title\">" +
           xml_escape(model_.scenario.name) + "</title>\n";
    out += "<desc>" +
           xml_escape(scenario_description(model_.scenario, model_.language())) + "</desc>\n";
    out += style(model_.language());
    out += "<rect x=\"0\" y=\"0\" width=\"" + num(layout_.width) + "\" height=\"" + num(height_) +
           "\" fill=\"#ffffff\"/>\n";
    out += header_;
    out += body;
    out += "</svg>\n";
    return out;
  }

  // After draw(): the instants below which a label found no room and the pixels it needed,
  // in the order found (render_svg).
  const std::vector<std::pair<std::size_t, int>>& crowded() const { return crowded_; }

 private:
  // Chinese text needs a font with its characters (generic families first, then the common
  // CJK families of Linux, macOS and Windows); English keeps its stacks as they were.
  static std::string style(Language language) {
    const std::string cjk = language == Language::chinese
                                ? "'Noto Sans Mono CJK SC','WenQuanYi Micro Hei Mono',"
                                  "'Noto Sans CJK SC','WenQuanYi Micro Hei','PingFang SC',"
                                  "'Microsoft YaHei',"
                                : "";
    return "<style>\n"
           "text{font-family:ui-monospace,'DejaVu Sans Mono','Liberation Mono',Menlo,Consolas," +
           cjk + "monospace;font-size:12px;fill:#1f2937}\n" +
           ".title{font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial," +
           cjk + "sans-serif;font-size:22px;font-weight:bold;fill:#111827}\n"
           ".desc{font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial," +
           cjk + "sans-serif;font-size:13px;fill:#374151}\n"
           ".sub{font-size:11px;fill:#6b7280}\n"
           ".host{font-family:system-ui,'DejaVu Sans','Liberation Sans',Helvetica,Arial," +
           cjk + "sans-serif;font-size:17px;font-weight:bold;fill:#111827}\n"
           ".addr{font-size:11px;fill:#6b7280}\n"
           ".time{font-size:11px;fill:#6b7280}\n"
           ".gap{font-size:11px;fill:#6b7280;font-style:italic}\n"
           ".believes{font-size:12px;font-weight:bold;fill:#111827}\n"
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
    if (step == npos || step >= model_.trace().size()) return "";
    std::string out;
    if (has_id_.empty()) has_id_.assign(model_.trace().size(), false);
    if (!has_id_[step]) {
      has_id_[step] = true;
      out += " id=\"" + model_.options.id_prefix + "ev-" + num(static_cast<long long>(step)) + "\"";
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
    for (std::size_t i = 0; i < model_.instants.size(); ++i) {
      out += line(gutter - 6, layout_.instant_y[i], layout_.width - margin, layout_.instant_y[i],
                  "#f1f5f9", 1);
    }
    out += "</g>\n";
  }

  void draw_lanes(std::string& out) {
    out += "<g class=\"lifelines\">\n";
    // The hosts' own lines, under the connections' lanes.
    // A host that crashed is down (dotted red) until it reboots.
    for (int host = 0; host < model_.host_count(); ++host) {
      const int x = layout_.host_x[static_cast<std::size_t>(host)];
      int from = layout_.diagram_top - 14;
      bool down = false;
      for (const runner::Action& action : model_.scenario.timeline) {
        if (action.host != host) continue;
        if (action.kind != runner::ActionKind::crash && action.kind != runner::ActionKind::reboot)
          continue;
        const bool crash = action.kind == runner::ActionKind::crash;
        if (crash == down) continue;
        const int y = layout_.y_at(action.at);
        if (y > from) {
          out += down ? line(x, from, x, y, "#f87171", 2, "stroke-dasharray=\"2 4\"")
                      : line(x, from, x, y, "#9ca3af", 2);
        }
        from = y;
        down = crash;
      }
      if (layout_.end_y > from) {
        out += down ? line(x, from, x, layout_.end_y, "#f87171", 2, "stroke-dasharray=\"2 4\"")
                    : line(x, from, x, layout_.end_y, "#9ca3af", 2);
      }
    }
    std::array<Time, 2> summary_from = {-1, -1};
    for (std::size_t index = 0; index < model_.lanes.size(); ++index) {
      const Lane& lane = model_.lanes[index];
      if (lane.spans.empty()) continue;
      if (lane.summarised) {
        // Drawn once below, as the host's summary lane.
        Time& from = summary_from[static_cast<std::size_t>(DiagramModel::side_of(lane.host))];
        if (from < 0 || lane.open < from) from = lane.open;
        continue;
      }
      const int x = layout_.lane_x(lane.host, static_cast<int>(index));
      const std::string_view colour = model_.lane_colour(static_cast<int>(index));
      const std::string name = model_.lane_name(static_cast<int>(index));
      out += "<g class=\"lane\" data-connection=\"" + xml_escape(name) + "\">\n";
      for (std::size_t span = 0; span < lane.spans.size(); ++span) {
        const Time from = lane.spans[span].from;
        const Time to = span + 1 < lane.spans.size() ? lane.spans[span + 1].from : lane.end;
        const int y0 = layout_.y_at(from);
        const int y1 = span + 1 == lane.spans.size() && lane.free_step == npos ? layout_.end_y
                                                                               : layout_.y_at(to);
        if (y1 <= y0) continue;
        const tcp::State state = lane.spans[span].state;
        if (state == tcp::State::closed) {
          out += line(x, y0, x, y1, "#9ca3af", 2, "stroke-dasharray=\"4 4\"");
          continue;
        }
        out += "<rect x=\"" + num(x - lane_half_width) + "\" y=\"" + num(y0) + "\" width=\"" +
               num(2 * lane_half_width) + "\" height=\"" + num(y1 - y0) + "\" fill=\"" +
               std::string(state_fill_colour(state)) + "\" stroke=\"" + std::string(colour) +
               "\" stroke-width=\"1\"><title>" +
               xml_escape(fill(Term::lane_in_state, model_.language(),
                               {name, tcp::state_name(state)})) +
               "</title></rect>\n";
      }
      const int y_open = layout_.instant_y[model_.instant_of(lane.open)];
      out += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y_open) + "\" r=\"4\" fill=\"" +
             std::string(colour) + "\"" + step_attributes(lane.open_step) + "><title>" +
             xml_escape(fill(lane.spans.front().state == tcp::State::listen
                                 ? Term::lane_created_in_listen
                                 : Term::lane_created,
                             model_.language(), {name})) +
             "</title></circle>\n";
      if (lane.free_step != npos) {
        const int y_free = layout_.instant_y[model_.instant_of(lane.end)];
        out += "<rect x=\"" + num(x - 8) + "\" y=\"" + num(y_free - 2) +
               "\" width=\"16\" height=\"4\" fill=\"" + std::string(colour) + "\"" +
               step_attributes(lane.free_step) + "><title>" +
               xml_escape(fill(Term::lane_deleted, model_.language(), {name})) +
               "</title></rect>\n";
      }
      out += "</g>\n";
    }
    for (int host = 0; host < model_.host_count(); ++host) {
      const Time from = summary_from[static_cast<std::size_t>(DiagramModel::side_of(host))];
      if (from < 0) continue;
      const std::string words = summary_lane_words(host);
      const int x = layout_.lane_column_x[static_cast<std::size_t>(DiagramModel::side_of(host))]
                                         [static_cast<std::size_t>(svg_detailed_lanes - 1)];
      const int y = layout_.instant_y[model_.instant_of(from)];
      out += "<g class=\"lane summary\">\n" +
             line(x, y, x, layout_.end_y, std::string(no_connection_colour), 3,
                  "stroke-dasharray=\"6 3\"") +
             "<text x=\"" + num(x + 6) + "\" y=\"" + num(y) + "\" class=\"note\" " +
             "transform=\"rotate(90 " + num(x + 6) + " " + num(y) + ")\">" + xml_escape(words) +
             "</text>\n</g>\n";
    }
    out += "</g>\n";
  }

  // The summary lane's words (views/svg.hpp, svg_detailed_lanes).
  std::string summary_lane_words(int host) const {
    const int count = model_.summarised_on_host[static_cast<std::size_t>(host)];
    return fill(Term::more_connections, model_.language(),
                {std::to_string(count),
                 host_display_name(model_.scenario.hosts[static_cast<std::size_t>(host)])});
  }

  void draw_brackets(std::string& out) {
    out += "<g class=\"timers\">\n";
    for (const Bracket& bracket : model_.brackets) {
      const auto side = static_cast<std::size_t>(DiagramModel::side_of(bracket.host));
      const int x = layout_.timer_column_x[side][static_cast<std::size_t>(bracket.column)];
      const int inward = side == 0 ? 5 : -5;  // ticks point at the lifeline
      const int y0 = layout_.y_at(bracket.set);
      const int y1 =
          bracket.end == Bracket::End::open ? layout_.end_y : layout_.y_at(bracket.end_time);
      const std::string colour(timer_colour(bracket.kind));
      const Language language = model_.language();
      const std::string name(timer_word(bracket.kind, language));
      // "c1: retransmission timer ...", the connection first when the timer has one.
      const auto whose = [&](const std::string& text) {
        return bracket.lane >= 0
                   ? fill(Term::colon, language, {model_.lane_name(bracket.lane), text})
                   : text;
      };
      std::string title =
          fill(Term::timer_set_for, language,
               {name, format_seconds(bracket.set), format_duration(bracket.deadline - bracket.set),
                format_seconds(bracket.deadline)});
      switch (bracket.end) {
        case Bracket::End::fired: title += term(Term::timer_then_fires, language); break;
        case Bracket::End::cancelled:
          title += fill(Term::timer_then_cancelled, language, {format_seconds(bracket.end_time)});
          break;
        case Bracket::End::replaced:
          title += fill(Term::timer_then_set_again, language, {format_seconds(bracket.end_time)});
          break;
        case Bracket::End::open: title += term(Term::timer_then_running, language); break;
      }
      title = whose(title);
      // When the timer wheel moved the deadline, as the ladder says it, on a line of its own
      // in the diagram's language: "1 s, rounded up to 1.024 s by timer_wheel".
      const std::string rounding = timer_rounding(model_.trace()[bracket.set_step], language);
      out += "<g class=\"timer\"" + step_attributes(bracket.set_step) + "><title>" +
             xml_escape(title) + (rounding.empty() ? "" : "\n" + xml_escape(rounding)) +
             "</title>\n";
      out += line(x, y0, x + inward, y0, colour, 2);
      out += line(x, y0, x, y1, colour, 2,
                  bracket.end == Bracket::End::open ? "stroke-dasharray=\"2 3\"" : "");
      // Its name and duration along it, where it is long enough.
      const std::string label =
          std::string(timer_short_word(bracket.kind, language)) + " " +
          format_duration(bracket.deadline - bracket.set);
      // In the longest stretch of the bracket that no break crosses.
      int best_from = y0;
      int best_to = y0;
      int from = y0;
      for (const BreakMark& mark : layout_.breaks) {
        const int mid = layout_.break_middle(mark);
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
        out += "<text x=\"" + num(tx) + "\" y=\"" + num(ty) + "\" class=\"tlabel\" fill=\"" +
               colour + "\" style=\"fill:" + colour +
               "\" text-anchor=\"middle\" transform=\"rotate(-90 " + num(tx) + " " + num(ty) +
               ")\">" + xml_escape(label) + "</text>\n";
      } else {
        // Too short where time runs linearly (a long timer across an idle gap): the label goes
        // into the first break it crosses, beside it.
        for (const BreakMark& mark : layout_.breaks) {
          const int mid = layout_.break_middle(mark);
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
                        (side == 0 ? "end" : "start") + "\"" + step_attributes(bracket.set_step) +
                        ">" + xml_escape(label) + "</text>\n";
          break;
        }
      }
      out += "</g>\n";
      switch (bracket.end) {
        case Bracket::End::fired:
          out += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y1) + "\" r=\"4\" fill=\"" + colour +
                 "\"" + step_attributes(bracket.end_step) + "><title>" +
                 xml_escape(whose(fill(Term::timer_fires, language, {name}))) +
                 "</title></circle>\n";
          break;
        case Bracket::End::cancelled:
          out += "<line x1=\"" + num(x) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x + inward) +
                 "\" y2=\"" + num(y1) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
                 step_attributes(bracket.end_step) + "><title>" +
                 xml_escape(whose(fill(Term::timer_cancelled, language, {name}))) +
                 "</title></line>\n";
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
    for (const std::size_t step : model_.lone_timer_steps) {
      const TraceEvent& event = model_.trace()[step];
      const auto side = static_cast<std::size_t>(DiagramModel::side_of(event.host));
      const int x = layout_.timer_column_x[side].empty()
                        ? layout_.host_x[side] + (side == 0 ? -12 : 12)
                        : layout_.timer_column_x[side][0];
      const int y = layout_.instant_y[model_.event_instant[step]];
      out += line(x - 3, y, x + 3, y, std::string(timer_colour(event.timer)), 2,
                  step_attributes(step).substr(1));
    }
    out += "</g>\n";
  }


  void draw_breaks(std::string& out) {
    out += "<g class=\"breaks\">\n";
    for (const BreakMark& mark : layout_.breaks) {
      const int mid = layout_.break_middle(mark);
      const int left = gutter - 4;
      const int right = layout_.width - margin;
      out += "<rect x=\"" + num(left) + "\" y=\"" + num(mid - 8) + "\" width=\"" +
             num(right - left) + "\" height=\"16\" fill=\"#ffffff\"/>\n";
      for (const int edge : {mid - 8, mid + 8}) {
        std::string points;
        int k = 0;
        for (int x = left; x <= right; x += 8, ++k) {
          if (!points.empty()) points += ' ';
          points += num(x) + "," + num(edge + (k % 2 == 0 ? -2 : 2));
        }
        out += "<polyline points=\"" + points +
               "\" fill=\"none\" stroke=\"#9ca3af\" stroke-width=\"1\"/>\n";
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
    return "<polygon points=\"" + num(x2) + "," + num(y2) + " " + num(bx + px) + "," +
           num(by + py) + " " + num(bx - px) + "," + num(by - py) + "\" fill=\"" +
           std::string(colour) + "\"" + attributes + "/>\n";
  }

  // Where an injected segment starts: a diamond, the script's mark.
  static std::string injected_mark(int x, int y, std::string_view colour) {
    return "<polygon points=\"" + num(x) + "," + num(y - 6) + " " + num(x + 6) + "," + num(y) +
           " " + num(x) + "," + num(y + 6) + " " + num(x - 6) + "," + num(y) + "\" fill=\"" +
           std::string(colour) + "\"/>\n";
  }

  // Places a label of `rows` rows on the segment (x1,y1)-(x2,y2), at the first position along it
  // where it overlaps no label placed before; returns its centre.
  // A long arrow (held by the network) crosses busy stretches: its label goes near its start.
  std::pair<int, int> place_label(int x1, int y1, int x2, int y2, int width, int rows, bool early) {
    static constexpr int middle_first[] = {50, 38, 62, 28, 72, 20, 80, 12, 88};
    static constexpr int start_first[] = {20, 28, 12, 38, 50, 62, 72, 80, 88};
    const auto& fractions = early ? start_first : middle_first;
    const int height = rows * 14;
    const int min_x = layout_.host_x[0] + 10 + width / 2;
    const int max_x = layout_.host_x[1] - 10 - width / 2;
    std::optional<std::pair<int, int>> first;
    for (const int fraction : fractions) {
      int x = x1 + scale_round(x2 - x1, fraction, 100);
      const int y = y1 + scale_round(y2 - y1, fraction, 100);
      if (min_x <= max_x) x = std::clamp(x, min_x, max_x);
      const Rect rect{x - width / 2 - 6, y - height / 2 - 3, x + width / 2 + 6, y + height / 2 + 3};
      if (!first) first = std::make_pair(x, y);
      if (!placed_.overlaps_any(rect)) {
        placed_.add(rect);
        return {x, y};
      }
    }
    const auto [x, y] = *first;
    placed_.add(
        {x - width / 2 - 6, y - height / 2 - 3, x + width / 2 + 6, y + height / 2 + 3});
    crowd(y, height + 6);
    return *first;
  }

  // No room for a label `height` tall at row y: the gap it is in gets that much taller in the
  // next layout (render_svg); below the last moment, the last gap.
  void crowd(int y, int height) {
    const auto after = std::upper_bound(layout_.instant_y.begin(), layout_.instant_y.end(), y);
    const std::ptrdiff_t last_gap = std::ssize(layout_.instant_y) - 2;
    const std::ptrdiff_t gap = std::min(after - layout_.instant_y.begin() - 1, last_gap);
    crowded_.push_back({static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, gap)), height});
  }

  // A label's width and rows: its segment's label or its group's summary, and the row under it.
  std::pair<int, int> label_size(const Arrow& arrow) const {
    const bool summary =
        arrow.drop_group != npos && !model_.drop_groups[arrow.drop_group].label.empty();
    const std::string second = second_row(arrow);
    const int width = std::max(
        text_width(summary ? model_.drop_groups[arrow.drop_group].label
                           : model_.segment_label(arrow.segment)),
        second.empty() ? 0 : text_width(second) * 11 / 12);
    return {width, second.empty() ? 1 : 2};
  }

  // A crowded layout (traffic both ways, render_svg): the labels not stacked go in the order of
  // the lowest row each may take, each as high on its arrow as it fits between 12 % and 88 % of
  // it, the order that fits the most into one column (earliest deadline first). One that still
  // finds no room asks for more (place_label).
  void pack_labels(std::vector<std::optional<std::pair<int, int>>>& centres) {
    std::vector<std::pair<int, std::size_t>> order;  // the lowest row, the arrow
    for (std::size_t index = 0; index < model_.arrows.size(); ++index) {
      if (centres[index] || !writes_drop_words(index)) continue;
      const Arrow& arrow = model_.arrows[index];
      const int y1 = layout_.instant_y[model_.instant_of(arrow.sent)];
      order.push_back({y1 + scale_round(arrow_end(arrow).second - y1, 88, 100), index});
    }
    std::sort(order.begin(), order.end());
    for (const auto& [lowest, index] : order) {
      const Arrow& arrow = model_.arrows[index];
      const int x1 = layout_.lane_x(arrow.from_host, arrow.from_lane);
      const int y1 = layout_.instant_y[model_.instant_of(arrow.sent)];
      const auto [x2, y2] = arrow_end(arrow);
      const auto [width, rows] = label_size(arrow);
      const int height = rows * 14;
      const int min_x = layout_.host_x[0] + 10 + width / 2;
      const int max_x = layout_.host_x[1] - 10 - width / 2;
      const int highest = y1 + scale_round(y2 - y1, 12, 100);
      // Every other pixel, or 200 places on a very long arrow.
      const int step = std::max(2, (lowest - highest) / 200);
      for (int y = highest; y <= lowest && y2 > y1; y += step) {
        int x = x1 + scale_round(x2 - x1, y - y1, y2 - y1);
        if (min_x <= max_x) x = std::clamp(x, min_x, max_x);
        const Rect rect{x - width / 2 - 6, y - height / 2 - 3, x + width / 2 + 6,
                        y + height / 2 + 3};
        if (placed_.overlaps_any(rect)) continue;
        placed_.add(rect);
        centres[index] = std::make_pair(x, y);
        break;
      }
      if (!centres[index]) centres[index] = place_label(x1, y1, x2, y2, width, rows, false);
    }
  }

  // The row under a segment's label: the link's note (held, copy; an expired segment's note is
  // beside its cross already), or that it is still in flight, then the reasons.
  std::string second_row(const Arrow& arrow) const {
    const bool expired = arrow.fate == Arrow::Fate::expired;
    std::string second;
    if ((arrow.held && !expired) || arrow.copy) second = arrow.note;
    if (arrow.fate == Arrow::Fate::in_flight) {
      second = std::string(model_.word(Term::still_in_network_at_end));
    }
    if (!arrow.reasons.empty()) {
      second = second.empty() ? arrow.reasons : second + " \u00b7 " + arrow.reasons;
    }
    return second;
  }

  // Segments lost together write their label and the reason beside the cross once, at the
  // first of them; the others keep their line and cross, each with its own step.
  bool writes_drop_words(std::size_t index) const {
    const Arrow& arrow = model_.arrows[index];
    return arrow.drop_group == npos ||
           model_.drop_groups[arrow.drop_group].members.front() == index;
  }

  // The arrow's end: where it is drawn to (its arrival, or part-way for a loss).
  std::pair<int, int> arrow_end(const Arrow& arrow) const {
    const int side = DiagramModel::side_of(arrow.from_host);
    const int x1 = layout_.lane_x(arrow.from_host, arrow.from_lane);
    const int to_side = 1 - side;
    if (arrow.fate == Arrow::Fate::delivered) {
      const int lane_center = layout_.lane_x(arrow.from_host == 0 ? 1 : 0, arrow.to_lane);
      return {lane_center + (to_side == 1 ? -lane_half_width : lane_half_width),
              layout_.instant_y[model_.instant_of(arrow.arrival)]};
    }
    const int target = layout_.host_x[static_cast<std::size_t>(to_side)];
    if (arrow.fate == Arrow::Fate::in_flight) {
      return {x1 + scale_round(target - x1, 50, 100), layout_.end_y};
    }
    return {x1 + scale_round(target - x1, 45, 100),
            arrow.fate == Arrow::Fate::dropped
                ? layout_.drop_y(arrow)
                : layout_.instant_y[model_.instant_of(arrow.arrival)]};
  }

  // Arrows with both ends in common (a burst sent at one instant that arrives together) lie on
  // one line: their labels are spread evenly along it, in the order they were sent, top down,
  // before any other label is placed, so none hides another (the layout gave the line the
  // height). The centres, by arrow; none for an arrow that is not in such a group.
  std::vector<std::optional<std::pair<int, int>>> stack_bursts() {
    std::vector<std::optional<std::pair<int, int>>> centres(model_.arrows.size());
    std::map<std::tuple<int, int, int, std::size_t, std::size_t>, std::vector<std::size_t>> groups;
    for (std::size_t index = 0; index < model_.arrows.size(); ++index) {
      const Arrow& arrow = model_.arrows[index];
      if (arrow.fate != Arrow::Fate::delivered) continue;
      groups[{arrow.from_host, arrow.from_lane, arrow.to_lane, model_.instant_of(arrow.sent),
              model_.instant_of(arrow.arrival)}]
          .push_back(index);
    }
    for (const auto& [key, members] : groups) {
      if (members.size() < 2) continue;
      const int count = static_cast<int>(members.size());
      // Spread over the whole line, or, when that covers what was placed before (the note of
      // a loss at the start), over less of it from the start.
      struct Spot {
        Rect rect;
        std::pair<int, int> centre;
      };
      // Over less of the line the labels come closer: their boxes (2 px inside the rects) must
      // still miss one another.
      const auto box = [](const Rect& r) { return Rect{r.x0 + 2, r.y0 + 2, r.x1 - 2, r.y1 - 2}; };
      std::vector<Spot> spots;
      bool clear = false;
      for (const int start : {0, 10, 20, 30}) {
        spots.clear();
        clear = true;
        for (int k = 0; k < count; ++k) {
          const Arrow& arrow = model_.arrows[members[static_cast<std::size_t>(k)]];
          const int x1 = layout_.lane_x(arrow.from_host, arrow.from_lane);
          const int y1 = layout_.instant_y[model_.instant_of(arrow.sent)];
          const auto [x2, y2] = arrow_end(arrow);
          const std::string second = second_row(arrow);
          const int width = std::max(text_width(model_.segment_label(arrow.segment)),
                                     second.empty() ? 0 : text_width(second) * 11 / 12);
          const int height = (second.empty() ? 1 : 2) * 14;
          // Percent along the line, times count + 1.
          const int along = start * (count + 1) + (k + 1) * (100 - start);
          int x = x1 + scale_round(x2 - x1, along, 100 * (count + 1));
          const int y = y1 + scale_round(y2 - y1, along, 100 * (count + 1));
          const int min_x = layout_.host_x[0] + 10 + width / 2;
          const int max_x = layout_.host_x[1] - 10 - width / 2;
          if (min_x <= max_x) x = std::clamp(x, min_x, max_x);
          const Rect rect{x - width / 2 - 6, y - height / 2 - 3, x + width / 2 + 6,
                          y + height / 2 + 3};
          clear = clear && !placed_.overlaps_any(rect) &&
                  std::none_of(spots.begin(), spots.end(), [&](const Spot& spot) {
                    return box(spot.rect).overlaps(box(rect));
                  });
          spots.push_back({rect, {x, y}});
        }
        if (clear) break;
      }
      if (!clear) {
        crowd(spots.front().centre.second, spots.front().rect.y1 - spots.front().rect.y0);
      }
      for (int k = 0; k < count; ++k) {
        placed_.add(spots[static_cast<std::size_t>(k)].rect);
        centres[members[static_cast<std::size_t>(k)]] = spots[static_cast<std::size_t>(k)].centre;
      }
    }
    return centres;
  }

  void draw_arrows(std::string& out) {
    std::string lines;
    std::string labels;
    // Reserve the breaks' bands and the texts beside drops first, so labels keep clear of them.
    for (const BreakMark& mark : layout_.breaks) {
      const int mid = layout_.break_middle(mark);
      placed_.add({gutter, mid - 10, layout_.width, mid + 10});
    }
    for (std::size_t index = 0; index < model_.arrows.size(); ++index) {
      const Arrow& arrow = model_.arrows[index];
      if (!writes_drop_words(index)) continue;
      const int side = DiagramModel::side_of(arrow.from_host);
      const int x1 = layout_.lane_x(arrow.from_host, arrow.from_lane);
      const int target = layout_.host_x[static_cast<std::size_t>(1 - side)];
      if (arrow.fate == Arrow::Fate::dropped || arrow.fate == Arrow::Fate::expired) {
        const int xm = x1 + scale_round(target - x1, 45, 100);
        const int ym = arrow.fate == Arrow::Fate::dropped
                           ? layout_.drop_y(arrow)
                           : layout_.instant_y[model_.instant_of(arrow.arrival)];
        const int width = text_width(arrow.note) * 11 / 12;
        const int tx = side == 0 ? xm + 10 : xm - 10;
        const Rect rect = side == 0 ? Rect{tx - 2, ym - 10, tx + width + 2, ym + 6}
                                    : Rect{tx - width - 2, ym - 10, tx + 2, ym + 6};
        placed_.add(rect);
      }
    }
    std::vector<std::optional<std::pair<int, int>>> stacked = stack_bursts();
    if (packed_) pack_labels(stacked);
    for (std::size_t index = 0; index < model_.arrows.size(); ++index) {
      const Arrow& arrow = model_.arrows[index];
      const int side = DiagramModel::side_of(arrow.from_host);
      const int x1 = layout_.lane_x(arrow.from_host, arrow.from_lane);
      const int y1 = layout_.instant_y[model_.instant_of(arrow.sent)];
      std::string_view colour = model_.lane_colour(arrow.from_lane);
      if (arrow.segment.injected) colour = injected_colour;
      if (arrow.held) colour = held_colour;
      std::string dash;
      if (arrow.copy) dash = "stroke-dasharray=\"9 5\"";
      if (arrow.held)
        dash = arrow.copy ? "stroke-dasharray=\"9 3 2 3\"" : "stroke-dasharray=\"3 4\"";
      const std::size_t group_step = arrow.copy ? arrow.style_step : arrow.send_step;
      const std::string label = model_.segment_label(arrow.segment);
      // The hover text adds the options (RFC 7323, RFC 2018), too long for the arrow.
      const std::string options = text::options_text(arrow.segment, model_.absolute);
      const std::string described =
          model_.segment_tooltip_label(arrow.segment) + (options.empty() ? "" : " " + options);
      const Language language = model_.language();
      std::string title =
          fill(Term::segment_sent_at, language, {described, format_seconds(arrow.sent)});
      if (arrow.segment.injected) {
        const std::string spoofed =
            text::spoofed_source(model_.scenario, model_.trace()[arrow.send_step]);
        title = spoofed.empty() ? fill(Term::segment_injected_at, language,
                                       {described, format_seconds(arrow.sent)})
                                : fill(Term::segment_injected_spoofed_at, language,
                                       {described, spoofed, format_seconds(arrow.sent)});
      }
      int x2 = 0;
      int y2 = 0;
      const int to_side = 1 - side;
      switch (arrow.fate) {
        case Arrow::Fate::delivered: {
          const int lane_center = layout_.lane_x(arrow.from_host == 0 ? 1 : 0, arrow.to_lane);
          x2 = lane_center + (to_side == 1 ? -lane_half_width : lane_half_width);
          y2 = layout_.instant_y[model_.instant_of(arrow.arrival)];
          title += fill(Term::segment_arrives_at, language, {format_seconds(arrow.arrival)});
          break;
        }
        case Arrow::Fate::dropped:
        case Arrow::Fate::expired: {
          const int target = layout_.host_x[static_cast<std::size_t>(to_side)];
          x2 = x1 + scale_round(target - x1, 45, 100);
          y2 = arrow.fate == Arrow::Fate::dropped
                   ? layout_.drop_y(arrow)
                   : layout_.instant_y[model_.instant_of(arrow.arrival)];
          // A lost segment's note says it, with the cause ("lost: rule 'x'"): not twice.
          if (arrow.fate == Arrow::Fate::expired) {
            title += fill(Term::segment_expired_at, language, {format_seconds(arrow.arrival)});
          }
          break;
        }
        case Arrow::Fate::in_flight: {
          const int target = layout_.host_x[static_cast<std::size_t>(to_side)];
          x2 = x1 + scale_round(target - x1, 50, 100);
          y2 = layout_.end_y;
          title += term(Term::segment_in_network_at_end, language);
          break;
        }
      }
      if (!arrow.note.empty()) title = fill(Term::tooltip_note, language, {title, arrow.note});
      std::string css = "seg";
      if (arrow.copy) css += " copy";
      if (arrow.held) css += " held";
      if (arrow.segment.injected) css += " injected";
      if (arrow.fate == Arrow::Fate::dropped || arrow.fate == Arrow::Fate::expired) css += " lost";
      lines += "<g class=\"" + css + "\"" + step_attributes(group_step) + "><title>" +
               xml_escape(title) + "</title>\n";
      if (arrow.segment.injected) lines += injected_mark(x1, y1, colour);
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
          // The discard's rule, as the trace words it in English, in the diagram's language.
          const TraceEvent& discard = model_.trace()[arrow.discard_step];
          const std::string reason =
              language == Language::english || discard.rule == tcp::Rule::none
                  ? discard.text
                  : rule_reason(discard.rule, language);
          lines += "<g class=\"discarded\"" + step_attributes(arrow.discard_step) + "><title>" +
                   xml_escape(fill(Term::colon, language,
                                   {term(Term::discarded_by_receiver, language), reason})) +
                   "</title><circle cx=\"" +
                   num(cx) + "\" cy=\"" + num(y2) + "\" r=\"6\" fill=\"#ffffff\" stroke=\"" +
                   std::string(loss_colour) + "\" stroke-width=\"2\"/>" +
                   line(cx - 4, y2 + 4, cx + 4, y2 - 4, loss_colour, 2) + "</g>\n";
        }
      } else {
        lines += line(x1, y1, x2, y2, colour, 2,
                      arrow.fate == Arrow::Fate::in_flight ? "stroke-dasharray=\"2 3\"" : dash);
        if (arrow.fate != Arrow::Fate::in_flight) {
          lines += "<g class=\"cross\"" + step_attributes(arrow.end_step) + "><title>" +
                   xml_escape(arrow.note) + "</title>" +
                   line(x2 - 6, y2 - 6, x2 + 6, y2 + 6, loss_colour, 3) +
                   line(x2 - 6, y2 + 6, x2 + 6, y2 - 6, loss_colour, 3) + "</g>\n";
        }
        if (arrow.fate != Arrow::Fate::in_flight && writes_drop_words(index)) {
          const int tx = side == 0 ? x2 + 10 : x2 - 10;
          labels += "<text x=\"" + num(tx) + "\" y=\"" + num(y2 + 4) +
                    "\" class=\"note\" text-anchor=\"" + (side == 0 ? "start" : "end") +
                    "\" style=\"fill:" + std::string(loss_colour) + "\"" +
                    step_attributes(arrow.end_step) + ">" + xml_escape(arrow.note) + "</text>\n";
        }
      }
      lines += "</g>\n";
      if (!writes_drop_words(index)) continue;

      // The label, along the arrow, with the link's note (held, copy) and the reasons under it;
      // for segments lost together, their summary, and each of them in its tooltip.
      const DropGroup* group =
          arrow.drop_group == npos ? nullptr : &model_.drop_groups[arrow.drop_group];
      const bool summary = group != nullptr && !group->label.empty();
      const std::string& shown = summary ? group->label : label;
      const std::string second = second_row(arrow);
      const bool note_under = !second.empty();
      const int width = std::max(text_width(shown), note_under ? text_width(second) * 11 / 12 : 0);
      const auto [cx, cy] =
          stacked[index] ? *stacked[index]
                         : place_label(x1, y1, x2, y2, width, note_under ? 2 : 1,
                                       arrow.held && y2 - y1 > 3 * min_arrow_height);
      const int baseline = note_under ? cy - 2 : cy + 4;
      // An opaque box under the label: the arrow passes behind it, never through the letters.
      const int box_height = note_under ? 30 : 16;
      labels += "<rect x=\"" + num(cx - width / 2 - 4) + "\" y=\"" + num(cy - box_height / 2) +
                "\" width=\"" + num(width + 8) + "\" height=\"" + num(box_height) +
                "\" rx=\"3\" fill=\"#ffffff\"/>\n";
      std::string tooltip;
      if (summary) {
        // One line per segment, as its own label writes it.
        tooltip = "<title>" + xml_escape(fill(Term::tooltip_note, language,
                                              {group->label, arrow.note}));
        for (const std::size_t member : group->members) {
          tooltip += "\n" + xml_escape(model_.segment_label(model_.arrows[member].segment));
        }
        tooltip += "</title>";
      }
      // A burst's summary says they were all lost: it appears at the last of the losses, where
      // the ladder and Mermaid write it (views/lost_bursts.hpp), not at the first one's sending,
      // when the HTML page would show "N segments lost" before the others were even sent.
      std::size_t label_step = group_step;
      if (summary) {
        label_step = 0;
        for (const std::size_t member : group->members) {
          label_step = std::max(label_step, model_.arrows[member].end_step);
        }
      }
      // A summary is no one segment's label: the HTML page leaves it as it is (class burst).
      labels += "<text x=\"" + num(cx) + "\" y=\"" + num(baseline) + "\" class=\"seglabel" +
                (summary ? " burst" : "") + "\" text-anchor=\"middle\" style=\"fill:" +
                std::string(colour) + "\"" + step_attributes(label_step) + ">" + tooltip +
                xml_escape(shown) + "</text>\n";
      if (note_under) {
        // The note appears with what it tells of: the delay or copy, else the segment's
        // sending (a note without a step would stand in the HTML page before its segment), or
        // with a burst's summary.
        const std::size_t note_step =
            summary ? label_step : arrow.style_step != npos ? arrow.style_step : group_step;
        labels += "<text x=\"" + num(cx) + "\" y=\"" + num(baseline + 13) +
                  "\" class=\"note\" text-anchor=\"middle\" style=\"fill:" + std::string(colour) +
                  "\"" + step_attributes(note_step) + ">" +
                  xml_escape(second) + "</text>\n";
      }
    }
    out += "<g class=\"segments\">\n" + lines + labels + "</g>\n";
  }

  void draw_notes(std::string& out) {
    out += "<g class=\"notes\">\n";
    for (std::size_t i = 0; i < model_.instants.size(); ++i) {
      for (int side = 0; side < 2; ++side) {
        int row = 0;
        const bool left = side == 0;
        const int x = left ? layout_.left_text_right : layout_.right_text_left;
        for (const Note& note : model_.notes[i][static_cast<std::size_t>(side)]) {
          const int baseline = layout_.instant_y[i] + 4 + row * line_height;
          out += "<text x=\"" + num(x) + "\" y=\"" + num(baseline) + "\" class=\"" +
                 note.css_class + "\" text-anchor=\"" + (left ? "end" : "start") + "\"";
          if (!note.colour.empty()) out += " style=\"fill:" + std::string(note.colour) + "\"";
          out += step_attributes(note.step) + ">";
          if (!note.title.empty()) out += "<title>" + xml_escape(note.title) + "</title>";
          for (std::size_t r = 0; r < note.rows.size(); ++r) {
            if (r == 0) {
              if (!note.prefix.empty()) {
                // librsvg drops a space at the end of a tspan, Chromium keeps it: the prefix's
                // space goes after it, so both write "web LISTEN" (browser:svg-renderers).
                const std::string_view prefix = note.prefix;
                const std::size_t end = prefix.find_last_not_of(' ') + 1;
                out += "<tspan style=\"fill:" + std::string(note.prefix_colour) + "\">" +
                       xml_escape(prefix.substr(0, end)) + "</tspan>" +
                       std::string(prefix.substr(end));
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
    for (std::size_t i = 0; i < model_.instants.size(); ++i) {
      out += text_element(gutter - 12, layout_.instant_y[i] + 4, "time", "end",
                          format_seconds(model_.instants[i]));
    }
    const int y_end = layout_.end_y;
    out += line(gutter - 6, y_end, layout_.width - margin, y_end, "#9ca3af", 1,
                "stroke-dasharray=\"6 4\"");
    out += text_element((layout_.host_x[0] + layout_.host_x[1]) / 2, y_end + 16, "gap", "middle",
                        model_.word(Term::end_of_run));
    // What each side believes (the two-way lesson in one line), as the ladder ends.
    out += text_element(
        (layout_.host_x[0] + layout_.host_x[1]) / 2, y_end + 32, "believes", "middle",
        connection_summary(model_.scenario, model_.result, model_.language()));
    out += "</g>\n";
  }

  // ---------------------------------------------------------------- legend
  struct LegendItem {
    std::string sample;  // drawn at (0,0) to (28, 0), translated
    std::string text;
  };

  // cwnd over time (tcp/congestion.hpp) under the ladder: per sending host a step line in its
  // first lane's colour, ssthresh dashed, on a linear time axis of its own (the ladder's time
  // has breaks). Drawn when congestion control mattered: a new data segment filled cwnd; a run
  // it never limited (a few bytes per write, a lost FIN) keeps its picture. Returns the bottom.
  int draw_congestion(std::string& out, int top) {
    struct Sample {
      Time time;
      std::uint32_t cwnd;
      std::uint32_t ssthresh;
    };
    std::array<std::vector<Sample>, 2> samples;
    bool mattered = false;
    Time first = time_never;
    Time last = 0;
    std::uint64_t highest = 1;
    for (const runner::TraceEvent& event : model_.result.trace) {
      if (event.kind != runner::TraceKind::send || !event.has_congestion || event.host < 0 ||
          event.host > 1) {
        continue;
      }
      samples[static_cast<std::size_t>(event.host)].push_back(
          {event.time, event.cwnd, event.ssthresh});
      const bool has_ssthresh = event.ssthresh != tcp::unlimited_window;
      // A new data segment that filled cwnd: the window limited the sender.
      mattered = mattered || (event.segment.length > 0 && !event.segment.retransmission &&
                              event.in_flight >= event.cwnd);
      first = std::min(first, event.time);
      last = std::max(last, event.time);
      highest = std::max<std::uint64_t>(highest, event.cwnd);
      if (has_ssthresh) highest = std::max<std::uint64_t>(highest, event.ssthresh);
    }
    if (!mattered) return top;
    if (last <= first) last = first + 1;
    const int left = gutter;
    const int right = std::max(layout_.width - margin, left + 100);
    const int chart_top = top + 40;
    constexpr int chart_height = 140;
    const int bottom = chart_top + chart_height;
    const auto x_at = [&](Time time) {
      // Whole-run spans stay far below 2^63 / the chart's width in nanoseconds.
      return left + static_cast<int>(static_cast<std::int64_t>(time - first) * (right - left) /
                                     static_cast<std::int64_t>(last - first));
    };
    const auto y_at = [&](std::uint64_t bytes) {
      return bottom - static_cast<int>(bytes * chart_height / highest);
    };
    out += "<g class=\"cwnd\">\n";
    out += text_element(margin, top + 16, "sub", "", "cwnd, ssthresh (bytes)");
    out += line(left, bottom, right, bottom, "#9ca3af", 1);
    out += line(left, chart_top, left, bottom, "#9ca3af", 1);
    out += text_element(left - 6, chart_top + 4, "addr", "end", std::to_string(highest));
    out += text_element(left - 6, bottom + 4, "addr", "end", "0");
    out += text_element(left, bottom + 16, "addr", "start", format_duration(first));
    out += text_element(right, bottom + 16, "addr", "end", format_duration(last));
    int key_x = left + 200;
    for (std::size_t host = 0; host < samples.size(); ++host) {
      if (samples[host].empty()) continue;
      const std::string colour(connection_palette[host % std::size(connection_palette)]);
      // A step line: the value holds until the next send changes it.
      std::string cwnd_points;
      std::string ssthresh_points;
      int previous_cwnd_y = 0;
      int previous_ssthresh_y = -1;
      for (const Sample& sample : samples[host]) {
        const int x = x_at(sample.time);
        const int y = y_at(sample.cwnd);
        if (!cwnd_points.empty()) cwnd_points += num(x) + "," + num(previous_cwnd_y) + " ";
        cwnd_points += num(x) + "," + num(y) + " ";
        previous_cwnd_y = y;
        if (sample.ssthresh != tcp::unlimited_window) {
          const int threshold_y = y_at(sample.ssthresh);
          if (previous_ssthresh_y >= 0) {
            ssthresh_points += num(x) + "," + num(previous_ssthresh_y) + " ";
          }
          ssthresh_points += num(x) + "," + num(threshold_y) + " ";
          previous_ssthresh_y = threshold_y;
        }
      }
      out += "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"" +
             cwnd_points + "\"/>\n";
      if (!ssthresh_points.empty()) {
        out += "<polyline fill=\"none\" stroke=\"" + colour +
               "\" stroke-width=\"1\" stroke-dasharray=\"6 4\" points=\"" + ssthresh_points +
               "\"/>\n";
      }
      const std::string name =
          host_display_name(model_.scenario.hosts[host]);
      out += line(key_x, top + 12, key_x + 20, top + 12, colour, 2);
      out += text_element(key_x + 26, top + 16, "addr", "", name + " cwnd");
      key_x += 160;
      if (!ssthresh_points.empty()) {
        out += line(key_x, top + 12, key_x + 20, top + 12, colour, 1, "stroke-dasharray=\"6 4\"");
        out += text_element(key_x + 26, top + 16, "addr", "", name + " ssthresh");
        key_x += 160;
      }
    }
    out += "</g>\n";
    return bottom + 24;
  }

  int draw_legend(std::string& out, int top) {
    std::vector<LegendItem> marks;
    bool any_copy = false, any_held = false, any_lost = false, any_discard = false;
    bool any_injected = false;
    for (const Arrow& arrow : model_.arrows) {
      any_injected = any_injected || arrow.segment.injected;
      any_copy = any_copy || arrow.copy;
      any_held = any_held || arrow.held;
      any_lost =
          any_lost || arrow.fate == Arrow::Fate::dropped || arrow.fate == Arrow::Fate::expired;
      any_discard = any_discard || arrow.discard_step != npos;
    }
    const std::string_view base = connection_palette[0];
    marks.push_back({line(0, 0, 20, 0, base, 2) + head(0, 0, 28, 0, base, ""),
                     std::string(model_.word(Term::legend_segment))});
    if (any_copy)
      marks.push_back(
          {line(0, 0, 20, 0, base, 2, "stroke-dasharray=\"9 5\"") + head(0, 0, 28, 0, base, ""),
           std::string(model_.word(Term::copy_made_by_network))});
    if (any_injected)
      marks.push_back({injected_mark(0, 0, injected_colour) +
                           line(0, 0, 20, 0, injected_colour, 2) +
                           head(0, 0, 28, 0, injected_colour, ""),
                       std::string(model_.word(Term::legend_injected))});
    if (any_held)
      marks.push_back({line(0, 0, 20, 0, held_colour, 2, "stroke-dasharray=\"3 4\"") +
                           head(0, 0, 28, 0, held_colour, ""),
                       std::string(model_.word(Term::legend_held))});
    if (any_lost)
      marks.push_back({line(0, 0, 16, 0, base, 2) + line(14, -5, 24, 5, loss_colour, 3) +
                           line(14, 5, 24, -5, loss_colour, 3),
                       std::string(model_.word(Term::legend_lost))});
    if (any_discard)
      marks.push_back({"<circle cx=\"14\" cy=\"0\" r=\"6\" fill=\"#ffffff\" stroke=\"" +
                           std::string(loss_colour) + "\" stroke-width=\"2\"/>" +
                           line(10, 4, 18, -4, loss_colour, 2),
                       std::string(model_.word(Term::discarded_by_receiver))});

    std::vector<LegendItem> timers;
    bool seen_timer[tcp::timer_kind_count] = {};
    for (const Bracket& bracket : model_.brackets)
      seen_timer[static_cast<int>(bracket.kind)] = true;
    for (int kind = 0; kind < tcp::timer_kind_count; ++kind) {
      if (!seen_timer[kind]) continue;
      const auto timer = static_cast<tcp::TimerKind>(kind);
      const std::string colour(timer_colour(timer));
      timers.push_back({line(6, -6, 6, 6, colour, 2) + line(6, -6, 11, -6, colour, 2) +
                            "<circle cx=\"6\" cy=\"6\" r=\"3\" fill=\"" + colour + "\"/>",
                        fill(Term::parenthesized, model_.language(),
                             {timer_short_word(timer, model_.language()),
                              timer_word(timer, model_.language())})});
    }
    if (!timers.empty()) {
      timers.push_back({"", std::string(model_.word(Term::legend_bracket))});
    }

    // The states drawn with some height, one item per colour ("SYN_SENT, SYN_RCVD").
    std::vector<LegendItem> states;
    bool seen_state[tcp::state_count] = {};
    for (const Lane& lane : model_.lanes) {
      for (std::size_t span = 0; span < lane.spans.size(); ++span) {
        const Time to = span + 1 < lane.spans.size() ? lane.spans[span + 1].from : lane.end;
        if (layout_.instant_y[model_.instant_of(to)] >
            layout_.instant_y[model_.instant_of(lane.spans[span].from)]) {
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
        if (!seen_state[other] || state_fill_colour(candidate) != state_fill_colour(state))
          continue;
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

    for (const runner::Action& action : model_.scenario.timeline) {
      if (action.kind == runner::ActionKind::crash) {
        states.push_back({line(4, -7, 4, 7, "#f87171", 2, "stroke-dasharray=\"2 4\""),
                          std::string(model_.word(Term::legend_host_down))});
        break;
      }
    }

    std::vector<LegendItem> connections;
    if (model_.host_has_several(0) || model_.host_has_several(1)) {
      for (std::size_t index = 0; index < model_.lanes.size(); ++index) {
        const Lane& lane = model_.lanes[index];
        if (lane.spans.empty() || lane.summarised) continue;
        if (lane.peer >= 0 && static_cast<std::size_t>(lane.peer) < index) continue;
        const auto host_of = [&](int host) {
          return host_display_name(model_.scenario.hosts[static_cast<std::size_t>(host)]);
        };
        std::string text = fill(Term::parenthesized, model_.language(),
                                {model_.lane_name(static_cast<int>(index)), host_of(lane.host)});
        if (lane.peer >= 0) {
          const Lane& peer = model_.lanes[static_cast<std::size_t>(lane.peer)];
          text += " \u2194 " + fill(Term::parenthesized, model_.language(),
                                    {model_.lane_name(lane.peer), host_of(peer.host)});
        } else if (model_.result.connections[lane.record].listener) {
          text += model_.word(Term::legend_listener);
        } else {
          text += model_.word(Term::legend_no_peer);
        }
        const std::string colour(model_.lane_colour(static_cast<int>(index)));
        connections.push_back(
            {"<rect x=\"0\" y=\"-6\" width=\"22\" height=\"12\" fill=\"" + colour + "\"/>", text});
      }
      for (int host = 0; host < model_.host_count(); ++host) {
        if (model_.summarised_on_host[static_cast<std::size_t>(host)] == 0) continue;
        connections.push_back({line(0, 0, 22, 0, std::string(no_connection_colour), 3,
                                    "stroke-dasharray=\"6 3\""),
                               fill(Term::beyond_lifelines, model_.language(),
                                    {summary_lane_words(host),
                                     std::to_string(svg_detailed_lanes - 1)})});
      }
    }

    int y = top;
    out += "<g class=\"legend\">\n";
    out += line(margin, y - 14, layout_.width - margin, y - 14, "#e5e7eb", 1);
    auto section = [&](const std::string& heading, const std::vector<LegendItem>& items) {
      if (items.empty()) return;
      y += 8;
      out += text_element(margin, y + 4, "legendhead", "", heading);
      int x = margin + 110;
      for (const LegendItem& item : items) {
        const int item_width =
            (item.sample.empty() ? 0 : 36) + text_width(item.text) * 11 / 12 + 24;
        if (x + item_width > layout_.width - margin && x > margin + 110) {
          x = margin + 110;
          y += 20;
        }
        if (!item.sample.empty()) {
          out +=
              "<g transform=\"translate(" + num(x) + " " + num(y) + ")\">" + item.sample + "</g>\n";
        }
        out += text_element(x + (item.sample.empty() ? 0 : 36), y + 4, "legend", "", item.text);
        x += item_width;
      }
      y += 20;
    };
    section(std::string(model_.word(Term::legend_arrows)), marks);
    section(std::string(model_.word(Term::legend_timers)), timers);
    section(std::string(model_.word(Term::legend_states)), states);
    section(std::string(model_.word(Term::legend_connections)), connections);
    out += "</g>\n";
    return y;
  }


  const DiagramModel& model_;
  const DiagramLayout& layout_;

  const bool packed_;
  std::vector<std::pair<std::size_t, int>> crowded_;
  std::string header_;
  int height_ = 0;
  PlacedRects placed_;
  std::vector<Rect> band_labels_;  // timer labels written in breaks
  std::string band_text_;
  std::vector<bool> has_id_;
};

}  // namespace
}  // namespace svg_diagram

std::vector<std::string> connection_colours(const runner::Scenario& scenario,
                                            const runner::RunResult& result) {
  const SvgOptions options;
  const svg_diagram::DiagramModel model(scenario, result, options);
  std::vector<std::string> out(result.connections.size(),
                               std::string(svg_diagram::no_connection_colour));
  for (std::size_t record = 0; record < model.lane_of_record.size(); ++record) {
    const int lane = model.lane_of_record[record];
    if (lane >= 0) out[record] = std::string(model.lane_colour(lane));
  }
  return out;
}

std::string render_svg(const runner::Scenario& scenario, const runner::RunResult& result,
                       const SvgOptions& options) {
  const svg_diagram::DiagramModel model(scenario, result, options);
  // A diagram whose labels all find a place at once is drawn once. Where one found none
  // (traffic both ways, a burst beside losses) it is drawn again with its labels packed
  // (Drawing::pack_labels), and then, while some still find none, with the gaps where they
  // wanted to be taller by their height: the first drawing where every label fits is kept, or
  // the last one allowed.
  std::vector<int> room(model.instants.size(), 0);
  for (int pass = 0;; ++pass) {
    const svg_diagram::DiagramLayout layout(model, room);
    svg_diagram::Drawing drawing(model, layout, pass > 0);
    std::string svg = drawing.draw();
    if (drawing.crowded().empty() || pass == svg_diagram::max_layout_passes) return svg;
    // The first time, packing alone often makes room; after that, the gaps grow.
    if (pass > 0) {
      for (const auto& [instant, pixels] : drawing.crowded()) room[instant] += pixels;
    }
  }
}

}  // namespace tcpsim::views
