#include "packetdrill/convert.hpp"

#include <sstream>

#include "runner/trace.hpp"
#include "tcp/knobs.hpp"
#include "tcp/segment.hpp"
#include "tcp/time.hpp"
#include "tcp/types.hpp"

namespace tcpsim::packetdrill {

using runner::Action;
using runner::ActionKind;

namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[byte >> 4];
      out += hex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string duration(Time time) { return quoted(format_duration(time)); }

// A knob's value as the scenario file writes it (docs/scenario-format.md, "TCP knobs").
std::string knob_json(const tcp::Knob& knob, tcp::KnobValue value) {
  const std::string text = tcp::knob_value_text(knob, value);
  switch (knob.type) {
    case tcp::KnobType::boolean:
    case tcp::KnobType::integer: return text;
    case tcp::KnobType::integer_or_word:  // a number, or its word ("random")
      return text.find_first_not_of("0123456789") == std::string::npos ? text : quoted(text);
    default: return quoted(text);  // a duration ("150ms") or a choice
  }
}

// The knobs of `config` that differ from the defaults of `base`, as a "tcp" object's members.
std::string knob_members(const tcp::TcpConfig& config, const tcp::TcpConfig& base) {
  std::string members;
  for (const tcp::Knob& knob : tcp::knobs()) {
    const tcp::KnobValue value = knob.get(config);
    if (value == knob.get(base)) continue;
    if (!members.empty()) members += ", ";
    members += quoted(std::string(knob.name)) + ": " + knob_json(knob, value);
  }
  return members;
}

std::string endpoint(tcp::Address address, tcp::Port port) {
  return quoted(tcp::address_to_string(address) + ":" + std::to_string(port));
}

std::string action_json(const Action& action, const runner::Scenario& scenario) {
  const std::string& host = scenario.hosts[static_cast<std::size_t>(action.host)].name;
  std::string json = "{ \"at\": " + duration(action.at);
  const auto connection = [&] { json += ", \"connection\": " + quoted(action.connection); };
  const auto knobs = [&] {
    if (!action.tcp) return;
    const std::string members =
        knob_members(*action.tcp, scenario.hosts[static_cast<std::size_t>(action.host)].tcp);
    if (!members.empty()) json += ", \"tcp\": { " + members + " }";
  };
  switch (action.kind) {
    case ActionKind::listen:
      json += ", \"host\": " + quoted(host) + ", \"action\": \"listen\", \"port\": " +
              std::to_string(action.port) + ", \"backlog\": " + std::to_string(action.backlog) +
              ", \"name\": " + quoted(action.name) +
              (action.automatic_read ? "" : ", \"read\": \"manual\"");
      knobs();
      break;
    case ActionKind::connect:
      json += ", \"host\": " + quoted(host) + ", \"action\": \"connect\", \"to\": " +
              quoted(scenario.hosts[1 - static_cast<std::size_t>(action.host)].name) +
              ", \"port\": " + std::to_string(action.port);
      if (action.local_port != 0) json += ", \"local_port\": " + std::to_string(action.local_port);
      json += ", \"name\": " + quoted(action.name) +
              (action.automatic_read ? "" : ", \"read\": \"manual\"");
      knobs();
      break;
    case ActionKind::send:
      json += ", \"host\": " + quoted(host) + ", \"action\": \"send\"";
      connection();
      json += ", \"bytes\": " + std::to_string(action.data.size());
      break;
    case ActionKind::read:
      json += ", \"host\": " + quoted(host) + ", \"action\": \"read\"";
      connection();
      if (action.read_bytes) json += ", \"bytes\": " + std::to_string(*action.read_bytes);
      break;
    case ActionKind::close:
    case ActionKind::abort:
      json += ", \"host\": " + quoted(host) + ", \"action\": " +
              quoted(action.kind == ActionKind::close ? "close" : "abort");
      connection();
      break;
    case ActionKind::configure: {
      json += ", \"host\": " + quoted(host) + ", \"action\": \"configure\"";
      connection();
      std::string members;
      for (const std::string_view name : action.configure_knobs) {
        const tcp::Knob* knob = tcp::find_knob(name);
        if (knob == nullptr || !action.tcp) continue;
        if (!members.empty()) members += ", ";
        members += quoted(std::string(name)) + ": " + knob_json(*knob, knob->get(*action.tcp));
      }
      json += ", \"tcp\": { " + members + " }";
      break;
    }
    case ActionKind::inject: {
      const runner::InjectSpec& inject = action.inject;
      json += ", \"action\": \"inject\", \"from\": " +
              endpoint(inject.from_address.value_or(0), inject.from_port.value_or(0)) +
              ", \"to\": " +
              endpoint(scenario.hosts[static_cast<std::size_t>(action.host)].address,
                       inject.to_port.value_or(0)) +
              ", \"flags\": " + quoted(tcp::flags_to_string(inject.flags)) +
              ", \"seq\": " + std::to_string(inject.seq);
      if (inject.ack) json += ", \"ack\": " + std::to_string(*inject.ack);
      json += ", \"window\": " + std::to_string(inject.window);
      if (inject.mss != 0) json += ", \"mss\": " + std::to_string(inject.mss);
      if (inject.window_scale >= 0) json += ", \"ws\": " + std::to_string(inject.window_scale);
      if (inject.sack_permitted) json += ", \"sack_permitted\": true";
      if (inject.has_timestamps) {
        json += ", \"tsval\": " + std::to_string(inject.timestamp_value) +
                ", \"tsecr\": " + std::to_string(inject.timestamp_echo);
      }
      if (!action.data.empty()) json += ", \"bytes\": " + std::to_string(action.data.size());
      json += std::string(", \"via\": ") + (inject.direct ? "\"direct\"" : "\"link\"");
      break;
    }
    default:
      json += ", \"host\": " + quoted(host) + ", \"action\": " +
              quoted(runner::action_call_name(action.kind));
      break;
  }
  return json + " }";
}

}  // namespace

std::string scenario_json(const ScriptOutcome& outcome, const std::string& source) {
  const runner::Scenario& scenario = outcome.scenario;
  const runner::RunResult& run = outcome.run;
  std::ostringstream out;
  out << "{\n  \"tcpsim\": 1,\n  \"name\": " << quoted(scenario.name) << ",\n";
  out << "  \"description\": "
      << quoted("Converted by tcpsim convert from the packetdrill script " + source +
                ": host local is the TCP under test; the script's inbound segments are its "
                "injects from remote, its system calls local's actions.")
      << ",\n";
  out << "  \"seed\": " << run.seed << ",\n  \"hosts\": [\n";
  for (std::size_t index = 0; index < scenario.hosts.size(); ++index) {
    const runner::HostSpec& host = scenario.hosts[index];
    out << "    { \"name\": " << quoted(host.name) << ", \"address\": "
        << quoted(tcp::address_to_string(host.address));
    if (host.scripted) {
      out << ", \"stack\": \"none\"";
    } else {
      const std::string knobs = knob_members(host.tcp, tcp::TcpConfig{});
      if (!knobs.empty()) out << ", \"tcp\": { " << knobs << " }";
    }
    out << " }" << (index + 1 < scenario.hosts.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"timeline\": [\n";
  for (std::size_t index = 0; index < scenario.timeline.size(); ++index) {
    out << "    " << action_json(scenario.timeline[index], scenario)
        << (index + 1 < scenario.timeline.size() ? "," : "") << "\n";
  }
  // The script's run ended here: the scenario stops with it, so it sends no segment more.
  out << "  ],\n  \"stop_at\": " << duration(run.end_time) << ",\n";
  out << "  \"expect\": {\n    \"segments\": [\n";
  std::vector<std::string> segments;
  for (const runner::TraceEvent& event : run.trace) {
    if (event.kind != runner::TraceKind::send) continue;
    const runner::TraceSegment& segment = event.segment;
    std::string entry = "{ \"from\": " +
                        quoted(scenario.hosts[static_cast<std::size_t>(event.host)].name) +
                        ", \"flags\": " + quoted(tcp::flags_to_string(segment.flags));
    if (segment.has_relative_seq) entry += ", \"seq\": " + std::to_string(segment.relative_seq);
    if (segment.has_relative_ack && (segment.flags & tcp::flag::ack) != 0) {
      entry += ", \"ack\": " + std::to_string(segment.relative_ack);
    }
    entry += ", \"len\": " + std::to_string(segment.length) + ", \"at\": " +
             duration(event.time) + " }";
    segments.push_back(std::move(entry));
  }
  for (std::size_t index = 0; index < segments.size(); ++index) {
    out << "      " << segments[index] << (index + 1 < segments.size() ? "," : "") << "\n";
  }
  out << "    ],\n    \"app_events\": {";
  bool first = true;
  for (const runner::ConnectionRecord& record : run.connections) {
    if (record.listener || record.name.empty() || record.failed_connect) continue;
    out << (first ? "\n" : ",\n") << "      " << quoted(record.name) << ": [";
    first = false;
    for (std::size_t index = 0; index < record.app_events.size(); ++index) {
      const auto& app = record.app_events[index];
      out << (index ? ", " : "") << "{ \"event\": "
          << quoted(std::string(tcp::app_event_name(app.kind))) << ", \"at\": "
          << duration(app.time) << " }";
    }
    out << "]";
  }
  out << (first ? "" : "\n    ") << "},\n    \"final_states\": {";
  first = true;
  for (const runner::ConnectionRecord& record : run.connections) {
    if (record.name.empty() || record.failed_connect) continue;
    out << (first ? "\n" : ",\n") << "      " << quoted(record.name) << ": "
        << quoted(std::string(tcp::state_name(record.final_state())));
    first = false;
  }
  out << (first ? "" : "\n    ") << "}\n  }\n}\n";
  return out.str();
}

}  // namespace tcpsim::packetdrill
