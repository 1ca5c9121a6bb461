#include "runner/trace_format.hpp"

#include <algorithm>
#include <cstdio>

#include "runner/vocabulary.hpp"

namespace tcpsim::runner {

std::string_view trace_kind_name(TraceKind kind) {
  switch (kind) {
    case TraceKind::action: return "action";
    case TraceKind::action_failed: return "action_failed";
    case TraceKind::send: return "send";
    case TraceKind::deliver: return "deliver";
    case TraceKind::drop: return "drop";
    case TraceKind::expire: return "expire";
    case TraceKind::delay: return "delay";
    case TraceKind::duplicate: return "duplicate";
    case TraceKind::discard: return "discard";
    case TraceKind::state: return "state";
    case TraceKind::timer_set: return "timer_set";
    case TraceKind::timer_cancel: return "timer_cancel";
    case TraceKind::timer_fire: return "timer_fire";
    case TraceKind::app: return "app";
    case TraceKind::open: return "open";
    case TraceKind::free: return "free";
    case TraceKind::inject: return "inject";
  }
  return "unknown";
}

std::string action_call_name(ActionKind kind) {
  // The timeline's name for the action (runner/vocabulary.cpp), as words: "stop reading".
  std::string name(action_name(kind));
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string action_text(const ActionCause& cause, std::string_view host_name) {
  const std::string call(action_call_name(cause.kind));
  const std::string on = " on " + cause.name;
  switch (cause.outcome) {
    case ActionOutcome::called:
      break;
    case ActionOutcome::write_waits:
      return "the send buffer took " + std::to_string(cause.bytes) + " bytes; " +
             std::to_string(cause.waiting) + " wait for room (a blocking write)";
    case ActionOutcome::port_in_use:
      return "listen on port " + std::to_string(cause.port) + ": the port is already in use";
    case ActionOutcome::no_connection:
      return call + ": no open connection named " + cause.name + " on " + std::string(host_name);
    case ActionOutcome::not_accepted_yet:
      return call + on +
             ": not accepted yet (a listener's connection reaches the application at ESTABLISHED, "
             "when accept() returns it)";
    case ActionOutcome::refused_by_tcp:
      return call + on + ": refused by TCP in its current state (RFC 9293 3.10)";
    case ActionOutcome::run_error:
      return call + ": not performed, the run stopped with an error";
  }
  switch (cause.kind) {
    case ActionKind::listen:
      return "listen on port " + std::to_string(cause.port) + " as " + cause.name + " (backlog " +
             std::to_string(cause.backlog) + ")";
    case ActionKind::connect:
      return "connect to " + tcp::address_to_string(cause.address) + ":" +
             std::to_string(cause.port) + (cause.name.empty() ? "" : " as " + cause.name);
    case ActionKind::send:
      return "send " + std::to_string(cause.bytes) + " bytes" + on;
    case ActionKind::read:
      return "read " +
             (cause.read_bytes ? "up to " + std::to_string(*cause.read_bytes) + " bytes"
                               : std::string("everything buffered")) +
             on;
    case ActionKind::crash:
      return "crash: all TCP state is lost, the host is down";
    case ActionKind::reboot:
      return "reboot: the host is up again with no connections";
    case ActionKind::inject:
      return "inject a segment";
    case ActionKind::close:
    case ActionKind::abort:
    case ActionKind::configure:
    case ActionKind::stop_reading:
    case ActionKind::resume_reading:
      break;
  }
  return call + on;
}

tcp::Segment options_of(const TraceSegment& segment) {
  tcp::Segment options;
  options.mss = segment.mss;
  options.window_scale = segment.window_scale;
  options.sack_permitted = segment.sack_permitted;
  options.has_timestamps = segment.has_timestamps;
  options.timestamp_value = segment.timestamp_value;
  options.timestamp_echo = segment.timestamp_echo;
  options.sack_block_count = segment.sack_block_count;
  options.sack_blocks = segment.sack_blocks;
  return options;
}

bool is_segment_event(TraceKind kind) {
  switch (kind) {
    case TraceKind::send:
    case TraceKind::inject:
    case TraceKind::deliver:
    case TraceKind::drop:
    case TraceKind::expire:
    case TraceKind::delay:
    case TraceKind::duplicate:
    case TraceKind::discard:
      return true;
    default:
      return false;
  }
}

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

ConnectionIndex::ConnectionIndex(const RunResult& result) {
  for (std::size_t index = 0; index < result.connections.size(); ++index) {
    const auto& record = result.connections[index];
    // A connect that failed has no TCB, hence no id (its event names it by TraceEvent::socket).
    if (record.host < 0 || record.host > 1 || record.id == tcp::no_connection) continue;
    auto& by_id = by_host_[static_cast<std::size_t>(record.host)];
    if (by_id.size() <= record.id) by_id.resize(static_cast<std::size_t>(record.id) + 1, -1);
    by_id[record.id] = static_cast<int>(index);
  }
}

int ConnectionIndex::operator()(int host, tcp::ConnectionId connection) const {
  if (host < 0 || host > 1 || connection == tcp::no_connection) return -1;
  const auto& by_id = by_host_[static_cast<std::size_t>(host)];
  return connection < by_id.size() ? by_id[connection] : -1;
}

ConnectionNames::ConnectionNames(const RunResult& result)
    : records_(result.connections), index_(result) {}

std::string ConnectionNames::of(const TraceEvent& event) const {
  if (event.connection != tcp::no_connection) return (*this)(event.host, event.connection);
  return event.socket;
}

std::string ConnectionNames::operator()(int host, tcp::ConnectionId connection) const {
  const int index = index_(host, connection);
  if (index >= 0) return records_[static_cast<std::size_t>(index)].name;
  return std::to_string(connection);
}

namespace {

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          // Bytes outside printable ASCII are written as \u00XX so the line is pure ASCII and
          // every payload byte survives (data is bytes, not text).
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append_key(std::string& out, const char* key) {
  out += ",\"";
  out += key;
  out += "\":";
}

void append_segment(std::string& out, const TraceSegment& segment) {
  out += ",\"seg\":{\"id\":";
  out += std::to_string(segment.id);
  if (segment.copy) out += ",\"copy\":true";
  append_key(out, "src");
  append_json_string(out, tcp::address_to_string(segment.source) + ":" +
                              std::to_string(segment.source_port));
  append_key(out, "dst");
  append_json_string(out, tcp::address_to_string(segment.destination) + ":" +
                              std::to_string(segment.destination_port));
  append_key(out, "flags");
  append_json_string(out, tcp::flags_to_string(segment.flags));
  append_key(out, "seq");
  out += std::to_string(segment.seq);
  append_key(out, "ack");
  out += std::to_string(segment.ack);
  append_key(out, "win");
  out += std::to_string(segment.window);
  append_key(out, "len");
  out += std::to_string(segment.length);
  if (segment.mss != 0) {
    append_key(out, "mss");
    out += std::to_string(segment.mss);
  }
  // RFC 7323 and RFC 2018 options, each only when the segment carries it.
  if (segment.window_scale >= 0) {
    append_key(out, "ws");
    out += std::to_string(segment.window_scale);
  }
  if (segment.sack_permitted) out += ",\"sack_permitted\":true";
  if (segment.has_timestamps) {
    append_key(out, "tsval");
    out += std::to_string(segment.timestamp_value);
    append_key(out, "tsecr");
    out += std::to_string(segment.timestamp_echo);
  }
  if (segment.sack_block_count > 0) {
    append_key(out, "sack");
    out += '[';
    for (std::size_t index = 0; index < segment.sack_block_count; ++index) {
      if (index > 0) out += ',';
      out += '[' + std::to_string(segment.sack_blocks[index].left) + ',' +
             std::to_string(segment.sack_blocks[index].right) + ']';
    }
    out += ']';
  }
  if (segment.has_relative_seq) {
    append_key(out, "rseq");
    out += std::to_string(segment.relative_seq);
  }
  if (segment.has_relative_ack) {
    append_key(out, "rack");
    out += std::to_string(segment.relative_ack);
  }
  if (segment.retransmission) out += ",\"retx\":true";
  if (segment.injected) out += ",\"injected\":true";
  out += '}';
}

}  // namespace

std::string format_jsonl(const Scenario& scenario, const RunResult& result) {
  JsonlWriter writer(scenario);
  for (const TraceEvent& event : result.trace) writer.event(event, result);
  writer.finish(result);
  return writer.take_text();
}

namespace {
constexpr std::size_t flush_bytes = 1 << 16;
}  // namespace

JsonlWriter::JsonlWriter(const Scenario& scenario, std::vector<std::ostream*> outputs)
    : scenario_(scenario), outputs_(std::move(outputs)), hash_(fnv1a64({})) {}

std::size_t JsonlWriter::held_bytes() const { return buffer_.capacity() + line_.capacity(); }

void JsonlWriter::write(const std::string& line) {
  hash_ = fnv1a64(line, hash_);
  buffer_ += line;
  if (!outputs_.empty() && buffer_.size() >= flush_bytes) flush();
}

void JsonlWriter::flush() {
  if (outputs_.empty()) return;
  for (std::ostream* out : outputs_) {
    out->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  }
  buffer_.clear();
}

void JsonlWriter::start(const RunResult& run) {
  started_ = true;
  // The first line says what was run, so a trace file explains itself.
  line_ = "{\"t\":0,\"ev\":\"run\",\"scenario\":";
  append_json_string(line_, scenario_.name);
  line_ += ",\"seed\":" + std::to_string(run.seed) + ",\"hosts\":[";
  for (std::size_t index = 0; index < scenario_.hosts.size(); ++index) {
    if (index > 0) line_ += ',';
    append_json_string(line_, scenario_.hosts[index].name);
  }
  line_ += "]}\n";
  write(line_);
}

void JsonlWriter::event(const TraceEvent& event, const RunResult& run) {
  if (!started_) start(run);
  for (; named_records_ < run.connections.size(); ++named_records_) {
    const ConnectionRecord& record = run.connections[named_records_];
    if (record.host < 0 || record.host > 1 || record.id == tcp::no_connection) continue;
    auto& names = names_[static_cast<std::size_t>(record.host)];
    if (names.size() <= record.id) names.resize(static_cast<std::size_t>(record.id) + 1);
    names[record.id] = record.name;
  }
  ++events_;
  std::string& line = line_;
  line = "{\"t\":";
  line += std::to_string(event.time);
  append_key(line, "ev");
  append_json_string(line, trace_kind_name(event.kind));
  if (event.host >= 0) {
    append_key(line, "host");
    append_json_string(line, scenario_.hosts[static_cast<std::size_t>(event.host)].name);
  }
  const auto name_of = [&](tcp::ConnectionId connection) {
    const auto& names = names_[event.host == 1 ? 1 : 0];
    const bool named = event.host >= 0 && event.host <= 1 && connection < names.size() &&
                       !names[connection].empty();
    return named ? names[connection] : std::to_string(connection);
  };
  if (event.connection != tcp::no_connection) {
    append_key(line, "conn");
    append_json_string(line, name_of(event.connection));
  } else if (!event.socket.empty()) {
    // connect_failed: no connection exists; the event names the connect that failed.
    append_key(line, "conn");
    append_json_string(line, event.socket);
  }
  switch (event.kind) {
    case TraceKind::open:
      if (event.listener != tcp::no_connection) {
        append_key(line, "listener");
        append_json_string(line, name_of(event.listener));
      }
      break;
    case TraceKind::state:
      append_key(line, "from");
      append_json_string(line, tcp::state_name(event.from));
      append_key(line, "to");
      append_json_string(line, tcp::state_name(event.to));
      break;
    case TraceKind::timer_set:
      append_key(line, "timer");
      append_json_string(line, tcp::timer_name(event.timer));
      append_key(line, "deadline");
      line += std::to_string(event.deadline);
      if (event.rounded_by != 0) {  // the timer wheel moved it: the deadline asked for
        append_key(line, "requested");
        line += std::to_string(event.deadline - event.rounded_by);
      }
      break;
    case TraceKind::timer_cancel:
    case TraceKind::timer_fire:
      append_key(line, "timer");
      append_json_string(line, tcp::timer_name(event.timer));
      break;
    case TraceKind::app:
      append_key(line, "event");
      append_json_string(line, tcp::app_event_name(event.app_event));
      if (event.app_event == tcp::AppEventKind::data) {
        append_key(line, "data");
        append_json_string(
            line, std::string_view(reinterpret_cast<const char*>(event.data.data()),
                                   event.data.size()));
      }
      break;
    case TraceKind::delay:
    case TraceKind::duplicate:
      append_key(line, "arrival");
      line += std::to_string(event.deadline);
      break;
    default:
      break;
  }
  if (is_segment_event(event.kind)) append_segment(line, event.segment);
  if (event.has_congestion) {
    // Congestion control's state on a send (tcp/congestion.hpp); ssthresh only once set.
    append_key(line, "cwnd");
    line += std::to_string(event.cwnd);
    if (event.ssthresh != tcp::unlimited_window) {
      append_key(line, "ssthresh");
      line += std::to_string(event.ssthresh);
    }
    append_key(line, "flight");
    line += std::to_string(event.in_flight);
  }
  if (!event.text.empty()) {
    append_key(line, "why");
    append_json_string(line, event.text);
  }
  line += "}\n";
  write(line);
}

void JsonlWriter::finish(const RunResult& result) {
  if (!started_) start(result);
  char hash[32];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(hash_));
  line_ = "{\"t\":" + std::to_string(result.end_time) + ",\"ev\":\"end\",\"events\":" +
          std::to_string(events_) + ",\"hash\":\"fnv1a64:" + hash + "\"}\n";
  write(line_);
  flush();
  for (std::ostream* out : outputs_) out->flush();
}

}  // namespace tcpsim::runner
