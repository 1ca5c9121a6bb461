#include "tcp/types.hpp"

#include <algorithm>
#include <array>

namespace tcpsim::tcp {

namespace {

constexpr std::array<std::string_view, state_count> state_table{
    "CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK", "TIME_WAIT",
};

constexpr std::array<std::string_view, timer_kind_count> timer_names{
    "retransmission", "time_wait", "persist", "keepalive", "delayed_ack", "user_timeout",
    "fin_wait_2",
};

constexpr std::array<std::string_view, app_event_kind_count> app_event_table{
    "connected", "accepted", "data",      "end_of_stream", "closed",
    "reset",     "refused",  "timed_out", "aborted",       "connect_failed",
    "listen_failed", "send_failed", "close_failed", "configure_failed", "delivery_problem",
};

}  // namespace

std::string_view state_name(State state) {
  const auto index = static_cast<std::size_t>(state);
  return index < state_table.size() ? state_table[index] : std::string_view("?");
}

bool parse_state(std::string_view text, State& state_out) {
  for (std::size_t i = 0; i < state_table.size(); ++i) {
    if (state_table[i] == text) {
      state_out = static_cast<State>(i);
      return true;
    }
  }
  return false;
}

std::span<const std::string_view> state_names() { return state_table; }

std::string_view timer_name(TimerKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < timer_names.size() ? timer_names[index] : std::string_view("?");
}

std::string_view app_event_name(AppEventKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < app_event_table.size() ? app_event_table[index] : std::string_view("?");
}

bool parse_app_event(std::string_view text, AppEventKind& kind_out) {
  for (std::size_t i = 0; i < app_event_table.size(); ++i) {
    if (app_event_table[i] == text) {
      kind_out = static_cast<AppEventKind>(i);
      return true;
    }
  }
  return false;
}

std::span<const std::string_view> app_event_names() { return app_event_table; }

}  // namespace tcpsim::tcp

namespace tcpsim::tcp {

std::vector<std::uint8_t>* Output::data_event(ConnectionId connection) {
  if (!app_events_wanted) return nullptr;
  Effect& effect = add(Effect::Kind::app_event, connection, Rule::none);
  effect.app_event = AppEventKind::data;
  if (!data_wanted) return nullptr;
  if (data_count_ == data_.size()) data_.emplace_back();
  effect.slot = static_cast<std::uint32_t>(data_count_);
  std::vector<std::uint8_t>& bytes = data_[data_count_++];
  bytes.clear();  // a reused slot keeps its capacity
  return &bytes;
}

void Output::add_packet_slot() { packets_.emplace_back(); }
void EffectList::grow() {
  const std::size_t used = size();
  slots_.resize(std::max<std::size_t>(16, slots_.size() * 2));
  rebase(used);
}

void Output::append(const Output& other) {
  for (const Effect& effect : other.effects()) {
    Effect& copy = effects_.add();
    copy = effect;
    if (effect.slot == Effect::no_slot) continue;
    if (effect.kind == Effect::Kind::app_event) {
      if (data_count_ == data_.size()) data_.emplace_back();
      copy.slot = static_cast<std::uint32_t>(data_count_);
      data_[data_count_++] = other.data_[effect.slot];
    } else {
      add_packet(copy) = other.packets_[effect.slot];
    }
  }
}

}  // namespace tcpsim::tcp
