// The SVG ladder diagram, step 2 of 3: the layout, where everything goes, in integer pixels.
// The time axis is piecewise linear (views/svg.hpp, docs/views.md): each moment gets a row, a
// gap at least as tall as the text written at the moment before it, arrows a minimum height,
// and long idle gaps are compressed to breaks. Columns: the time gutter, each host's text, its
// timer brackets and lifelines; the middle, as wide as the widest segment label needs.
// Internal to the SVG view.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "views/svg_model.hpp"

namespace tcpsim::views::svg_diagram {

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
constexpr int drop_slot_height = 36;  // each further DropGroup lost at one moment, one lane
// Drawings after the first when labels do not fit (views/svg.cpp, render_svg): a bound on the
// cost, far above the 4 the most crowded shipped scenario needs.
constexpr int max_layout_passes = 8;
constexpr int head_length = 10;
constexpr int head_half_width = 4;
constexpr int min_middle_width = 460;
// Sans-serif 13 px for the description: a conservative average width per character.
constexpr int description_char_width = 7;
constexpr int description_line_height = 18;

// Monospace text width in pixels.
inline int text_width(std::size_t characters) {
  return static_cast<int>((characters * 72 + 9) / 10);
}
// A wide (Chinese) character takes two monospace cells.
inline int text_width(std::string_view text) { return text_width(text::display_width(text)); }

struct BreakMark {
  std::size_t after = 0;  // the gap after this instant
  Time idle = 0;
};

class DiagramLayout {
 public:
  // Keeps a reference: the model must outlive the layout. `room`: pixels added to the gap
  // below each instant (indexed like model.instants; empty: none).
  explicit DiagramLayout(const DiagramModel& model, std::vector<int> room = {});

  // The x of a lane's lifeline (lane_index into model.lanes; -1: the host's own line).
  int lane_x(int host, int lane_index) const;
  // The row of a moment. What is still alive when the run ends reaches end_y instead.
  int y_at(Time time) const;
  // The middle of a break's band, in the gap below the text of the instant before it.
  int break_middle(const BreakMark& mark) const;
  // Where a lost segment's line stops, below its send row: its group's slot says how far.
  int drop_y(const Arrow& arrow) const;

  // The header, top down: title, description rows, subtitle, host names.
  int title_y = 0;
  std::vector<std::string> description_rows;
  int description_top = 0;  // row k's baseline is description_top + (k + 1) * line height
  int subtitle_y = 0;
  int hosts_y = 0;

  std::array<int, 2> text_column_width = {0, 0};
  std::array<std::vector<int>, 2> lane_column_x;   // per side, per lane (0 innermost)
  std::array<std::vector<int>, 2> timer_column_x;  // per side, per bracket column
  std::array<int, 2> host_x = {0, 0};
  int left_text_right = 0;
  int right_text_left = 0;
  int width = 0;

  std::vector<int> instant_y;   // per instant
  std::vector<int> text_below;  // per instant: the room its text needs below its line
  std::vector<BreakMark> breaks;
  int diagram_top = 0;
  int diagram_bottom = 0;
  int end_y = 0;

 private:
  void layout_x();
  void layout_header();
  void layout_y();

  const DiagramModel& model_;
  std::vector<int> room_;
};

}  // namespace tcpsim::views::svg_diagram
