#include "tcp/congestion.hpp"

#include <algorithm>

namespace tcpsim::tcp {

namespace {

// RFC 9438 4.5 and 4.6: C = 0.4 and beta_cubic = 0.7, held as fractions so the arithmetic is
// exact integers except W_cubic's cube (basic IEEE operations: the same on every compiler).
constexpr std::uint64_t beta_numerator = 7;
constexpr std::uint64_t beta_denominator = 10;
constexpr double cubic_c = 0.4;

// floor(cbrt(value)) by bisection: no libm, so every platform gives the same K.
std::uint64_t integer_cube_root(std::uint64_t value) {
  std::uint64_t low = 0;
  std::uint64_t high = 2097152;  // 2^21: its cube, 2^63, exceeds any argument used here
  while (low < high) {
    const std::uint64_t middle = (low + high + 1) / 2;
    if (middle * middle * middle <= value) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low;
}

std::uint32_t clamp_to_window(std::uint64_t bytes) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes, unlimited_window - 1));
}

}  // namespace

std::uint32_t initial_window(std::uint32_t mss, std::uint32_t initial_window_segments) {
  if (initial_window_segments > 0) return clamp_to_window(std::uint64_t{initial_window_segments} * mss);
  // RFC 5681 3.1 eq. 1 as its three cases: IW = min(4 * SMSS, max(2 * SMSS, 4380)).
  if (mss > 2190) return 2 * mss;
  if (mss > 1095) return 3 * mss;
  return 4 * mss;
}

void CongestionControl::start(CongestionAlgorithm algorithm, std::uint32_t mss,
                              std::uint32_t initial_window_bytes, bool handshake_retransmitted) {
  *this = CongestionControl{};
  algorithm_ = algorithm;
  mss_ = std::max<std::uint32_t>(mss, 1);
  initial_window_ = initial_window_bytes;
  cwnd_ = handshake_retransmitted ? mss_ : initial_window_bytes;
}

void CongestionControl::on_ack(Time now, std::uint32_t acked, Duration srtt) {
  if (!enabled() || acked == 0) return;
  if (in_slow_start()) {
    // RFC 5681 3.1 eq. 2: cwnd += min(N, SMSS) per ACK.
    cwnd_ = clamp_to_window(std::uint64_t{cwnd_} + std::min(acked, mss_));
    return;
  }
  if (algorithm_ == CongestionAlgorithm::cubic) {
    cubic_congestion_avoidance(now, acked, srtt);
    return;
  }
  // RFC 5681 3.1, congestion avoidance by bytes acknowledged: one SMSS per cwnd of ACKed data.
  bytes_acked_ += acked;
  if (bytes_acked_ >= cwnd_) {
    bytes_acked_ -= cwnd_;
    cwnd_ = clamp_to_window(std::uint64_t{cwnd_} + mss_);
  }
}

std::uint32_t CongestionControl::on_loss(Time now, std::uint32_t flight_size) {
  if (!enabled()) return ssthresh_;
  bytes_acked_ = 0;
  if (algorithm_ == CongestionAlgorithm::cubic) {
    cubic_reduce(now);
  } else {
    // RFC 5681 3.2 step 2, eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS).
    ssthresh_ = std::max(flight_size / 2, 2 * mss_);
  }
  return ssthresh_;
}

void CongestionControl::on_timeout(Time now, std::uint32_t flight_size, bool first_timeout) {
  if (!enabled()) return;
  // RFC 5681 3.1: "ssthresh is held constant" when the segment was already retransmitted by
  // the timer; cwnd is the loss window, one segment, either way.
  if (first_timeout) on_loss(now, flight_size);
  bytes_acked_ = 0;
  epoch_started_ = false;  // RFC 9438 4.8: CUBIC starts a new epoch after slow start
  cwnd_ = mss_;
}

void CongestionControl::restart_after_idle() {
  if (!enabled()) return;
  // RFC 5681 4.1: RW = min(IW, cwnd).
  cwnd_ = std::min(cwnd_, initial_window_);
  epoch_started_ = false;
}

void CongestionControl::cubic_reduce(Time /*now*/) {
  // RFC 9438 4.7 fast convergence: below the last W_max, release bandwidth sooner.
  const std::uint32_t cwnd = cwnd_;
  if (cwnd < w_last_max_) {
    w_max_ = clamp_to_window(std::uint64_t{cwnd} * (beta_denominator + beta_numerator) /
                             (2 * beta_denominator));
  } else {
    w_max_ = cwnd;
  }
  w_last_max_ = cwnd;
  // RFC 9438 4.6: ssthresh = cwnd * beta_cubic, at least 2 segments.
  ssthresh_ = std::max(clamp_to_window(std::uint64_t{cwnd} * beta_numerator / beta_denominator),
                       2 * mss_);
  epoch_started_ = false;
}

void CongestionControl::cubic_congestion_avoidance(Time now, std::uint32_t acked, Duration srtt) {
  if (!epoch_started_) {
    // RFC 9438 4.2: a new epoch: t counts from now, K from eq. 2 with cwnd_epoch = cwnd,
    // W_est (4.3) starts at cwnd. Without a loss yet, W_max is the current cwnd (K = 0).
    epoch_started_ = true;
    epoch_start_ = now;
    if (w_max_ < cwnd_) w_max_ = cwnd_;
    // K = cbrt((W_max - cwnd_epoch) / C) seconds, W in segments: in milliseconds,
    // K_ms^3 = 10^9 * (W_max - cwnd) / (C * SMSS) = 2.5 * 10^9 * (W_max - cwnd) / SMSS.
    const std::uint64_t deficit = w_max_ - cwnd_;
    k_ = static_cast<Duration>(integer_cube_root(deficit * 2500000000ULL / mss_)) * millisecond;
    w_est_ = cwnd_;
    cwnd_grow_ = 0;
    w_est_grow_ = 0;
  }
  // RFC 9438 4.2 eq. 1: W_cubic(t) = C * (t - K)^3 + W_max, aimed one RTT ahead (target).
  const auto w_cubic = [&](Duration t) {
    const double offset = static_cast<double>(t - k_) / static_cast<double>(second);
    const double bytes =
        cubic_c * offset * offset * offset * static_cast<double>(mss_) + static_cast<double>(w_max_);
    return bytes <= 0 ? std::uint64_t{0}
                      : static_cast<std::uint64_t>(std::min(bytes, double{unlimited_window}));
  };
  const Duration elapsed = now - epoch_start_;
  // RFC 9438 4.3: W_est += alpha_cubic * segments acked / cwnd, alpha_cubic = 3 (1 - beta) /
  // (1 + beta) = 9/17 (1 once W_est reaches W_max).
  const bool reno_rate = w_est_ >= w_max_;
  w_est_grow_ += (reno_rate ? 17ULL : 9ULL) * acked * mss_;
  w_est_ += w_est_grow_ / (17ULL * cwnd_);
  w_est_grow_ %= 17ULL * cwnd_;
  if (w_cubic(elapsed) < w_est_) {
    // RFC 9438 4.3: the Reno-friendly region: cwnd follows W_est.
    cwnd_ = clamp_to_window(std::max<std::uint64_t>(w_est_, cwnd_));
    return;
  }
  // RFC 9438 4.4 and 4.5: target clamped to [cwnd, 1.5 cwnd]; cwnd += (target - cwnd) / cwnd
  // per SMSS acknowledged.
  const std::uint64_t target = std::clamp<std::uint64_t>(w_cubic(elapsed + srtt), cwnd_,
                                                          std::uint64_t{cwnd_} * 3 / 2);
  cwnd_grow_ += (target - cwnd_) * acked;
  const std::uint64_t grow = cwnd_grow_ / cwnd_;
  cwnd_grow_ %= cwnd_;
  cwnd_ = clamp_to_window(std::uint64_t{cwnd_} + grow);
}

}  // namespace tcpsim::tcp
