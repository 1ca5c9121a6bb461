#include "runner/reference.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <span>
#include <sstream>

#include "runner/invariants.hpp"
#include "runner/teaching.hpp"
#include "runner/text_wrap.hpp"
#include "runner/transition_table.hpp"
#include "runner/vocabulary.hpp"
#include "tcp/knobs.hpp"
#include "tcp/segment.hpp"
#include "tcp/types.hpp"

namespace tcpsim::runner {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t line_width = 100;  // docs and listings stay within it where they can

// --- Knob texts ---

std::string without_backticks(std::string_view text) {
  std::string out;
  for (const char c : text)
    if (c != '`') out += c;
  return out;
}

// "a", "a or b", "a, b or c"
std::string or_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " or " : ", ") + items[i];
  return out;
}

bool is_string_valued(const tcp::Knob& knob, tcp::KnobValue value) {
  return knob.type == tcp::KnobType::duration || knob.type == tcp::KnobType::choice ||
         (knob.type == tcp::KnobType::integer_or_word && value.is_word);
}

// A value as JSON text: "\"2min\"", "6", "true".
std::string json_value_text(const tcp::Knob& knob, tcp::KnobValue value) {
  const std::string text = tcp::knob_value_text(knob, value);
  return is_string_valued(knob, value) ? "\"" + text + "\"" : text;
}

// The value's type and range; `code` wraps literal values in backticks (Markdown).
std::string type_text(const tcp::Knob& knob, bool code) {
  const auto literal = [code](const std::string& text) {
    return code ? "`" + text + "`" : text;
  };
  switch (knob.type) {
    case tcp::KnobType::duration:
      if (knob.max != tcp::no_knob_max)
        return "duration 0 .. " + literal("\"" + format_duration(knob.max) + "\"");
      return knob.min > 0 ? "duration > 0" : "duration";
    case tcp::KnobType::integer:
      return "integer " + std::to_string(knob.min) + " .. " + std::to_string(knob.max);
    case tcp::KnobType::boolean: return literal("true") + " or " + literal("false");
    case tcp::KnobType::choice: {
      std::vector<std::string> choices;
      for (const auto choice : knob.choices)
        choices.push_back(literal("\"" + std::string(choice) + "\""));
      return or_list(choices);
    }
    case tcp::KnobType::integer_or_word: {
      std::vector<std::string> items{"integer " + std::to_string(knob.min) + " .. " +
                                     std::to_string(knob.max)};
      for (const auto word : knob.words) items.push_back(literal("\"" + std::string(word) + "\""));
      return or_list(items);
    }
  }
  return "?";
}

// A knob's default in a profile; `markdown` for the document's table.
std::string default_text(const tcp::Knob& knob, const tcp::Profile& profile, bool markdown) {
  // RFC 9293 3.10.7.4: TIME_WAIT is 2 MSL, following the host's msl (tcp/knobs.hpp).
  if (knob.name == "time_wait" && profile.time_wait_is_two_msl)
    return markdown ? "2 × `msl`" : "2 x msl";
  const tcp::KnobValue value = knob.get(tcp::profile_config(profile));
  std::string text = markdown ? "`" + json_value_text(knob, value) + "`"
                              : tcp::knob_value_text(knob, value);
  if (markdown) {
    if (const tcp::KnobSetting* setting = tcp::find_setting(profile, knob.name))
      text += " (" + std::string(setting->note) + ")";
  }
  return text;
}

bool same_default_everywhere(const tcp::Knob& knob) {
  const auto first = default_text(knob, tcp::profiles().front(), false);
  return std::all_of(tcp::profiles().begin(), tcp::profiles().end(), [&](const tcp::Profile& p) {
    return default_text(knob, p, false) == first;
  });
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  else text += ' ';
  return text;
}

// --- Markdown regions ---

std::string code_list(std::span<const std::string_view> names) {
  std::vector<std::string> items;
  for (const auto name : names) items.push_back("`" + std::string(name) + "`");
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + items[i];
  return out;
}

std::vector<std::string_view> flag_names() {
  static const std::string all = tcp::flags_to_string(0x3f);  // canonical order
  std::vector<std::string_view> names;
  std::string_view rest = all;
  while (!rest.empty()) {
    const std::size_t comma = std::min(rest.find(','), rest.size());
    names.push_back(rest.substr(0, comma));
    rest = comma < rest.size() ? rest.substr(comma + 1) : std::string_view{};
  }
  return names;
}

std::string action_table_markdown() {
  std::string out = "| action | keys |\n|---|---|\n";
  for (const ActionInfo& action : actions())
    out += "| `" + std::string(action.name) + "` | " + std::string(action.doc) + " |\n";
  return out;
}

std::string expectation_table_markdown() {
  std::string out = "| key | value |\n|---|---|\n";
  for (const ExpectationKey& key : expectation_keys())
    out += "| `" + std::string(key.name) + "` | " + std::string(key.doc) + " |\n";
  return out;
}

std::string counter_table_markdown() {
  std::string out = "| counter | counts |\n|---|---|\n";
  for (const CounterInfo& info : counters()) {
    const std::string name = info.link ? link_counter_name(info.counter)
                                       : counter_name("<host>", info.counter);
    out += "| `" + name + "` | " + std::string(info.doc) + " |\n";
  }
  return out;
}

struct Region {
  std::string_view name;
  std::string (*generate)();
};

const Region regions[] = {
    {"tcp-knobs", knob_table_markdown},
    {"states", [] { return code_list(tcp::state_names()) + "."; }},
    {"events", [] { return code_list(tcp::app_event_names()) + "."; }},
    {"flags", [] {
       const auto names = flag_names();
       return code_list(names) + ".";
     }},
    {"actions", action_table_markdown},
    {"expectations", expectation_table_markdown},
    {"counters", counter_table_markdown},
};

// docs/design.md's complete table of teaching variants: the catalogue (runner/teaching.cpp),
// each entry's setting that turns its mechanism off, and its pair of scenarios.
std::string teaching_variant_table_markdown() {
  std::string out =
      "| setting | turns off | what then goes wrong | with / without |\n|---|---|---|---|\n";
  for (const TeachingEntry& entry : teaching_catalogue()) {
    out += "| `" + std::string(entry.turn_off) + "` | " + std::string(entry.mechanism) + " (" +
           std::string(entry.reference) + ") | " + std::string(entry.protects_against) +
           " | `" + std::string(entry.with_scenario) + "` / `" +
           std::string(entry.without_scenario) + "` |\n";
  }
  return out;
}

// docs/design.md: the TCP core's transition table (tcp/transitions.cpp) and the teaching
// variants (runner/teaching.cpp).
const Region design_regions[] = {
    {"transitions", [] { return format_transition_table(TableFormat::markdown); }},
    {"teaching-variants", teaching_variant_table_markdown},
};

// --- JSON layout: an object or array on one line when it fits, else one member per line;
// arrays of plain values fill their lines ---

void dump_compact(const Json& value, std::string& out) {
  if (value.is_object()) {
    if (value.empty()) {
      out += "{}";
      return;
    }
    out += "{ ";
    bool first = true;
    for (const auto& [key, member] : value.items()) {
      if (!first) out += ", ";
      first = false;
      out += Json(key).dump() + ": ";
      dump_compact(member, out);
    }
    out += " }";
  } else if (value.is_array()) {
    out += "[";
    bool first = true;
    for (const auto& element : value) {
      if (!first) out += ", ";
      first = false;
      dump_compact(element, out);
    }
    out += "]";
  } else {
    out += value.dump();
  }
}

void dump_laid_out(const Json& value, std::size_t indent, std::size_t column, std::string& out) {
  std::string compact;
  dump_compact(value, compact);
  if (column + compact.size() <= line_width || !(value.is_object() || value.is_array()) ||
      value.empty()) {
    out += compact;
    return;
  }
  const std::string inner(indent + 2, ' ');
  if (value.is_object()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, member] : value.items()) {
      if (!first) out += ",\n";
      first = false;
      const std::string head = inner + Json(key).dump() + ": ";
      out += head;
      dump_laid_out(member, indent + 2, head.size(), out);
    }
    out += "\n" + std::string(indent, ' ') + "}";
    return;
  }
  const bool plain = std::none_of(value.begin(), value.end(), [](const Json& element) {
    return element.is_object() || element.is_array();
  });
  if (plain) {
    // [a, b,
    //  c]
    out += "[";
    std::size_t at = column + 1;
    bool first = true;
    for (const auto& element : value) {
      const std::string text = element.dump();
      if (!first) {
        out += ",";
        ++at;
        if (at + 1 + text.size() + 1 > line_width) {
          out += "\n" + std::string(column + 1, ' ');
          at = column + 1;
        } else {
          out += " ";
          ++at;
        }
      }
      first = false;
      out += text;
      at += text.size();
    }
    out += "]";
    return;
  }
  out += "[\n";
  bool first = true;
  for (const auto& element : value) {
    if (!first) out += ",\n";
    first = false;
    out += inner;
    dump_laid_out(element, indent + 2, inner.size(), out);
  }
  out += "\n" + std::string(indent, ' ') + "]";
}

std::string laid_out(const Json& value) {
  std::string out;
  dump_laid_out(value, 0, 0, out);
  return out + "\n";
}

// --- Generated schema parts ---

Json knob_schema() {
  Json properties = Json::object();
  for (const tcp::Knob& knob : tcp::knobs()) {
    Json property = Json::object();
    std::string description = without_backticks(knob.doc);
    description[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(description[0])));
    if (knob.type == tcp::KnobType::duration && knob.max != tcp::no_knob_max)
      description += "; at most " + format_duration(knob.max) + " (the loader checks)";
    if (!same_default_everywhere(knob)) {
      std::vector<std::string> defaults;
      for (const tcp::Profile& profile : tcp::profiles())
        defaults.push_back(std::string(profile.name) + " " + default_text(knob, profile, false));
      description += ". Default: ";
      for (std::size_t i = 0; i < defaults.size(); ++i)
        description += (i == 0 ? "" : ", ") + defaults[i];
    }
    property["description"] = description + ".";
    switch (knob.type) {
      case tcp::KnobType::duration:
        property["$ref"] = knob.min > 0 ? "#/$defs/positive_duration" : "#/$defs/duration";
        break;
      case tcp::KnobType::integer:
        property["type"] = "integer";
        property["minimum"] = knob.min;
        property["maximum"] = knob.max;
        break;
      case tcp::KnobType::boolean: property["type"] = "boolean"; break;
      case tcp::KnobType::choice: {
        Json choices = Json::array();
        for (const auto choice : knob.choices) choices.push_back(std::string(choice));
        property["enum"] = choices;
        break;
      }
      case tcp::KnobType::integer_or_word: {
        Json words = Json::array();
        for (const auto word : knob.words) words.push_back(std::string(word));
        property["oneOf"] = Json::array(
            {Json{{"type", "integer"}, {"minimum", knob.min}, {"maximum", knob.max}},
             Json{{"enum", words}}});
        break;
      }
    }
    if (same_default_everywhere(knob)) {
      const tcp::KnobValue value = knob.get(tcp::profile_config(tcp::profiles().front()));
      property["default"] = Json::parse(json_value_text(knob, value));
    }
    properties[std::string(knob.name)] = property;
  }
  return Json{{"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
}

Json name_enum(std::span<const std::string_view> names) {
  Json list = Json::array();
  for (const auto name : names) list.push_back(std::string(name));
  return list;
}

// ^(link\.(dropped|...)|[a-z][a-z0-9_-]*\.(connected|...|sent\.(SYN|...)|retransmissions|...))$
std::string counter_pattern() {
  const auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : "|") + item;
    return out;
  };
  std::vector<std::string> link;
  std::vector<std::string> host;
  for (const CounterInfo& info : counters()) {
    if (info.link) {
      link.emplace_back(info.name);
    } else if (info.counter == Counter::event) {
      for (const auto event : tcp::app_event_names()) host.emplace_back(event);
    } else if (info.counter == Counter::sent_flag) {
      std::vector<std::string> flags;
      for (const auto flag : flag_names()) flags.emplace_back(flag);
      host.push_back("sent\\.(" + join(flags) + ")");
    } else {
      host.emplace_back(info.name);
    }
  }
  return "^(link\\.(" + join(link) + ")|[a-z][a-z0-9_-]*\\.(" + join(host) + "))$";
}

// The member at `path` (keys), which must exist.
Json& at_path(Json& root, std::initializer_list<std::string_view> path) {
  Json* node = &root;
  std::string shown = "$";
  for (const auto key : path) {
    shown += "." + std::string(key);
    if (!node->is_object() || !node->contains(std::string(key)))
      throw GenerateError("docs/scenario.schema.json has no " + shown);
    node = &(*node)[std::string(key)];
  }
  return *node;
}

Json parse_schema(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw GenerateError(std::string("docs/scenario.schema.json is not JSON: ") + error.what());
  }
}

}  // namespace

void write_knob_listing(std::ostream& out) {
  out << "The keys of a host's \"tcp\" object (docs/scenario-format.md), their values and their\n"
         "defaults in each profile. \"teaching\": the knob turns a mechanism off to show what it\n"
         "protects against (tcpsim list --teaching).\n\n";
  constexpr std::size_t name_width = 27;
  constexpr std::size_t type_width = 28;
  constexpr std::size_t default_width = 11;
  std::string header = padded("knob", name_width) + padded("value", type_width);
  for (const tcp::Profile& profile : tcp::profiles())
    header += padded(std::string(profile.name), default_width);
  while (header.back() == ' ') header.pop_back();
  out << header << "\n";
  for (const tcp::Knob& knob : tcp::knobs()) {
    std::string line = padded(std::string(knob.name), name_width);
    const std::string type = type_text(knob, false);
    if (type.size() >= type_width) {
      out << line << type << "\n";
      line = std::string(name_width + type_width, ' ');
    } else {
      line += padded(type, type_width);
    }
    for (const tcp::Profile& profile : tcp::profiles())
      line += padded(default_text(knob, profile, false), default_width);
    if (knob.teaching) line += "teaching";
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
    write_wrapped(out, without_backticks(knob.doc), line_width - 4, "    ");
  }
}

std::string knob_table_markdown() {
  std::string out = "| key | value |";
  std::string rule = "|---|---|";
  for (const tcp::Profile& profile : tcp::profiles()) {
    out += " `" + std::string(profile.name) + "` |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const tcp::Knob& knob : tcp::knobs()) {
    out += "| `" + std::string(knob.name) + "` | " + type_text(knob, true) + ": " +
           std::string(knob.doc) + (knob.live ? " (*live*: `configure` may change it)" : "") +
           " |";
    for (const tcp::Profile& profile : tcp::profiles())
      out += " " + default_text(knob, profile, true) + " |";
    out += "\n";
  }
  return out;
}

std::string knob_schema_text() { return laid_out(knob_schema()); }

namespace {

// `text` with every region between "<!-- generated NAME -->" and "<!-- /generated NAME -->"
// rewritten by its generator; each of `regions` must appear exactly once in `document`.
std::string regenerate_regions(std::string_view text, std::span<const Region> regions,
                               std::string_view document) {
  std::string out;
  std::set<std::string_view> seen;
  std::size_t at = 0;
  const std::string open_prefix = "<!-- generated ";
  while (true) {
    const std::size_t open = text.find(open_prefix, at);
    if (open == std::string_view::npos) break;
    const std::size_t name_start = open + open_prefix.size();
    const std::size_t open_end = text.find(" -->", name_start);
    if (open_end == std::string_view::npos) throw GenerateError("unterminated generated marker");
    const std::string_view name = text.substr(name_start, open_end - name_start);
    const Region* region = nullptr;
    for (const Region& candidate : regions)
      if (candidate.name == name) region = &candidate;
    if (region == nullptr)
      throw GenerateError("unknown generated region \"" + std::string(name) + "\"");
    if (!seen.insert(region->name).second)
      throw GenerateError("generated region \"" + std::string(name) + "\" appears twice");
    const std::string close = "<!-- /generated " + std::string(name) + " -->";
    const std::size_t body_start = open_end + 4;
    const std::size_t close_at = text.find(close, body_start);
    if (close_at == std::string_view::npos)
      throw GenerateError("generated region \"" + std::string(name) + "\" has no " + close);
    // A region on lines of its own keeps its content on lines of its own.
    const bool block = body_start < text.size() && text[body_start] == '\n';
    out += std::string(text.substr(at, body_start - at));
    out += block ? "\n" + region->generate() : region->generate();
    out += close;
    at = close_at + close.size();
  }
  out += std::string(text.substr(at));
  for (const Region& region : regions)
    if (seen.count(region.name) == 0)
      throw GenerateError(std::string(document) + " has no generated region \"" +
                          std::string(region.name) + "\"");
  return out;
}

}  // namespace

std::string regenerate_format_doc(std::string_view text) {
  return regenerate_regions(text, regions, "docs/scenario-format.md");
}

std::string regenerate_design_doc(std::string_view text) {
  return regenerate_regions(text, design_regions, "docs/design.md");
}

std::string regenerate_schema(std::string_view text) {
  Json schema = parse_schema(text);
  at_path(schema, {"$defs", "tcp"}) = knob_schema();
  at_path(schema, {"$defs", "state", "enum"}) = name_enum(tcp::state_names());
  at_path(schema, {"$defs", "event", "enum"}) = name_enum(tcp::app_event_names());
  std::vector<std::string_view> profile_names;
  for (const tcp::Profile& profile : tcp::profiles()) profile_names.push_back(profile.name);
  at_path(schema, {"$defs", "host", "properties", "profile", "enum"}) = name_enum(profile_names);
  at_path(schema, {"$defs", "host", "properties", "profile", "default"}) =
      std::string(profile_names.front());
  std::vector<std::string_view> action_names;
  for (const ActionInfo& action : actions()) action_names.push_back(action.name);
  at_path(schema, {"$defs", "action", "properties", "action", "enum"}) = name_enum(action_names);
  at_path(schema, {"$defs", "expect", "properties", "counts", "propertyNames", "pattern"}) =
      counter_pattern();
  // The "invariants" key takes every invariant but "expectations" (the file's own).
  std::vector<std::string_view> invariant_words;
  for (const Invariant invariant : all_invariants()) {
    if (invariant != Invariant::expectations) invariant_words.push_back(invariant_name(invariant));
  }
  at_path(schema, {"$defs", "expect", "properties", "invariants", "items", "enum"}) =
      name_enum(invariant_words);
  return laid_out(schema);
}

std::vector<std::string> schema_disagreements(std::string_view text) {
  std::vector<std::string> problems;
  Json schema = parse_schema(text);
  // The keys of "expect", in the table's order.
  std::vector<std::string> schema_keys;
  for (const auto& [key, value] : at_path(schema, {"$defs", "expect", "properties"}).items())
    schema_keys.push_back(key);
  std::vector<std::string> table_keys;
  for (const ExpectationKey& key : expectation_keys()) table_keys.emplace_back(key.name);
  if (schema_keys != table_keys)
    problems.push_back("$defs.expect.properties: the keys differ from runner/vocabulary.cpp's "
                       "expectation keys");
  // Each action's branch allows exactly "at", "action", "host" (an action on a host), the
  // reactive keys ("on", "after", "id"), "repeat" and the table's keys.
  const Json& branches = at_path(schema, {"$defs", "action", "oneOf"});
  for (const ActionInfo& action : actions()) {
    const Json* found = nullptr;
    for (const Json& branch : branches) {
      const Json& kind = branch["properties"]["action"];
      const bool matches =
          (kind.contains("const") && kind["const"] == action.name) ||
          (kind.contains("enum") &&
           std::find(kind["enum"].begin(), kind["enum"].end(), std::string(action.name)) !=
               kind["enum"].end());
      if (matches) found = &branch;
    }
    if (found == nullptr) {
      problems.push_back("$defs.action.oneOf: no branch for action \"" + std::string(action.name) +
                         "\"");
      continue;
    }
    std::set<std::string> schema_action_keys;
    for (const auto& [key, value] : (*found)["properties"].items()) schema_action_keys.insert(key);
    std::set<std::string> table_action_keys = {"at", "action"};
    if (action.on_host) table_action_keys.insert("host");
    table_action_keys.insert(reaction_keys().begin(), reaction_keys().end());
    table_action_keys.emplace(generator_key());
    table_action_keys.insert(action.keys.begin(), action.keys.end());
    if (schema_action_keys != table_action_keys)
      problems.push_back("$defs.action.oneOf: the keys of action \"" + std::string(action.name) +
                         "\" differ from runner/vocabulary.cpp's");
  }
  return problems;
}

}  // namespace tcpsim::runner
