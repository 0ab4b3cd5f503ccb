// Unit tests of the VM: opcode table, assembler, verifier, interpreter
// (budget, faults, host calls, memory), conformance runner.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <type_traits>

#include "tests/vm/reference_vm.h"
#include "vm/assembler.h"
#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/opcodes.h"
#include "vm/program.h"

namespace artel::vm {
namespace {

static_assert(!std::is_default_constructible_v<VerifiedProgram>, "only verify() makes a VerifiedProgram");

std::vector<uint64_t> asm_or_die(std::string_view text) {
  auto r = assemble(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return r.ok() ? r.value() : std::vector<uint64_t>{};
}

Result<VerifiedProgram> verify_text(std::string_view text, HostTable hosts = ConformanceHost::table()) {
  Program p;
  p.code = asm_or_die(text);
  return verify(std::move(p), hosts);
}

RunResult run_text(std::string_view text, uint64_t budget, std::span<uint8_t> mem = {}) {
  auto v = verify_text(text);
  EXPECT_TRUE(v.ok()) << v.error().describe();
  ConformanceHost host;
  Vm vm;
  RunOptions o;
  o.budget = budget;
  o.input = mem;
  return vm.run(v.value(), host, o);
}

TEST(OpcodeTable, EveryRowDecodesToItself) {
  for (const OpInfo& row : kOpTable) {
    Insn in;
    in.opcode = row.opcode;
    switch (row.select) {
      case Select::None:
        break;
      case Select::Off:
        in.off = static_cast<int16_t>(row.value);
        break;
      case Select::Imm:
        in.imm = row.value;
        break;
      case Select::Src:
        in.src = static_cast<uint8_t>(row.value);
        break;
    }
    auto op = lookup(in);
    ASSERT_TRUE(op.has_value()) << row.mnemonic;
    EXPECT_EQ(*op, row.op) << row.mnemonic;
    EXPECT_EQ(static_cast<uint8_t>(row.cls), row.opcode & 7) << row.mnemonic;
  }
}

TEST(OpcodeTable, MnemonicAndFormAreUnique) {
  for (std::size_t i = 0; i < kOpTable.size(); ++i)
    for (std::size_t j = i + 1; j < kOpTable.size(); ++j)
      EXPECT_FALSE(kOpTable[i].mnemonic == kOpTable[j].mnemonic && kOpTable[i].form == kOpTable[j].form)
          << kOpTable[i].mnemonic;
}

TEST(Assembler, RoundTripsThroughDisassembler) {
  const char* text = R"(
    mov %r0, 1
    lddw r1, 0x1122334455667788
    ldxh %r2, [%r1-4]
    stdw [r10-8], -3
    lock fetch add32 [%r10-4], %r3
    lock cmpxchg [%r10-8], %r1
    jsgt32 %r0, -1, end
    movsx1664 %r4, %r5
    bswap32 %r4
    call 5
    callx %r2
    call local f
  end:
    exit
  f:
    ja32 +0
    exit
  )";
  auto words = asm_or_die(text);
  std::string back;
  for (const auto& l : disassemble(words)) back += l.text + "\n";
  EXPECT_EQ(asm_or_die(back), words) << back;
}

TEST(Assembler, UnknownWordsDisassembleAsWord) {
  std::vector<uint64_t> words = {0xff, Insn{0x95, 0, 0, 0, 1}.word()};
  auto lines = disassemble(words);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, ".word 0xff");
  EXPECT_EQ(lines[1].text, ".word 0x100000095");
  EXPECT_EQ(asm_or_die(lines[0].text + "\n" + lines[1].text), words);
}

TEST(Assembler, ErrorsNameTheLine) {
  auto r = assemble("mov %r0, 1\nfrobnicate %r1\nexit\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::SyntaxError);
  EXPECT_NE(r.error().describe().find("line 2"), std::string::npos);
  EXPECT_FALSE(assemble("mov %r11, 1").ok());
  EXPECT_FALSE(assemble("mov32 %r1, 0x100000000").ok());
  EXPECT_FALSE(assemble("ja nowhere").ok());
}

TEST(Verifier, ErrorsNameThePc) {
  const char* bad[] = {
      "mov %r0, 0\nja +7\nexit",      "mov %r0, 0\nmov %r10, 0\nexit", "mov %r0, 0\ncall 99\nexit",
      "mov %r0, 1\nmod %r0, 0\nexit", "ldxw %r0, [%r10+0]\nexit",      "mov %r0, 0\nmov %r0, 1",
      "ja +1\nlddw %r0, 1\nexit",     "mov %r0, 0\n.word 0xfe\nexit",
  };
  for (const char* text : bad) {
    auto v = verify_text(text);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_NE(v.error().pc, Error::kNoPc) << text;
    EXPECT_NE(v.error().describe().find("pc "), std::string::npos) << text;
  }
}

TEST(Verifier, SizeLimit) {
  Program p;
  p.code.assign(100, Insn{0x95, 0, 0, 0, 0}.word());
  Limits limits;
  limits.max_instructions = 99;
  auto v = verify(p, {}, limits);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::TooLarge);
  limits.max_instructions = 100;
  EXPECT_TRUE(verify(p, {}, limits).ok());
}

TEST(Verifier, LoadRawChecksLength) {
  std::vector<uint8_t> bytes(12, 0);
  auto p = load_raw(bytes);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::BadProgram);
  EXPECT_FALSE(load_raw({}).ok());
}

constexpr const char* kLoop = R"(
  mov %r0, 0
  mov %r1, 0
loop:
  add %r1, 1
  mul %r2, %r1
  add %r0, %r1
  jlt %r1, 100, loop
  exit
)";

TEST(Budget, ExactAtEveryBudget) {
  RunResult full = run_text(kLoop, 1'000'000);
  ASSERT_TRUE(full.ok());
  const uint64_t n = full.instructions;
  EXPECT_EQ(n, 2 + 4 * 100 + 1);
  EXPECT_EQ(full.r0, 5050u);
  RunResult exact = run_text(kLoop, n);
  EXPECT_TRUE(exact.ok());
  EXPECT_EQ(exact.instructions, n);
  for (uint64_t b = 0; b < n; ++b) {
    RunResult r = run_text(kLoop, b);
    ASSERT_FALSE(r.ok()) << b;
    EXPECT_EQ(r.error->code, ErrorCode::OutOfBudget);
    EXPECT_EQ(r.instructions, b);
    EXPECT_NE(r.error->pc, Error::kNoPc);
  }
  // The stopping pc is the instruction that could not be paid for.
  EXPECT_EQ(run_text(kLoop, 0).error->pc, 0u);
  EXPECT_EQ(run_text(kLoop, 3).error->pc, 3u);
  EXPECT_EQ(run_text(kLoop, 6).error->pc, 2u);
}

TEST(Budget, FaultCountsAreExact) {
  std::vector<uint8_t> mem(4, 0);
  RunResult r = run_text("mov %r0, 1\nmov %r3, 2\nldxdw %r0, [%r1]\nmov %r0, 2\nmov %r0, 3\nexit", 100, mem);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, ErrorCode::OutOfBounds);
  EXPECT_EQ(r.error->pc, 2u);
  EXPECT_EQ(r.instructions, 3u);
}

TEST(Budget, LocalCallsAndReturnsAreCharged) {
  const char* text = "mov %r0, 0\ncall local f\nadd %r0, 1\nexit\nf:\nmov %r0, 5\nexit";
  RunResult full = run_text(text, 1000);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full.r0, 6u);
  EXPECT_EQ(full.instructions, 6u);
  EXPECT_TRUE(run_text(text, 6).ok());
  RunResult r = run_text(text, 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->pc, 3u);
}

// The budget rule, checked on every program of the conformance suite: a
// program that needs N instructions succeeds with N and fails with N - 1.
TEST(Budget, ConformanceSuiteExactness) {
  const std::filesystem::path dir = ARTEL_CONFORMANCE_DIR;
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " absent";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".data") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto f = parse_data_file(text);
    ASSERT_TRUE(f.ok());
    if (!f->assembly) continue;
    Program p;
    p.code = asm_or_die(*f->assembly);
    auto v = verify(std::move(p), ConformanceHost::table());
    ASSERT_TRUE(v.ok()) << entry.path();
    auto run = [&](uint64_t budget) {
      ConformanceHost host;
      Vm vm;
      std::vector<uint8_t> mem = f->memory;
      RunOptions o;
      o.budget = budget;
      o.input = mem;
      return vm.run(v.value(), host, o);
    };
    RunResult full = run(1'000'000);
    if (!full.ok()) continue;  // unwinding programs
    RunResult exact = run(full.instructions);
    EXPECT_TRUE(exact.ok()) << entry.path();
    EXPECT_EQ(exact.r0, full.r0) << entry.path();
    RunResult less = run(full.instructions - 1);
    ASSERT_FALSE(less.ok()) << entry.path();
    EXPECT_EQ(less.error->code, ErrorCode::OutOfBudget) << entry.path();
    EXPECT_EQ(less.instructions, full.instructions - 1) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 300);
}

TEST(Interpreter, CallDepthIsConfigurable) {
  const char* text =
      "mov %r0, 0\ncall local f\nexit\nf:\nadd %r0, 1\njge %r0, 3, done\ncall local f\ndone:\nexit";
  auto v = verify_text(text);
  ASSERT_TRUE(v.ok());
  ConformanceHost host;
  Vm vm;
  RunOptions o;
  o.max_call_depth = 4;  // entry + 3 calls
  RunResult ok = vm.run(v.value(), host, o);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.r0, 3u);
  o.max_call_depth = 3;
  RunResult deep = vm.run(v.value(), host, o);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error->code, ErrorCode::CallTooDeep);
  EXPECT_EQ(deep.error->pc, 5u);
}

TEST(Interpreter, RodataIsReadOnly) {
  Program p;
  p.code = asm_or_die("lddw %r1, 0x300000000\nldxw %r0, [%r1+4]\nstb [%r1], 1\nexit");
  p.rodata = {1, 2, 3, 4, 5, 6, 7, 8};
  auto v = verify(std::move(p), {});
  ASSERT_TRUE(v.ok());
  ConformanceHost host;
  Vm vm;
  RunResult r = vm.run(v.value(), host, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, ErrorCode::OutOfBounds);
  EXPECT_EQ(r.error->pc, 3u);
  EXPECT_EQ(r.r0, 0x08070605u);
}

TEST(Interpreter, StackIsZeroedAndDeterministic) {
  // Reads the stack a previous run wrote; each run starts from zeros.
  auto v = verify_text("ldxdw %r0, [%r10-8]\nstdw [%r10-8], 77\nexit");
  ASSERT_TRUE(v.ok());
  ConformanceHost host;
  Vm vm;
  for (int i = 0; i < 3; ++i) {
    RunResult r = vm.run(v.value(), host, {});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.r0, 0u);
  }
}

TEST(Interpreter, EntryMustBeDeclared) {
  auto v = verify_text("mov %r0, 1\nexit");
  ASSERT_TRUE(v.ok());
  ConformanceHost host;
  Vm vm;
  RunResult r = vm.run(v.value(), host, {}, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, ErrorCode::BadEntry);
}

class RecordingHost final : public Host {
 public:
  HostResult call(uint32_t id, const std::array<uint64_t, 5>& args, GuestMemory& memory) override {
    last_id = id;
    last_args = args;
    if (id == 1) {  // copies 8 bytes from args[0] to args[1]
      auto v = memory.read_u64(args[0]);
      if (!v) return fail(100, "bad source");
      if (!memory.write_u64(args[1], *v + 1)) return fail(101, "bad destination");
      return HostResult::ok(*v);
    }
    if (id == 2) {
      auto a = memory.lend_read_only(table_);
      if (!a) return fail(102, "no slot");
      return HostResult::ok(*a);
    }
    return fail(7, "no");
  }
  uint32_t last_id = 0;
  std::array<uint64_t, 5> last_args{};
  std::array<uint8_t, 16> table_{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
};

TEST(Host, ArgumentsMemoryAndErrors) {
  const HostFunction fns[] = {{"copy", 1, 2}, {"table", 2, 0}};
  Program p;
  p.code = asm_or_die(R"(
    stdw [%r10-8], 41
    mov %r1, %r10
    add %r1, -8
    mov %r2, %r10
    add %r2, -16
    mov %r3, 3
    mov %r4, 4
    mov %r5, 5
    call 1
    ldxdw %r6, [%r10-16]
    add %r0, %r6
    exit
  )");
  auto v = verify(std::move(p), fns);
  ASSERT_TRUE(v.ok()) << v.error().describe();
  RecordingHost host;
  Vm vm;
  RunResult r = vm.run(v.value(), host, {});
  ASSERT_TRUE(r.ok()) << r.error->describe();
  EXPECT_EQ(r.r0, 41u + 42u);
  EXPECT_EQ(host.last_args[2], 3u);
  EXPECT_EQ(host.last_args[4], 5u);

  Program bad;
  bad.code = asm_or_die("mov %r1, 0\nmov %r2, 0\ncall 1\nexit");
  auto vb = verify(std::move(bad), fns);
  ASSERT_TRUE(vb.ok());
  RunResult e = vm.run(vb.value(), host, {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error->code, ErrorCode::HostError);
  EXPECT_EQ(e.error->host_code, 100u);
  EXPECT_EQ(e.error->pc, 2u);
  EXPECT_EQ(e.instructions, 3u);
  EXPECT_NE(e.error->message.find("bad source"), std::string::npos);

  Program ro;
  ro.code = asm_or_die("call 2\nldxb %r1, [%r0+15]\nstb [%r0], 0\nexit");
  auto vr = verify(std::move(ro), fns);
  ASSERT_TRUE(vr.ok());
  RunResult w = vm.run(vr.value(), host, {});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error->code, ErrorCode::OutOfBounds);
  EXPECT_EQ(w.error->pc, 2u);
}

// The same files as the vm_data and vm_conformance ctests, run in-process
// (so that sanitizer builds cover them without the artel binary).
TEST(Conformance, AllDataFilesPass) {
  int files = 0;
  for (const char* d : {ARTEL_VM_DATA_DIR, ARTEL_CONFORMANCE_DIR}) {
    const std::filesystem::path dir(d);
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".data") continue;
      std::ifstream in(entry.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto f = parse_data_file(text);
      ASSERT_TRUE(f.ok()) << entry.path();
      CaseOutcome outcome = run_data_file(f.value());
      EXPECT_TRUE(outcome.passed) << entry.path() << ": " << outcome.reason;
      ++files;
      // Differential check against the plain reference interpreter.
      std::vector<uint64_t> words;
      if (f->raw) {
        words = *f->raw;
      } else {
        auto a = assemble(*f->assembly);
        ASSERT_TRUE(a.ok());
        words = a.value();
      }
      std::string listing;
      for (const auto& l : disassemble(words)) listing += l.text + "\n";
      auto again = assemble(listing);
      ASSERT_TRUE(again.ok()) << entry.path() << ": " << again.error().describe();
      EXPECT_EQ(again.value(), words) << entry.path() << " does not survive disassembly:\n" << listing;
      Program p;
      p.code = words;
      auto v = verify(std::move(p), ConformanceHost::table());
      if (!v.ok()) continue;
      for (uint64_t budget : {f->budget, uint64_t{5}, uint64_t{1}}) {
        std::vector<uint8_t> m1 = f->memory;
        std::vector<uint8_t> m2 = f->memory;
        RunOptions o;
        o.budget = budget;
        o.input = m1;
        ConformanceHost h1;
        ConformanceHost h2;
        Vm vm;
        const reference::Outcome got = reference::outcome_of(vm.run(v.value(), h1, o));
        o.input = m2;
        const reference::Outcome expected = reference::run(v.value(), h2, o, 0);
        EXPECT_TRUE(got == expected) << entry.path() << " budget " << budget << ": vm r0=" << got.r0
                                     << " n=" << got.instructions << ", reference r0=" << expected.r0
                                     << " n=" << expected.instructions;
        EXPECT_EQ(m1, m2) << entry.path();
      }
    }
  }
  EXPECT_GT(files, 30);
}

class LendingHost final : public Host {
 public:
  HostResult call(uint32_t, const std::array<uint64_t, 5>& args, GuestMemory& memory) override {
    // Overflowing and out-of-region accesses are refused, never performed.
    std::array<uint8_t, 8> b{};
    if (memory.read(~uint64_t{0} - 3, b)) return fail(1, "read across the top of memory");
    if (memory.read(kStackAddress, std::span<uint8_t>(big_.data(), big_.size())))
      return fail(2, "read larger than the stack");
    if (memory.write(kRodataAddress, b)) return fail(3, "write to read-only data");
    std::optional<uint64_t> last;
    int slots = 0;
    while (auto a = memory.lend(buffer_)) {
      last = a;
      ++slots;
    }
    if (slots != 12) return fail(4, "expected 12 lending slots, got " + std::to_string(slots));
    if (!memory.write_u64(*last, args[0])) return fail(5, "write to lent memory");
    return HostResult::ok(*last);
  }
  std::array<uint8_t, 16> buffer_{};
  std::vector<uint8_t> big_ = std::vector<uint8_t>(1 << 20);
};

TEST(Host, GuestMemoryBoundsAndLendingSlots) {
  const HostFunction fns[] = {{"lend_all", 1, 1}};
  Program p;
  p.code = asm_or_die("mov %r1, 99\ncall 1\nldxdw %r0, [%r0]\nexit");
  auto v = verify(std::move(p), fns);
  ASSERT_TRUE(v.ok());
  LendingHost host;
  Vm vm;
  RunResult r = vm.run(v.value(), host, {});
  ASSERT_TRUE(r.ok()) << r.error->describe();
  EXPECT_EQ(r.r0, 99u);
}

// A host that resolves id 3 to a function pointer and leaves id 4 to call():
// both paths, by `call ID` and by `callx`, give results and errors.
class MixedHost final : public Host {
 public:
  HostResult call(uint32_t id, const std::array<uint64_t, 5>& args, GuestMemory&) override {
    ++virtual_calls;
    if (id == 4) return args[0] == 0 ? fail(44, "zero") : HostResult::ok(args[0] * 10);
    return fail(99, "resolved id reached call()");
  }
  Function resolve(uint32_t id) override {
    resolved.push_back(id);
    if (id != 3) return nullptr;
    return [](Host& self, std::span<const uint64_t, 5> args, GuestMemory&) {
      ++static_cast<MixedHost&>(self).fast_calls;
      if (args[4] == 7) return self.fail(33, "seven");
      return HostResult::ok(args[0] + args[1] + args[2] + args[3] + args[4]);
    };
  }
  int virtual_calls = 0;
  int fast_calls = 0;
  std::vector<uint32_t> resolved;
};

// Instances of `op` for the superinstruction test: operands chosen so that
// branches go both ways and host calls succeed (call 1) and fail (call 6).
std::vector<std::string> instances(Op op, const char* dst) {
  const OpInfo& row = info(op);
  const std::string m(row.mnemonic);
  std::vector<std::string> out;
  switch (row.form) {
    case Form::AluImm:
      for (const char* k : {"-7", "5"}) out.push_back(m + " " + dst + ", " + k);
      break;
    case Form::AluReg:
      for (const char* k : {"%r3", "%r5"}) out.push_back(m + " " + dst + ", " + k);
      break;
    case Form::JumpImm:
      for (const char* k : {"-7", "0", "5", "27"}) out.push_back(m + " %r2, " + k + ", +1");
      break;
    case Form::JumpReg:
      for (const char* k : {"%r3", "%r5"}) out.push_back(m + " %r2, " + k + ", +1");
      break;
    case Form::Jump:
      out.push_back("ja +1");
      break;
    case Form::CallHost:
      out.push_back("call 1");
      out.push_back("call 6");
      break;
    case Form::CallLocal:
      out.push_back("call local f");
      break;
    case Form::Exit:
      out.push_back("exit");
      break;
    default:
      ADD_FAILURE() << "no instance of " << m << " for the superinstruction test";
  }
  return out;
}

// Superinstructions: for every pair the interpreter fuses (its own FIRST
// and SECOND lists), the VM gives the reference interpreter's r0,
// instruction count, error and pc at every budget, with branches taken and
// not taken, host calls that succeed and fail, and a jump straight into the
// second slot. fused() proves that each pair really was fused: a `neg`
// between the two instructions takes exactly one fused slot away.
TEST(Superinstructions, EveryFusedPairAgreesWithTheReference) {
  const auto program = [](const std::string& first, const std::string& second, bool enter_second, bool apart) {
    return std::string("mov %r1, 1\nmov %r2, 2\nmov %r3, 22\nmov %r4, 4\nmov %r5, -7\nmov %r0, 0\nneg %r9\n") +
           (enter_second ? "ja second\n" : "") + first + "\n" + (apart ? "neg %r9\n" : "") + "second:\n" + second +
           "\nxor %r0, 1\nadd %r0, %r2\nlsh %r0, 8\nadd %r0, %r4\nexit\nf:\nmov %r0, 3\nadd %r4, 100\nexit\n";
  };
  int pairs = 0;
  for (Op a : detail::fuse_first()) {
    for (Op b : detail::fuse_second()) {
      ASSERT_NE(detail::fused_handler(a, b), nullptr);
      for (const std::string& first : instances(a, "%r2")) {
        for (const std::string& second : instances(b, "%r4")) {
          for (bool enter_second : {false, true}) {
            uint32_t fused[2] = {};
            for (bool apart : {false, true}) {
              const std::string text = program(first, second, enter_second, apart);
              auto v = verify_text(text);
              ASSERT_TRUE(v.ok()) << text << v.error().describe();
              fused[apart ? 1 : 0] = v->fused();
              const auto run_both = [&](uint64_t budget) {
                ConformanceHost h1;
                ConformanceHost h2;
                Vm vm;
                RunOptions o;
                o.budget = budget;
                return std::pair{reference::outcome_of(vm.run(v.value(), h1, o)),
                                 reference::run(v.value(), h2, o, 0)};
              };
              const uint64_t full = run_both(1000).second.instructions;
              for (uint64_t budget = 0; budget <= full + 1; ++budget) {
                const auto [got, expected] = run_both(budget);
                ASSERT_TRUE(got == expected)
                    << text << "budget " << budget << ": vm r0=" << got.r0 << " n=" << got.instructions
                    << " error " << (got.error ? to_string(*got.error) : "none") << " at " << got.pc
                    << ", reference r0=" << expected.r0 << " n=" << expected.instructions << " error "
                    << (expected.error ? to_string(*expected.error) : "none") << " at " << expected.pc;
              }
            }
            EXPECT_EQ(fused[0], fused[1] + 1) << first << " / " << second;
            ++pairs;
          }
        }
      }
    }
  }
  EXPECT_GT(pairs, 1000);
  // Pairs outside the lists are not fused.
  EXPECT_EQ(detail::fused_handler(Op::LDXDW, Op::MOV64_REG), nullptr);
  EXPECT_EQ(detail::fused_handler(Op::MOV64_REG, Op::STXDW), nullptr);
}

TEST(Host, ResolvedFunctionsAndVirtualCallsAgree) {
  const HostFunction fns[] = {{"f4", 4, 1}, {"f3", 3, 5}, {"f3 again", 3, 5}};
  // r7 = f3(1, 2, 3, 4, FIFTH) by `call 3`, plus the same by `callx` (r1..r5
  // are left as they were); r0 = r7 + f4(r7 - 20) by `callx`.
  for (uint64_t fifth : {0u, 7u, 10u}) {
    Program p;
    p.code = asm_or_die("mov %r6, " + std::to_string(fifth) +
                        "\nmov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, %r6\ncall 3\n"
                        "mov %r7, %r0\nmov %r8, 3\ncallx %r8\nadd %r7, %r0\nmov %r1, %r7\nsub %r1, 20\n"
                        "mov %r8, 4\ncallx %r8\nadd %r0, %r7\nexit");
    auto v = verify(std::move(p), fns);
    ASSERT_TRUE(v.ok()) << v.error().describe();
    MixedHost host;
    Vm vm;
    RunResult r = vm.run(v.value(), host, {});
    EXPECT_EQ(host.resolved, (std::vector<uint32_t>{3, 4}));  // once per id, duplicates dropped
    if (fifth == 7) {                                         // the resolved function fails at the first call
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error->code, ErrorCode::HostError);
      EXPECT_EQ(r.error->host_code, 33u);
      EXPECT_EQ(r.error->pc, 6u);
      EXPECT_EQ(r.instructions, 7u);
      EXPECT_EQ(host.fast_calls, 1);
      EXPECT_EQ(host.virtual_calls, 0);
    } else if (fifth == 0) {  // f3 = 10 twice, then f4(0) fails through call()
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error->host_code, 44u);
      EXPECT_EQ(r.error->pc, 14u);
      EXPECT_EQ(r.instructions, 15u);
      EXPECT_EQ(host.fast_calls, 2);
      EXPECT_EQ(host.virtual_calls, 1);
    } else {  // f3 = 20 twice, f4(40 - 20) = 200
      ASSERT_TRUE(r.ok()) << r.error->describe();
      EXPECT_EQ(r.r0, 20u + 20u + 200u);
      EXPECT_EQ(r.instructions, 17u);
      EXPECT_EQ(host.fast_calls, 2);
      EXPECT_EQ(host.virtual_calls, 1);
    }
  }
}

TEST(Conformance, UnreadableProgramIsAFailureEvenUnderError) {
  auto f = parse_data_file("-- asm\nfrobnicate\n-- error\n");
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(run_data_file(f.value()).passed);
  auto g = parse_data_file("-- asm\nmov %r0, 1\nexit\n-- raw\n0xb7\n0x95\n-- result\n0x1\n");
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(run_data_file(g.value()).passed);  // -- raw disagrees with -- asm
  auto h = parse_data_file("-- asm\nmov %r0, 1\nexit\n-- error\n");
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(run_data_file(h.value()).passed);  // runs fine, but an error was expected
}

// The verifier refuses an empty program; that refusal must not satisfy a
// bare -- error, or a file whose program is missing would pass.
TEST(Conformance, EmptyProgramIsAFailureEvenUnderError) {
  for (const char* text :
       {"-- asm\n-- error\n", "-- asm\n# only a comment\n\n-- error\n", "-- raw\n-- error\n",
        "-- raw\n# nothing\n-- error\nbad-program\n", "-- asm\n-- result\n0x0\n"}) {
    auto f = parse_data_file(text);
    ASSERT_TRUE(f.ok()) << text;
    const CaseOutcome outcome = run_data_file(f.value());
    EXPECT_FALSE(outcome.passed) << text;
    EXPECT_NE(outcome.reason.find("no program"), std::string::npos) << text << ": " << outcome.reason;
  }
}

}  // namespace
}  // namespace artel::vm
