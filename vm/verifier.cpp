#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "vm/opcodes.h"
#include "vm/program.h"

namespace artel::vm {

static_assert(std::endian::native == std::endian::little, "the VM assumes a little-endian host");

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadProgram:
      return "bad-program";
    case ErrorCode::BadModule:
      return "bad-module";
    case ErrorCode::BadRelocation:
      return "bad-relocation";
    case ErrorCode::UnknownHostCall:
      return "unknown-host-call";
    case ErrorCode::BadEntry:
      return "bad-entry";
    case ErrorCode::TooLarge:
      return "too-large";
    case ErrorCode::InvalidOpcode:
      return "invalid-opcode";
    case ErrorCode::InvalidRegister:
      return "invalid-register";
    case ErrorCode::WriteToR10:
      return "write-to-r10";
    case ErrorCode::InvalidField:
      return "invalid-field";
    case ErrorCode::JumpOutOfRange:
      return "jump-out-of-range";
    case ErrorCode::JumpIntoLddw:
      return "jump-into-lddw";
    case ErrorCode::FallThrough:
      return "fall-through";
    case ErrorCode::IncompleteLddw:
      return "incomplete-lddw";
    case ErrorCode::StackOutOfBounds:
      return "stack-out-of-bounds";
    case ErrorCode::DivisionByZero:
      return "division-by-zero";
    case ErrorCode::OutOfBudget:
      return "out-of-budget";
    case ErrorCode::OutOfBounds:
      return "out-of-bounds";
    case ErrorCode::CallTooDeep:
      return "call-too-deep";
    case ErrorCode::HostError:
      return "host-error";
    case ErrorCode::SyntaxError:
      return "syntax-error";
  }
  return "unknown-error";
}

std::string hex_u64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

std::string Error::describe() const {
  std::string s;
  if (pc != kNoPc) s += "pc " + std::to_string(pc) + ": ";
  s += to_string(code);
  if (!message.empty()) s += ": " + message;
  return s;
}

Result<Program> load_raw(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return make_error(ErrorCode::BadProgram, Error::kNoPc, "empty program");
  if (bytes.size() % 8 != 0)
    return make_error(ErrorCode::BadProgram, Error::kNoPc,
                      "length " + std::to_string(bytes.size()) + " is not a multiple of 8 bytes");
  Program p;
  p.code.resize(bytes.size() / 8);
  std::memcpy(p.code.data(), bytes.data(), bytes.size());
  return p;
}

Status link(Program& program, std::span<const Relocation> relocations, HostTable hosts) {
  for (const Relocation& r : relocations) {
    if (r.insn >= program.code.size())
      return make_error(ErrorCode::BadRelocation, r.insn,
                        "relocation for '" + r.name + "' is outside the program");
    Insn in = Insn::from_word(program.code[r.insn]);
    if (in.opcode != 0x85)
      return make_error(ErrorCode::BadRelocation, r.insn,
                        "relocation for '" + r.name + "' is not on a call instruction");
    const HostFunction* h = find_host(hosts, r.name);
    if (h == nullptr)
      return make_error(ErrorCode::UnknownHostCall, r.insn, "unknown host function '" + r.name + "'");
    if (h->id != r.id)
      return make_error(ErrorCode::BadRelocation, r.insn,
                        "relocation for '" + r.name + "' records id " + std::to_string(r.id) + ", but '" +
                            r.name + "' is host function " + std::to_string(h->id));
    in.src = 0;
    in.imm = static_cast<int32_t>(h->id);
    program.code[r.insn] = in.word();
  }
  return {};
}

const HostFunction* find_host(HostTable table, uint32_t id) {
  for (const HostFunction& f : table)
    if (f.id == id) return &f;
  return nullptr;
}

const HostFunction* find_host(HostTable table, std::string_view name) {
  for (const HostFunction& f : table)
    if (f.name == name) return &f;
  return nullptr;
}

bool VerifiedProgram::is_entry(uint32_t pc) const {
  return std::find(entries_.begin(), entries_.end(), pc) != entries_.end();
}

bool VerifiedProgram::knows_host(uint64_t id) const {
  return host_index(id) != kNoHost;
}

uint32_t VerifiedProgram::host_index(uint64_t id) const {
  if (id > UINT32_MAX) return kNoHost;
  auto it = std::lower_bound(host_ids_.begin(), host_ids_.end(), static_cast<uint32_t>(id));
  if (it == host_ids_.end() || *it != id) return kNoHost;
  return static_cast<uint32_t>(it - host_ids_.begin());
}

namespace {

Error refuse(ErrorCode code, std::size_t pc, std::string message) {
  return make_error(code, static_cast<uint32_t>(pc), std::move(message));
}

// Base register of a memory access: loads address through src, stores and
// atomics through dst.
uint8_t base_register(const OpInfo& row, const Insn& in) {
  return row.form == Form::Load ? in.src : in.dst;
}

}  // namespace

Result<VerifiedProgram> verify(Program program, HostTable hosts, const Limits& limits) {
  const std::size_t n = program.code.size();
  if (n == 0) return make_error(ErrorCode::BadProgram, Error::kNoPc, "empty program");
  if (n > limits.max_instructions)
    return make_error(ErrorCode::TooLarge, Error::kNoPc,
                      "program has " + std::to_string(n) + " instruction slots, the limit is " +
                          std::to_string(limits.max_instructions));
  if (program.entries.empty()) program.entries.push_back(0);

  std::vector<uint8_t> is_tail(n, 0);
  std::vector<Op> ops(n, Op::EXIT);
  std::vector<int64_t> targets(n, 0);  // jump / local-call targets
  std::vector<uint8_t> has_target(n, 0);
  std::size_t last = 0;  // slot of the last instruction

  for (std::size_t pc = 0; pc < n; ++pc) {
    const Insn in = Insn::from_word(program.code[pc]);
    if (is_tail[pc] != 0) {
      if (in.opcode != 0 || in.dst != 0 || in.src != 0 || in.off != 0)
        return refuse(ErrorCode::InvalidField, pc,
                      "second slot of lddw must have opcode, registers and offset 0");
      continue;
    }
    last = pc;
    const std::optional<Op> op = lookup(in);
    if (!op) {
      if (!known_opcode(in.opcode))
        return refuse(ErrorCode::InvalidOpcode, pc, "unknown opcode " + hex_u64(in.opcode));
      return refuse(ErrorCode::InvalidOpcode, pc,
                    "opcode " + hex_u64(in.opcode) + " with src " + std::to_string(in.src) + ", offset " +
                        std::to_string(in.off) + ", imm " + std::to_string(in.imm) +
                        " is not an instruction");
    }
    ops[pc] = *op;
    const OpInfo& row = info(*op);
    const std::string mn(row.mnemonic);
    if (in.dst > 10)
      return refuse(ErrorCode::InvalidRegister, pc, mn + ": destination register r" + std::to_string(in.dst));
    if (in.src > 10)
      return refuse(ErrorCode::InvalidRegister, pc, mn + ": source register r" + std::to_string(in.src));

    auto must_be_zero = [&](bool dst, bool src, bool off, bool imm) -> std::optional<Error> {
      if (dst && in.dst != 0) return refuse(ErrorCode::InvalidField, pc, mn + ": dst must be 0");
      if (src && in.src != 0) return refuse(ErrorCode::InvalidField, pc, mn + ": src must be 0");
      if (off && in.off != 0) return refuse(ErrorCode::InvalidField, pc, mn + ": offset must be 0");
      if (imm && in.imm != 0) return refuse(ErrorCode::InvalidField, pc, mn + ": imm must be 0");
      return std::nullopt;
    };
    std::optional<Error> bad;
    switch (row.form) {
      case Form::AluImm:
        bad = must_be_zero(false, true, false, false);
        break;
      case Form::AluReg:
        bad = must_be_zero(false, false, false, true);
        break;
      case Form::Unary:
        bad = must_be_zero(false, true, true, row.select != Select::Imm);
        break;
      case Form::LoadImm64:
        bad = must_be_zero(false, false, true, false);
        if (!bad && pc + 1 >= n) return refuse(ErrorCode::IncompleteLddw, pc, "lddw needs a second slot");
        if (!bad) is_tail[pc + 1] = 1;
        break;
      case Form::Load:
        bad = must_be_zero(false, false, false, true);
        break;
      case Form::StoreImm:
        bad = must_be_zero(false, true, false, false);
        break;
      case Form::StoreReg:
        bad = must_be_zero(false, false, false, true);
        break;
      case Form::Atomic:
        break;
      case Form::Jump:
        bad = must_be_zero(true, true, false, true);
        targets[pc] = static_cast<int64_t>(pc) + 1 + in.off;
        has_target[pc] = 1;
        break;
      case Form::Jump32:
        bad = must_be_zero(true, true, true, false);
        targets[pc] = static_cast<int64_t>(pc) + 1 + in.imm;
        has_target[pc] = 1;
        break;
      case Form::JumpImm:
        bad = must_be_zero(false, true, false, false);
        targets[pc] = static_cast<int64_t>(pc) + 1 + in.off;
        has_target[pc] = 1;
        break;
      case Form::JumpReg:
        bad = must_be_zero(false, false, false, true);
        targets[pc] = static_cast<int64_t>(pc) + 1 + in.off;
        has_target[pc] = 1;
        break;
      case Form::CallHost:
        bad = must_be_zero(true, false, true, false);
        if (!bad && find_host(hosts, static_cast<uint32_t>(in.imm)) == nullptr)
          return refuse(ErrorCode::UnknownHostCall, pc,
                        "call " + std::to_string(static_cast<uint32_t>(in.imm)) + ": no such host function");
        break;
      case Form::CallLocal:
        bad = must_be_zero(true, false, true, false);
        targets[pc] = static_cast<int64_t>(pc) + 1 + in.imm;
        has_target[pc] = 1;
        break;
      case Form::CallX:
        bad = must_be_zero(false, true, true, true);
        break;
      case Form::Exit:
        bad = must_be_zero(true, true, true, true);
        break;
    }
    if (bad) return *bad;
    if (row.has(kWritesDst) && in.dst == 10)
      return refuse(ErrorCode::WriteToR10, pc, mn + " writes r10, which is read-only");
    if (row.has(kWritesSrc) && in.src == 10)
      return refuse(ErrorCode::WriteToR10, pc, mn + " writes r10, which is read-only");
    if (row.has(kDivides) && in.imm == 0)
      return refuse(ErrorCode::DivisionByZero, pc, mn + " by the immediate 0");
    if (row.has(kMemory) && base_register(row, in) == 10) {
      const int64_t lo = in.off;
      const int64_t hi = lo + row.size;
      if (lo < -static_cast<int64_t>(kStackFrameSize) || hi > 0)
        return refuse(ErrorCode::StackOutOfBounds, pc,
                      mn + " of " + std::to_string(row.size) + " bytes at r10" + (lo < 0 ? "" : "+") +
                          std::to_string(lo) + " is outside the 512-byte stack frame");
    }
  }

  for (std::size_t pc = 0; pc < n; ++pc) {
    if (has_target[pc] == 0) continue;
    const int64_t t = targets[pc];
    const std::string what = info(ops[pc]).form == Form::CallLocal ? "call" : "jump";
    if (t < 0 || t >= static_cast<int64_t>(n))
      return refuse(ErrorCode::JumpOutOfRange, pc,
                    what + " target " + std::to_string(t) + " is outside the program (0.." +
                        std::to_string(n - 1) + ")");
    if (is_tail[static_cast<std::size_t>(t)] != 0)
      return refuse(ErrorCode::JumpIntoLddw, pc,
                    what + " target " + std::to_string(t) + " is the second half of an lddw");
  }
  if (!info(ops[last]).has(kTerminates))
    return refuse(ErrorCode::FallThrough, last,
                  "the last instruction is " + std::string(info(ops[last]).mnemonic) +
                      "; execution would run past the end (end with exit or ja)");
  for (uint32_t e : program.entries) {
    if (e >= n || is_tail[e] != 0)
      return make_error(ErrorCode::BadEntry, e,
                        "entry point " + std::to_string(e) + " is not an instruction");
  }

  VerifiedProgram vp;
  for (const HostFunction& h : hosts) vp.host_ids_.push_back(h.id);
  std::sort(vp.host_ids_.begin(), vp.host_ids_.end());
  vp.host_ids_.erase(std::unique(vp.host_ids_.begin(), vp.host_ids_.end()), vp.host_ids_.end());
  vp.decoded_.resize(n);
  const void* const* handlers = detail::fast_handlers();
  for (std::size_t i = n; i-- > 0;) {
    detail::Decoded& d = vp.decoded_[i];
    const Insn in = Insn::from_word(program.code[i]);
    if (is_tail[i] != 0) {
      d.op = static_cast<uint16_t>(Op::EXIT);
      d.handler = handlers[static_cast<std::size_t>(Op::EXIT)];
      continue;  // never executed: no jump lands here and lddw skips it
    }
    const OpInfo& row = info(ops[i]);
    d.op = static_cast<uint16_t>(ops[i]);
    d.handler = handlers[static_cast<std::size_t>(ops[i])];
    d.dst = in.dst;
    d.src = in.src;
    d.off = in.off;
    d.imm = in.imm;
    if (row.form == Form::LoadImm64) {
      const Insn hi = Insn::from_word(program.code[i + 1]);
      d.imm = static_cast<int64_t>(uint64_t{static_cast<uint32_t>(in.imm)} |
                                   uint64_t{static_cast<uint32_t>(hi.imm)} << 32);
    }
    if (has_target[i] != 0) d.target = static_cast<uint32_t>(targets[i]);
    // `call ID`: the interpreter finds the host function by its index in
    // host_ids_ (the id is known to be there: checked above).
    if (ops[i] == Op::CALL) d.target = vp.host_index(static_cast<uint32_t>(in.imm));
    if (row.has(kControl)) {
      d.rem = 1;
    } else {
      const std::size_t next = i + (row.form == Form::LoadImm64 ? 2 : 1);
      d.rem = 1 + vp.decoded_[next].rem;  // next < n: the last instruction is control
    }
  }
  // Superinstructions: an instruction that is not control and is followed
  // by a real instruction (never lddw's second half: lddw fuses with none).
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (is_tail[i] != 0 || is_tail[i + 1] != 0 || info(ops[i]).has(kControl)) continue;
    if (const void* h = detail::fused_handler(ops[i], ops[i + 1])) {
      vp.decoded_[i].handler = h;
      ++vp.fused_;
    }
  }
  vp.code_ = std::move(program.code);
  vp.entries_ = std::move(program.entries);
  vp.rodata_ = std::move(program.rodata);
  return vp;
}

}  // namespace artel::vm
