#include "runner/transition_table.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "tcp/rules.hpp"
#include "tcp/transitions.hpp"

namespace tcpsim::runner {

namespace {

constexpr std::array<std::string_view, 7> headings{
    "state", "event", "new state", "rule", "citation", "function", "variant"};

std::array<std::string, 7> cells(const tcp::StateTransition& row, TableFormat format) {
  const auto code = [format](std::string_view text) {
    return format == TableFormat::markdown ? "`" + std::string(text) + "`" : std::string(text);
  };
  return {std::string(tcp::state_name(row.from)),
          std::string(row.event),
          std::string(tcp::state_name(row.to)),
          code(tcp::rule_name(row.rule)),
          std::string(tcp::rule_text(row.rule).citation),
          code(row.function),
          std::string(row.variant)};
}

}  // namespace

std::string format_transition_table(TableFormat format) {
  std::vector<std::array<std::string, 7>> rows;
  for (const tcp::StateTransition& row : tcp::transitions()) rows.push_back(cells(row, format));
  std::string out;
  if (format == TableFormat::markdown) {
    out += "|";
    for (const std::string_view heading : headings) out += " " + std::string(heading) + " |";
    out += "\n|";
    for (std::size_t column = 0; column < headings.size(); ++column) out += "---|";
    out += "\n";
    for (const auto& row : rows) {
      out += "|";
      for (const std::string& cell : row) out += cell.empty() ? " |" : " " + cell + " |";
      out += "\n";
    }
    return out;
  }
  // Text: columns padded to their widest cell, the last one unpadded.
  std::array<std::size_t, 7> widths{};
  for (std::size_t column = 0; column < headings.size(); ++column) {
    widths[column] = headings[column].size();
    for (const auto& row : rows) widths[column] = std::max(widths[column], row[column].size());
  }
  const auto line = [&](const std::array<std::string, 7>& row) {
    std::string text;
    for (std::size_t column = 0; column < row.size(); ++column) {
      text += row[column];
      if (column + 1 == row.size()) break;
      text += std::string(widths[column] - row[column].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::array<std::string, 7> heading_row;
  for (std::size_t column = 0; column < headings.size(); ++column) {
    heading_row[column] = std::string(headings[column]);
  }
  out += line(heading_row);
  for (const auto& row : rows) out += line(row);
  return out;
}

}  // namespace tcpsim::runner
