// Programs: reading raw bytecode, resolving host-call relocations, and the
// verifier. Only a VerifiedProgram can be run, and only verify() makes one.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vm/host.h"
#include "vm/result.h"

namespace artel::vm {

inline constexpr uint32_t kStackFrameSize = 512;

// Bytecode before verification. `code` holds RFC 9669 instruction words as
// little-endian 64-bit values (opcode in the low byte); `entries` are the
// slots a run may start at (empty means slot 0 only).
struct Program {
  std::vector<uint64_t> code;
  std::vector<uint32_t> entries;
  std::vector<uint8_t> rodata;  // mapped read-only at kRodataAddress
};

// A call whose target is a host function named in a charter module, by
// name and by its stable id (vm/abi.h); the two must agree.
struct Relocation {
  uint32_t insn = 0;  // slot of the call instruction
  std::string name;   // host function name
  uint32_t id = 0;    // host function id
};

struct Limits {
  uint32_t max_instructions = 65536;  // slots, lddw counts twice
};

// Guest addresses of the memory regions a program sees (see docs/vm.md).
inline constexpr uint64_t kStackAddress = uint64_t{1} << 32;
inline constexpr uint64_t kInputAddress = uint64_t{2} << 32;
inline constexpr uint64_t kRodataAddress = uint64_t{3} << 32;

// Reads raw bytecode: 8 bytes per instruction, little-endian.
[[nodiscard]] Result<Program> load_raw(std::span<const uint8_t> bytes);

// Patches each relocated call into `call ID` (src = 0) of the named host
// function; refuses unknown names, a recorded id that is not that name's,
// and relocations that are not on a call.
[[nodiscard]] Status link(Program& program, std::span<const Relocation> relocations, HostTable hosts);

enum class Op : uint16_t;  // vm/opcodes.h

namespace detail {
// One pre-decoded instruction slot (32 bytes). See interpreter.cpp.
struct Decoded {
  const void* handler = nullptr;  // threaded-dispatch target
  int64_t imm = 0;                // sign-extended imm, or the lddw value
  uint32_t rem = 0;               // instructions from here to the end of the straight-line run
  uint32_t target = 0;            // jump / local call target slot; host index for `call ID`
  int32_t off = 0;                // memory offset
  uint16_t op = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
};
static_assert(sizeof(Decoded) == 32);
// The interpreter's fast-mode handler addresses, indexed by Op.
const void* const* fast_handlers();
// The superinstruction handler for `first` followed by `second` in one
// straight-line run (see interpreter.cpp), or nullptr when there is none.
const void* fused_handler(Op first, Op second);
// The instructions that fuse with one of fuse_second() after them.
std::span<const Op> fuse_first();
std::span<const Op> fuse_second();
}  // namespace detail

class VerifiedProgram {
 public:
  [[nodiscard]] std::span<const uint64_t> code() const { return code_; }
  [[nodiscard]] std::span<const uint32_t> entries() const { return entries_; }
  [[nodiscard]] std::span<const uint8_t> rodata() const { return rodata_; }
  [[nodiscard]] bool is_entry(uint32_t pc) const;
  [[nodiscard]] bool knows_host(uint64_t id) const;
  // The ids of the host table the program was verified against, ascending.
  [[nodiscard]] std::span<const uint32_t> host_ids() const { return host_ids_; }
  // Index of `id` in host_ids(), or kNoHost.
  static constexpr uint32_t kNoHost = 0xffffffffu;
  [[nodiscard]] uint32_t host_index(uint64_t id) const;
  // Slots the verifier gave a superinstruction handler (a pair fused with
  // the slot after it; see interpreter.cpp). Statistics only: fusion never
  // changes a result, a count or a pc.
  [[nodiscard]] uint32_t fused() const { return fused_; }

 private:
  VerifiedProgram() = default;
  friend Result<VerifiedProgram> verify(Program program, HostTable hosts, const Limits& limits);
  friend class Vm;

  std::vector<uint64_t> code_;
  std::vector<uint32_t> entries_;
  std::vector<uint8_t> rodata_;
  std::vector<detail::Decoded> decoded_;
  std::vector<uint32_t> host_ids_;  // sorted, unique
  uint32_t fused_ = 0;
};

// Checks everything that can be checked before a run (docs/vm.md lists the
// rules) and pre-decodes the program. Each refusal names the pc and reason.
[[nodiscard]] Result<VerifiedProgram> verify(Program program, HostTable hosts, const Limits& limits = {});

}  // namespace artel::vm
