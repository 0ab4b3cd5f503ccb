#include "commands.h"
namespace artel::cli {
void add_vm_commands(CLI::App&, Context&) {}
}  // namespace artel::cli
