// Views of one run for people and tools, each computed from the canonical trace
// (runner/trace.hpp) and the scenario, each deterministic: the same run gives the same bytes.
// One header per view; this one only names them.
//   ladder.hpp    the terminal ladder (tcpsim run's default output)
//   svg.hpp       ladder diagram as SVG (--svg); built by svg_model.hpp and svg_layout.hpp
//   html.hpp      self-contained stepping page (--html)
//   pcap.hpp      capture for Wireshark/tshark (--pcap)
//   mermaid.hpp   sequenceDiagram for GitHub (--mermaid)
//   narration.hpp one sentence per step, English or Chinese (--explain, --lang)
//   realtime.hpp  paced playback with Boost.Asio (--realtime)
//   text.hpp      what they share: times, escaping, segment labels
#pragma once
