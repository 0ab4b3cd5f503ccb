// Text form of bytecode, driven by the opcode table. The syntax is the one of
// the BPF conformance suite: `mov %r0, 1`, `ldxb r0, [r1+0x2]`,
// `jne %r0, 15, label`, `call local f`, `call 5`, `callx %r2`,
// `lddw %r0, 0x1122334455667788`, `lock fetch add [%r10-8], %r1`, labels
// (`name:`), comments (`#`, `;`, `//`). Jump targets are labels or signed
// offsets (`+3`, `-2`); `.word 0x...` emits one raw instruction word.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vm/host.h"
#include "vm/result.h"

namespace artel::vm {

// Errors carry ErrorCode::SyntaxError, pc = the 1-based source line.
[[nodiscard]] Result<std::vector<uint64_t>> assemble(std::string_view source);

struct DisassembledLine {
  uint32_t pc = 0;
  std::string text;  // re-assembles to the same word(s)
};

// One line per instruction (lddw takes two slots, one line). Host calls get
// the function's name as a comment when `hosts` knows it.
[[nodiscard]] std::vector<DisassembledLine> disassemble(std::span<const uint64_t> code, HostTable hosts = {});

}  // namespace artel::vm
