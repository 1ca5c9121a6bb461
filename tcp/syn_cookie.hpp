// SYN cookies (RFC 4987 3.6): when a listener's backlog is full, the SYN is answered with a
// SYN-ACK whose ISN encodes what the server needs later, and no TCB is kept; the ACK that
// returns the cookie (SEG.ACK - 1) is checked, and only then is a connection made. The layout
// is the one RFC 4987 describes (and Linux's first implementation used): the top 5 bits a
// counter t that advances every 64 s (mod 32), the next 3 bits an index into a table of MSS
// values, the low 24 bits a keyed hash (SipHash-2-4, tcp/isn.hpp) of t, the 4-tuple and the
// client's ISN. What the SYN's other options asked for is lost, as RFC 4987 says.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "tcp/isn.hpp"
#include "tcp/segment.hpp"
#include "tcp/time.hpp"

namespace tcpsim::tcp {

// The MSS values a cookie can carry (3 bits); a peer's MSS is rounded down to one of them, and
// an MSS below the first (or none) is taken as the first, RFC 9293's default 536.
inline constexpr std::array<std::uint16_t, 8> syn_cookie_mss_table{536,  1024, 1220, 1300,
                                                                   1400, 1440, 1452, 1460};
// The counter's period (RFC 4987 3.6: "a slowly-incrementing timestamp", 64 s) and how many
// periods old a returning cookie may be (the current one and the one before).
inline constexpr Duration syn_cookie_period = 64 * second;
inline constexpr std::uint32_t syn_cookie_max_age = 1;

// The cookie for a SYN that arrived at `now` on `tuple` (local = the listener's side) with
// the client's ISN `peer_isn` and MSS option `peer_mss` (0: none).
SeqNum syn_cookie(const IsnKey& key, Time now, const FourTuple& tuple, SeqNum peer_isn,
                  std::uint16_t peer_mss);

// What a valid cookie returned in `ack` (the ACK's SEG.ACK) for a segment with SEG.SEQ `seq`
// (the client's ISN + 1) carries: the MSS it encoded. nullopt: not a cookie we made, or too old.
std::optional<std::uint16_t> check_syn_cookie(const IsnKey& key, Time now, const FourTuple& tuple,
                                              SeqNum seq, SeqNum ack);

}  // namespace tcpsim::tcp
