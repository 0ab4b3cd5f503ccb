// The interpreter. Threaded dispatch over pre-decoded instructions (computed
// goto, a GCC extension: this file is built without -Wpedantic).
//
// Metering: the verifier stores in every slot `rem`, the number of
// instructions from that slot to the end of its straight-line run (up to and
// including the next jump, local call or exit). Whenever control enters a slot
// other than by falling through - at the start, after a jump, a local call or
// a return - the whole run is charged at once. If the budget cannot pay for
// it, the run continues in stepping mode (the same handlers, instantiated with
// kStep = true), which charges one instruction at a time and stops exactly
// where the budget ends. A fault inside a charged run gives back the
// instructions after the faulting one, so the count is always exact.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "vm/interpreter.h"
#include "vm/memory.h"
#include "vm/opcodes.h"

namespace artel::vm {
namespace {

using detail::Decoded;

// A local call's saved state. r10 is not saved: nothing can write it, so on
// return it is the callee's r10 + 512.
struct Frame {
  const Decoded* ret = nullptr;  // slot to return to
  uint64_t saved[4] = {};        // r6..r9
};

enum class Stop { Exit, Fault, Step };

struct Machine {
  detail::Regions regions;
  GuestMemory memory{regions};  // what host functions see
  uint64_t reg[11] = {};
  int64_t budget = 0;
  const Decoded* code = nullptr;
  const VerifiedProgram* program = nullptr;
  Host* host = nullptr;
  const Vm::HostSlot* hosts = nullptr;  // by index in program->host_ids()
  uint32_t pc = 0;                      // where to start, then where the run stopped
  uint32_t depth = 0;
  uint32_t max_depth = 1;
  Error error;
  Frame frames[kMaxCallDepth];
};

[[gnu::cold, gnu::noinline]] void out_of_bounds(Machine& m, uint32_t pc, uint64_t addr, unsigned size,
                                                const char* what) {
  m.error = make_error(ErrorCode::OutOfBounds, pc,
                       std::string(what) + " of " + std::to_string(size) + " bytes at " + hex_u64(addr) +
                           " is outside the memory the program may access");
}

[[gnu::cold, gnu::noinline]] void too_deep(Machine& m, uint32_t pc) {
  m.error = make_error(ErrorCode::CallTooDeep, pc,
                       "local call nesting exceeds " + std::to_string(m.max_depth) + " frames");
}

[[gnu::cold, gnu::noinline]] void out_of_budget(Machine& m, uint32_t pc) {
  m.error = make_error(ErrorCode::OutOfBudget, pc, "instruction budget exhausted");
}

[[gnu::cold, gnu::noinline]] void host_failed(Machine& m, uint32_t pc, uint32_t id, uint32_t code) {
  m.error = Error{ErrorCode::HostError, pc,
                  "host function " + std::to_string(id) + " failed (code " + std::to_string(code) +
                      "): " + m.host->failure_message(),
                  code};
}

[[gnu::cold, gnu::noinline]] void unknown_callx(Machine& m, uint32_t pc, uint64_t id) {
  m.error = make_error(ErrorCode::UnknownHostCall, pc,
                       "callx: " + std::to_string(id) + " is not a host function id");
}

// A guest register (or saved copy) read as one 8-byte scalar. Left alone, the
// compiler copies neighbouring registers with 16-byte vector loads; when the
// program has just written one of them (an 8-byte store), store-to-load
// forwarding fails and each such load stalls for a dozen cycles or so: that
// was most of the cost of a host call and of a local call.
[[gnu::always_inline]] inline uint64_t scalar(const uint64_t& v) {
  uint64_t x = v;
  asm("" : "+r"(x));
  return x;
}

// A host call through the host's virtual call(), which takes a copy of
// r1..r5: the path of hosts that resolve nothing.
[[gnu::noinline]] bool host_call_virtual(Machine& m, uint32_t pc, uint32_t id, uint64_t* r) {
  const HostResult res = m.host->call(id, {scalar(r[1]), scalar(r[2]), scalar(r[3]), scalar(r[4]), scalar(r[5])},
                                      m.memory);
  if (!res.is_ok()) {
    host_failed(m, pc, id, res.code());
    return false;
  }
  r[0] = res.value();
  return true;
}

// Through the function the host resolved for this run, which reads r1..r5
// in place and returns its result in registers.
[[gnu::always_inline]] inline bool host_call(Machine& m, uint32_t pc, const Vm::HostSlot& h, uint64_t* r) {
  if (__builtin_expect(h.fn == nullptr, 0)) return host_call_virtual(m, pc, h.id, r);
  const HostResult res = h.fn(*m.host, std::span<const uint64_t, 5>(r + 1, 5), m.memory);
  if (__builtin_expect(!res.is_ok(), 0)) {
    host_failed(m, pc, h.id, res.code());
    return false;
  }
  r[0] = res.value();
  return true;
}

inline uint64_t sdiv64(uint64_t a, uint64_t b) {
  const auto x = static_cast<int64_t>(a);
  const auto y = static_cast<int64_t>(b);
  if (y == 0) return 0;
  if (y == -1) return 0 - a;  // INT64_MIN / -1 wraps to INT64_MIN
  return static_cast<uint64_t>(x / y);
}
inline uint64_t smod64(uint64_t a, uint64_t b) {
  const auto x = static_cast<int64_t>(a);
  const auto y = static_cast<int64_t>(b);
  if (y == 0) return a;
  if (y == -1) return 0;
  return static_cast<uint64_t>(x % y);
}
inline uint32_t sdiv32(uint32_t a, uint32_t b) {
  const auto x = static_cast<int32_t>(a);
  const auto y = static_cast<int32_t>(b);
  if (y == 0) return 0;
  if (y == -1) return 0u - a;
  return static_cast<uint32_t>(x / y);
}
inline uint32_t smod32(uint32_t a, uint32_t b) {
  const auto x = static_cast<int32_t>(a);
  const auto y = static_cast<int32_t>(b);
  if (y == 0) return a;
  if (y == -1) return 0;
  return static_cast<uint32_t>(x % y);
}

// Superinstructions. Where an instruction of FIRST is followed in the same
// straight-line run by one of SECOND, the verifier gives the first slot a
// fused handler: it does the first instruction and goes straight to the
// second's handler, a direct jump instead of an indirect dispatch. Both
// instructions keep their own slots, counts and PCs, so metering, faults
// and jumps into the second slot are exactly as without fusion; stepping
// mode never uses fused handlers. The pairs are the ones LLVM's BPF code
// is made of: argument moves before calls, returns, loop increments before
// the loop's branch, and moves before tests.
#define ARTEL_VM_FUSE_FIRST(X) X(MOV64_REG) X(MOV64_IMM) X(MOV32_REG) X(MOV32_IMM) X(ADD64_IMM) X(ADD64_REG)
#define ARTEL_VM_FUSE_SECOND(X, A)                                                                        \
  X(A, MOV64_REG) X(A, MOV64_IMM) X(A, ADD64_IMM) X(A, ADD64_REG) X(A, CALL) X(A, CALL_LOCAL) X(A, EXIT)   \
  X(A, JA) X(A, JEQ_IMM)                                                                                  \
  X(A, JEQ_REG) X(A, JGT_IMM) X(A, JGT_REG) X(A, JGE_IMM) X(A, JGE_REG) X(A, JSET_IMM) X(A, JSET_REG)     \
  X(A, JNE_IMM) X(A, JNE_REG) X(A, JSGT_IMM) X(A, JSGT_REG) X(A, JSGE_IMM) X(A, JSGE_REG) X(A, JLT_IMM)   \
  X(A, JLT_REG) X(A, JLE_IMM) X(A, JLE_REG) X(A, JSLT_IMM) X(A, JSLT_REG) X(A, JSLE_IMM) X(A, JSLE_REG)   \
  X(A, JEQ32_IMM) X(A, JEQ32_REG) X(A, JNE32_IMM) X(A, JNE32_REG) X(A, JSLT32_IMM) X(A, JSLT32_REG)       \
  X(A, JSGT32_IMM) X(A, JSGT32_REG) X(A, JLT32_IMM) X(A, JLT32_REG)

constexpr std::array kFuseFirst = {
#define ARTEL_VM_X(A) Op::A,
    ARTEL_VM_FUSE_FIRST(ARTEL_VM_X)
#undef ARTEL_VM_X
};
constexpr std::array kFuseSecond = {
#define ARTEL_VM_X(A, B) Op::B,
    ARTEL_VM_FUSE_SECOND(ARTEL_VM_X, _)
#undef ARTEL_VM_X
};

struct Labels {
  const void* const* ops = nullptr;    // by Op
  const void* const* fused = nullptr;  // by kFuseFirst index * kFuseSecond.size() + kFuseSecond index
};

template <bool kStep>
Stop execute(Machine* mp, Labels* labels_out) {
  static const void* const kLabels[] = {
#define ARTEL_VM_X(name, ...) &&op_##name,
      ARTEL_VM_OPCODES(ARTEL_VM_X)
#undef ARTEL_VM_X
  };
  static_assert(sizeof(kLabels) / sizeof(kLabels[0]) == kOpCount);
  static const void* const kFused[] = {
#define ARTEL_VM_CELL(A, B) &&fuse_##A##__##B,
#define ARTEL_VM_ROW(A) ARTEL_VM_FUSE_SECOND(ARTEL_VM_CELL, A)
      ARTEL_VM_FUSE_FIRST(ARTEL_VM_ROW)
#undef ARTEL_VM_ROW
#undef ARTEL_VM_CELL
  };
  static_assert(sizeof(kFused) / sizeof(kFused[0]) == kFuseFirst.size() * kFuseSecond.size());
  if (labels_out != nullptr) {
    *labels_out = Labels{kLabels, kFused};
    return Stop::Exit;
  }

  Machine& m = *mp;
  const Decoded* const code = m.code;
  const detail::Regions& mem = m.regions;
  uint64_t r[11];
  std::memcpy(r, m.reg, sizeof r);
  int64_t budget = m.budget;
  const Decoded* pc = code + m.pc;
  // The next free frame and the last one a call may take, in registers.
  Frame* frame = m.frames + m.depth;
  Frame* const frames_end = m.frames + (m.max_depth - 1);

#define PC_INDEX static_cast<uint32_t>(pc - code)
#define SAVE()                                         \
  do {                                                 \
    std::memcpy(m.reg, r, sizeof r);                   \
    m.budget = budget;                                 \
    m.pc = PC_INDEX;                                   \
    m.depth = static_cast<uint32_t>(frame - m.frames); \
  } while (0)
#define DISPATCH()                              \
  do {                                          \
    if constexpr (kStep) {                      \
      if (budget == 0) goto stop_out_of_budget; \
      --budget;                                 \
      goto* kLabels[pc->op];                    \
    } else {                                    \
      goto * pc->handler;                       \
    }                                           \
  } while (0)
#define NEXT()  \
  do {          \
    ++pc;       \
    DISPATCH(); \
  } while (0)
#define TRANSFER(dest)                       \
  do {                                       \
    pc = (dest);                             \
    if constexpr (!kStep) {                  \
      const int64_t cost_ = pc->rem;         \
      budget -= cost_;                       \
      if (__builtin_expect(budget < 0, 0)) { \
        budget += cost_;                     \
        goto stop_step;                      \
      }                                      \
    }                                        \
    DISPATCH();                              \
  } while (0)
#define DST r[pc->dst]
#define SRC r[pc->src]

  if constexpr (kStep) {
    DISPATCH();
  } else {
    TRANSFER(pc);
  }

#define ALU64(NAME, EXPR)                              \
  op_##NAME##_IMM : {                                  \
    const uint64_t a = DST;                            \
    const uint64_t b = static_cast<uint64_t>(pc->imm); \
    DST = (EXPR);                                      \
    NEXT();                                            \
  }                                                    \
  op_##NAME##_REG : {                                  \
    const uint64_t a = DST;                            \
    const uint64_t b = SRC;                            \
    DST = (EXPR);                                      \
    NEXT();                                            \
  }
#define ALU32(NAME, EXPR)                          \
  op_##NAME##_IMM : {                              \
    const auto a = static_cast<uint32_t>(DST);     \
    const auto b = static_cast<uint32_t>(pc->imm); \
    DST = static_cast<uint32_t>(EXPR);             \
    NEXT();                                        \
  }                                                \
  op_##NAME##_REG : {                              \
    const auto a = static_cast<uint32_t>(DST);     \
    const auto b = static_cast<uint32_t>(SRC);     \
    DST = static_cast<uint32_t>(EXPR);             \
    NEXT();                                        \
  }

  ALU64(ADD64, a + b)
  ALU64(SUB64, a - b)
  ALU64(MUL64, a * b)
  ALU64(DIV64, b != 0 ? a / b : 0)
  ALU64(SDIV64, sdiv64(a, b))
  ALU64(OR64, a | b)
  ALU64(AND64, a & b)
  ALU64(LSH64, a << (b & 63))
  ALU64(RSH64, a >> (b & 63))
  ALU64(MOD64, b != 0 ? a % b : a)
  ALU64(SMOD64, smod64(a, b))
  ALU64(XOR64, a ^ b)
  ALU64(MOV64, (static_cast<void>(a), b))
  ALU64(ARSH64, static_cast<uint64_t>(static_cast<int64_t>(a) >> (b & 63)))
  ALU32(ADD32, a + b)
  ALU32(SUB32, a - b)
  ALU32(MUL32, a * b)
  ALU32(DIV32, b != 0 ? a / b : 0u)
  ALU32(SDIV32, sdiv32(a, b))
  ALU32(OR32, a | b)
  ALU32(AND32, a & b)
  ALU32(LSH32, a << (b & 31))
  ALU32(RSH32, a >> (b & 31))
  ALU32(MOD32, b != 0 ? a % b : a)
  ALU32(SMOD32, smod32(a, b))
  ALU32(XOR32, a ^ b)
  ALU32(MOV32, (static_cast<void>(a), b))
  ALU32(ARSH32, static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31)))

op_NEG64:
  DST = 0 - DST;
  NEXT();
op_NEG32:
  DST = static_cast<uint32_t>(0u - static_cast<uint32_t>(DST));
  NEXT();
op_MOVSX864:
  DST = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(static_cast<uint8_t>(SRC))));
  NEXT();
op_MOVSX1664:
  DST = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(static_cast<uint16_t>(SRC))));
  NEXT();
op_MOVSX3264:
  DST = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(SRC))));
  NEXT();
op_MOVSX832:
  DST = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(static_cast<uint8_t>(SRC))));
  NEXT();
op_MOVSX1632:
  DST = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(static_cast<uint16_t>(SRC))));
  NEXT();
op_BSWAP16:
op_BE16:
  DST = __builtin_bswap16(static_cast<uint16_t>(DST));
  NEXT();
op_BSWAP32:
op_BE32:
  DST = __builtin_bswap32(static_cast<uint32_t>(DST));
  NEXT();
op_BSWAP64:
op_BE64:
  DST = __builtin_bswap64(DST);
  NEXT();
op_LE16:
  DST = static_cast<uint16_t>(DST);
  NEXT();
op_LE32:
  DST = static_cast<uint32_t>(DST);
  NEXT();
op_LE64:
  NEXT();
op_LDDW:
  DST = static_cast<uint64_t>(pc->imm);
  pc += 2;
  DISPATCH();

#define ADDRESS(REG) (REG + static_cast<uint64_t>(static_cast<int64_t>(pc->off)))
#define LOAD(NAME, T, WIDEN)                               \
  op_##NAME : {                                            \
    const uint64_t addr = ADDRESS(SRC);                    \
    const uint8_t* p = mem.readable(addr, sizeof(T));      \
    if (p == nullptr) {                                    \
      out_of_bounds(m, PC_INDEX, addr, sizeof(T), "load"); \
      goto stop_fault;                                     \
    }                                                      \
    T v;                                                   \
    std::memcpy(&v, p, sizeof(T));                         \
    DST = static_cast<uint64_t>(static_cast<WIDEN>(v));    \
    NEXT();                                                \
  }
  LOAD(LDXB, uint8_t, uint64_t)
  LOAD(LDXH, uint16_t, uint64_t)
  LOAD(LDXW, uint32_t, uint64_t)
  LOAD(LDXDW, uint64_t, uint64_t)
  LOAD(LDXSB, int8_t, int64_t)
  LOAD(LDXSH, int16_t, int64_t)
  LOAD(LDXSW, int32_t, int64_t)

#define STORE(NAME, T, VALUE)                               \
  op_##NAME : {                                             \
    const uint64_t addr = ADDRESS(DST);                     \
    uint8_t* p = mem.writable(addr, sizeof(T));             \
    if (p == nullptr) {                                     \
      out_of_bounds(m, PC_INDEX, addr, sizeof(T), "store"); \
      goto stop_fault;                                      \
    }                                                       \
    const auto v = static_cast<T>(VALUE);                   \
    std::memcpy(p, &v, sizeof(T));                          \
    NEXT();                                                 \
  }
  STORE(STB, uint8_t, pc->imm)
  STORE(STH, uint16_t, pc->imm)
  STORE(STW, uint32_t, pc->imm)
  STORE(STDW, uint64_t, pc->imm)
  STORE(STXB, uint8_t, SRC)
  STORE(STXH, uint16_t, SRC)
  STORE(STXW, uint32_t, SRC)
  STORE(STXDW, uint64_t, SRC)

#define ATOMIC(NAME, T, FETCH, EXPR)                         \
  op_##NAME : {                                              \
    const uint64_t addr = ADDRESS(DST);                      \
    uint8_t* p = mem.writable(addr, sizeof(T));              \
    if (p == nullptr) {                                      \
      out_of_bounds(m, PC_INDEX, addr, sizeof(T), "atomic"); \
      goto stop_fault;                                       \
    }                                                        \
    T old;                                                   \
    std::memcpy(&old, p, sizeof(T));                         \
    const auto val = static_cast<T>(SRC);                    \
    const auto nv = static_cast<T>(EXPR);                    \
    std::memcpy(p, &nv, sizeof(T));                          \
    if (FETCH) SRC = old;                                    \
    NEXT();                                                  \
  }
  ATOMIC(AADD32, uint32_t, false, old + val)
  ATOMIC(AFADD32, uint32_t, true, old + val)
  ATOMIC(AOR32, uint32_t, false, old | val)
  ATOMIC(AFOR32, uint32_t, true, old | val)
  ATOMIC(AAND32, uint32_t, false, old & val)
  ATOMIC(AFAND32, uint32_t, true, old & val)
  ATOMIC(AXOR32, uint32_t, false, old ^ val)
  ATOMIC(AFXOR32, uint32_t, true, old ^ val)
  ATOMIC(AXCHG32, uint32_t, true, (static_cast<void>(old), val))
  ATOMIC(AADD64, uint64_t, false, old + val)
  ATOMIC(AFADD64, uint64_t, true, old + val)
  ATOMIC(AOR64, uint64_t, false, old | val)
  ATOMIC(AFOR64, uint64_t, true, old | val)
  ATOMIC(AAND64, uint64_t, false, old & val)
  ATOMIC(AFAND64, uint64_t, true, old & val)
  ATOMIC(AXOR64, uint64_t, false, old ^ val)
  ATOMIC(AFXOR64, uint64_t, true, old ^ val)
  ATOMIC(AXCHG64, uint64_t, true, (static_cast<void>(old), val))

#define CMPXCHG(NAME, T)                                     \
  op_##NAME : {                                              \
    const uint64_t addr = ADDRESS(DST);                      \
    uint8_t* p = mem.writable(addr, sizeof(T));              \
    if (p == nullptr) {                                      \
      out_of_bounds(m, PC_INDEX, addr, sizeof(T), "atomic"); \
      goto stop_fault;                                       \
    }                                                        \
    T old;                                                   \
    std::memcpy(&old, p, sizeof(T));                         \
    if (static_cast<T>(r[0]) == old) {                       \
      const auto nv = static_cast<T>(SRC);                   \
      std::memcpy(p, &nv, sizeof(T));                        \
    }                                                        \
    r[0] = old;                                              \
    NEXT();                                                  \
  }
  CMPXCHG(ACMPXCHG32, uint32_t)
  CMPXCHG(ACMPXCHG64, uint64_t)

#define JCOND(NAME, T, COND)                       \
  op_##NAME##_IMM : {                              \
    const auto a = static_cast<T>(DST);            \
    const auto b = static_cast<T>(pc->imm);        \
    TRANSFER((COND) ? code + pc->target : pc + 1); \
  }                                                \
  op_##NAME##_REG : {                              \
    const auto a = static_cast<T>(DST);            \
    const auto b = static_cast<T>(SRC);            \
    TRANSFER((COND) ? code + pc->target : pc + 1); \
  }
  JCOND(JEQ, uint64_t, a == b)
  JCOND(JGT, uint64_t, a > b)
  JCOND(JGE, uint64_t, a >= b)
  JCOND(JSET, uint64_t, (a & b) != 0)
  JCOND(JNE, uint64_t, a != b)
  JCOND(JSGT, int64_t, a > b)
  JCOND(JSGE, int64_t, a >= b)
  JCOND(JLT, uint64_t, a < b)
  JCOND(JLE, uint64_t, a <= b)
  JCOND(JSLT, int64_t, a < b)
  JCOND(JSLE, int64_t, a <= b)
  JCOND(JEQ32, uint32_t, a == b)
  JCOND(JGT32, uint32_t, a > b)
  JCOND(JGE32, uint32_t, a >= b)
  JCOND(JSET32, uint32_t, (a & b) != 0)
  JCOND(JNE32, uint32_t, a != b)
  JCOND(JSGT32, int32_t, a > b)
  JCOND(JSGE32, int32_t, a >= b)
  JCOND(JLT32, uint32_t, a < b)
  JCOND(JLE32, uint32_t, a <= b)
  JCOND(JSLT32, int32_t, a < b)
  JCOND(JSLE32, int32_t, a <= b)

op_JA:
op_JA32:
  TRANSFER(code + pc->target);

op_CALL : {
  if (!host_call(m, PC_INDEX, m.hosts[pc->target], r)) goto stop_fault;
  NEXT();
}
op_CALLX : {
  const uint32_t index = m.program->host_index(DST);
  if (index == VerifiedProgram::kNoHost) {
    unknown_callx(m, PC_INDEX, DST);
    goto stop_fault;
  }
  if (!host_call(m, PC_INDEX, m.hosts[index], r)) goto stop_fault;
  NEXT();
}
op_CALL_LOCAL : {
  if (frame == frames_end) {
    too_deep(m, PC_INDEX);
    goto stop_fault;
  }
  frame->ret = pc + 1;
  frame->saved[0] = scalar(r[6]);
  frame->saved[1] = scalar(r[7]);
  frame->saved[2] = scalar(r[8]);
  frame->saved[3] = scalar(r[9]);
  ++frame;
  r[10] -= kStackFrameSize;
  TRANSFER(code + pc->target);
}
op_EXIT : {
  if (frame == m.frames) {
    SAVE();
    return Stop::Exit;
  }
  --frame;
  r[6] = scalar(frame->saved[0]);
  r[7] = scalar(frame->saved[1]);
  r[8] = scalar(frame->saved[2]);
  r[9] = scalar(frame->saved[3]);
  r[10] += kStackFrameSize;
  TRANSFER(frame->ret);
}

#define FIRST_MOV64_REG DST = SRC
#define FIRST_MOV64_IMM DST = static_cast<uint64_t>(pc->imm)
#define FIRST_MOV32_REG DST = static_cast<uint32_t>(SRC)
#define FIRST_MOV32_IMM DST = static_cast<uint32_t>(pc->imm)
#define FIRST_ADD64_IMM DST += static_cast<uint64_t>(pc->imm)
#define FIRST_ADD64_REG DST += SRC
#define ARTEL_VM_CELL(A, B) \
  fuse_##A##__##B : {       \
    FIRST_##A;              \
    ++pc;                   \
    goto op_##B;            \
  }
#define ARTEL_VM_ROW(A) ARTEL_VM_FUSE_SECOND(ARTEL_VM_CELL, A)
  ARTEL_VM_FUSE_FIRST(ARTEL_VM_ROW)
#undef ARTEL_VM_ROW
#undef ARTEL_VM_CELL
#undef FIRST_MOV64_REG
#undef FIRST_MOV64_IMM
#undef FIRST_MOV32_REG
#undef FIRST_MOV32_IMM
#undef FIRST_ADD64_IMM
#undef FIRST_ADD64_REG

stop_step:
  __attribute__((unused));
  SAVE();
  return Stop::Step;
stop_out_of_budget:
  __attribute__((unused));
  out_of_budget(m, PC_INDEX);
  SAVE();
  return Stop::Fault;
stop_fault:
  SAVE();
  return Stop::Fault;

#undef PC_INDEX
#undef SAVE
#undef DISPATCH
#undef NEXT
#undef TRANSFER
#undef DST
#undef SRC
#undef ALU64
#undef ALU32
#undef ADDRESS
#undef LOAD
#undef STORE
#undef ATOMIC
#undef CMPXCHG
#undef JCOND
}

}  // namespace

namespace detail {
const void* const* fast_handlers() {
  Labels labels;
  static_cast<void>(execute<false>(nullptr, &labels));
  return labels.ops;
}

std::span<const Op> fuse_first() { return kFuseFirst; }
std::span<const Op> fuse_second() { return kFuseSecond; }

const void* fused_handler(Op first, Op second) {
  const auto a = std::find(kFuseFirst.begin(), kFuseFirst.end(), first);
  const auto b = std::find(kFuseSecond.begin(), kFuseSecond.end(), second);
  if (a == kFuseFirst.end() || b == kFuseSecond.end()) return nullptr;
  Labels labels;
  static_cast<void>(execute<false>(nullptr, &labels));
  return labels.fused[static_cast<std::size_t>(a - kFuseFirst.begin()) * kFuseSecond.size() +
                      static_cast<std::size_t>(b - kFuseSecond.begin())];
}
}  // namespace detail

RunResult Vm::run(const VerifiedProgram& program, Host& host, const RunOptions& options, uint32_t entry) {
  RunResult out;
  if (!program.is_entry(entry)) {
    out.error =
        make_error(ErrorCode::BadEntry, entry, "slot " + std::to_string(entry) + " is not an entry point");
    return out;
  }
  const uint32_t depth = std::clamp<uint32_t>(options.max_call_depth, 1, kMaxCallDepth);
  const std::size_t stack_size = std::size_t{depth} * kStackFrameSize;
  stack_.assign(stack_size, 0);

  Machine m;
  m.regions.base[detail::kStackRegion] = stack_.data();
  m.regions.read_len[detail::kStackRegion] = stack_size;
  m.regions.write_len[detail::kStackRegion] = stack_size;
  if (!options.input.empty()) {
    m.regions.base[detail::kInputRegion] = options.input.data();
    m.regions.read_len[detail::kInputRegion] = options.input.size();
    m.regions.write_len[detail::kInputRegion] = options.input.size();
  }
  if (!program.rodata_.empty()) {
    // Read-only: write_len stays 0, so the cast never leads to a write.
    m.regions.base[detail::kRodataRegion] = const_cast<uint8_t*>(program.rodata_.data());
    m.regions.read_len[detail::kRodataRegion] = program.rodata_.size();
  }
  m.reg[1] = options.input.empty() ? 0 : kInputAddress;
  m.reg[2] = options.input.size();
  m.reg[10] = kStackAddress + stack_size;
  const int64_t budget =
      options.budget > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(options.budget);
  m.budget = budget;
  m.code = program.decoded_.data();
  m.program = &program;
  m.host = &host;
  // Host functions resolved once for the run (no allocation after the first
  // run of a program with as many host ids).
  const std::span<const uint32_t> ids = program.host_ids();
  hosts_.resize(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) hosts_[i] = HostSlot{host.resolve(ids[i]), ids[i]};
  m.hosts = hosts_.data();
  m.pc = entry;
  m.max_depth = depth;

  Stop stop = execute<false>(&m, nullptr);
  bool stepping = false;
  if (stop == Stop::Step) {
    stepping = true;
    stop = execute<true>(&m, nullptr);
  }
  uint64_t used = static_cast<uint64_t>(budget - m.budget);
  if (stop == Stop::Fault) {
    if (!stepping) used -= m.code[m.pc].rem - 1;  // the rest of the run was charged but not executed
    out.error = std::move(m.error);
  }
  out.instructions = used;
  out.r0 = m.reg[0];
  return out;
}

}  // namespace artel::vm
