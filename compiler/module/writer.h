// Stage 4: the charter module (.acm). Packs the code of a lowered charter
// with its entry points, parameters, articles and messages into the
// canonical module format of vm/module.h (docs/module-format.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "compiler/lower/lower.h"
#include "compiler/typed/typed.h"
#include "vm/module.h"

namespace artel::module {

struct Built {
  vm::Module module;
  std::vector<std::uint8_t> bytes;  // canonical serialisation
  vm::Hash256 id{};                 // BLAKE2b-256 of `bytes`
};

// The compiler's version as written into every module it produces.
std::string compiler_version();

// BLAKE2b-256 of the charter's canonical form (its typed AST, which leaves
// out keyword spelling, layout and comments): a charter and its Russian twin
// hash the same.
vm::Hash256 source_hash(const typed::Charter& charter);

// Packs the module. `path` names the charter in diagnostics.
[[nodiscard]] std::optional<Built> build(const typed::Charter& charter, const lower::Object& object,
                                         const std::string& path, Diagnostics& diags);

// The `by` clause of a rule as the module records it, term by term.
std::vector<vm::Right> rights(const typed::Function& f);

}  // namespace artel::module
