// Reads a packetdrill script (the language of gtests/net/packetdrill/lexer.l and parser.y) into
// a Script, or throws a ScriptError "FILE:LINE:COL: error: ...". Never crashes on any input.
//
// Beyond Google's grammar it reads the FreeBSD fork's `#ifdef NAME` ... `#endif` blocks: a block
// whose NAME is in ParseOptions::defined is read, any other is skipped.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "packetdrill/script.hpp"

namespace tcpsim::packetdrill {

struct ParseOptions {
  // The names `#ifdef` blocks test. tcpsim implements the RFCs, so by default the FreeBSD
  // suite's STANDARD blocks (the RFC behaviour) are read and its FreeBSD blocks are not.
  std::set<std::string> defined{"STANDARD"};
};

Script parse_script(std::string_view text, const std::string& file,
                    const ParseOptions& options = {});
Script parse_script_file(const std::string& path, const ParseOptions& options = {});

}  // namespace tcpsim::packetdrill
