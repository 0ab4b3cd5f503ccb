// `artel vm ...`: conformance tests, running, assembling and disassembling
// bytecode and charter modules.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "vm/abi.h"
#include "vm/assembler.h"
#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/module.h"
#include "vm/program.h"

namespace artel::cli {
namespace {

bool read_file(const std::string& path, std::vector<uint8_t>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool is_module(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 4 && bytes[0] == 'A' && bytes[1] == 'C' && bytes[2] == 'M' && bytes[3] == '1';
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The ledger's host functions (vm/abi.h), in the form the loader takes.
vm::HostTable ledger_table() {
  static const std::vector<vm::HostFunction> table = [] {
    std::vector<vm::HostFunction> t;
    for (const auto& f : abi::host_functions) t.push_back({std::string(f.name), f.id, f.arity});
    return t;
  }();
  return table;
}

struct Options {
  std::vector<std::string> files;
  std::string file;
  std::string output;
  std::string entry;
  std::string mem_hex;
  bool raw = false;
  uint64_t budget = 1'000'000;
};

int cmd_test(const Options& o) {
  int passed = 0;
  int failed = 0;
  for (const std::string& path : o.files) {
    std::vector<uint8_t> bytes;
    std::string err;
    vm::CaseOutcome outcome;
    if (!read_file(path, bytes, err)) {
      outcome = {false, err};
    } else {
      auto parsed =
          vm::parse_data_file(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      outcome =
          parsed ? vm::run_data_file(parsed.value()) : vm::CaseOutcome{false, parsed.error().describe()};
    }
    if (outcome.passed) {
      ++passed;
      std::printf("PASS %s\n", path.c_str());
    } else {
      ++failed;
      std::printf("FAIL %s: %s\n", path.c_str(), outcome.reason.c_str());
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

// Loads FILE as raw bytecode (--raw) or as a charter module.
bool load(const Options& o, vm::HostTable hosts, std::unique_ptr<vm::VerifiedProgram>& out, uint32_t& entry) {
  std::vector<uint8_t> bytes;
  std::string err;
  if (!read_file(o.file, bytes, err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return false;
  }
  entry = 0;
  if (!o.raw && is_module(bytes)) {
    auto m = vm::parse(bytes);
    if (!m) {
      std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), m.error().describe().c_str());
      return false;
    }
    if (!o.entry.empty()) {
      auto e = vm::find_entry(m.value(), o.entry);
      if (!e) {
        std::fprintf(stderr, "error: %s\n", e.error().describe().c_str());
        return false;
      }
      entry = e.value();
    } else if (!m->entries.empty()) {
      entry = m->entries.front().offset;
    }
    auto v = vm::load_module(m.value(), hosts);
    if (!v) {
      std::fprintf(stderr, "error: %s: refused: %s\n", o.file.c_str(), v.error().describe().c_str());
      return false;
    }
    out = std::make_unique<vm::VerifiedProgram>(std::move(v.value()));
    return true;
  }
  auto p = vm::load_raw(bytes);
  if (!p) {
    std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), p.error().describe().c_str());
    return false;
  }
  auto v = vm::verify(std::move(p.value()), hosts);
  if (!v) {
    std::fprintf(stderr, "error: %s: refused: %s\n", o.file.c_str(), v.error().describe().c_str());
    return false;
  }
  out = std::make_unique<vm::VerifiedProgram>(std::move(v.value()));
  return true;
}

int cmd_run(const Options& o) {
  std::unique_ptr<vm::VerifiedProgram> program;
  uint32_t entry = 0;
  if (!load(o, vm::ConformanceHost::table(), program, entry)) return 1;
  std::vector<uint8_t> memory;
  if (!o.mem_hex.empty()) {
    auto f = vm::parse_data_file("-- mem\n" + o.mem_hex + "\n");
    if (!f) {
      std::fprintf(stderr, "error: --mem: %s\n", f.error().describe().c_str());
      return 2;
    }
    memory = f->memory;
  }
  vm::ConformanceHost host;
  vm::Vm machine;
  vm::RunOptions options;
  options.budget = o.budget;
  options.input = memory;
  vm::RunResult r = machine.run(*program, host, options, entry);
  std::printf("r0 = %s (%lld)\ninstructions = %llu\n", hex(r.r0).c_str(), static_cast<long long>(r.r0),
              static_cast<unsigned long long>(r.instructions));
  if (r.error) {
    std::printf("error: %s\n", r.error->describe().c_str());
    return 1;
  }
  return 0;
}

// Verifies against the ledger's host functions, without running anything.
int cmd_verify(const Options& o) {
  std::unique_ptr<vm::VerifiedProgram> program;
  uint32_t entry = 0;
  if (!load(o, ledger_table(), program, entry)) return 1;
  std::printf("ok: %zu instruction slots, %zu entry points\n", program->code().size(), program->entries().size());
  return 0;
}

int cmd_asm(const Options& o) {
  std::vector<uint8_t> bytes;
  std::string err;
  if (!read_file(o.file, bytes, err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return 1;
  }
  auto words = vm::assemble(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!words) {
    std::fprintf(stderr, "%s: %s\n", o.file.c_str(), words.error().describe().c_str());
    return 1;
  }
  std::ofstream out(o.output, std::ios::binary);
  out.write(reinterpret_cast<const char*>(words->data()), static_cast<std::streamsize>(words->size() * 8));
  if (!out) {
    std::fprintf(stderr, "error: cannot write %s\n", o.output.c_str());
    return 1;
  }
  return 0;
}

int cmd_disasm(const Options& o) {
  std::vector<uint8_t> bytes;
  std::string err;
  if (!read_file(o.file, bytes, err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return 1;
  }
  std::vector<uint64_t> code;
  std::vector<std::string> notes;  // per slot: relocated host function
  if (!o.raw && is_module(bytes)) {
    auto m = vm::parse(bytes);
    if (!m) {
      std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), m.error().describe().c_str());
      return 1;
    }
    std::printf("# module %s\n# compiler %s\n", vm::to_hex(vm::module_id(bytes)).c_str(),
                m->compiler_version.c_str());
    for (const vm::EntryPoint& e : m->entries) std::printf("# entry %s at %u\n", e.name.c_str(), e.offset);
    for (const vm::Relocation& r : m->relocations)
      std::printf("# host call %s at %u\n", r.name.c_str(), r.insn);
    code = m->code;
    notes.resize(code.size());
    for (const vm::Relocation& r : m->relocations)
      if (r.insn < notes.size()) notes[r.insn] = " -> " + r.name;
  } else {
    auto p = vm::load_raw(bytes);
    if (!p) {
      std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), p.error().describe().c_str());
      return 1;
    }
    code = std::move(p->code);
  }
  const vm::HostTable hosts = notes.empty() ? vm::ConformanceHost::table() : ledger_table();
  for (const vm::DisassembledLine& l : vm::disassemble(code, hosts))
    std::printf("%-40s # %u%s\n", l.text.c_str(), l.pc, l.pc < notes.size() ? notes[l.pc].c_str() : "");
  return 0;
}

}  // namespace

void add_vm_commands(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* vm = app.add_subcommand("vm", "Bytecode VM: conformance tests, run, assemble, disassemble");
  vm->require_subcommand(1);

  CLI::App* test = vm->add_subcommand("test", "Run conformance-format .data files");
  test->add_option("files", opts->files, "test files")->required();
  test->callback([opts, &ctx] { ctx.exit_code = cmd_test(*opts); });

  CLI::App* run = vm->add_subcommand("run", "Run raw bytecode (--raw) or a charter module (.acm)");
  run->add_option("file", opts->file, "bytecode or module")->required();
  run->add_flag("--raw", opts->raw, "the file is raw instruction bytes");
  run->add_option("--entry", opts->entry, "module entry point name");
  run->add_option("--budget", opts->budget, "instruction budget")->capture_default_str();
  run->add_option("--mem", opts->mem_hex, "input memory as hex bytes (\"01 02 03\")");
  run->callback([opts, &ctx] { ctx.exit_code = cmd_run(*opts); });

  CLI::App* ver = vm->add_subcommand("verify", "Verify raw bytecode (--raw) or a module against the ledger's host functions");
  ver->add_option("file", opts->file, "bytecode or module")->required();
  ver->add_flag("--raw", opts->raw, "the file is raw instruction bytes");
  ver->callback([opts, &ctx] { ctx.exit_code = cmd_verify(*opts); });

  CLI::App* as = vm->add_subcommand("asm", "Assemble text to raw instruction bytes");
  as->add_option("input", opts->file, "assembly file")->required();
  as->add_option("-o,--output", opts->output, "output file")->required();
  as->callback([opts, &ctx] { ctx.exit_code = cmd_asm(*opts); });

  CLI::App* dis = vm->add_subcommand("disasm", "Disassemble raw bytecode or a charter module");
  dis->add_option("file", opts->file, "bytecode or module")->required();
  dis->add_flag("--raw", opts->raw, "the file is raw instruction bytes even if it starts with ACM1");
  dis->callback([opts, &ctx] { ctx.exit_code = cmd_disasm(*opts); });
}

}  // namespace artel::cli
