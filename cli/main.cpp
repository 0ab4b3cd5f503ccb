// The `artel` command: compiler, VM and ledger client in one binary.
#include "commands.h"

#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"artel - cooperative charters: compiler, VM and ledger client"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("artel ") + ARTEL_VERSION);
  artel::cli::Context ctx;
  artel::cli::add_compiler_commands(app, ctx);
  artel::cli::add_vm_commands(app, ctx);
  artel::cli::add_node_commands(app, ctx);
  artel::cli::add_demo_commands(app, ctx);
  artel::cli::add_test_commands(app, ctx);
  artel::cli::add_analyze_commands(app, ctx);
  artel::cli::add_simulate_commands(app, ctx);
  artel::cli::add_lsp_command(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // wrong usage
  }
  return ctx.exit_code;
}
