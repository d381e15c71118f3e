#include "serve/json_config.hpp"

#include <arcp/json.hpp>
#include <fstream>
#include <sstream>

namespace arcp::serving {
namespace {

constexpr std::size_t kMaxConfigBytes = 1U << 20U;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CLI::ValidationError("--config " + path, what);
}

std::string scalar_text(const std::string& path, const std::string& key, const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return json::serialize(v);
  fail(path, "'" + key + "' must be a string, number or boolean (or an array of them)");
}

json::object read_object(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot read the file");
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) fail(path, "the file is larger than 1 MiB");
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) fail(path, "not valid JSON: " + ec.message());
  if (!doc.is_object()) fail(path, "the file must hold one JSON object of option names");
  return std::move(doc.get_object());
}

}  // namespace

CLI::Option* add_json_config_option(CLI::App& cmd, std::string& path) {
  return cmd
      .add_option("--config", path,
                  "JSON file of settings: {\"option-name\": value} for any option below "
                  "(arrays for repeatable ones, true/false for flags); the command line wins")
      ->configurable(false);
}

void apply_json_config(CLI::App& cmd, const std::string& path) {
  for (const auto& [raw_key, value] : read_object(path)) {
    std::string key(raw_key);
    for (char& c : key)
      if (c == '_') c = '-';
    CLI::Option* opt = key.empty() ? nullptr : cmd.get_option_no_throw("--" + key);
    if (opt == nullptr || key == "config" || key == "help")
      fail(path, "unknown option '" + std::string(raw_key) + "' (see " + cmd.get_name() +
                     " --help for the options)");
    if (opt->count() > 0) continue;  // given on the command line: it wins
    std::vector<std::string> inputs;
    if (value.is_array()) {
      if (opt->get_expected_max() <= 1 && value.get_array().size() != 1)
        fail(path, "'" + key + "' takes one value, not an array");
      for (const auto& v : value.get_array()) inputs.push_back(scalar_text(path, key, v));
    } else {
      inputs.push_back(scalar_text(path, key, value));
    }
    if (opt->get_expected_min() == 0) {  // a flag: true sets it, false leaves it off
      if (inputs.size() != 1 || (inputs[0] != "true" && inputs[0] != "false"))
        fail(path, "'" + key + "' is a flag: true or false");
      if (inputs[0] == "false") continue;
    }
    try {
      for (auto& in : inputs) opt->add_result(in);
      opt->run_callback();
    } catch (const CLI::ParseError& e) {
      fail(path, "'" + key + "': " + e.what());
    }
  }
}

}  // namespace arcp::serving
