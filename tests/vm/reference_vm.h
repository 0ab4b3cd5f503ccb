// A deliberately plain reference interpreter for differential testing:
// decodes every instruction from its word on every step, switches on the
// opcode table row, charges the budget one instruction at a time, and keeps
// frames in a std::vector. It shares nothing with vm/interpreter.cpp except
// the opcode table and the region layout, so the fuzzer and the tests can
// compare the two engines result for result: r0, instruction count, error
// code and pc.
#pragma once

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "vm/interpreter.h"
#include "vm/memory.h"
#include "vm/opcodes.h"

namespace artel::vm::reference {

struct Outcome {
  uint64_t r0 = 0;
  uint64_t instructions = 0;
  std::optional<ErrorCode> error;
  uint32_t pc = 0;
  bool operator==(const Outcome&) const = default;
};

inline Outcome outcome_of(const RunResult& r) {
  Outcome o;
  o.r0 = r.r0;
  o.instructions = r.instructions;
  if (r.error) {
    o.error = r.error->code;
    o.pc = r.error->pc;
  }
  return o;
}

inline uint64_t sext(uint64_t v, int bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  v &= (bits == 64) ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
  return (v ^ m) - m;
}

inline Outcome run(const VerifiedProgram& program, Host& host, const RunOptions& options, uint32_t entry) {
  const std::span<const uint64_t> code = program.code();
  const uint32_t depth = std::clamp<uint32_t>(options.max_call_depth, 1, kMaxCallDepth);
  std::vector<uint8_t> stack(std::size_t{depth} * kStackFrameSize, 0);
  std::vector<uint8_t> rodata(program.rodata().begin(), program.rodata().end());
  detail::Regions mem;
  mem.base[detail::kStackRegion] = stack.data();
  mem.read_len[detail::kStackRegion] = mem.write_len[detail::kStackRegion] = stack.size();
  mem.base[detail::kInputRegion] = options.input.data();
  mem.read_len[detail::kInputRegion] = mem.write_len[detail::kInputRegion] = options.input.size();
  mem.base[detail::kRodataRegion] = rodata.data();
  mem.read_len[detail::kRodataRegion] = rodata.size();
  const uint64_t budget = std::min<uint64_t>(options.budget, INT64_MAX);

  uint64_t r[11] = {};
  r[1] = options.input.empty() ? 0 : kInputAddress;
  r[2] = options.input.size();
  r[10] = kStackAddress + stack.size();
  struct Frame {
    uint32_t ret;
    uint64_t saved[4];
    uint64_t fp;
  };
  std::vector<Frame> frames;
  Outcome out;
  uint32_t pc = entry;
  auto stop = [&](ErrorCode c) {
    out.r0 = r[0];
    out.error = c;
    out.pc = pc;
    return out;
  };
  for (;;) {
    if (out.instructions == budget) return stop(ErrorCode::OutOfBudget);
    ++out.instructions;
    const Insn in = Insn::from_word(code[pc]);
    const Op op = *lookup(in);
    const OpInfo& row = info(op);
    const bool is32 = row.cls == Class::Alu || row.cls == Class::Jmp32;
    uint64_t& dst = r[in.dst];
    const uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(in.imm));
    const uint64_t operand = (row.form == Form::AluReg || row.form == Form::JumpReg) ? r[in.src] : imm;
    const uint64_t mask = is32 ? 0xffffffffu : ~uint64_t{0};
    const int width = is32 ? 32 : 64;
    uint32_t next = pc + 1;

    switch (row.form) {
      case Form::AluImm:
      case Form::AluReg:
      case Form::Unary: {
        const uint64_t a = dst & mask;
        const uint64_t b = operand & mask;
        const auto sa = static_cast<int64_t>(sext(a, width));
        const auto sb = static_cast<int64_t>(sext(b, width));
        const std::string_view m = row.mnemonic;
        const std::string_view base =
            is32 && m.size() > 2 && m.substr(m.size() - 2) == "32" ? m.substr(0, m.size() - 2) : m;
        uint64_t v = 0;
        if (base == "add")
          v = a + b;
        else if (base == "sub")
          v = a - b;
        else if (base == "mul")
          v = a * b;
        else if (base == "div")
          v = b == 0 ? 0 : a / b;
        else if (base == "mod")
          v = b == 0 ? a : a % b;
        else if (base == "sdiv")
          v = b == 0 ? 0 : (sb == -1 ? 0 - a : static_cast<uint64_t>(sa / sb));
        else if (base == "smod")
          v = b == 0 ? a : (sb == -1 ? 0 : static_cast<uint64_t>(sa % sb));
        else if (base == "or")
          v = a | b;
        else if (base == "and")
          v = a & b;
        else if (base == "xor")
          v = a ^ b;
        else if (base == "lsh")
          v = a << (b & static_cast<uint64_t>(width - 1));
        else if (base == "rsh")
          v = a >> (b & static_cast<uint64_t>(width - 1));
        else if (base == "arsh")
          v = static_cast<uint64_t>(sa >> (b & static_cast<uint64_t>(width - 1)));
        else if (base == "mov")
          v = b;
        else if (base == "neg")
          v = 0 - a;
        else if (m.rfind("movsx", 0) == 0)
          v = sext(r[in.src], in.off);
        else if (m.rfind("le", 0) == 0)
          v = dst & (in.imm == 64 ? ~uint64_t{0} : (uint64_t{1} << in.imm) - 1);
        else {  // be16/32/64, bswap16/32/64
          v = 0;
          for (int i = 0; i < in.imm / 8; ++i) v |= ((dst >> (8 * i)) & 0xff) << (in.imm - 8 - 8 * i);
        }
        dst = (m.rfind("le", 0) == 0 || m.rfind("be", 0) == 0 || m.rfind("bswap", 0) == 0) ? v : v & mask;
        break;
      }
      case Form::LoadImm64:
        dst = static_cast<uint32_t>(in.imm) |
              uint64_t{static_cast<uint32_t>(Insn::from_word(code[pc + 1]).imm)} << 32;
        next = pc + 2;
        break;
      case Form::Load: {
        const uint64_t addr = r[in.src] + static_cast<uint64_t>(static_cast<int64_t>(in.off));
        const uint8_t* p = mem.checked(addr, row.size, false);
        if (p == nullptr) return stop(ErrorCode::OutOfBounds);
        uint64_t v = 0;
        std::memcpy(&v, p, row.size);
        dst = row.mnemonic.rfind("ldxs", 0) == 0 ? sext(v, row.size * 8) : v;
        break;
      }
      case Form::StoreImm:
      case Form::StoreReg:
      case Form::Atomic: {
        const uint64_t addr = dst + static_cast<uint64_t>(static_cast<int64_t>(in.off));
        uint8_t* p = mem.checked(addr, row.size, true);
        if (p == nullptr) return stop(ErrorCode::OutOfBounds);
        const uint64_t m = row.size == 8 ? ~uint64_t{0} : (uint64_t{1} << (row.size * 8)) - 1;
        uint64_t old = 0;
        std::memcpy(&old, p, row.size);
        uint64_t val = (row.form == Form::StoreImm ? imm : r[in.src]) & m;
        uint64_t nv = val;
        if (row.form == Form::Atomic) {
          const int k = in.imm & 0xf0;
          if (in.imm == 0xf1) {
            nv = (r[0] & m) == old ? val : old;
            r[0] = old;
          } else {
            nv = k == 0x00   ? old + val
                 : k == 0x40 ? old | val
                 : k == 0x50 ? old & val
                 : k == 0xa0 ? old ^ val
                             : val;
            if (in.imm & 1) r[in.src] = old;
          }
          nv &= m;
        }
        std::memcpy(p, &nv, row.size);
        break;
      }
      case Form::Jump:
        next = static_cast<uint32_t>(static_cast<int64_t>(pc) + 1 + in.off);
        break;
      case Form::Jump32:
        next = static_cast<uint32_t>(static_cast<int64_t>(pc) + 1 + in.imm);
        break;
      case Form::JumpImm:
      case Form::JumpReg: {
        const uint64_t a = dst & mask;
        const uint64_t b = operand & mask;
        const auto sa = static_cast<int64_t>(sext(a, width));
        const auto sb = static_cast<int64_t>(sext(b, width));
        std::string_view m = row.mnemonic;
        if (is32) m = m.substr(0, m.size() - 2);
        const bool taken = m == "jeq"    ? a == b
                           : m == "jne"  ? a != b
                           : m == "jgt"  ? a > b
                           : m == "jge"  ? a >= b
                           : m == "jlt"  ? a < b
                           : m == "jle"  ? a <= b
                           : m == "jset" ? (a & b) != 0
                           : m == "jsgt" ? sa > sb
                           : m == "jsge" ? sa >= sb
                           : m == "jslt" ? sa < sb
                                         : sa <= sb;
        if (taken) next = static_cast<uint32_t>(static_cast<int64_t>(pc) + 1 + in.off);
        break;
      }
      case Form::CallHost:
      case Form::CallX: {
        const uint64_t id = row.form == Form::CallHost ? static_cast<uint32_t>(in.imm) : dst;
        if (!program.knows_host(id)) return stop(ErrorCode::UnknownHostCall);
        GuestMemory gm(mem);
        HostResult hr = host.call(static_cast<uint32_t>(id), {r[1], r[2], r[3], r[4], r[5]}, gm);
        if (!hr.is_ok()) return stop(ErrorCode::HostError);
        r[0] = hr.value();
        break;
      }
      case Form::CallLocal:
        if (frames.size() + 1 >= depth) return stop(ErrorCode::CallTooDeep);
        frames.push_back({pc + 1, {r[6], r[7], r[8], r[9]}, r[10]});
        r[10] -= kStackFrameSize;
        next = static_cast<uint32_t>(static_cast<int64_t>(pc) + 1 + in.imm);
        break;
      case Form::Exit:
        if (frames.empty()) {
          out.r0 = r[0];
          return out;
        }
        std::copy(frames.back().saved, frames.back().saved + 4, r + 6);
        r[10] = frames.back().fp;
        next = frames.back().ret;
        frames.pop_back();
        break;
    }
    pc = next;
  }
}

}  // namespace artel::vm::reference
