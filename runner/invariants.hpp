// Properties every run must have, whatever the network did to it: what `tcpsim explore` checks
// under random faults (runner/explore.hpp) and the data-transfer property test checks on its
// generated scenarios (tests/property). Each check reads a run that kept its trace and its
// application data (RunOptions::keep_trace, keep_app_data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/scenario.hpp"
#include "runner/simulation.hpp"

namespace tcpsim::runner {

enum class Invariant : std::uint8_t {
  // Every byte a connection's application wrote arrives at its peer's application exactly
  // once and in order; or, where bytes are missing, the writer and the reader (if it reached
  // its application) are each told of a failure (reset, refused, timed_out, aborted), or were
  // left by a peer that gave up or crashed, or were lost in their own host's crash. Peers are
  // found by their ISNs (each one's IRS is the other's ISS); a connection that synchronized
  // with no peer receives nothing. In a run cut by "stop_at", a stream whose writer or reader
  // still has a timer pending at the end is judged only on what arrived (exactly once, in
  // order): the rest may still come, or still fail.
  delivery,
  // With nothing left to happen, no connection is left in a state it can never leave: every
  // one is CLOSED (a crash ends its host's), except exactly where RFC 9293 leaves it waiting
  // for ever for what cannot come: its peer gave up (RFC 9293 3.8.3 sends nothing then) or
  // crashed, and it waits in FIN_WAIT_2 (no FIN_WAIT_2 timeout) or in ESTABLISHED (no
  // keepalive, its application never closes it); its application never closes it, in
  // ESTABLISHED or in CLOSE_WAIT after end_of_stream, and its peer in FIN_WAIT_2. Not checked
  // in a scenario with "stop_at" (the run is cut: timers may be pending).
  progress,
  // No ACK storm: the segments sent stay within ack_storm_base + ack_storm_per_byte per byte
  // the applications wrote. Honest TCP sends about one segment and one ACK per MSS, plus
  // bounded retries; endpoints answering each other's ACKs send without end.
  ack_storm,
  // No segment exceeds the peer's MSS, nor the window the peer last advertised to the sender
  // (a one-octet zero-window probe is the RFC's exception, RFC 9293 3.8.6.1).
  window,
  // The scenario's own expectations where they still apply under faults: "final_states" and
  // "never" (the exact segments, counts, sequences and times describe one network, not any).
  expectations,
};

inline constexpr std::uint64_t ack_storm_base = 1000;
inline constexpr std::uint64_t ack_storm_per_byte = 4;

// "delivery", "progress", "ack_storm", "window", "expectations": the --invariant names.
std::string_view invariant_name(Invariant invariant);
std::optional<Invariant> find_invariant(std::string_view name);
std::vector<Invariant> all_invariants();
// The names for people: "delivery, progress, ack_storm, window or expectations" (`conjunction`
// before the last); without `expectations` when `with_expectations` is false (the names the
// "invariants" expectation key takes). Help texts and errors read it, so they cannot go stale.
std::string invariant_names_text(std::string_view conjunction, bool with_expectations = true);

struct Violation {
  Invariant invariant = Invariant::delivery;
  // What it is about: a connection ("c1"), a stream ("c1 to web#1"), an expectation's path
  // ("$.expect.never[0]"), "" for the whole run. Two violations are the same failure when
  // invariant and subject agree (what shrinking keeps).
  std::string subject;
  std::string message;  // one line, for people
  bool same_failure(const Violation& other) const {
    return invariant == other.invariant && subject == other.subject;
  }
};

// The expectations `Invariant::expectations` checks: `expect`'s "final_states" and "never".
Expectations expectations_under_faults(const Expectations& expect);

// Every violation of `invariants` in the run, in the order of `invariants`.
std::vector<Violation> check_invariants(const Scenario& scenario, const RunResult& result,
                                        const std::vector<Invariant>& invariants);

// The bytes a connection handed to its application, in order (recorded runs only).
std::vector<std::uint8_t> received_by(const ConnectionRecord& record);

}  // namespace tcpsim::runner
