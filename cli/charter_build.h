// Compiling a charter file for the commands that run it in process (`artel
// demo`, `artel test`): the real front end and back end, with the standard
// library beside the binary.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "compiler/module/writer.h"
#include "compiler/typed/typed.h"

namespace artel::cli {

struct CompiledCharter {
  std::string path;
  std::string source;
  typed::Charter typed;
  module::Built built;
};

// Compiles the charter at `path`; prints the diagnostics to `err` and
// returns nullopt when it does not compile.
std::optional<CompiledCharter> compile_charter_file(const std::string& path, std::ostream& err);

}  // namespace artel::cli
