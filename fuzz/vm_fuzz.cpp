// libFuzzer target: arbitrary bytes through the module parser, the loader,
// the verifier and the interpreter. Any input must be refused cleanly or run
// within its budget; the checks below abort (a finding) when a property of
// the VM does not hold:
//  - the interpreter and the plain reference interpreter
//    (tests/vm/reference_vm.h) agree on r0, instruction count, error and pc;
//  - whatever parses as a module re-serializes to the same bytes;
//  - the disassembler's text re-assembles to the same words;
//  - a run that succeeds with N instructions succeeds with budget N (same
//    r0) and stops with out-of-budget after exactly N - 1 with budget N - 1;
//  - every run stops with a count within its budget, and every refusal or
//    abort carries a pc (except errors about the program as a whole).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/vm/reference_vm.h"
#include "vm/assembler.h"
#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/module.h"
#include "vm/program.h"

namespace {

using namespace artel::vm;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

RunResult run_once(const VerifiedProgram& program, uint32_t entry, uint64_t budget, uint32_t depth,
                   std::vector<uint8_t> memory) {
  ConformanceHost host;
  Vm vm;
  RunOptions o;
  o.budget = budget;
  o.input = memory;
  o.max_call_depth = depth;
  return vm.run(program, host, o, entry);
}

void exercise(const VerifiedProgram& program, uint32_t entry, uint64_t budget, uint32_t depth,
              const std::vector<uint8_t>& memory) {
  RunResult r = run_once(program, entry, budget, depth, memory);
  if (r.instructions > budget) finding("ran past its budget");
  {
    ConformanceHost host;
    std::vector<uint8_t> copy = memory;
    RunOptions o;
    o.budget = budget;
    o.input = copy;
    o.max_call_depth = depth;
    const reference::Outcome expected = reference::run(program, host, o, entry);
    const reference::Outcome got = reference::outcome_of(r);
    if (!(expected == got)) {
      std::fprintf(stderr, "reference: r0=%llx n=%llu err=%d pc=%u; vm: r0=%llx n=%llu err=%d pc=%u\n",
                   static_cast<unsigned long long>(expected.r0),
                   static_cast<unsigned long long>(expected.instructions),
                   expected.error ? static_cast<int>(*expected.error) : 0, expected.pc,
                   static_cast<unsigned long long>(got.r0), static_cast<unsigned long long>(got.instructions),
                   got.error ? static_cast<int>(*got.error) : 0, got.pc);
      finding("interpreter and reference disagree");
    }
  }
  if (!r.ok()) {
    if (r.error->pc == Error::kNoPc) finding("run error without a pc");
    if (r.error->code == ErrorCode::OutOfBudget && r.instructions != budget) finding("out of budget early");
    return;
  }
  const uint64_t n = r.instructions;
  RunResult exact = run_once(program, entry, n, depth, memory);
  if (!exact.ok() || exact.r0 != r.r0 || exact.instructions != n)
    finding("budget N did not reproduce the run");
  if (n == 0) finding("a successful run executed nothing");
  RunResult less = run_once(program, entry, n - 1, depth, memory);
  if (less.ok() || less.error->code != ErrorCode::OutOfBudget || less.instructions != n - 1)
    finding("budget N - 1 did not stop with out-of-budget after N - 1");
}

void check_disassembly(const std::vector<uint64_t>& code) {
  std::string text;
  for (const DisassembledLine& l : disassemble(code)) text += l.text + "\n";
  auto again = assemble(text);
  if (!again.ok() || again.value() != code) finding("disassembly does not re-assemble to the same words");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> bytes(data, size);

  // 1. The module parser sees every input as it is.
  auto module = parse(bytes);
  if (module.ok()) {
    if (serialize(module.value()) != std::vector<uint8_t>(bytes.begin(), bytes.end()))
      finding("parsed module is not canonical");
    auto loaded = load_module(module.value(), ConformanceHost::table());
    if (loaded.ok()) {
      for (const EntryPoint& e : module->entries) exercise(loaded.value(), e.offset, 5000, 8, {});
    }
  }

  // 2. The same bytes as a program: byte 0 chooses the budget and call depth,
  //    byte 1 the input size, then 8-byte instructions.
  if (size < 2) return 0;
  const uint64_t budget = 1 + (uint64_t{data[0]} * 97) % 20000;
  const uint32_t depth = 1 + data[0] % 9;
  std::vector<uint8_t> memory(data[1] % 65);
  for (std::size_t i = 0; i < memory.size(); ++i) memory[i] = static_cast<uint8_t>(i * 31 + data[1]);
  auto program = load_raw(bytes.subspan(2, (size - 2) / 8 * 8));
  if (!program.ok()) return 0;
  check_disassembly(program->code);
  auto verified = verify(program.value(), ConformanceHost::table());
  if (!verified.ok()) {
    const ErrorCode c = verified.error().code;
    if (verified.error().pc == Error::kNoPc && c != ErrorCode::TooLarge && c != ErrorCode::BadProgram)
      finding("refusal without a pc");
    return 0;
  }
  exercise(verified.value(), 0, budget, depth, memory);
  return 0;
}
