// Header prediction (Connection::arrive_predicted) is a shortcut of RFC 9293 3.10.7.4's steps,
// not a rule of its own: each exchange here runs twice, with the shortcut and with the full
// steps alone (set_header_prediction(false)), and every effect of every call must be the same.
#include <functional>
#include <sstream>
#include <string>

#include "tcp_test_support.hpp"

namespace tcp_header_prediction_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

std::string text_of(const std::vector<std::uint8_t>& payload) {
  return {payload.begin(), payload.end()};
}

// Everything an effect says, with its packet or bytes, as text.
std::string describe(const Output& out) {
  std::ostringstream text;
  for (const Effect& effect : out.effects()) {
    text << static_cast<int>(effect.kind) << ' ' << static_cast<int>(effect.timer) << ' '
         << static_cast<int>(effect.from) << ' ' << static_cast<int>(effect.to) << ' '
         << static_cast<int>(effect.app_event) << ' ' << static_cast<int>(effect.purpose) << ' '
         << effect.retransmission << effect.has_congestion << ' ' << static_cast<int>(effect.rule)
         << ' ' << effect.deadline << ' ' << effect.cwnd << ' ' << effect.ssthresh << ' '
         << effect.in_flight;
    if (effect.kind == Effect::Kind::transmit || effect.kind == Effect::Kind::discard) {
      const Segment& s = out.packet(effect).segment;
      text << " | " << s.seq << ' ' << s.ack << ' ' << static_cast<int>(s.flags) << ' '
           << s.window << ' ' << s.has_timestamps << ' ' << static_cast<int>(s.sack_block_count)
           << ' ' << text_of(s.payload);
    }
    text << " | " << tcpsim::tcp::testing::text(out.data(effect)) << '\n';
  }
  return text.str();
}

// The connection's variables that the steps change.
std::string describe(const Connection& c) {
  std::ostringstream text;
  text << static_cast<int>(c.state()) << ' ' << c.send_sequence().una << ' '
       << c.send_sequence().nxt << ' ' << c.send_sequence().wnd << ' '
       << c.send_sequence().wl1 << ' ' << c.send_sequence().wl2 << ' '
       << c.receive_sequence().nxt << ' ' << c.receive_sequence().wnd << ' '
       << c.congestion_window() << ' ' << c.retransmission_timeout() << ' ' << c.smoothed_rtt()
       << ' ' << c.unacknowledged_bytes() << ' ' << c.readable_bytes();
  return text.str();
}

using Script = std::function<void(Connection&, Output&)>;

// Runs `script` on a connection brought to its state by `setup`, once with header prediction
// and once without, and requires the same effects and the same connection afterwards.
void require_same_both_ways(const TcpConfig& config, void (*setup)(Connection&),
                            const Script& script) {
  std::string effects[2];
  std::string after[2];
  for (int predicted = 0; predicted < 2; ++predicted) {
    Connection c = make_connection(config);
    setup(c);
    c.set_header_prediction(predicted == 1);
    Output out;
    script(c, out);
    effects[predicted] = describe(out);
    after[predicted] = describe(c);
  }
  CHECK(!effects[0].empty());
  CHECK(effects[1] == effects[0]);
  CHECK(after[1] == after[0]);
}

// Appends the effects of one arrival to `log`.
void arrive(Connection& c, Time now, const Segment& segment, Output& log) {
  Output out;
  c.segment_arrives(now, segment, out);
  log.append(out);
}

void send(Connection& c, Time now, std::string_view data, Output& log) {
  Output out;
  c.send(now, bytes(data), out);
  log.append(out);
}

void to_listen(Connection& c) {
  Output out;
  c.open_passive(0, local_iss, out);
}

}  // namespace

TEST_CASE("established_pure_ack_of_new_data_matches_the_full_steps", "[prediction]") {
  for (const bool congestion : {true, false}) {
    TcpConfig config;
    if (!congestion) config.congestion_control = CongestionAlgorithm::none;
    require_same_both_ways(config, to_established_active, [](Connection& c, Output& log) {
      send(c, 0, std::string(1500, 'x'), log);
      // A partial ACK (the timer restarts), then the rest (it stops), each a sample.
      arrive(c, 50 * millisecond, from_peer(301, 101 + 536, flag::ack), log);
      send(c, 60 * millisecond, std::string(700, 'y'), log);
      arrive(c, 100 * millisecond, from_peer(301, 101 + 1072, flag::ack), log);
      arrive(c, 150 * millisecond, from_peer(301, 101 + 2200, flag::ack), log);
    });
  }
}

TEST_CASE("established_pure_ack_with_keepalive_and_user_timeout_matches_the_full_steps",
          "[prediction]") {
  TcpConfig config;
  config.keepalive = true;
  config.user_timeout = 30 * second;
  require_same_both_ways(config, to_established_active, [](Connection& c, Output& log) {
    send(c, 0, "hello", log);
    arrive(c, 40 * millisecond, from_peer(301, 106, flag::ack), log);
  });
}

TEST_CASE("established_ack_with_changed_window_takes_the_full_steps_alike", "[prediction]") {
  require_same_both_ways({}, to_established_active, [](Connection& c, Output& log) {
    send(c, 0, std::string(3000, 'x'), log);
    arrive(c, 40 * millisecond, from_peer(301, 101 + 536, flag::ack, {}, 1000), log);
    arrive(c, 80 * millisecond, from_peer(301, 101 + 1072, flag::ack, {}, 0), log);
    arrive(c, 90 * millisecond, from_peer(301, 101 + 1072, flag::ack, {}, 0), log);
    arrive(c, 120 * millisecond, from_peer(301, 101 + 1072, flag::ack, {}, 65535), log);
  });
}

TEST_CASE("established_duplicate_acks_take_the_full_steps_alike", "[prediction]") {
  require_same_both_ways({}, to_established_active, [](Connection& c, Output& log) {
    send(c, 0, std::string(5000, 'x'), log);
    for (int i = 0; i < 4; ++i) {
      arrive(c, (10 + i) * millisecond, from_peer(301, 101 + 536, flag::ack), log);
    }
    // The recovery's partial and full ACKs.
    arrive(c, 30 * millisecond, from_peer(301, 101 + 1072, flag::ack), log);
    arrive(c, 40 * millisecond, from_peer(301, 101 + 5000, flag::ack), log);
  });
}

TEST_CASE("established_in_order_data_matches_the_full_steps", "[prediction]") {
  for (const Duration delayed_ack : {Duration{0}, 200 * millisecond}) {
    TcpConfig config;
    config.delayed_ack = delayed_ack;
    require_same_both_ways(config, to_established_active, [](Connection& c, Output& log) {
      arrive(c, 10 * millisecond, from_peer(301, 101, flag::ack | flag::psh, "hello"), log);
      arrive(c, 20 * millisecond, from_peer(306, 101, flag::ack, "world"), log);
      arrive(c, 30 * millisecond, from_peer(311, 101, flag::ack, "again"), log);
      // Data with an ACK of new data takes the full steps.
      send(c, 35 * millisecond, "reply", log);
      arrive(c, 40 * millisecond, from_peer(316, 106, flag::ack, "more"), log);
    });
  }
}

TEST_CASE("established_in_order_data_with_manual_read_matches_the_full_steps",
          "[prediction]") {
  TcpConfig config;
  config.receive_buffer = 8;
  require_same_both_ways(config, to_established_active, [](Connection& c, Output& log) {
    Output out;
    c.set_automatic_read(0, false, out);
    log.append(out);
    arrive(c, 10 * millisecond, from_peer(301, 101, flag::ack, "abcde"), log);
    // Beyond the window: the full steps take what fits.
    arrive(c, 20 * millisecond, from_peer(306, 101, flag::ack, "fghij"), log);
    Output read;
    c.read(30 * millisecond, 8, read);
    log.append(read);
    arrive(c, 40 * millisecond, from_peer(309, 101, flag::ack, "ij"), log);
  });
}

TEST_CASE("established_out_of_order_data_takes_the_full_steps_alike", "[prediction]") {
  require_same_both_ways({}, to_established_active, [](Connection& c, Output& log) {
    arrive(c, 10 * millisecond, from_peer(306, 101, flag::ack, "world"), log);
    arrive(c, 20 * millisecond, from_peer(301, 101, flag::ack, "hello"), log);
    arrive(c, 30 * millisecond, from_peer(311, 101, flag::ack, "!"), log);
    arrive(c, 40 * millisecond, from_peer(301, 101, flag::ack, "hel"), log);
  });
}

TEST_CASE("established_data_with_fin_takes_the_full_steps_alike", "[prediction]") {
  require_same_both_ways({}, to_established_active, [](Connection& c, Output& log) {
    arrive(c, 10 * millisecond, from_peer(301, 101, flag::ack, "hello"), log);
    arrive(c, 20 * millisecond, from_peer(306, 101, flag::ack | flag::fin, "bye"), log);
  });
}

TEST_CASE("established_with_timestamps_and_sack_takes_the_full_steps_alike", "[prediction]") {
  TcpConfig config;
  config.timestamps = true;
  config.sack = true;
  require_same_both_ways(config, to_listen, [](Connection& c, Output& log) {
    Segment syn = stamped(from_peer(peer_iss, 0, flag::syn), 1000, 0);
    syn.mss = 1460;
    syn.sack_permitted = true;
    arrive(c, 0, syn, log);
    const std::uint32_t echo = c.timestamp_recent() == 1000 ? 1 : 0;  // our TSval: clock 1
    arrive(c, 10 * millisecond, stamped(from_peer(301, 101, flag::ack), 1010, echo), log);
    arrive(c, 20 * millisecond, stamped(from_peer(301, 101, flag::ack, "hello"), 1020, 11), log);
    arrive(c, 25 * millisecond, stamped(from_peer(311, 101, flag::ack, "later"), 1025, 11), log);
    send(c, 30 * millisecond, "reply", log);
    arrive(c, 40 * millisecond, stamped(from_peer(306, 106, flag::ack, "world"), 1040, 31), log);
  });
}

TEST_CASE("fin_wait_1_and_close_wait_acks_take_the_full_steps_alike", "[prediction]") {
  require_same_both_ways({}, to_fin_wait_1, [](Connection& c, Output& log) {
    arrive(c, 10 * millisecond, from_peer(301, 102, flag::ack, "late"), log);
  });
  require_same_both_ways({}, to_close_wait, [](Connection& c, Output& log) {
    send(c, 0, "hello", log);
    arrive(c, 10 * millisecond, from_peer(302, 106, flag::ack), log);
  });
}

}  // namespace tcp_header_prediction_tests
