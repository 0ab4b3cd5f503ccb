// LLVM module -> BPF object in memory -> instructions, read back with LLVM's
// Object library.
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include <mutex>
#include <set>
#include <string_view>

#include "compiler/lower/lower_impl.h"
#include "vm/program.h"

namespace artel::lower {

namespace {

constexpr const char* kTriple = "bpfel";
constexpr const char* kCpu = "v3";

void init_bpf() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
  });
}

// Collects the back end's errors (an over-large stack frame, an unsupported
// operation) as diagnostics instead of letting LLVM print or abort.
struct BackendErrors {
  struct Message {
    std::string text;
    std::string function;
  };
  std::vector<Message> messages;
  static void handler(const llvm::DiagnosticInfo* info, void* self) {
    if (info->getSeverity() != llvm::DS_Error) return;
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::DiagnosticPrinterRawOStream printer(os);
    info->print(printer);
    os.flush();
    std::string function;
    if (const auto* u = llvm::dyn_cast<llvm::DiagnosticInfoUnsupported>(info))
      function = u->getFunction().getName().str();
    else if (const auto* r = llvm::dyn_cast<llvm::DiagnosticInfoResourceLimit>(info))
      function = r->getFunction().getName().str();
    static_cast<BackendErrors*>(self)->messages.push_back({text, function});
  }
};

// Where a generated function comes from, as diagnostics show it.
struct Place {
  std::string file;
  Loc loc;
  std::string who = "the charter";
};
Place place_of(const Lowered::Impl& impl, const std::string& symbol) {
  Place p{impl.path, {}};
  if (auto it = impl.origins.find(symbol); it != impl.origins.end()) {
    if (!it->second.file.empty()) p.file = it->second.file;
    p.loc = it->second.loc;
    p.who = it->second.what;
  }
  return p;
}

bool run_backend(Lowered::Impl& impl, llvm::Module& module, llvm::CodeGenFileType type,
                 llvm::SmallVectorImpl<char>& out, Diagnostics& diags) {
  BackendErrors errors;
  impl.context->setDiagnosticHandlerCallBack(&BackendErrors::handler, &errors);
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (impl.target->addPassesToEmitFile(pm, os, nullptr, type)) {
    diags.error(impl.path, {}, "internal compiler error: the BPF back end cannot emit this file type");
    return false;
  }
  pm.run(module);
  impl.context->setDiagnosticHandlerCallBack(nullptr, nullptr);
  std::set<std::string> reported;  // the back end repeats an error per instruction
  for (const auto& m : errors.messages) {
    const bool stack = m.text.find("stack limit") != std::string::npos;
    if (!reported.insert(m.function + (stack ? "#stack" : m.text)).second) continue;
    const Place at = place_of(impl, m.function);
    if (stack) {
      diags.error(at.file, at.loc,
                  at.who + " needs more than the 512-byte stack frame of the bytecode: it keeps too "
                           "many values alive at once; move part of it into a clause");
    } else {
      std::string text = m.text;
      if (auto colon = text.find("): "); colon != std::string::npos) text = text.substr(colon + 3);
      diags.error(at.file, at.loc, at.who + " cannot be compiled to bytecode: " + text);
    }
  }
  return errors.messages.empty();
}

// A BPF jump (-mcpu=v3) carries a signed 16-bit offset, so a function of
// more instruction slots than this may need a jump the encoding cannot
// express, and LLVM would abort the process while emitting the object.
constexpr std::size_t kMaxFunctionSlots = 32767;

// No IR instruction of the lowered code becomes more than this many slots:
// the largest is a host call with five 64-bit constant arguments (five
// two-slot loads and the call). A module whose functions are all under
// kMaxFunctionSlots / kMaxSlotsPerIr IR instructions cannot reach the limit
// and skips the exact count below.
constexpr std::size_t kMaxSlotsPerIr = 16;

// Instruction slots of each function, counted in the BPF assembly of a copy
// of the module (the assembler resolves jumps symbolically, so it cannot
// overflow). A 64-bit immediate load (`... ll`) takes two slots.
std::map<std::string, std::size_t> function_slots(Lowered::Impl& impl) {
  std::map<std::string, std::size_t> slots;
  // The copy keeps the module as it was for the object; back-end errors in
  // it are reported by the object's emission, so they are dropped here.
  std::unique_ptr<llvm::Module> clone = llvm::CloneModule(*impl.module);
  llvm::SmallVector<char, 0> buf;
  Diagnostics ignored;
  (void)run_backend(impl, *clone, llvm::CodeGenFileType::AssemblyFile, buf, ignored);
  std::string_view text(buf.data(), buf.size());
  std::string current;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.starts_with("\t.type\t") && line.ends_with(",@function")) {
      std::string_view name = line.substr(7, line.size() - 7 - 10);
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
        name = name.substr(1, name.size() - 2);
      current = std::string(name);
      continue;
    }
    if (line.starts_with(".Lfunc_end")) {
      current.clear();
      continue;
    }
    const bool instruction = line.size() >= 2 && line[0] == '\t' && line[1] != '.' && line[1] != '#';
    if (current.empty() || !instruction) continue;
    slots[current] += line.ends_with(" ll") ? 2 : 1;
  }
  return slots;
}

// Refuses, with a diagnostic at the function, any function too long for the
// bytecode's jumps. Cheap for ordinary charters (see kMaxSlotsPerIr).
bool check_function_sizes(Lowered::Impl& impl, Diagnostics& diags) {
  bool small = true;
  for (const auto& fn : *impl.module)
    if (fn.getInstructionCount() * kMaxSlotsPerIr > kMaxFunctionSlots) small = false;
  if (small) return true;
  bool ok = true;
  for (const auto& [symbol, count] : function_slots(impl)) {
    if (count <= kMaxFunctionSlots) continue;
    ok = false;
    const Place at = place_of(impl, symbol);
    diags.error(at.file, at.loc,
                at.who + " compiles to " + std::to_string(count) + " instructions; one rule or clause may " +
                    "have at most " + std::to_string(kMaxFunctionSlots) +
                    " (the reach of a jump in the bytecode): split it into several rules or clauses");
  }
  return ok;
}

}  // namespace

bool prepare_target(Lowered::Impl& impl, Diagnostics& diags) {
  init_bpf();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kTriple, error);
  if (target == nullptr) {
    diags.error(impl.path, {}, "internal compiler error: LLVM has no BPF target: " + error);
    return false;
  }
  llvm::TargetOptions options;
  impl.target.reset(target->createTargetMachine(kTriple, kCpu, "", options, llvm::Reloc::Static, std::nullopt,
                                                llvm::CodeGenOptLevel::Default));
  impl.module->setTargetTriple(kTriple);
  impl.module->setDataLayout(impl.target->createDataLayout());
  return true;
}

void optimize(Lowered::Impl& impl) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(impl.target.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(*impl.module, mam);
}

std::string ir_text(Lowered& lowered) {
  std::string text;
  llvm::raw_string_ostream os(text);
  lowered.impl().module->print(os, nullptr);
  os.flush();
  return text;
}

std::optional<std::string> asm_text(Lowered& lowered, Diagnostics& diags) {
  llvm::SmallVector<char, 0> buf;
  Lowered::Impl& impl = lowered.impl();
  if (!run_backend(impl, *impl.module, llvm::CodeGenFileType::AssemblyFile, buf, diags)) return std::nullopt;
  return std::string(buf.begin(), buf.end());
}

std::optional<Object> emit_object(Lowered& lowered, Diagnostics& diags) {
  Lowered::Impl& impl = lowered.impl();
  if (!check_function_sizes(impl, diags)) return std::nullopt;
  llvm::SmallVector<char, 0> buf;
  if (!run_backend(impl, *impl.module, llvm::CodeGenFileType::ObjectFile, buf, diags)) return std::nullopt;

  auto fail = [&](const std::string& why) -> std::optional<Object> {
    diags.error(impl.path, {}, "internal compiler error: cannot read the BPF object: " + why);
    return std::nullopt;
  };
  llvm::MemoryBufferRef ref(llvm::StringRef(buf.data(), buf.size()), "charter.o");
  auto file = llvm::object::ObjectFile::createObjectFile(ref);
  if (!file) return fail(llvm::toString(file.takeError()));
  llvm::object::ObjectFile& obj = **file;

  std::optional<llvm::object::SectionRef> text;
  for (const auto& sec : obj.sections()) {
    auto name = sec.getName();
    if (name && *name == ".text") text = sec;
    else if (name && sec.getSize() > 0 && (sec.isText() || sec.isData() || sec.isBSS()))
      return fail("unexpected section " + name->str() + " (the charter code must not use global data)");
  }
  Object out;
  if (!text) return out;  // a charter with no rules at all
  auto contents = text->getContents();
  if (!contents) return fail(llvm::toString(contents.takeError()));
  if (contents->size() % 8 != 0) return fail(".text is not a whole number of instructions");
  for (std::size_t i = 0; i < contents->size(); i += 8) {
    std::uint64_t word = 0;
    for (int b = 7; b >= 0; --b) word = (word << 8) | static_cast<unsigned char>((*contents)[i + static_cast<std::size_t>(b)]);
    out.code.push_back(word);
  }

  for (const auto& sym : obj.symbols()) {
    auto type = sym.getType();
    auto name = sym.getName();
    auto sec = sym.getSection();
    auto value = sym.getValue();
    if (!type || !name || !sec || !value) continue;
    if (*type != llvm::object::SymbolRef::ST_Function || *sec == obj.section_end() || **sec != *text) continue;
    out.functions[name->str()] = static_cast<std::uint32_t>(*value / 8);
  }

  for (const auto& sec : obj.sections()) {
    auto target = sec.getRelocatedSection();
    if (!target || *target == obj.section_end() || **target != *text) continue;
    for (const auto& rel : sec.relocations()) {
      const std::uint64_t offset = rel.getOffset();
      if (offset % 8 != 0 || offset / 8 >= out.code.size()) return fail("relocation outside the code");
      const auto index = static_cast<std::uint32_t>(offset / 8);
      std::uint64_t& insn = out.code[index];
      auto sym = rel.getSymbol();
      if (sym == obj.symbol_end()) return fail("relocation without a symbol");
      auto name = sym->getName();
      auto sym_sec = sym->getSection();
      auto value = sym->getValue();
      if (!name || !sym_sec || !value) return fail("unreadable relocation symbol");
      constexpr std::uint8_t kCallOpcode = 0x85;
      const auto opcode = static_cast<std::uint8_t>(insn & 0xFF);
      if (opcode != kCallOpcode) return fail("relocation on an instruction that is not a call");
      if (*sym_sec == obj.section_end()) {
        out.host_calls.push_back({index, name->str()});  // linked by the loader
        continue;
      }
      // A local call: target = symbol + (imm + 1) instructions, as the BPF
      // ELF convention has it; encode it pc-relative with src = 1.
      const auto imm = static_cast<std::int32_t>(insn >> 32);
      const std::int64_t target_insn = static_cast<std::int64_t>(*value / 8) + imm + 1;
      const std::int64_t rel_imm = target_insn - (static_cast<std::int64_t>(index) + 1);
      insn = (insn & 0x00000000FFFF00FFull) | (std::uint64_t{1} << 12) |
             (static_cast<std::uint64_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(rel_imm))) << 32);
    }
  }
  // A function may end in a call of artel_fail, which never returns, and
  // LLVM emits nothing after it; at the very end of the code the VM's
  // verifier would see execution run off the end. An `exit` there is never
  // reached and keeps the program well formed.
  constexpr std::uint64_t kCallOpcode = 0x85, kExit = 0x95;
  if (!out.code.empty() && (out.code.back() & 0xFF) == kCallOpcode) out.code.push_back(kExit);
  // Counted with that `exit`: the VM refuses a program over its limit.
  if (const std::size_t limit = vm::Limits{}.max_instructions; out.code.size() > limit) {
    diags.error(impl.path, {},
                "the charter compiles to " + std::to_string(out.code.size()) +
                    " instructions; a charter module may have at most " + std::to_string(limit) +
                    " (the VM's program size limit): move rules into a second charter or shorten them");
    return std::nullopt;
  }
  return out;
}

}  // namespace artel::lower
