// Running a verified program: threaded interpreter with an exact instruction
// budget and bounds-checked memory. See docs/vm.md for the budget rule.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vm/host.h"
#include "vm/program.h"
#include "vm/result.h"

namespace artel::vm {

inline constexpr uint32_t kMaxCallDepth = 64;

struct RunOptions {
  // Instructions the run may execute; lddw counts as one instruction.
  uint64_t budget = 1'000'000;
  // Input memory, readable and writable, mapped at kInputAddress. On entry
  // r1 = its guest address (0 when empty) and r2 = its length.
  std::span<uint8_t> input;
  // Frames of 512 bytes, the entry frame included (1..kMaxCallDepth).
  uint32_t max_call_depth = 8;
};

struct [[nodiscard]] RunResult {
  uint64_t r0 = 0;
  uint64_t instructions = 0;   // executed, including a faulting one
  std::optional<Error> error;  // set when the run aborted
  [[nodiscard]] bool ok() const { return !error.has_value(); }
};

// The execution context: holds the stack memory between runs so that a run
// allocates nothing. Not thread-safe and not re-entrant: a host function that
// wants to run another program uses another Vm.
class Vm {
 public:
  [[nodiscard]] RunResult run(const VerifiedProgram& program, Host& host, const RunOptions& options,
                              uint32_t entry = 0);

  // One host function as a run calls it (resolved by Host::resolve, or
  // nullptr for Host::call). Internal to the interpreter.
  struct HostSlot {
    Host::Function fn = nullptr;
    uint32_t id = 0;
  };

 private:
  std::vector<uint8_t> stack_;
  std::vector<HostSlot> hosts_;
};

}  // namespace artel::vm
