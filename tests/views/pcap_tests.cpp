// The pcap view (views/pcap.hpp): checksums, the bytes of a packet, the pcapng block structure,
// timestamps, the comments on segments the link or the receiver did not simply deliver, and the
// golden captures (tests/views/golden/<scenario>.pcapng.hex; TCPSIM_UPDATE_GOLDEN=1 rewrites
// them). tshark's own reading of every scenario's capture is tests/pcap/tshark-check.sh.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "runner/expectations.hpp"
#include "runner/scenario_loader.hpp"
#include "views/pcap.hpp"

namespace views_pcap_tests {

using namespace tcpsim;
using namespace tcpsim::runner;
using tcpsim::views::encode_ipv4_tcp;

namespace {

std::vector<std::uint8_t> hex_bytes(const std::string& text) {
  std::vector<std::uint8_t> bytes;
  std::istringstream in(text);
  std::string word;
  while (in >> word) bytes.push_back(static_cast<std::uint8_t>(std::stoul(word, nullptr, 16)));
  return bytes;
}

std::string scenario_path(const std::string& name) {
  return std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

struct Run {
  Scenario scenario;
  RunResult result;
};
Run run_file(const std::string& path) {
  Run run;
  run.scenario = load_scenario_file(path);
  run.result = run_scenario(run.scenario);
  return run;
}
Run run_text(const std::string& text) {
  Run run;
  run.scenario = load_scenario_text(text, "inline");
  run.result = run_scenario(run.scenario);
  return run;
}

// A client and a server 50 ms apart; the client connects at 100 ms. `faults` is a JSON array.
std::string handshake_scenario(const std::string& faults, const std::string& extra = "") {
  return R"({"tcpsim": 1, "name": "pcap-test", "description": "pcap view test", "seed": 1,
    "link": {"delay": "50ms")" + extra + R"(},
    "hosts": [{"name": "client", "address": "10.0.0.1"},
              {"name": "server", "address": "10.0.0.2"}],
    "faults": )" + faults + R"(,
    "timeline": [
      {"at": "0s", "host": "server", "action": "listen", "port": 80},
      {"at": "100ms", "host": "client", "action": "connect", "to": "server", "port": 80,
       "name": "c1"}],
    "stop_at": "1s"})";
}

std::uint32_t le32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int index = 3; index >= 0; --index) {
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at + static_cast<std::size_t>(index)]);
  }
  return value;
}

struct Block {
  std::uint32_t type = 0;
  std::size_t at = 0;
  std::uint32_t length = 0;
};
// Walks the blocks, checking what every pcapng block must satisfy.
std::vector<Block> walk_blocks(const std::string& bytes) {
  std::vector<Block> blocks;
  std::size_t at = 0;
  while (at < bytes.size()) {
    REQUIRE(bytes.size() - at >= 12);
    Block block{le32(bytes, at), at, le32(bytes, at + 4)};
    REQUIRE(block.length % 4 == 0);
    REQUIRE(block.length >= 12);
    REQUIRE(at + block.length <= bytes.size());
    REQUIRE(le32(bytes, at + block.length - 4) == block.length);  // trailing == leading
    blocks.push_back(block);
    at += block.length;
  }
  REQUIRE(at == bytes.size());
  return blocks;
}

std::string read_text(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A segment put on the wire: sent by a host, or injected by the script.
bool opens_frame(const TraceEvent& event) {
  return event.kind == TraceKind::send || event.kind == TraceKind::inject;
}
// A frame of the capture: a segment put on the wire at one end, or arriving at the other.
bool is_frame(const TraceEvent& event) {
  return opens_frame(event) || event.kind == TraceKind::deliver;
}

std::size_t frame_count(const RunResult& result) {
  std::size_t count = 0;
  for (const auto& event : result.trace) count += is_frame(event) ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("the Internet checksum of RFC 1071's example is 0x220d (its sum is 0xddf2)",
          "[pcap]") {
  const auto bytes = hex_bytes("00 01 f2 03 f4 f5 f6 f7");
  CHECK(views::ones_complement_sum(bytes) == 0xddf2);
  CHECK(views::internet_checksum(bytes) == 0x220d);
}

TEST_CASE("the IPv4 header checksum of a known header is 0xb861", "[pcap]") {
  CHECK(views::internet_checksum(hex_bytes("45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 "
                                           "c0 a8 00 c7")) == 0xb861);
}

TEST_CASE("the checksum pads an odd last byte with zero and folds every carry", "[pcap]") {
  CHECK(views::ones_complement_sum(hex_bytes("ab")) == 0xab00);
  CHECK(views::ones_complement_sum(hex_bytes("ff ff ff ff 00 02")) == 0x0002);
  CHECK(views::ones_complement_sum(hex_bytes("00 01"), 0xffff) == 0x0001);
  CHECK(views::internet_checksum({}) == 0xffff);
}

TEST_CASE("a SYN with an MSS option encodes to pinned IPv4 and TCP bytes", "[pcap]") {
  TraceSegment syn;
  syn.id = 1;
  syn.source = 0x0A000001;
  syn.destination = 0x0A000002;
  syn.source_port = 49152;
  syn.destination_port = 80;
  syn.seq = 1066889351;
  syn.flags = tcp::flag::syn;
  syn.window = 65535;
  syn.mss = 536;
  // Computed independently (Python struct + RFC 1071): IP id 1, DF, TTL 64, data offset 6.
  CHECK(encode_ipv4_tcp(syn) ==
        hex_bytes("45 00 00 2c 00 01 40 00 40 06 26 c9 0a 00 00 01 0a 00 00 02 "
                  "c0 00 00 50 3f 97 70 87 00 00 00 00 60 02 ff ff 17 51 00 00 "
                  "02 04 02 18"));
}

TEST_CASE("a data segment of odd length encodes to pinned bytes with data offset 5", "[pcap]") {
  TraceSegment data;
  data.id = 0x10005;  // the IP id keeps the low 16 bits
  data.source = 0x0A000002;
  data.destination = 0x0A000001;
  data.source_port = 49152;
  data.destination_port = 80;
  data.seq = 1000;
  data.ack = 2000;
  data.flags = tcp::flag::psh | tcp::flag::ack;
  data.window = 1024;
  data.length = 5;
  data.payload = {'h', 'e', 'l', 'l', 'o'};
  CHECK(encode_ipv4_tcp(data) ==
        hex_bytes("45 00 00 2d 00 05 40 00 40 06 26 c4 0a 00 00 02 0a 00 00 01 "
                  "c0 00 00 50 00 00 03 e8 00 00 07 d0 50 18 04 00 87 ea 00 00 "
                  "68 65 6c 6c 6f"));
}

TEST_CASE("the MSS option is kind 2, length 4, the value in network order, and sets the data "
          "offset to 6 words",
          "[pcap]") {
  TraceSegment segment;
  segment.flags = tcp::flag::syn | tcp::flag::ack;
  segment.mss = 1460;
  const auto packet = encode_ipv4_tcp(segment);
  REQUIRE(packet.size() == 44);
  CHECK(packet[32] >> 4 == 6);
  CHECK(packet[40] == 2);
  CHECK(packet[41] == 4);
  CHECK(packet[42] == 0x05);
  CHECK(packet[43] == 0xb4);
  segment.mss = 0;
  const auto without = encode_ipv4_tcp(segment);
  REQUIRE(without.size() == 40);
  CHECK(without[32] >> 4 == 5);
}

TEST_CASE("a trace without payload bytes is zero-filled to its length, and both checksums "
          "verify",
          "[pcap]") {
  TraceSegment segment;
  segment.id = 9;
  segment.source = 0x0A000001;
  segment.destination = 0x0A000002;
  segment.source_port = 1;
  segment.destination_port = 2;
  segment.flags = tcp::flag::ack;
  segment.length = 3;
  segment.payload = {0x7f};
  const auto packet = encode_ipv4_tcp(segment);
  REQUIRE(packet.size() == 43);
  CHECK(packet[40] == 0x7f);
  CHECK(packet[41] == 0);
  CHECK(packet[42] == 0);
  // A header with its checksum in place sums to 0xffff.
  CHECK(views::ones_complement_sum(std::span(packet.data(), 20)) == 0xffff);
  std::vector<std::uint8_t> pseudo = {packet[12], packet[13], packet[14], packet[15], packet[16],
                                      packet[17], packet[18], packet[19], 0, 6, 0, 23};
  const auto pseudo_sum = views::ones_complement_sum(pseudo);
  CHECK(views::ones_complement_sum(std::span(packet.data() + 20, 23), pseudo_sum) == 0xffff);
}

TEST_CASE("a payload too long for one IPv4 packet is cut, and the IP length stays exact",
          "[pcap]") {
  TraceSegment segment;
  segment.length = 70000;
  segment.mss = 536;
  const auto packet = encode_ipv4_tcp(segment);
  CHECK(packet.size() == 65535);
  CHECK(packet[2] == 0xff);
  CHECK(packet[3] == 0xff);
}

TEST_CASE("a nanosecond timestamp splits into its high and low 32 bits", "[pcap]") {
  const auto small = views::split_timestamp(100'000'000);
  CHECK(small.high == 0);
  CHECK(small.low == 100'000'000);
  const auto late = views::split_timestamp(242'550'000'000);  // beyond 2^32 ns (4.29 s)
  CHECK(late.high == 56);
  CHECK(late.low == 2'031'831'424);  // 242550000000 - 56 * 2^32
  const auto largest = views::split_timestamp(time_never);
  CHECK(largest.high == 0x7fffffff);
  CHECK(largest.low == 0xffffffff);
  CHECK(views::split_timestamp(-5).high == 0);
  CHECK(views::split_timestamp(-5).low == 0);
}

TEST_CASE("capture times read as seconds with nine decimals", "[pcap]") {
  CHECK(views::format_capture_time(0) == "0.000000000s");
  CHECK(views::format_capture_time(3'000'000'001) == "3.000000001s");
  CHECK(views::format_capture_time(-1'500'000'000) == "-1.500000000s");
}

TEST_CASE("pcapng options are padded to 4 octets and end with opt_endofopt", "[pcap]") {
  const std::string options = views::pcapng_options({{1, "hello"}});
  REQUIRE(options.size() == 4 + 8 + 4);
  CHECK(options.substr(0, 4) == std::string("\x01\x00\x05\x00", 4));
  CHECK(options.substr(4, 8) == std::string("hello\0\0\0", 8));
  CHECK(options.substr(12) == std::string(4, '\0'));
  const std::string block = views::pcapng_block(6, "abcde");
  CHECK(block.size() == 20);
  CHECK(le32(block, 4) == 20);
  CHECK(le32(block, 16) == 20);
}

TEST_CASE("an enhanced packet block carries the split timestamp, both lengths and the comment",
          "[pcap]") {
  const std::vector<std::uint8_t> packet(41, 0xAB);
  const std::string block = views::pcapng_enhanced_packet(0x1'0000'0002LL, packet, "lost");
  REQUIRE(block.size() == 28 + 44 + 4 + 4 + 4 + 4);
  CHECK(le32(block, 0) == 6);
  CHECK(le32(block, 8) == 0);   // interface
  CHECK(le32(block, 12) == 1);  // high
  CHECK(le32(block, 16) == 2);  // low
  CHECK(le32(block, 20) == 41);
  CHECK(le32(block, 24) == 41);
  CHECK(block.substr(72, 8) == std::string("\x01\x00\x04\x00lost", 8));
  const std::string quiet = views::pcapng_enhanced_packet(0, packet, "");
  CHECK(quiet.size() == 28 + 44 + 4);  // no options at all
  CHECK(le32(views::pcapng_enhanced_packet(0, packet, "", 1), 8) == 1);  // interface 1
}

TEST_CASE("every shipped scenario's capture is well-formed pcapng: SHB, one IDB per host with "
          "nanosecond resolution and LINKTYPE_RAW, one EPB per segment sent, injected or "
          "delivered, on the interface of the host it leaves or reaches",
          "[pcap]") {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TCPSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    INFO(file);
    const Run run = run_file(file);
    const std::string bytes = views::format_pcapng(run.scenario, run.result);
    const std::vector<Block> blocks = walk_blocks(bytes);
    const std::size_t hosts = run.scenario.hosts.size();
    REQUIRE(blocks.size() == 1 + hosts + frame_count(run.result));
    CHECK(blocks[0].type == 0x0A0D0D0A);
    CHECK(le32(bytes, 8) == 0x1A2B3C4D);
    for (std::size_t host = 0; host < hosts; ++host) {
      const Block& interface = blocks[1 + host];
      CHECK(interface.type == 1);
      CHECK(static_cast<std::uint8_t>(bytes[interface.at + 8]) == 101);
      // if_tsresol (9), length 1, value 9: 10^-9 s.
      CHECK(bytes.find(std::string("\x09\x00\x01\x00\x09", 5), interface.at) <
            interface.at + interface.length);
      // if_name: the host's name.
      const std::string& name = run.scenario.hosts[host].name;
      CHECK(bytes.substr(interface.at + 20, name.size()) == name);
    }
    std::size_t frame = 0;
    for (const auto& event : run.result.trace) {
      if (!is_frame(event)) continue;
      const Block& block = blocks[1 + hosts + frame++];
      CHECK(block.type == 6);
      CHECK(le32(bytes, block.at + 8) == static_cast<std::uint32_t>(event.host));
      const auto stamp = views::split_timestamp(event.time);
      CHECK(le32(bytes, block.at + 12) == stamp.high);
      CHECK(le32(bytes, block.at + 16) == stamp.low);
      CHECK(le32(bytes, block.at + 20) == encode_ipv4_tcp(event.segment).size());
    }
  }
}

TEST_CASE("a lost segment is sent at one end and never received at the other, and a delivered one "
          "is a frame at each end",
          "[pcap]") {
  const Run run = run_file(scenario_path("lost-final-ack-time-wait"));
  const auto frames = views::capture_frames(run.scenario, run.result);
  std::map<std::uint64_t, std::vector<std::uint32_t>> sent;
  std::map<std::uint64_t, std::vector<std::uint32_t>> received;
  for (const auto& frame : frames) {
    const TraceEvent& event = run.result.trace[frame.event];
    CHECK(frame.arrival == (event.kind == TraceKind::deliver));
    (frame.arrival ? received : sent)[event.segment.id].push_back(frame.interface);
  }
  REQUIRE(sent.size() == 9);
  for (const auto& [id, interfaces] : sent) {
    INFO("segment #" << id);
    REQUIRE(interfaces.size() == 1);
    if (id == 7) {  // the final ACK, lost by rule 'lose-final-ack'
      CHECK(received.count(id) == 0);
    } else {
      REQUIRE(received[id].size() == 1);
      CHECK(received[id][0] == 1 - interfaces[0]);
    }
  }
}

TEST_CASE("an arrival's comment tells what the link did to it and the receiver's discard, and a "
          "plain arrival has none",
          "[pcap]") {
  const Run run = run_file(scenario_path("three-way-handshake-stale-syn"));
  const auto frames = views::capture_frames(run.scenario, run.result);
  std::size_t commented = 0;
  for (const auto& frame : frames) {
    if (!frame.arrival) continue;
    const TraceEvent& event = run.result.trace[frame.event];
    INFO("segment #" << event.segment.id << ": " << frame.comment);
    if (event.segment.id == 1) {
      CHECK(frame.comment == "segment #1 arrives at server: held by the link since 0.100000000s "
                             "(rule 'stale-syn')");
    }
    if (!frame.comment.empty()) ++commented;
  }
  // The client's TCP discards a segment on arrival; that arrival's comment gives the rule.
  const TraceEvent* discard = nullptr;
  for (const TraceEvent& event : run.result.trace) {
    if (event.kind == TraceKind::discard && event.host == 0) discard = &event;
  }
  REQUIRE(discard != nullptr);
  bool found = false;
  for (const auto& frame : frames) {
    const TraceEvent& event = run.result.trace[frame.event];
    if (!frame.arrival || event.segment.id != discard->segment.id) continue;
    found = true;
    CHECK(frame.interface == 0);
    CHECK(frame.comment.find("discarded by client's TCP (" +
                             std::string(tcp::rule_reason(discard->rule)) + ")") !=
          std::string::npos);
  }
  CHECK(found);
  CHECK(commented == 2);
  // A copy the link made arrives as a frame of its own, and says so.
  const Run copied = run_text(handshake_scenario(
      R"([{"name": "twice", "match": {"from": "client", "flags": "SYN"},
           "action": "duplicate", "duration": "10ms"}])"));
  std::vector<std::string> arrivals;
  for (const auto& frame : views::capture_frames(copied.scenario, copied.result)) {
    if (frame.arrival && copied.result.trace[frame.event].segment.id == 1) {
      arrivals.push_back(frame.comment);
    }
  }
  REQUIRE(arrivals.size() == 2);
  CHECK(arrivals[0].empty());
  CHECK(arrivals[1].rfind("segment #1' arrives at server: a copy the link made (rule 'twice')",
                          0) == 0);
}

TEST_CASE("the capture carries the payload bytes the application sent", "[pcap]") {
  const Run run = run_file(scenario_path("three-way-handshake-stale-syn"));
  bool found = false;
  for (const auto& event : run.result.trace) {
    if (event.kind != TraceKind::send || event.segment.length == 0) continue;
    const auto packet = encode_ipv4_tcp(event.segment);
    CHECK(std::string(packet.end() - 5, packet.end()) == "GET /");
    found = true;
  }
  CHECK(found);
}

TEST_CASE("a dropped segment's comment names the rule, and plainly delivered segments have none",
          "[pcap]") {
  const Run run = run_file(scenario_path("lost-final-ack-time-wait"));
  const auto comments = views::segment_fate_comments(run.scenario, run.result);
  REQUIRE(comments.size() == 9);
  CHECK(comments[6] == "segment #7: dropped by the link (rule 'lose-final-ack')");
  for (std::size_t frame = 0; frame < comments.size(); ++frame) {
    if (frame != 6) CHECK(comments[frame].empty());
  }
}

TEST_CASE("a held segment's comment tells the hold, the late delivery and the receiver's "
          "discard, in order",
          "[pcap]") {
  const Run run = run_file(scenario_path("three-way-handshake-stale-syn"));
  const auto comments = views::segment_fate_comments(run.scenario, run.result);
  REQUIRE(!comments.empty());
  CHECK(comments[0] ==
        "segment #1: delayed by the link until 3.000000000s (rule 'stale-syn'); delivered at "
        "3.000000000s");
  // The client's TCP discards a segment; that segment's comment gives the discard's rule.
  const TraceEvent* discard = nullptr;
  for (const TraceEvent& event : run.result.trace) {
    if (event.kind == TraceKind::discard && event.host == 0) discard = &event;
  }
  REQUIRE(discard != nullptr);
  REQUIRE(discard->rule != tcp::Rule::none);
  REQUIRE(discard->segment.id >= 1);
  REQUIRE(discard->segment.id <= comments.size());
  const std::string& comment = comments[discard->segment.id - 1];
  CHECK(comment.find("discarded by client's TCP (" + std::string(tcp::rule_reason(discard->rule)) +
                     ")") != std::string::npos);
}

TEST_CASE("a duplicated segment's comment tells when each copy arrived", "[pcap]") {
  const Run run = run_text(handshake_scenario(
      R"([{"name": "twice", "match": {"from": "client", "flags": "SYN"},
           "action": "duplicate", "duration": "10ms"}])"));
  const auto comments = views::segment_fate_comments(run.scenario, run.result);
  REQUIRE(!comments.empty());
  CHECK(comments[0].rfind("segment #1: duplicated by the link, the copy due at 0.160000000s "
                          "(rule 'twice'); delivered at 0.150000000s; the copy delivered at "
                          "0.160000000s",
                          0) == 0);
}

TEST_CASE("a segment still held when the run stops says so", "[pcap]") {
  const Run run = run_text(handshake_scenario(
      R"([{"name": "late", "match": {"from": "client", "flags": "SYN"},
           "action": "hold", "until": "5s"}])"));
  const auto comments = views::segment_fate_comments(run.scenario, run.result);
  REQUIRE(!comments.empty());
  CHECK(comments[0] ==
        "segment #1: delayed by the link until 5.000000000s (rule 'late'); still in the network "
        "when the run stopped at 1.000000000s");
}

TEST_CASE("a segment held beyond MSL is reported expired", "[pcap]") {
  std::string scenario = handshake_scenario(
      R"([{"name": "ancient", "match": {"from": "client", "flags": "SYN", "nth": 1},
           "action": "hold", "until": "900ms"}])",
      R"(, "msl": "500ms")");
  const Run run = run_text(scenario);
  const auto comments = views::segment_fate_comments(run.scenario, run.result);
  REQUIRE(!comments.empty());
  INFO(comments[0]);
  CHECK(comments[0].find("expired in the network at") != std::string::npos);
}

TEST_CASE("the hex dump of malformed bytes shows them raw instead of failing", "[pcap]") {
  CHECK(views::pcapng_hex_dump("\x01\x02\x03") ==
        "block 1 at 0x00000000: malformed, 3 octets left\n"
        "  0000  01 02 03                                          |...|\n");
  const std::string bad_length = views::pcapng_block(6, "x").substr(0, 12) + "zz";
  CHECK(views::pcapng_hex_dump(bad_length).find("malformed") != std::string::npos);
}

// Golden captures: the hex dump of the whole file, compared line by line.
TEST_CASE("the captures of the golden scenarios match their goldens byte for byte", "[pcap]") {
  const bool update = std::getenv("TCPSIM_UPDATE_GOLDEN") != nullptr &&
                      std::string(std::getenv("TCPSIM_UPDATE_GOLDEN")) == "1";
  for (const std::string name : {"three-way-handshake", "lost-final-ack-time-wait",
                                 "three-way-handshake-stale-syn", "injected-segments"}) {
    INFO(name);
    // The view test scenarios live beside the tests, the others are shipped.
    const Run run = run_file(name == "injected-segments"
                                 ? std::string(TCPSIM_SOURCE_DIR) +
                                       "/tests/views/scenarios/injected-segments.json"
                                 : scenario_path(name));
    const std::string dump =
        views::pcapng_hex_dump(views::format_pcapng(run.scenario, run.result));
    const std::string golden =
        std::string(TCPSIM_SOURCE_DIR) + "/tests/views/golden/" + name + ".pcapng.hex";
    if (update) {
      std::string error;
      REQUIRE(write_file_atomically(golden, dump, error));
      continue;
    }
    bool ok = false;
    const std::string expected = read_text(golden, ok);
    INFO("golden " << golden << " (TCPSIM_UPDATE_GOLDEN=1 rewrites it; review the diff)");
    REQUIRE(ok);
    if (expected == dump) continue;
    std::istringstream want(expected);
    std::istringstream got(dump);
    std::string want_line;
    std::string got_line;
    int line = 0;
    while (true) {
      ++line;
      const bool more_want = static_cast<bool>(std::getline(want, want_line));
      const bool more_got = static_cast<bool>(std::getline(got, got_line));
      if (!more_want && !more_got) break;
      if (!more_want) want_line = "(end of golden)";
      if (!more_got) got_line = "(end of capture)";
      if (want_line != got_line) {
        FAIL("first difference at line " << line << "\n  golden:  " << want_line
                                         << "\n  capture: " << got_line);
      }
    }
  }
}

TEST_CASE("an injected segment is a frame of its own whose comment says the script made it",
          "[pcap]") {
  const Run run = run_file(scenario_path("established-ack-of-unsent-data"));
  const std::vector<std::string> comments = views::segment_fate_comments(run.scenario, run.result);
  std::size_t frame = 0;
  bool found = false;
  for (const auto& event : run.result.trace) {
    if (!opens_frame(event)) continue;
    const std::string& comment = comments.at(frame++);
    INFO("frame " << frame << ": " << comment);
    if (event.kind == TraceKind::inject) {
      found = true;
      CHECK(comment.find("injected by the script") != std::string::npos);
      CHECK(comment.find("discarded by") != std::string::npos);  // its fate follows
    } else {
      CHECK(comment.find("injected") == std::string::npos);
    }
  }
  CHECK(found);
}

}  // namespace views_pcap_tests
