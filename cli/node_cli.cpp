#include "commands.h"
namespace artel::cli {
void add_node_commands(CLI::App&, Context&) {}
}  // namespace artel::cli
