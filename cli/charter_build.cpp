#include "charter_build.h"

#include <ostream>

#include "compiler/driver.h"
#include "file_io.h"

namespace artel::cli {

std::optional<CompiledCharter> compile_charter_file(const std::string& path, std::ostream& err) {
  Diagnostics diags;
  auto built = compiler::build_file(path, compiler::default_stdlib_dir(), diags);
  diags.print(err);
  if (!built) return std::nullopt;
  std::string error;
  auto source = read_text_file(path, error);
  if (!source) {
    err << "error: " << error << "\n";
    return std::nullopt;
  }
  return CompiledCharter{path, std::move(*source), std::move(built->typed), std::move(built->built)};
}

}  // namespace artel::cli
