#include "runner/text_wrap.hpp"

namespace tcpsim::runner {

void write_wrapped(std::ostream& out, std::string_view text, std::size_t line_width,
                   std::string_view prefix) {
  const std::size_t width = line_width - prefix.size();
  std::size_t column = 0;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view{} : text.substr(space + 1);
    if (word.empty()) continue;
    if (column > 0 && column + 1 + word.size() > width) {
      out << "\n";
      column = 0;
    }
    if (column == 0) {
      out << prefix << word;
      column = word.size();
    } else {
      out << ' ' << word;
      column += 1 + word.size();
    }
  }
  out << "\n";
}

}  // namespace tcpsim::runner
