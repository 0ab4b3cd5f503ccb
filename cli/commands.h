// Each component registers its own `artel` subcommands on the one CLI11 app.
// A subcommand reports its outcome through Context::exit_code:
// 0 success, 1 the input had errors (or a test failed), 2 wrong usage.
#pragma once

#include <CLI/CLI.hpp>

namespace artel::cli {

struct Context {
  int exit_code = 0;
};

void add_compiler_commands(CLI::App& app, Context& ctx);
void add_vm_commands(CLI::App& app, Context& ctx);
void add_node_commands(CLI::App& app, Context& ctx);
void add_demo_commands(CLI::App& app, Context& ctx);
void add_test_commands(CLI::App& app, Context& ctx);
void add_analyze_commands(CLI::App& app, Context& ctx);
void add_simulate_commands(CLI::App& app, Context& ctx);
void add_lsp_command(CLI::App& app, Context& ctx);

}  // namespace artel::cli
