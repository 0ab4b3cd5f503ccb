// `artel vm ...`: conformance tests, running, assembling and disassembling
// bytecode and charter modules.
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "file_io.h"
#include "node/charters_host.h"
#include "node/state.h"
#include "node/store.h"
#include "vm/abi.h"
#include "vm/assembler.h"
#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/module.h"
#include "vm/program.h"

namespace artel::cli {
namespace {

bool read_file(const std::string& path, std::vector<uint8_t>& out, std::string& error) {
  auto bytes = read_binary_file(path, error);
  if (!bytes) return false;
  out = std::move(*bytes);
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

// The ledger's host functions (vm/abi.h), in the form the loader takes:
// the same table the node links charters against.
vm::HostTable ledger_table() {
  return node::ChartersHost::table();
}

struct Options {
  std::vector<std::string> files;
  std::string file;
  std::string output;
  std::string entry;
  std::string mem_hex;
  std::string host;  // "ledger" or "conformance"; empty: ledger for modules, conformance for --raw
  std::vector<int64_t> args;
  std::vector<int64_t> members;  // share balance of each member to admit
  uint64_t caller = 0;
  uint64_t period = 0;
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

// A program ready to run: the verified code, the slot to start at and, for
// a charter module, the module itself (messages, events, entry parameters).
struct Loaded {
  std::unique_ptr<vm::VerifiedProgram> program;
  uint32_t entry = 0;
  std::optional<vm::Module> module;
  const vm::EntryPoint* entry_point = nullptr;  // into *module
};

// Loads FILE as raw bytecode (--raw) or as a charter module.
bool load(const Options& o, const std::function<vm::HostTable(bool is_module)>& hosts, Loaded& out) {
  std::vector<uint8_t> bytes;
  std::string err;
  if (!read_file(o.file, bytes, err)) {
    std::fprintf(stderr, "error: %s\n", err.c_str());
    return false;
  }
  out.entry = 0;
  if (!o.raw && is_module(bytes)) {
    auto m = vm::parse(bytes);
    if (!m) {
      std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), m.error().describe().c_str());
      return false;
    }
    out.module = std::move(m.value());
    const vm::Module& module = *out.module;
    for (const vm::EntryPoint& e : module.entries)
      if (o.entry.empty() ? &e == &module.entries.front() : e.name == o.entry) out.entry_point = &e;
    if (!o.entry.empty()) {
      auto e = vm::find_entry(module, o.entry);
      if (!e) {
        std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), e.error().describe().c_str());
        return false;
      }
      out.entry = e.value();
    } else if (out.entry_point != nullptr) {
      out.entry = out.entry_point->offset;
    }
    auto v = vm::load_module(module, hosts(true));
    if (!v) {
      std::fprintf(stderr, "error: %s: refused: %s\n", o.file.c_str(), v.error().describe().c_str());
      return false;
    }
    out.program = std::make_unique<vm::VerifiedProgram>(std::move(v.value()));
    return true;
  }
  auto p = vm::load_raw(bytes);
  if (!p) {
    std::fprintf(stderr, "error: %s: %s\n", o.file.c_str(), p.error().describe().c_str());
    return false;
  }
  auto v = vm::verify(std::move(p.value()), hosts(false));
  if (!v) {
    std::fprintf(stderr, "error: %s: refused: %s\n", o.file.c_str(), v.error().describe().c_str());
    return false;
  }
  out.program = std::make_unique<vm::VerifiedProgram>(std::move(v.value()));
  return true;
}

// Input memory of a charter entry: its arguments as little-endian int64
// words, as the ledger passes them (node/charter_runtime.cpp).
std::vector<uint8_t> argument_words(std::span<const int64_t> args) {
  std::vector<uint8_t> input(args.size() * 8);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto v = static_cast<uint64_t>(args[i]);
    for (std::size_t b = 0; b < 8; ++b) input[i * 8 + b] = static_cast<uint8_t>(v >> (8 * b));
  }
  return input;
}

void print_result(const vm::RunResult& r) {
  std::printf("r0 = %s (%lld)\ninstructions = %llu\n", hex(r.r0).c_str(), static_cast<long long>(r.r0),
              static_cast<unsigned long long>(r.instructions));
}

int cmd_run(const Options& o) {
  if (!o.host.empty() && o.host != "ledger" && o.host != "conformance") {
    std::fprintf(stderr, "error: --host must be ledger or conformance, not '%s'\n", o.host.c_str());
    return 2;
  }
  if (!o.args.empty() && !o.mem_hex.empty()) {
    std::fprintf(stderr, "error: --arg and --mem both give the input memory; use one\n");
    return 2;
  }
  bool use_ledger = false;
  Loaded loaded;
  auto hosts = [&](bool is_module) {
    use_ledger = o.host.empty() ? is_module : o.host == "ledger";
    return use_ledger ? ledger_table() : vm::ConformanceHost::table();
  };
  if (!load(o, hosts, loaded)) return 1;

  std::vector<uint8_t> memory;
  if (!o.mem_hex.empty()) {
    auto f = vm::parse_data_file("-- mem\n" + o.mem_hex + "\n");
    if (!f) {
      std::fprintf(stderr, "error: --mem: %s\n", f.error().describe().c_str());
      return 2;
    }
    memory = f->memory;
  } else if (loaded.entry_point != nullptr) {
    // Arguments the command line leaves out are zero.
    const std::size_t params = loaded.entry_point->params.size();
    if (o.args.size() > params) {
      std::fprintf(stderr, "error: entry '%s' takes %zu argument(s), got %zu\n",
                   loaded.entry_point->name.c_str(), params, o.args.size());
      return 2;
    }
    std::vector<int64_t> args = o.args;
    args.resize(params, 0);
    memory = argument_words(args);
  } else {
    memory = argument_words(o.args);
  }
  vm::Vm machine;
  vm::RunOptions options;
  options.budget = o.budget;
  options.input = memory;

  if (!use_ledger) {
    vm::ConformanceHost host;
    const vm::RunResult r = machine.run(*loaded.program, host, options, loaded.entry);
    print_result(r);
    if (r.error) {
      std::printf("error: %s\n", r.error->describe().c_str());
      return 1;
    }
    return 0;
  }

  // The ledger's own host functions over an in-memory ledger: cooperative 1
  // with the members --member admits (ids 1, 2, ...), nothing else.
  // `vm run` starts from an empty ledger seeded from the command line.
  node::EmptyKv empty;
  node::Overlay kv(empty);
  node::State state(kv);
  if (!o.members.empty()) {
    const uint64_t coop = state.add_coop(node::CoopRec{{}, "cooperative 1", 0});
    for (const int64_t balance : o.members) {
      const uint64_t id = state.add_member(node::MemberRec{{}, coop, 0, 0});
      if (balance == 0) continue;
      if (auto e = state.post(abi::account_handle(abi::AccountKind::share, id), balance, 0, {})) {
        std::fprintf(stderr, "error: --member %lld: %s\n", static_cast<long long>(balance),
                     e->message.c_str());
        return 2;
      }
    }
  }
  node::CallContext ctx;
  ctx.caller = o.caller;
  ctx.period = o.period;
  const vm::Module* module = loaded.module ? &*loaded.module : nullptr;
  ctx.message = [module](uint64_t index) {
    return module != nullptr && index < module->messages.size() ? module->messages[index] : std::string();
  };
  node::ChartersHost host(state, std::move(ctx));
  const vm::RunResult r = machine.run(*loaded.program, host, options, loaded.entry);
  print_result(r);
  for (const node::CharterEvent& e : host.events()) {
    const std::string name = module != nullptr && e.index < module->events.size()
                                 ? module->events[e.index].name
                                 : "event " + std::to_string(e.index);
    std::printf("event %s(%lld, %lld, %lld)\n", name.c_str(), static_cast<long long>(e.a),
                static_cast<long long>(e.b), static_cast<long long>(e.c));
  }
  node::Check failure = host.failure();
  if (!r.error && !failure) failure = host.end_clearing();
  if (failure) {
    // A charter abort already reads "article N: message".
    std::string text =
        failure->code == node::TxCode::charter_abort ? failure->message
                                                     : std::string(node::code_name(failure->code)) + ": " + failure->message;
    if (failure->code != node::TxCode::charter_abort && failure->article != 0)
      text += " (article " + std::to_string(failure->article) + ")";
    std::printf("abort: %s\n", text.c_str());
  }
  if (r.error) std::printf("error: %s\n", r.error->describe().c_str());
  return r.error || failure ? 1 : 0;
}

// Verifies against the ledger's host functions, without running anything.
int cmd_verify(const Options& o) {
  Loaded loaded;
  if (!load(
          o, [](bool) { return ledger_table(); }, loaded))
    return 1;
  std::printf("ok: %zu instruction slots, %zu entry points\n", loaded.program->code().size(),
              loaded.program->entries().size());
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
  run->add_option("--arg", opts->args,
                  "entry argument (int64; money in minor units), repeatable; missing arguments are 0");
  run->add_option("--host", opts->host,
                  "host functions: ledger (default for modules) or conformance (default for --raw)");
  run->add_option("--caller", opts->caller, "ledger host: member id of the signer (0: the operator)");
  run->add_option("--period", opts->period, "ledger host: the charter's current period (current_period())")->capture_default_str();
  run->add_option("--member", opts->members,
                  "ledger host: admit a member to cooperative 1 with this share balance (minor units), "
                  "repeatable; members get ids 1, 2, ...");
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
