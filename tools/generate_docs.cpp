// tcpsim_generate_docs --check|--update DOCS_DIR: the generated parts of
// DOCS_DIR/scenario-format.md, DOCS_DIR/scenario.schema.json and DOCS_DIR/design.md, from the
// tables (runner/reference.hpp). --check (the ctest docs:generated) exits 1 and names each file
// that differs from what the tables give; --update (scripts/generate-docs) rewrites them.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "runner/reference.hpp"

namespace {

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// The first line where `a` and `b` differ, counting from 1.
std::size_t first_difference_line(const std::string& a, const std::string& b) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i)
    if (a[i] == '\n') ++line;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: tcpsim_generate_docs --check|--update DOCS_DIR\n";
  if (argc != 3) {
    std::cerr << usage;
    return 2;
  }
  const std::string mode = argv[1];
  const std::string directory = argv[2];
  if (mode != "--check" && mode != "--update") {
    std::cerr << usage;
    return 2;
  }
  struct Document {
    std::string file;
    std::string (*regenerate)(std::string_view);
  };
  const Document documents[] = {
      {directory + "/scenario-format.md", tcpsim::runner::regenerate_format_doc},
      {directory + "/scenario.schema.json", tcpsim::runner::regenerate_schema},
      {directory + "/design.md", tcpsim::runner::regenerate_design_doc},
  };
  int status = 0;
  for (const Document& document : documents) {
    std::string text;
    if (!read_file(document.file, text)) {
      std::cerr << document.file << ": cannot read\n";
      return 2;
    }
    std::string generated;
    try {
      generated = document.regenerate(text);
    } catch (const tcpsim::runner::GenerateError& error) {
      std::cerr << document.file << ": " << error.what() << "\n";
      return 2;
    }
    if (generated == text) continue;
    if (mode == "--update") {
      if (!write_file(document.file, generated)) {
        std::cerr << document.file << ": cannot write\n";
        return 2;
      }
      std::cout << "updated " << document.file << "\n";
    } else {
      std::cerr << document.file << ":" << first_difference_line(text, generated)
                << ": differs from the tables (tcp/knobs.cpp, runner/vocabulary.cpp, tcp/types.cpp,"
                   " tcp/transitions.cpp); run scripts/generate-docs\n";
      status = 1;
    }
  }
  std::string schema;
  if (read_file(directory + "/scenario.schema.json", schema)) {
    for (const auto& problem : tcpsim::runner::schema_disagreements(schema)) {
      std::cerr << directory << "/scenario.schema.json: " << problem << "\n";
      status = 1;
    }
  }
  if (status == 0 && mode == "--check") std::cout << "docs agree with the tables\n";
  return status;
}
