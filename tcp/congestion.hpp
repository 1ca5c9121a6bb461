// Congestion control (RFC 5681, RFC 6582, RFC 9438): the congestion window and the slow start
// threshold, and how the sender's events move them. The connection decides *when* an event
// happens (an ACK of new data, a loss found by duplicate ACKs or by the timer, an idle
// restart) and asks this class *how much* it may have in flight. A plain value: no heap, no
// virtual calls, so it sits in the TCB and a fresh TCB starts it afresh.
#pragma once

#include <cstdint>
#include <limits>

#include "tcp/time.hpp"

namespace tcpsim::tcp {

// The knob `congestion_control`, in its choices' order (tcp/knobs.cpp).
enum class CongestionAlgorithm : std::uint8_t {
  newreno,  // RFC 5681 with RFC 6582's partial ACKs
  cubic,    // RFC 9438
  none,     // teaching variant: only the peer's window limits the sender
};

// ssthresh before the first loss: "arbitrarily high" (RFC 5681 3.1).
inline constexpr std::uint32_t unlimited_window = std::numeric_limits<std::uint32_t>::max();

// RFC 5681 3.1 eq. 1 (initial_window_segments 0) or RFC 6928 (that many segments), in bytes.
std::uint32_t initial_window(std::uint32_t mss, std::uint32_t initial_window_segments);

class CongestionControl {
 public:
  // Before the handshake: no limit, until start() knows the MSS.
  CongestionControl() = default;
  // ESTABLISHED: cwnd = IW, or one segment when the SYN or SYN-ACK had to be retransmitted
  // (RFC 5681 3.1: "the initial window ... MUST be one segment").
  void start(CongestionAlgorithm algorithm, std::uint32_t mss, std::uint32_t initial_window_bytes,
             bool handshake_retransmitted);

  bool enabled() const { return algorithm_ != CongestionAlgorithm::none; }
  CongestionAlgorithm algorithm() const { return algorithm_; }
  std::uint32_t cwnd() const { return enabled() ? cwnd_ : unlimited_window; }
  std::uint32_t ssthresh() const { return ssthresh_; }
  bool in_slow_start() const { return cwnd_ < ssthresh_; }

  // New data acknowledged outside loss recovery (RFC 5681 3.1): slow start adds
  // min(acked, SMSS) (eq. 2); congestion avoidance adds one SMSS per cwnd acknowledged (the byte
  // counting of RFC 5681 3.1, eq. 3's alternative), or CUBIC's growth (RFC 9438 4.2 to 4.4).
  // `srtt` is the smoothed RTT (0 before a sample).
  void on_ack(Time now, std::uint32_t acked, Duration srtt);
  // A loss found by duplicate ACKs or SACK (RFC 5681 3.2 step 2, RFC 6675 5 step 4.2): ssthresh
  // by eq. 4 (NewReno) or cwnd * beta_cubic (RFC 9438 4.6). Returns the new ssthresh; the
  // caller sets cwnd for the recovery it runs (set_cwnd).
  std::uint32_t on_loss(Time now, std::uint32_t flight_size);
  // The retransmission timer expired (RFC 5681 3.1, RFC 9438 4.8): ssthresh as for a loss on
  // the first timeout of an episode (held on later ones), cwnd = one segment (LW).
  void on_timeout(Time now, std::uint32_t flight_size, bool first_timeout);
  // RFC 5681 4.1: idle longer than an RTO: cwnd = min(RW, cwnd), RW = min(IW, cwnd).
  void restart_after_idle();
  // Fast recovery's inflation and deflation (RFC 5681 3.2, RFC 6582 3.2) and its end.
  void set_cwnd(std::uint32_t cwnd) { cwnd_ = cwnd; }
  std::uint32_t raw_cwnd() const { return cwnd_; }
  std::uint32_t mss() const { return mss_; }

 private:
  void cubic_congestion_avoidance(Time now, std::uint32_t acked, Duration srtt);
  void cubic_reduce(Time now);

  CongestionAlgorithm algorithm_ = CongestionAlgorithm::none;
  std::uint32_t mss_ = 536;
  std::uint32_t initial_window_ = 0;
  std::uint32_t cwnd_ = unlimited_window;
  std::uint32_t ssthresh_ = unlimited_window;
  std::uint64_t bytes_acked_ = 0;  // congestion avoidance: bytes acknowledged toward one SMSS

  // CUBIC (RFC 9438 4.1): W_max and K, the start of the current epoch, and W_est (4.3), in
  // bytes; cwnd_grow_ collects the fraction of a byte each ACK adds (bytes x cwnd).
  std::uint32_t w_max_ = 0;
  std::uint32_t w_last_max_ = 0;  // 4.7 fast convergence: W_max before the last reduction
  Duration k_ = 0;
  Time epoch_start_ = 0;
  bool epoch_started_ = false;
  std::uint64_t w_est_ = 0;
  std::uint64_t cwnd_grow_ = 0;
  std::uint64_t w_est_grow_ = 0;
};

}  // namespace tcpsim::tcp
