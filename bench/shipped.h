// The benchmarks' charters: a shipped charter compiled from the source tree
// (ARTEL_SOURCE_DIR) by the real compiler, its diagnostics printed when it
// does not compile.
#pragma once

#include <iostream>
#include <optional>
#include <string>

#include "compiler/driver.h"

namespace artel::bench {

inline std::optional<compiler::FileBuild> build_shipped(const std::string& name) {
  Diagnostics diags;
  auto b = compiler::build_file(std::string(ARTEL_SOURCE_DIR) + "/charters/" + name,
                                std::string(ARTEL_SOURCE_DIR) + "/stdlib", diags);
  if (!b) diags.print(std::cerr);
  return b;
}

}  // namespace artel::bench
