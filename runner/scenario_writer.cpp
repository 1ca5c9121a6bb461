#include "runner/scenario_writer.hpp"

#include <limits>
#include <sstream>
#include <vector>

#include "runner/invariants.hpp"
#include "runner/json_source.hpp"
#include "runner/vocabulary.hpp"
#include "sim/random.hpp"
#include "tcp/knobs.hpp"
#include "tcp/time.hpp"

namespace tcpsim::runner {

namespace {

std::string quoted(std::string_view text) {
  return json::quote(text, std::numeric_limits<std::size_t>::max());
}

std::string duration(Duration value) { return quoted(format_duration(value)); }

// A probability over sim::probability_denominator as an exact decimal: 0.05, 1, 0.000000001.
std::string probability(std::uint64_t numerator) {
  if (numerator == 0) return "0";
  if (numerator >= sim::probability_denominator) return "1";
  std::string digits = std::to_string(numerator);
  digits.insert(0, 9 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return "0." + digits;
}

std::string knob_json(const tcp::Knob& knob, tcp::KnobValue value) {
  const std::string text = tcp::knob_value_text(knob, value);
  switch (knob.type) {
    case tcp::KnobType::boolean:
    case tcp::KnobType::integer: return text;
    case tcp::KnobType::integer_or_word:
      return text.find_first_not_of("0123456789") == std::string::npos ? text : quoted(text);
    default: return quoted(text);
  }
}

// The knobs of `config` that differ from `base`, as a "tcp" object's members. With msl, always
// time_wait too: the loader would otherwise derive time_wait from msl (tcp::Profile).
std::string knob_members(const tcp::TcpConfig& config, const tcp::TcpConfig& base) {
  std::string members;
  const bool msl_differs = config.msl != base.msl;
  for (const tcp::Knob& knob : tcp::knobs()) {
    const tcp::KnobValue value = knob.get(config);
    if (value == knob.get(base) && !(msl_differs && knob.name == "time_wait")) continue;
    if (!members.empty()) members += ", ";
    members += quoted(knob.name) + ": " + knob_json(knob, value);
  }
  return members;
}

std::string link_direction(const sim::LinkDirectionConfig& direction) {
  std::string json = "{ \"delay\": " + duration(direction.delay) +
                     ", \"jitter\": " + duration(direction.jitter) +
                     ", \"loss\": " + probability(direction.loss) +
                     ", \"duplicate\": " + probability(direction.duplicate);
  if (direction.reorder.probability != 0) {
    json += ", \"reorder\": { \"probability\": " + probability(direction.reorder.probability) +
            ", \"extra_delay\": " + duration(direction.reorder.extra_delay) + " }";
  }
  if (direction.rate_bits_per_second != 0) {
    json += ", \"rate\": " + std::to_string(direction.rate_bits_per_second);
  }
  if (direction.queue_limit != 0) {
    json += ", \"queue_limit\": " + std::to_string(direction.queue_limit);
  }
  return json + " }";
}

std::string fault_rule(const sim::FaultRule& rule, const Scenario& scenario) {
  const sim::FaultMatch& match = rule.match;
  std::string members;
  const auto member = [&](const std::string& key, const std::string& value) {
    members += (members.empty() ? "" : ", ") + quoted(key) + ": " + value;
  };
  if (match.direction) {
    member("from", quoted(scenario.hosts[static_cast<std::size_t>(*match.direction)].name));
  }
  if (match.flags_exact) member("flags", quoted(tcp::flags_to_string(*match.flags_exact)));
  if (match.flags_contain) {
    member("flags_contain", quoted(tcp::flags_to_string(*match.flags_contain)));
  }
  if (match.source_port) member("source_port", std::to_string(*match.source_port));
  if (match.destination_port) member("destination_port", std::to_string(*match.destination_port));
  if (match.port) member("port", std::to_string(*match.port));
  if (match.length_min && match.length_max && *match.length_min == *match.length_max) {
    member("length", std::to_string(*match.length_min));
  } else {
    if (match.length_min) member("length_min", std::to_string(*match.length_min));
    if (match.length_max) member("length_max", std::to_string(*match.length_max));
  }
  if (match.after != 0) member("after", duration(match.after));
  if (match.before != time_never) member("before", duration(match.before));
  if (match.nth != 0) member("nth", std::to_string(match.nth));
  if (match.count != 0) member("count", std::to_string(match.count));
  std::string json = "{ \"name\": " + quoted(rule.name) + ", \"match\": { " + members +
                     (members.empty() ? "}" : " }") + ", \"action\": ";
  switch (rule.action) {
    case sim::FaultAction::drop: json += "\"drop\""; break;
    case sim::FaultAction::delay:
      json += "\"delay\", \"duration\": " + duration(rule.duration);
      break;
    case sim::FaultAction::duplicate:
      json += "\"duplicate\", \"duration\": " + duration(rule.duration);
      break;
    case sim::FaultAction::hold: json += "\"hold\", \"until\": " + duration(rule.until); break;
  }
  return json + " }";
}

// The bytes of a send: "bytes": N when they are the shared "abc...z" pattern, else the text.
std::string send_payload(const SharedBytes& data) {
  bool pattern = true;
  for (std::size_t index = 0; index < data.size() && pattern; ++index) {
    pattern = data[index] == static_cast<std::uint8_t>('a' + index % 26);
  }
  if (pattern) return "\"bytes\": " + std::to_string(data.size());
  return "\"data\": " + quoted(std::string(data.begin(), data.end()));
}

// A reactive action's trigger, as "on" reads it (docs/scenario-format.md, "Reactive actions").
std::string trigger_json(const ActionTrigger& trigger) {
  switch (trigger.kind) {
    case ActionTrigger::Kind::event:
      return "{ \"connection\": " + quoted(trigger.connection) +
             ", \"event\": " + quoted(tcp::app_event_name(trigger.event)) + " }";
    case ActionTrigger::Kind::state:
      return "{ \"connection\": " + quoted(trigger.connection) +
             ", \"state\": " + quoted(tcp::state_name(trigger.state)) + " }";
    case ActionTrigger::Kind::action: return "{ \"action\": " + quoted(trigger.action_id) + " }";
  }
  return "{}";
}

// An inject's segment: every key the loader reads that differs from its default. A source port
// without a source address (a repeat's "ports" on an inject relative to a connection) has no
// "from" spelling: it is written as a repeat of one instance with that port.
std::string inject_members(const Action& action, const Scenario& scenario, bool in_repeat) {
  const InjectSpec& spec = action.inject;
  std::string json;
  if (!spec.relative_to.empty()) json += ", \"relative_to\": " + quoted(spec.relative_to);
  // In a repeat's template the repeat's "ports" gives the port.
  const bool port_by_repeat = spec.from_port && !spec.from_address && !in_repeat;
  if (spec.from_address) {
    std::string from = tcp::address_to_string(*spec.from_address);
    if (spec.from_port) from += ":" + std::to_string(*spec.from_port);
    json += ", \"from\": " + quoted(from);
  }
  std::string to = scenario.hosts[static_cast<std::size_t>(action.host)].name;
  if (spec.to_port) to += ":" + std::to_string(*spec.to_port);
  json += ", \"to\": " + quoted(to) + ", \"flags\": " + quoted(tcp::flags_to_string(spec.flags)) +
          ", \"seq\": " + std::to_string(spec.seq);
  if (spec.ack) json += ", \"ack\": " + std::to_string(*spec.ack);
  if (spec.window != InjectSpec{}.window) json += ", \"window\": " + std::to_string(spec.window);
  if (spec.mss != 0) json += ", \"mss\": " + std::to_string(spec.mss);
  if (spec.window_scale >= 0) json += ", \"ws\": " + std::to_string(spec.window_scale);
  if (spec.sack_permitted) json += ", \"sack_permitted\": true";
  if (spec.has_timestamps) {
    json += ", \"tsval\": " + std::to_string(spec.timestamp_value) +
            ", \"tsecr\": " + std::to_string(spec.timestamp_echo);
  }
  if (!action.data.empty()) json += ", " + send_payload(action.data);
  if (spec.direct) json += ", \"via\": \"direct\"";
  if (port_by_repeat) {
    json += ", \"repeat\": { \"count\": 1, \"ports\": { \"first\": " +
            std::to_string(*spec.from_port) + " } }";
  }
  return json;
}

// `in_repeat`: the template of a RepeatedAction, whose "repeat" the caller appends.
std::string action_json(const Action& action, const Scenario& scenario, bool in_repeat = false) {
  const HostSpec& host = scenario.hosts[static_cast<std::size_t>(action.host)];
  std::string json = "{ ";
  if (action.on) {
    json += "\"on\": " + trigger_json(*action.on);
    if (action.after != 0) json += ", \"after\": " + duration(action.after);
  } else {
    json += "\"at\": " + duration(action.at);
  }
  // An inject names its destination in "to", not "host" (ActionInfo::on_host).
  if (action.kind != ActionKind::inject) json += ", \"host\": " + quoted(host.name);
  json += ", \"action\": " + quoted(action_name(action.kind));
  const auto connection = [&] { json += ", \"connection\": " + quoted(action.connection); };
  const auto knobs = [&] {
    if (!action.tcp) return;
    const std::string members = knob_members(*action.tcp, host.tcp);
    if (!members.empty()) json += ", \"tcp\": { " + members + " }";
  };
  switch (action.kind) {
    case ActionKind::listen:
      json += ", \"port\": " + std::to_string(action.port) + ", \"backlog\": " +
              std::to_string(action.backlog) + ", \"name\": " + quoted(action.name) +
              (action.automatic_read ? "" : ", \"read\": \"manual\"");
      knobs();
      break;
    case ActionKind::connect:
      json += ", \"to\": " +
              quoted(scenario.hosts[1 - static_cast<std::size_t>(action.host)].name) +
              ", \"port\": " + std::to_string(action.port);
      if (action.local_port != 0) json += ", \"local_port\": " + std::to_string(action.local_port);
      if (!action.name.empty()) json += ", \"name\": " + quoted(action.name);
      if (!action.automatic_read) json += ", \"read\": \"manual\"";
      knobs();
      break;
    case ActionKind::send:
      connection();
      json += ", " + send_payload(action.data);
      break;
    case ActionKind::read:
      connection();
      if (action.read_bytes) json += ", \"bytes\": " + std::to_string(*action.read_bytes);
      break;
    case ActionKind::close:
    case ActionKind::abort:
    case ActionKind::stop_reading:
    case ActionKind::resume_reading: connection(); break;
    case ActionKind::crash:
    case ActionKind::reboot: break;
    case ActionKind::configure: {
      connection();
      std::string members;
      for (const std::string_view name : action.configure_knobs) {
        const tcp::Knob* knob = tcp::find_knob(name);
        if (knob == nullptr || !action.tcp) continue;
        members += (members.empty() ? "" : ", ") + quoted(name) + ": " +
                   knob_json(*knob, knob->get(*action.tcp));
      }
      json += ", \"tcp\": { " + members + " }";
      break;
    }
    case ActionKind::inject: json += inject_members(action, scenario, in_repeat); break;
  }
  if (!action.id.empty()) json += ", \"id\": " + quoted(action.id);
  return json + (in_repeat ? "" : " }");
}

// A repeat held once, as the loader reads it: its first instance and its "repeat".
std::string repeated_json(const RepeatedAction& repeated, const Scenario& scenario) {
  std::string json = action_json(repeated.first, scenario, true) +
                     ", \"repeat\": { \"count\": " + std::to_string(repeated.count);
  if (repeated.every != 0) json += ", \"every\": " + duration(repeated.every);
  if (repeated.port_span != 0) {
    json += ", \"ports\": { \"first\": " + std::to_string(repeated.port_first) +
            ", \"last\": " + std::to_string(repeated.port_first + repeated.port_span - 1) + " }";
  }
  if (repeated.address_span != 0) {
    json += ", \"addresses\": { \"first\": " +
            quoted(tcp::address_to_string(repeated.address_first)) + ", \"last\": " +
            quoted(tcp::address_to_string(repeated.address_first + repeated.address_span - 1)) +
            " }";
  }
  return json + " } }";
}

std::string never_json(const ExpectedNever& never, const Scenario& scenario) {
  std::string inner;
  const auto member = [&](const std::string& key, const std::string& value) {
    inner += (inner.empty() ? "" : ", ") + quoted(key) + ": " + value;
  };
  const auto host_name = [&] {
    return quoted(scenario.hosts[static_cast<std::size_t>(*never.host)].name);
  };
  switch (never.kind) {
    case ExpectedNever::Kind::segment:
      if (never.host) member("from", host_name());
      if (never.flags_exact) member("flags", quoted(tcp::flags_to_string(*never.flags_exact)));
      if (never.flags_contain) {
        member("flags_contain", quoted(tcp::flags_to_string(*never.flags_contain)));
      }
      return "{ \"segment\": { " + inner + (inner.empty() ? "} }" : " } }");
    case ExpectedNever::Kind::event:
    case ExpectedNever::Kind::state:
      if (never.kind == ExpectedNever::Kind::event) {
        member("event", quoted(tcp::app_event_name(never.event)));
      } else {
        member("state", quoted(tcp::state_name(never.state)));
      }
      if (never.host) member("host", host_name());
      if (never.connection) member("connection", quoted(*never.connection));
      return "{ " + inner + " }";
  }
  return "{}";
}

}  // namespace

std::optional<std::string> write_scenario_json(const Scenario& scenario, std::string& error) {
  const Expectations& expect = scenario.expect;
  if (!expect.state_sequences.empty() || !expect.app_events.empty() || expect.segments ||
      !expect.received.empty() || !expect.counts.empty() || !expect.fired.empty() ||
      !expect.final_state_counts.empty()) {
    error = "only the expectations \"final_states\", \"never\" and \"invariants\" are written";
    return std::nullopt;
  }
  std::ostringstream out;
  out << "{\n  \"tcpsim\": " << scenario.version << ",\n  \"name\": " << quoted(scenario.name)
      << ",\n  \"description\": " << quoted(scenario.description);
  if (!scenario.description_zh.empty()) {
    out << ",\n  \"description_zh\": " << quoted(scenario.description_zh);
  }
  out << ",\n  \"seed\": "
      << scenario.seed << ",\n  \"link\": {\n    \"forward\": "
      << link_direction(scenario.link.directions[0]) << ",\n    \"backward\": "
      << link_direction(scenario.link.directions[1]) << ",\n    \"msl\": "
      << duration(scenario.link.msl) << "\n  },\n  \"hosts\": [\n";
  for (std::size_t index = 0; index < scenario.hosts.size(); ++index) {
    const HostSpec& host = scenario.hosts[index];
    out << "    { \"name\": " << quoted(host.name) << ", \"address\": "
        << quoted(tcp::address_to_string(host.address));
    if (!host.label.empty()) out << ", \"label\": " << quoted(host.label);
    if (host.scripted) {
      out << ", \"stack\": \"none\"";
    } else {
      if (host.profile != tcp::profiles().front().name) {
        out << ", \"profile\": " << quoted(host.profile);
      }
      const tcp::HostConfig defaults;
      if (host.ephemeral_first != defaults.ephemeral_first ||
          host.ephemeral_last != defaults.ephemeral_last) {
        out << ", \"ephemeral_ports\": { \"first\": " << host.ephemeral_first
            << ", \"last\": " << host.ephemeral_last << " }";
      }
      const tcp::Profile* profile = tcp::find_profile(host.profile);
      const std::string knobs =
          knob_members(host.tcp, tcp::profile_config(profile ? *profile : tcp::profiles().front()));
      if (!knobs.empty()) out << ", \"tcp\": { " << knobs << " }";
    }
    out << " }" << (index + 1 < scenario.hosts.size() ? "," : "") << "\n";
  }
  out << "  ],\n  \"faults\": [";
  for (std::size_t index = 0; index < scenario.rules.size(); ++index) {
    out << (index ? ",\n    " : "\n    ") << fault_rule(scenario.rules[index], scenario);
  }
  out << (scenario.rules.empty() ? "],\n" : "\n  ],\n") << "  \"timeline\": [\n";
  // The timed actions and the repeats held once in time order, ties in file order (as the run
  // merges them), then the reactive ones in file order (the order they fire in when armed at
  // once; where they stand among the timed ones does not matter).
  std::vector<std::string> elements;
  std::size_t repeat = 0;
  for (const Action& action : scenario.timeline) {
    for (; repeat < scenario.repeats.size(); ++repeat) {
      const Action& first = scenario.repeats[repeat].first;
      if (first.at > action.at || (first.at == action.at && first.order > action.order)) break;
      elements.push_back(repeated_json(scenario.repeats[repeat], scenario));
    }
    elements.push_back(action_json(action, scenario));
  }
  for (; repeat < scenario.repeats.size(); ++repeat) {
    elements.push_back(repeated_json(scenario.repeats[repeat], scenario));
  }
  for (const Action& action : scenario.reactions) elements.push_back(action_json(action, scenario));
  for (std::size_t index = 0; index < elements.size(); ++index) {
    out << "    " << elements[index] << (index + 1 < elements.size() ? "," : "") << "\n";
  }
  out << "  ],\n";
  if (scenario.stop_at) out << "  \"stop_at\": " << duration(*scenario.stop_at) << ",\n";
  if (scenario.event_budget != Scenario{}.event_budget) {
    out << "  \"event_budget\": " << scenario.event_budget << ",\n";
  }
  if (scenario.memory_budget != Scenario{}.memory_budget) {
    out << "  \"memory_budget\": " << scenario.memory_budget << ",\n";
  }
  out << "  \"expect\": {";
  bool first_key = true;
  if (!expect.final_states.empty()) {
    out << "\n    \"final_states\": {";
    for (std::size_t index = 0; index < expect.final_states.size(); ++index) {
      const ExpectedFinalState& state = expect.final_states[index];
      out << (index ? ", " : " ") << quoted(state.connection) << ": "
          << quoted(tcp::state_name(state.state));
    }
    out << " }";
    first_key = false;
  }
  if (!expect.never.empty()) {
    out << (first_key ? "" : ",") << "\n    \"never\": [";
    for (std::size_t index = 0; index < expect.never.size(); ++index) {
      out << (index ? ", " : " ") << never_json(expect.never[index], scenario);
    }
    out << " ]";
    first_key = false;
  }
  if (!expect.invariants.empty()) {
    out << (first_key ? "" : ",") << "\n    \"invariants\": [";
    for (std::size_t index = 0; index < expect.invariants.size(); ++index) {
      out << (index ? ", " : " ") << quoted(invariant_name(expect.invariants[index].invariant));
    }
    out << " ]";
    first_key = false;
  }
  out << (first_key ? "}\n}\n" : "\n  }\n}\n");
  return out.str();
}

}  // namespace tcpsim::runner
