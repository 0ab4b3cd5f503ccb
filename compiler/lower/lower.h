// Stage 3: typed AST -> LLVM IR -> eBPF. Entered through lower(); codegen
// turns the result into BPF instructions with host-call relocations.
//
// Every touch of the ledger is a call to a host function of vm/abi.h. All
// arithmetic that can overflow is checked and aborts the transaction through
// artel_fail with the article of the statement; multiplication and division
// go through artel_muldiv (exact 128-bit intermediate, declared rounding).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "compiler/typed/typed.h"

namespace artel::lower {

// Messages the generated code can abort with besides the charter's own
// `require` messages; they follow the charter's messages in the module.
inline constexpr const char* kSystemMessages[] = {
    "arithmetic overflow",
    "a rule was called with the wrong number of arguments",
    "split weight is negative",
    "split weights changed while the split was paid out",
};
enum class SystemMessage : int { overflow = 0, bad_arguments = 1, negative_weight = 2, weights_changed = 3 };

// The lowered charter: an LLVM module for the BPF target. Opaque so that
// LLVM's headers stay out of everything but this stage.
class Lowered {
 public:
  struct Impl;
  explicit Lowered(std::unique_ptr<Impl> impl);
  Lowered(Lowered&&) noexcept;
  Lowered& operator=(Lowered&&) noexcept;
  ~Lowered();
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Lowers a checked charter. `path` names the charter in diagnostics.
[[nodiscard]] std::optional<Lowered> lower(const typed::Charter& charter, const std::string& path,
                                           Diagnostics& diags);

// The IR after optimisation, as text (`--emit=llvm`).
[[nodiscard]] std::string ir_text(Lowered& lowered);

// BPF assembly (`--emit=asm`). nullopt when the back end reported an error.
[[nodiscard]] std::optional<std::string> asm_text(Lowered& lowered, Diagnostics& diags);

struct HostRelocation {
  std::uint32_t insn = 0;  // instruction index of the call
  std::string name;        // host function (vm/abi.h)
};

// The BPF code of a charter: instructions, host calls to link, and the
// instruction offset of every function.
struct Object {
  std::vector<std::uint64_t> code;
  std::vector<HostRelocation> host_calls;
  std::map<std::string, std::uint32_t> functions;
};

// Emits the object in memory and reads it back with LLVM's Object library;
// local calls are resolved, host calls are left as relocations.
[[nodiscard]] std::optional<Object> emit_object(Lowered& lowered, Diagnostics& diags);

// LLVM function name of a typed function (rules and periodic clauses keep
// their names; clauses are prefixed so they cannot clash with them).
std::string function_symbol(const typed::Function& f);

// A function as diagnostics name it: "rule `pay`", "clause `sum5`".
std::string describe(const typed::Function& f);

}  // namespace artel::lower
