// Socket options changed on a live connection (Connection::configure, Host::configure): the
// knobs the table marks live change with their consequences, the others are refused.
#include <catch2/catch.hpp>

#include "tcp/host.hpp"
#include "tcp/knobs.hpp"
#include "tcp_test_support.hpp"

namespace tcp_connection_configure_tests {

using namespace tcpsim;
using namespace tcpsim::tcp;
using namespace tcpsim::tcp::testing;

namespace {

std::size_t count_purpose(const Output& out, SendPurpose purpose) {
  std::size_t result = 0;
  for (const Effect& effect : out.effects())
    if (effect.kind == Effect::Kind::transmit && effect.purpose == purpose) ++result;
  return result;
}

}  // namespace

TEST_CASE("established_nagle_turned_off_sends_the_held_segment", "[configure][nagle]") {
  Connection c = make_connection();  // Nagle on
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("first"), out));
  out.clear();
  REQUIRE(c.send(0, bytes("second"), out));
  REQUIRE(sent(out).empty());  // Nagle holds it: "first" is in flight
  TcpConfig config = c.config();
  config.nagle = false;  // TCP_NODELAY (RFC 9293 3.7.4)
  out.clear();
  CHECK(c.configure(10 * millisecond, config, out));
  const Segment segment = only_sent(out);
  CHECK(text(segment.payload) == "second");
  CHECK(segment.seq == local_iss + 6);
  CHECK_FALSE(c.config().nagle);
}

TEST_CASE("established_keepalive_turned_on_arms_the_timer_and_probes", "[configure][keepalive]") {
  Connection c = make_connection();  // keepalive off
  to_established_active(c);          // last heard at 0
  REQUIRE(c.timer_deadline(TimerKind::keepalive) == time_never);
  TcpConfig config = c.config();
  config.keepalive = true;
  config.keepalive_idle = 10 * second;
  config.keepalive_interval = 2 * second;
  Output out;
  CHECK(c.configure(1 * second, config, out));
  // RFC 1122 4.2.3.6: the idle time counts from the last segment heard.
  CHECK(c.timer_deadline(TimerKind::keepalive) == 10 * second);
  out.clear();
  c.timer_expired(10 * second, TimerKind::keepalive, out);
  CHECK(count_purpose(out, SendPurpose::keepalive_probe) == 1);
  CHECK(c.timer_deadline(TimerKind::keepalive) == 12 * second);
}

TEST_CASE("established_keepalive_turned_off_cancels_the_timer", "[configure][keepalive]") {
  TcpConfig initial;
  initial.keepalive = true;
  Connection c = make_connection(initial);
  to_established_active(c);
  REQUIRE(c.timer_deadline(TimerKind::keepalive) != time_never);
  TcpConfig config = c.config();
  config.keepalive = false;
  Output out;
  CHECK(c.configure(1 * second, config, out));
  CHECK(c.timer_deadline(TimerKind::keepalive) == time_never);
  CHECK(sent(out).empty());
}

TEST_CASE("established_keepalive_idle_shortened_rearms_the_timer", "[configure][keepalive]") {
  TcpConfig initial;
  initial.keepalive = true;  // idle 2 h
  Connection c = make_connection(initial);
  to_established_active(c);
  REQUIRE(c.timer_deadline(TimerKind::keepalive) == 2 * hour);
  TcpConfig config = c.config();
  config.keepalive_idle = 5 * second;  // TCP_KEEPIDLE
  Output out;
  CHECK(c.configure(1 * second, config, out));
  CHECK(c.timer_deadline(TimerKind::keepalive) == 5 * second);
}

TEST_CASE("established_receive_buffer_grown_sends_a_window_update", "[configure][window]") {
  TcpConfig initial;
  initial.receive_buffer = 1000;
  Connection c = make_connection(initial);
  to_established_active(c);
  REQUIRE(c.receive_sequence().wnd == 1000);
  TcpConfig config = c.config();
  config.receive_buffer = 8000;
  Output out;
  CHECK(c.configure(0, config, out));
  const Segment update = only_sent(out);
  CHECK(update.window == 8000);
  CHECK(out.effects().back().rule == Rule::receive_buffer_grown);
  CHECK(c.receive_sequence().wnd == 8000);
}

TEST_CASE("established_receive_buffer_shrunk_keeps_the_right_edge", "[configure][window]") {
  Connection c = make_connection();  // 65535
  to_established_active(c);
  TcpConfig config = c.config();
  config.receive_buffer = 1000;
  Output out;
  CHECK(c.configure(0, config, out));
  CHECK(sent(out).empty());
  // RFC 9293 3.8.6: the right edge never moves back.
  CHECK(c.receive_sequence().wnd == 65535);
}

TEST_CASE("established_delayed_ack_turned_off_sends_the_held_ack", "[configure][delayed_ack]") {
  TcpConfig initial;
  initial.delayed_ack = 200 * millisecond;
  Connection c = make_connection(initial);
  to_established_active(c);
  Output out;
  c.segment_arrives(0, from_peer(peer_iss + 1, local_iss + 1, flag::ack, "data"), out);
  REQUIRE(sent(out).empty());
  REQUIRE(c.timer_deadline(TimerKind::delayed_ack) == 200 * millisecond);
  TcpConfig config = c.config();
  config.delayed_ack = 0;
  out.clear();
  CHECK(c.configure(50 * millisecond, config, out));
  check_segment(only_sent(out), local_iss + 1, peer_iss + 5, flag::ack);
  CHECK(c.timer_deadline(TimerKind::delayed_ack) == time_never);
}

TEST_CASE("established_user_timeout_set_with_data_in_flight_counts_from_now",
          "[configure][user_timeout]") {
  Connection c = make_connection();
  to_established_active(c);
  Output out;
  REQUIRE(c.send(0, bytes("data"), out));
  REQUIRE(c.timer_deadline(TimerKind::user_timeout) == time_never);
  TcpConfig config = c.config();
  config.user_timeout = 5 * second;
  out.clear();
  CHECK(c.configure(1 * second, config, out));
  CHECK(c.timer_deadline(TimerKind::user_timeout) == 6 * second);
  config.user_timeout = 0;
  CHECK(c.configure(2 * second, config, out));
  CHECK(c.timer_deadline(TimerKind::user_timeout) == time_never);
}

TEST_CASE("established_fixed_knob_changed_is_refused_and_changes_nothing", "[configure]") {
  Connection c = make_connection();
  to_established_active(c);
  TcpConfig config = c.config();
  config.mss = 1460;     // announced in the SYN: fixed
  config.nagle = false;  // live, but the whole call is refused
  Output out;
  CHECK_FALSE(c.configure(0, config, out));
  CHECK(app_events(out) == std::vector<AppEventKind>{AppEventKind::configure_failed});
  CHECK(out.effects().back().rule == Rule::configure_knob_fixed);
  CHECK(c.config().mss == 536);
  CHECK(c.config().nagle);
}

TEST_CASE("knob_table_live_knobs_are_the_socket_options", "[configure][knobs]") {
  std::vector<std::string_view> live;
  for (const Knob& knob : knobs())
    if (knob.live) live.push_back(knob.name);
  CHECK(live == std::vector<std::string_view>{"send_buffer", "receive_buffer", "nagle",
                                              "delayed_ack", "keepalive", "keepalive_idle",
                                              "keepalive_interval", "keepalive_probes",
                                              "user_timeout"});
}

TEST_CASE("listen_configure_passes_the_knobs_to_spawned_connections", "[configure][host]") {
  HostConfig host_config;
  host_config.address = local_address;
  host_config.tcp.fixed_isn = local_iss;
  Host host(host_config, IsnSource());
  Output out;
  const ConnectionId listener = host.listen(0, local_port, 8, out);
  REQUIRE(listener != no_connection);
  TcpConfig config = host.find(listener)->config();
  config.nagle = false;
  config.keepalive = true;
  CHECK(host.configure(0, listener, config, out));
  out.clear();
  Packet syn;
  syn.source = remote_address;
  syn.destination = local_address;
  syn.segment = from_peer(peer_iss, 0, flag::syn);
  syn.segment.source_port = remote_port;
  syn.segment.destination_port = local_port;
  host.packet_arrives(0, syn, out);
  ConnectionId spawned = no_connection;
  for (const Effect& effect : out.effects())
    if (effect.kind == Effect::Kind::connection_open) spawned = effect.connection;
  REQUIRE(host.find(spawned) != nullptr);
  CHECK_FALSE(host.find(spawned)->config().nagle);
  CHECK(host.find(spawned)->config().keepalive);
}

TEST_CASE("no_connection_configure_returns_false", "[configure][host]") {
  HostConfig host_config;
  host_config.address = local_address;
  host_config.tcp.fixed_isn = local_iss;
  Host host(host_config, IsnSource());
  Output out;
  CHECK_FALSE(host.configure(0, 42, TcpConfig{}, out));
  CHECK(out.effects().empty());
}

}  // namespace tcp_connection_configure_tests
