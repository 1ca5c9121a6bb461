#include "runner/teaching.hpp"

#include <array>
#include <filesystem>

#include "runner/scenario_loader.hpp"
#include "runner/text_wrap.hpp"
#include "tcp/knobs.hpp"

namespace tcpsim::runner {

namespace {

constexpr std::array<TeachingEntry, 16> catalogue{{
    {"three-way handshake",
     "an old duplicate SYN opening a connection nobody asked for: with two messages the server "
     "is ESTABLISHED on any SYN, counts a phantom connection the client never made, and waits "
     "on it",
     "handshake", R"("handshake": "two-way")", "three-way-handshake-stale-syn",
     "two-way-handshake-stale-syn", "000, 001, 003, 004", "RFC 9293 3.5, figure 8"},
    {"RST on stale SYN-ACK",
     "a phantom half-open connection lingering on the server: the RST that answers a SYN-ACK "
     "nobody asked for frees it at once, where silence leaves it in SYN_RCVD, retransmitting, "
     "for a minute",
     "reset_unexpected_segments", R"("reset_unexpected_segments": false)",
     "three-way-handshake-stale-syn", "three-way-handshake-stale-syn-no-rst", "001",
     "RFC 9293 3.5, figure 8; 3.10.7.1"},
    {"SYN-ACK retransmission",
     "a lost SYN-ACK: the client's retried SYNs only draw bare ACKs from the half-open server, "
     "so without it the handshake never completes",
     "retransmit_syn_ack", R"("retransmit_syn_ack": false)", "lost-syn-ack-retransmitted",
     "lost-syn-ack-not-retransmitted", "001, 003", "RFC 9293 3.8.1, 3.10.7.4"},
    {"SYN cookies",
     "a SYN flood: every SYN from a spoofed source holds a TCB in SYN_RCVD and a place in the "
     "backlog for a minute of SYN-ACK retransmissions, so a few SYNs a second keep the backlog "
     "full and real clients out; SYN cookies answer once the backlog is full without keeping "
     "anything",
     "syn_cookies", R"("syn_cookies": false)", "syn-flood-syn-cookies", "syn-flood-fills-backlog",
     "001", "RFC 4987 2, 3.6"},
    {"keepalive",
     "a peer that crashed or vanished while the connection was idle: without probes the "
     "server holds the dead connection for ever",
     "keepalive", R"("keepalive": false)", "keepalive-detects-crashed-client",
     "crashed-client-held-without-keepalive", "001", "RFC 1122 4.2.3.6"},
    {"challenge ACK for a RST",
     "a blind RST attack: with RFC 793's check any RST in the 65535-byte window resets the "
     "connection, so a forged one needs only a rough guess; RFC 5961 resets only at RCV.NXT and "
     "answers the rest with a challenge ACK that the real peer ignores",
     "rfc5961", R"("rfc5961": false)", "blind-rst-challenge-ack", "blind-rst-resets", "",
     "RFC 5961 3; RFC 9293 3.10.7.4 second; RFC 793 3.4"},
    {"challenge ACK for a SYN",
     "a blind SYN attack: with RFC 793's check a SYN in the window is answered with a RST that "
     "resets both ends; RFC 5961 answers any SYN in a synchronized state with a challenge ACK",
     "rfc5961", R"("rfc5961": false)", "blind-syn-challenge-ack", "blind-syn-resets", "",
     "RFC 5961 4; RFC 9293 3.10.7.4 fourth; RFC 793 3.9"},
    {"ACK acceptability check",
     "blind data injection: with RFC 793's check an ACK far below SND.UNA is only a duplicate, "
     "so forged data needs only the right sequence number; RFC 5961 drops a segment whose ACK "
     "is below SND.UNA - MAX.SND.WND",
     "rfc5961", R"("rfc5961": false)", "blind-data-ack-check", "blind-data-accepted", "",
     "RFC 5961 5; RFC 9293 3.10.7.4 fifth"},
    {"half-close",
     "losing the reply that follows a close: after sending its FIN a side still receives "
     "everything the peer has left to send",
     "half_duplex_close", R"("half_duplex_close": true)", "half-close",
     "half-duplex-close-reply-lost", "000, 001, 003", "RFC 9293 3.6; RFC 1122 4.2.2.13"},
    {"FIN retransmission",
     "a lost FIN: the peer would never learn that the stream ended, and stays ESTABLISHED "
     "while the closer gives up",
     "retransmit_fin", R"("retransmit_fin": false)", "lost-fin-retransmitted",
     "lost-fin-not-retransmitted", "000, 002, 003", "RFC 9293 3.8.1"},
    {"TIME_WAIT",
     "a lost final ACK: the closer is still there to acknowledge the peer's retransmitted "
     "FIN, instead of answering it with a RST that turns an orderly close into a reset",
     "time_wait", R"("time_wait": "0s")", "lost-final-ack-time-wait",
     "lost-final-ack-no-time-wait", "000, 001, 002, 003", "RFC 9293 3.6, 3.10.7.4"},
    {"2 MSL length",
     "old duplicate segments of a previous connection on the same 4-tuple: after 2 MSL every "
     "one has died in the network, while a shorter wait lets one be taken as new data",
     "time_wait", R"("time_wait": "10s")", "old-duplicate-data-time-wait",
     "old-duplicate-data-short-time-wait", "001, 002", "RFC 9293 3.4.1, 3.6"},
    {"ISN choice",
     "old duplicates when a 4-tuple is reused early: with random ISNs an old segment falls in "
     "the new window only with a probability of about window / 2^32, with the same ISN it "
     "lands exactly at RCV.NXT",
     "isn", R"("isn": 1000)", "old-duplicate-data-no-time-wait-random-isn",
     "old-duplicate-data-no-time-wait", "001, 004", "RFC 9293 3.4.1; RFC 6528"},
    {"TIME_WAIT ignores RST",
     "TIME_WAIT assassination: a RST that closes TIME_WAIT early frees the 4-tuple at once, a "
     "reconnect takes the old sequence space, and an old duplicate still in the network is "
     "accepted as new data",
     "rfc1337", R"("rfc1337": false)", "time-wait-assassination-ignored",
     "time-wait-assassinated", "001, 002", "RFC 1337; RFC 9293 3.10.7.4 second"},
    {"TIME_WAIT reopening",
     "a reconnect from the same port stalling on the peer's TIME_WAIT: without it the new SYN "
     "draws the old connection's ACK, the client's answering RST ends TIME_WAIT early, and the "
     "connection comes only with the SYN retransmitted a second later",
     "time_wait_accepts_syn", R"("time_wait_accepts_syn": false)", "time-wait-reopened-by-syn",
     "time-wait-syn-challenge-ack", "001, 003", "RFC 1122 4.2.2.13; RFC 9293 3.10.7.4"},
    {"ISN clock",
     "a new incarnation of a 4-tuple starting below the old one: with ISNs from the 4 us clock "
     "each starts above the last, as TIME_WAIT reopening requires, while a random ISN falls "
     "below half the time and the reconnect is turned away",
     "isn", R"("isn": "random")", "time-wait-reopened-by-syn",
     "time-wait-reopen-refused-random-isn", "001", "RFC 793 3.3; RFC 9293 3.4.1; RFC 6528"},
}};

constexpr std::size_t width = 96;  // the catalogue's lines, indent included, stay within this
constexpr std::string_view indent = "            ";

// One scenario of a pair: its name, the knob's value on each host, its summary.
bool write_scenario(std::ostream& out, std::string_view role, std::string_view name,
                    std::string_view knob, const std::string& directory) {
  const std::string file =
      (std::filesystem::path(directory) / (std::string(name) + ".json")).generic_string();
  out << "   " << role << name << "\n";
  try {
    const Scenario scenario = load_scenario_file(file);
    std::string values(knob);
    values += ":";
    for (std::size_t i = 0; i < scenario.hosts.size(); ++i) {
      values += (i == 0 ? " " : ", ") + scenario.hosts[i].name + " " +
                teaching_knob_value(scenario.hosts[i].tcp, knob).value_or("?");
    }
    out << indent << values << "\n";
    write_wrapped(out, scenario_summary(scenario.description), width, indent);
    return true;
  } catch (const ScenarioError& error) {
    out << indent << "(not available: " << error.what() << ")\n";
    return false;
  }
}

}  // namespace

std::span<const TeachingEntry> teaching_catalogue() { return catalogue; }

std::optional<std::string> teaching_knob_value(const tcp::TcpConfig& config,
                                               std::string_view knob) {
  const tcp::Knob* row = tcp::find_knob(knob);
  if (row == nullptr || !row->teaching) return std::nullopt;
  return tcp::knob_value_text(*row, row->get(config));
}

std::string scenario_summary(const std::string& description) {
  std::string summary = description;
  const std::size_t stop = summary.find(". ");
  if (stop != std::string::npos) summary.resize(stop + 1);
  return summary;
}

bool write_teaching_catalogue(std::ostream& out, const std::string& directory) {
  out << "What each TCP mechanism protects against, the knob that turns it off (a key of a "
         "host's\n\"tcp\" object), and two shipped scenarios that show the difference, one "
         "with it and one\nwithout. Diagrams and the whole story: docs/teaching.md.\n";
  bool ok = true;
  int number = 0;
  for (const auto& entry : catalogue) {
    out << "\n" << ++number << ". " << entry.mechanism << "\n";
    write_wrapped(out, "Protects against " + std::string(entry.protects_against) + ".", width,
                  "   ");
    out << "   knob:    " << entry.turn_off << ", as in the scenario without it\n";
    out << "   claims:  "
        << (entry.seeds.empty() ? "" : "seed articles " + std::string(entry.seeds) + "; ")
        << entry.reference << "\n";
    ok = write_scenario(out, "with:    ", entry.with_scenario, entry.knob, directory) && ok;
    ok = write_scenario(out, "without: ", entry.without_scenario, entry.knob, directory) && ok;
  }
  return ok;
}

}  // namespace tcpsim::runner
