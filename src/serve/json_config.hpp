// `--config FILE` (JSON) for a subcommand: every key names one of its long
// options, so the file covers every flag without a second list to keep in
// sync; options given on the command line win over the file.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace arcp::serving {

/// Adds `--config FILE` to `cmd`; call apply_json_config from its callback.
CLI::Option* add_json_config_option(CLI::App& cmd, std::string& path);

/// Feeds the file's settings to the options of `cmd` that were not given on
/// the command line. Keys are option names without the leading dashes
/// (`data-dir` or `data_dir`); values are strings, numbers, booleans (for
/// flags) or arrays of them (repeatable options). Throws CLI::ParseError
/// subclasses whose message names the file, the key and what is wrong.
void apply_json_config(CLI::App& cmd, const std::string& path);

}  // namespace arcp::serving
