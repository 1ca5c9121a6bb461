#include "views/svg_layout.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

namespace tcpsim::views::svg_diagram {


DiagramLayout::DiagramLayout(const DiagramModel& model, std::vector<int> room)
    : model_(model), room_(std::move(room)) {
  layout_x();
  layout_header();
  layout_y();
}

void DiagramLayout::layout_header() {
  title_y = margin + 22;
  description_top = title_y + 10;
  const std::size_t description_chars =
      static_cast<std::size_t>(std::max(40, (width - 2 * margin) / description_char_width));
  description_rows = text::wrap_words(
      scenario_description(model_.scenario, model_.language()), description_chars, 0);
  subtitle_y =
      description_top + static_cast<int>(description_rows.size()) * description_line_height + 22;
  hosts_y = subtitle_y + 34;
  diagram_top = hosts_y + 44;
}

// ---------------------------------------------------------------- horizontal layout
void DiagramLayout::layout_x() {
  int widest[2] = {0, 0};
  for (const auto& sides : model_.notes) {
    for (int side = 0; side < 2; ++side) {
      for (const Note& note : sides[static_cast<std::size_t>(side)]) {
        for (std::size_t row = 0; row < note.rows.size(); ++row) {
          const std::size_t extra = row == 0 ? text::display_width(note.prefix) : 0;
          widest[side] =
              std::max(widest[side], text_width(text::display_width(note.rows[row]) + extra));
        }
      }
    }
  }
  int widest_label = 0;
  for (const Arrow& arrow : model_.arrows) {
    widest_label = std::max(widest_label, text_width(model_.segment_label(arrow.segment)));
    widest_label = std::max(widest_label, text_width(arrow.note) * 3 / 4);
    widest_label = std::max(widest_label, text_width(arrow.reasons) * 11 / 12);
  }
  for (const DropGroup& group : model_.drop_groups) {
    widest_label = std::max(widest_label, text_width(group.label));
  }
  // Room for the host headers too.
  for (int host = 0; host < model_.host_count(); ++host) {
    widest[host] = std::max(widest[host], 120);
  }
  text_column_width[0] = widest[0];
  text_column_width[1] = widest[1];
  const int middle = std::max(min_middle_width, widest_label + 160);

  int cursor = gutter + text_column_width[0];
  left_text_right = cursor;
  cursor += 10;
  // timer_column_x[side][c]: column c, c = 0 innermost.
  timer_column_x[0].assign(static_cast<std::size_t>(model_.timer_columns[0]), 0);
  for (int column = 0; column < model_.timer_columns[0]; ++column) {
    timer_column_x[0][static_cast<std::size_t>(column)] =
        cursor + 4 + (model_.timer_columns[0] - 1 - column) * timer_spacing;
  }
  if (model_.timer_columns[0] > 0) cursor += model_.timer_columns[0] * timer_spacing + 6;
  lane_column_x[0].assign(static_cast<std::size_t>(model_.lane_count[0]), 0);
  for (int lane = 0; lane < model_.lane_count[0]; ++lane) {
    lane_column_x[0][static_cast<std::size_t>(lane)] =
        cursor + lane_half_width + (model_.lane_count[0] - 1 - lane) * lane_spacing;
  }
  host_x[0] = lane_column_x[0][0];
  host_x[1] = host_x[0] + middle;
  cursor = host_x[1];
  lane_column_x[1].assign(static_cast<std::size_t>(model_.lane_count[1]), 0);
  for (int lane = 0; lane < model_.lane_count[1]; ++lane) {
    lane_column_x[1][static_cast<std::size_t>(lane)] = cursor + lane * lane_spacing;
  }
  cursor += (model_.lane_count[1] - 1) * lane_spacing + lane_half_width + 6;
  timer_column_x[1].assign(static_cast<std::size_t>(model_.timer_columns[1]), 0);
  for (int column = 0; column < model_.timer_columns[1]; ++column) {
    timer_column_x[1][static_cast<std::size_t>(column)] = cursor + 4 + column * timer_spacing;
  }
  if (model_.timer_columns[1] > 0) cursor += model_.timer_columns[1] * timer_spacing + 6;
  right_text_left = cursor + 10;
  width = right_text_left + text_column_width[1] + margin;
}

int DiagramLayout::lane_x(int host, int lane_index) const {
  const auto side = static_cast<std::size_t>(DiagramModel::side_of(host));
  if (lane_index < 0) return host_x[side];
  const int lane = model_.lanes[static_cast<std::size_t>(lane_index)].lane;
  return lane_column_x[side][static_cast<std::size_t>(lane)];
}

// ---------------------------------------------------------------- vertical layout
// Rows each instant's text needs below its line.
void DiagramLayout::layout_y() {
  const std::size_t count = model_.instants.size();
  std::vector<int> need(count, line_height);
  for (std::size_t i = 0; i < count; ++i) {
    for (const auto& side : model_.notes[i]) {
      int rows = 0;
      for (const Note& note : side) rows += static_cast<int>(note.rows.size());
      need[i] = std::max(need[i], rows * line_height + 6);
    }
  }
  for (const Arrow& arrow : model_.arrows) {
    if (arrow.fate == Arrow::Fate::dropped) {
      const std::size_t i = model_.instant_of(arrow.sent);
      const int slot = model_.drop_groups[arrow.drop_group].slot;
      need[i] = std::max(need[i], drop_height + slot * drop_slot_height + line_height);
    }
  }
  text_below = need;

  // The reference one-way delay: the shortest trip of a segment the link did not hold back.
  Time reference = 0;
  for (const Arrow& arrow : model_.arrows) {
    if (arrow.fate != Arrow::Fate::delivered || arrow.held || arrow.copy) continue;
    const Time trip = arrow.arrival - arrow.sent;
    if (trip > 0 && (reference == 0 || trip < reference)) reference = trip;
  }
  if (reference == 0) {
    for (const auto& direction : model_.scenario.link.directions) {
      if (direction.delay > 0 && (reference == 0 || direction.delay < reference)) {
        reference = direction.delay;
      }
    }
  }
  if (reference == 0) reference = tcpsim::millisecond;

  // Arrows that end at each instant, for the minimum arrow height: where each starts, and
  // the rows of its label (a second row for a note or reasons under it).
  std::vector<std::vector<std::size_t>> arriving(count);
  std::vector<std::map<std::size_t, int>> label_rows(count);
  for (const Arrow& arrow : model_.arrows) {
    if (arrow.fate == Arrow::Fate::delivered || arrow.fate == Arrow::Fate::expired) {
      const std::size_t from = model_.instant_of(arrow.sent);
      const std::size_t to = model_.instant_of(arrow.arrival);
      if (to > from) {
        arriving[to].push_back(from);
        const bool second = !arrow.reasons.empty() || arrow.held || arrow.copy;
        int& rows = label_rows[to][from];
        rows = std::max(rows, second ? 2 : 1);
      }
    }
  }

  instant_y.assign(count, 0);
  instant_y[0] = diagram_top;
  for (std::size_t i = 1; i < count; ++i) {
    const Time gap = model_.instants[i] - model_.instants[i - 1];
    // Linear height, without overflow for any gap.
    const Time units = gap / reference;
    std::int64_t linear =
        units > 1'000'000 ? std::int64_t{1} << 40
                          : units * unit_height +
                                (gap % reference) / std::max<Time>(1, reference / unit_height);
    std::int64_t height = std::max<std::int64_t>(linear, need[i - 1]);
    if (linear > break_threshold && linear > need[i - 1] + break_height) {
      height = need[i - 1] + break_height;
      breaks.push_back({i - 1, gap});
    }
    int y = instant_y[i - 1] + static_cast<int>(height);
    // Arrows with the same ends (crossing segments, a segment and its copy) share the room:
    // each one more makes them taller, so their labels can sit at different heights.
    // A burst of them stacks its labels along the line (views/svg.cpp): each label's rows
    // and a gap, for every arrow and one more.
    for (const std::size_t from : arriving[i]) {
      const auto same = static_cast<int>(std::count(arriving[i].begin(), arriving[i].end(), from));
      const int pitch = label_rows[i][from] * 14 + 10;
      y = std::max(y, instant_y[from] + min_arrow_height + (same - 1) * 28);
      if (same > 1) y = std::max(y, instant_y[from] + (same + 1) * pitch);
    }
    // More where a label found no room in an earlier layout, whatever set the height.
    if (i - 1 < room_.size()) y += room_[i - 1];
    instant_y[i] = y;
  }
  diagram_bottom = instant_y.back() + need.back();
  // The run's end: below the text of the last moment, or on it when nothing happens then.
  const bool end_is_empty =
      model_.trace().empty() || model_.trace().back().time < model_.instants.back();
  end_y = end_is_empty ? instant_y.back() : diagram_bottom;
}

// The row of a moment. What is still alive when the run ends reaches end_y instead.
int DiagramLayout::y_at(Time time) const { return instant_y[model_.instant_of(time)]; }

int DiagramLayout::drop_y(const Arrow& arrow) const {
  const int slot = arrow.drop_group == npos ? 0 : model_.drop_groups[arrow.drop_group].slot;
  return y_at(arrow.sent) + drop_height + slot * drop_slot_height;
}

// The middle of a break's band, in the gap below the text of the instant before it.
int DiagramLayout::break_middle(const BreakMark& mark) const {
  const int top = instant_y[mark.after] + text_below[mark.after];
  return (top + instant_y[mark.after + 1]) / 2;
}


}  // namespace tcpsim::views::svg_diagram
