// The core builds each segment it sends in place, in the Output's next packet slot
// (Connection::start_segment), and a slot is reused with whatever its last use left in it. These
// tests pin every field of the segments a connection sends (SYN, SYN-ACK, data, FIN, RST, an
// ACK with SACK blocks) and require the same effects, field for field, from a fresh Output and
// from one whose slots hold a discarded segment with every field set.
#include <sstream>
#include <string>

#include "tcp_test_support.hpp"

namespace tcp_segment_building_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

// Every field of a packet, as text.
std::string fields(const Packet& packet) {
  const Segment& s = packet.segment;
  std::ostringstream text;
  text << packet.source << '>' << packet.destination << ' ' << s.source_port << '>'
       << s.destination_port << " seq=" << s.seq << " ack=" << s.ack
       << " flags=" << static_cast<int>(s.flags) << " win=" << s.window << " mss=" << s.mss
       << " ws=" << static_cast<int>(s.window_scale) << " sackok=" << s.sack_permitted
       << " ts=" << s.has_timestamps << ' ' << s.timestamp_value << ' ' << s.timestamp_echo
       << " sack=" << static_cast<int>(s.sack_block_count);
  for (const SackBlock& block : s.sack_blocks) text << ' ' << block.left << '-' << block.right;
  text << " data=" << std::string(s.payload.begin(), s.payload.end());
  return text.str();
}

// Every effect, in order, with the packet of a transmit or discard.
std::string effects(const Output& out) {
  std::ostringstream text;
  for (const Effect& effect : out.effects()) {
    text << static_cast<int>(effect.kind) << ' ' << static_cast<int>(effect.timer) << ' '
         << static_cast<int>(effect.from) << ' ' << static_cast<int>(effect.to) << ' '
         << static_cast<int>(effect.app_event) << ' ' << static_cast<int>(effect.purpose) << ' '
         << effect.retransmission << effect.has_congestion << ' ' << static_cast<int>(effect.rule)
         << ' ' << effect.deadline << ' ' << effect.cwnd << ' ' << effect.ssthresh << ' '
         << effect.in_flight;
    if (effect.kind == Effect::Kind::transmit || effect.kind == Effect::Kind::discard) {
      text << " | " << fields(out.packet(effect));
    }
    text << '\n';
  }
  return text.str();
}

// An Output whose first packet slots hold a segment with every field set, then cleared, as a
// driver's Output is between calls.
void soil(Output& out) {
  Segment junk;
  junk.source_port = 1;
  junk.destination_port = 2;
  junk.seq = 3;
  junk.ack = 4;
  junk.flags = 0x3F;
  junk.window = 5;
  junk.mss = 6;
  junk.window_scale = 7;
  junk.sack_permitted = true;
  junk.has_timestamps = true;
  junk.timestamp_value = 8;
  junk.timestamp_echo = 9;
  junk.sack_block_count = max_sack_blocks;
  for (std::size_t i = 0; i < max_sack_blocks; ++i) {
    junk.sack_blocks[i] = {static_cast<SeqNum>(10 + i), static_cast<SeqNum>(20 + i)};
  }
  junk.payload = bytes("junk");
  for (int i = 0; i < 8; ++i) out.discard(9, 11, 12, junk, Rule::none);
  out.clear();
}

using Setup = void (*)(Connection&);
// The effects of `call` on a connection brought to its state by `setup`, with a fresh Output
// and with a soiled one: they must be the same.
template <typename Call>
std::string same_in_any_slot(const TcpConfig& config, Setup setup, const Call& call) {
  std::string result[2];
  for (int soiled = 0; soiled < 2; ++soiled) {
    Connection c = make_connection(config);
    setup(c);
    Output out;
    if (soiled == 1) soil(out);
    call(c, out);
    result[soiled] = effects(out);
  }
  CHECK(result[1] == result[0]);
  return result[0];
}

void nothing(Connection&) {}

// The local side's one transmitted packet in `out`.
const Packet& only_packet(const Output& out) {
  const Effect* found = nullptr;
  for (const Effect& effect : out.effects()) {
    if (effect.kind != Effect::Kind::transmit) continue;
    REQUIRE(found == nullptr);
    found = &effect;
  }
  REQUIRE(found != nullptr);
  return out.packet(*found);
}

// ESTABLISHED with timestamps, SACK and window scaling, passively: the peer's SYN at 0 offered
// them all (TSval 1000), its ACK came at 10 ms.
void to_established_with_options(Connection& c) {
  Output out;
  c.open_passive(0, local_iss, out);
  Segment syn = stamped(from_peer(peer_iss, 0, flag::syn), 1000, 0);
  syn.sack_permitted = true;
  syn.window_scale = 2;
  c.segment_arrives(0, syn, out);
  c.segment_arrives(10 * millisecond,
                    stamped(from_peer(peer_iss + 1, local_iss + 1, flag::ack), 1010,
                            timestamp_clock(0)),
                    out);
  REQUIRE(c.state() == State::established);
}

const std::string no_blocks = " 0-0 0-0 0-0 0-0";

std::string addresses() {
  return std::to_string(local_address) + '>' + std::to_string(remote_address) + ' ' +
         std::to_string(local_port) + '>' + std::to_string(remote_port);
}

}  // namespace

TEST_CASE("a_syn_built_in_place_carries_every_field_as_before", "[segment]") {
  const Time now = 5 * millisecond;
  std::string plain_fields;
  same_in_any_slot({}, nothing, [&](Connection& c, Output& out) {
    c.open_active(now, local_iss, out);
    plain_fields = fields(only_packet(out));
  });
  // RFC 9293 3.7.1: <SEQ=ISS><CTL=SYN> with our MSS; no other option when none is on.
  CHECK(plain_fields == addresses() + " seq=100 ack=0 flags=2 win=65535 mss=536 ws=-1 sackok=0 "
                                      "ts=0 0 0 sack=0" + no_blocks + " data=");
  std::string option_fields;
  same_in_any_slot(with_options(), nothing, [&](Connection& c, Output& out) {
    c.open_active(now, local_iss, out);
    option_fields = fields(only_packet(out));
  });
  // RFC 7323 2.2, 3.2 and RFC 2018 2: WS, TSopt with TSecr 0, SACK-permitted; the SYN's window
  // is never scaled (RFC 7323 2.2).
  CHECK(option_fields == addresses() + " seq=100 ack=0 flags=2 win=65535 mss=536 ws=7 sackok=1 "
                                       "ts=1 " + std::to_string(timestamp_clock(now)) +
                             " 0 sack=0" + no_blocks + " data=");
}

TEST_CASE("a_syn_ack_built_in_place_carries_every_field_as_before", "[segment]") {
  std::string syn_ack;
  same_in_any_slot(with_options(), nothing, [&](Connection& c, Output& out) {
    c.open_passive(0, local_iss, out);
    Segment syn = stamped(from_peer(peer_iss, 0, flag::syn), 1000, 0);
    syn.sack_permitted = true;
    syn.window_scale = 2;
    c.segment_arrives(3 * millisecond, syn, out);
    syn_ack = fields(only_packet(out));
  });
  // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with each option the SYN offered (RFC 7323 2.2, 3.2:
  // TSecr is the SYN's TSval; RFC 2018 2).
  CHECK(syn_ack == addresses() + " seq=100 ack=301 flags=18 win=65535 mss=536 ws=7 sackok=1 ts=1 " +
                       std::to_string(timestamp_clock(3 * millisecond)) + " 1000 sack=0" +
                       no_blocks + " data=");
  std::string plain;
  same_in_any_slot({}, nothing, [&](Connection& c, Output& out) {
    c.open_passive(0, local_iss, out);
    c.segment_arrives(0, from_peer(peer_iss, 0, flag::syn), out);
    plain = fields(only_packet(out));
  });
  CHECK(plain == addresses() + " seq=100 ack=301 flags=18 win=65535 mss=536 ws=-1 sackok=0 "
                               "ts=0 0 0 sack=0" + no_blocks + " data=");
}

TEST_CASE("data_and_fin_built_in_place_carry_every_field_as_before", "[segment]") {
  std::string data;
  const std::string all = same_in_any_slot({}, to_established_active, [&](Connection& c,
                                                                           Output& out) {
    c.send(0, bytes("hello"), out);
    data = fields(only_packet(out));
    out.clear();
    c.close(0, out);
  });
  // RFC 9293 3.9.1.2: PSH on the last byte of a write.
  CHECK(data == addresses() + " seq=101 ack=301 flags=24 win=65535 mss=0 ws=-1 sackok=0 ts=0 0 0 "
                              "sack=0" + no_blocks + " data=hello");
  // The FIN alone at 106 (RFC 9293 3.10.4), after the data.
  CHECK(all.find(addresses() + " seq=106 ack=301 flags=17 win=65535 mss=0 ws=-1 sackok=0 ts=0 0 "
                               "0 sack=0" + no_blocks + " data=") != std::string::npos);
  // Data and FIN in one segment (Nagle holds the short "end" while "bye" is in flight, and the
  // CLOSE lets it go with the FIN), with timestamps and the scaled window (65535 >> 7 = 511).
  std::string both;
  same_in_any_slot(with_options(), to_established_with_options, [&](Connection& c, Output& out) {
    c.send(20 * millisecond, bytes("bye"), out);
    c.send(30 * millisecond, bytes("end"), out);
    c.close(40 * millisecond, out);
    both = effects(out);
  });
  INFO(both);
  CHECK(both.find(addresses() + " seq=104 ack=301 flags=25 win=511 mss=0 ws=-1 sackok=0 ts=1 " +
                  std::to_string(timestamp_clock(40 * millisecond)) + " 1010 sack=0" +
                  no_blocks + " data=end") != std::string::npos);
}

TEST_CASE("a_reset_built_in_place_carries_every_field_as_before", "[segment]") {
  std::string reset;
  same_in_any_slot({}, to_established_active, [&](Connection& c, Output& out) {
    c.abort(0, out);
    reset = fields(only_packet(out));
  });
  // RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST>, no ACK field and a zero window.
  CHECK(reset == addresses() + " seq=101 ack=0 flags=4 win=0 mss=0 ws=-1 sackok=0 ts=0 0 0 "
                               "sack=0" + no_blocks + " data=");
  std::string stamped_reset;
  same_in_any_slot(with_options(), to_established_with_options, [&](Connection& c, Output& out) {
    c.abort(50 * millisecond, out);
    stamped_reset = fields(only_packet(out));
  });
  // RFC 7323 3.2: TSopt on a RST too, TSecr = TS.Recent.
  CHECK(stamped_reset == addresses() + " seq=101 ack=0 flags=4 win=0 mss=0 ws=-1 sackok=0 ts=1 " +
                             std::to_string(timestamp_clock(50 * millisecond)) +
                             " 1010 sack=0" + no_blocks + " data=");
}

TEST_CASE("an_ack_with_sack_blocks_built_in_place_carries_every_field_as_before", "[segment]") {
  std::string acks;
  same_in_any_slot(with_options(), to_established_with_options, [&](Connection& c, Output& out) {
    // Out of order: 306..311 and 316..321 held, 301..306 and 311..316 missing (RFC 2018 4).
    c.segment_arrives(20 * millisecond,
                      stamped(from_peer(306, 101, flag::ack, "world"), 1020, 0), out);
    c.segment_arrives(30 * millisecond,
                      stamped(from_peer(316, 101, flag::ack, "again"), 1030, 0), out);
    // In order: the holes fill, the ACK carries no block.
    c.segment_arrives(40 * millisecond,
                      stamped(from_peer(301, 101, flag::ack, "hello"), 1040, 0), out);
    acks = effects(out);
  });
  const std::string head = addresses() + " seq=101 ack=301 flags=16 win=511 mss=0 ws=-1 sackok=0 "
                                         "ts=1 ";
  // The newest block first (RFC 2018 4); blocks past the count stay zero.
  CHECK(acks.find(head + std::to_string(timestamp_clock(20 * millisecond)) +
                  " 1010 sack=1 306-311 0-0 0-0 0-0 data=") != std::string::npos);
  CHECK(acks.find(head + std::to_string(timestamp_clock(30 * millisecond)) +
                  " 1010 sack=2 316-321 306-311 0-0 0-0 data=") != std::string::npos);
}

TEST_CASE("an_output_copied_or_moved_keeps_its_effects_on_its_own_slots", "[segment]") {
  Output out;
  for (int index = 0; index < 40; ++index) {  // past the first slots: the list grows twice
    out.timer_set(1, TimerKind::retransmission, index);
  }
  Output copy = out;
  copy.timer_cancel(2, TimerKind::time_wait);
  REQUIRE(out.effects().size() == 40);
  REQUIRE(copy.effects().size() == 41);
  CHECK(copy.effects().data() != out.effects().data());
  CHECK(copy.effects()[39].deadline == 39);
  CHECK(copy.effects().back().kind == Effect::Kind::timer_cancel);

  Output moved = std::move(copy);
  REQUIRE(moved.effects().size() == 41);
  CHECK(moved.effects()[0].deadline == 0);
  moved.clear();
  CHECK(moved.effects().empty());
  moved.state_change(3, State::closed, State::syn_sent, Rule::none);
  REQUIRE(moved.effects().size() == 1);
  CHECK(moved.effects()[0].connection == 3);
  // A cleared slot comes back value-initialised, whatever it held before.
  CHECK(moved.effects()[0].deadline == time_never);

  Output assigned;
  assigned = out;
  assigned.app_event(4, AppEventKind::closed, Rule::none);
  CHECK(out.effects().size() == 40);
  CHECK(assigned.effects().size() == 41);
  assigned = std::move(moved);
  REQUIRE(assigned.effects().size() == 1);
  CHECK(assigned.effects()[0].to == State::syn_sent);
}

}  // namespace tcp_segment_building_tests
