// libFuzzer target: any bytes as a charter module, as `deploy_charter`
// brings them to every node. Properties (a violation aborts):
//  - the parser refuses, or accepts bytes that serialize back to exactly
//    the input (one encoding per module: the module id is its meaning);
//  - a module that parses either fails to load with an error, or loads
//    against the ledger's host functions into a verified program;
//  - every entry point of a loaded program, run on the ledger's real host
//    over a small in-memory ledger (two cooperatives, four members with
//    money, guarantees) with arguments taken from the input, stops within
//    its instruction budget, and a failure always carries a reason.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "node/charters_host.h"
#include "node/state.h"
#include "node/store.h"
#include "vm/abi.h"
#include "vm/interpreter.h"
#include "vm/module.h"

namespace {

using namespace artel;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  auto module = vm::parse(bytes);
  if (!module) return 0;
  const std::vector<std::uint8_t> again = vm::serialize(module.value());
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) finding("parse -> serialize changed the bytes");
  auto program = vm::load_module(module.value(), node::ChartersHost::table());
  if (!program) {
    if (program.error().describe().empty()) finding("a load error without a reason");
    return 0;
  }
  // Arguments for the entries: the input's last bytes, as words.
  std::vector<std::uint8_t> input(64, 0);
  for (std::size_t i = 0; i < input.size() && i < size; ++i) input[i] = data[size - 1 - i] % 8;
  for (std::size_t e = 0; e < program->entries().size(); ++e) {
    node::EmptyKv empty;
    node::Overlay kv(empty);
    node::State state(kv);
    for (std::uint64_t c = 1; c <= 2; ++c) state.add_coop(node::CoopRec{{}, "c" + std::to_string(c), 0});
    for (std::uint64_t m = 1; m <= 4; ++m) {
      state.add_member(node::MemberRec{{}, 1 + (m - 1) / 2, 0, 0});
      (void)state.post(abi::account_handle(abi::AccountKind::share, m), 1000 * static_cast<std::int64_t>(m), 0, {});
    }
    node::CallContext ctx;
    ctx.caller = 1 + e % 4;
    ctx.scope = 1;
    ctx.period = 3;
    const vm::Module* mod = &module.value();
    ctx.message = [mod](std::uint64_t i) { return i < mod->messages.size() ? mod->messages[i] : std::string(); };
    node::ChartersHost host(state, std::move(ctx));
    vm::Vm machine;
    vm::RunOptions o;
    o.budget = 20'000;
    std::vector<std::uint8_t> memory = input;
    o.input = memory;
    const vm::RunResult r = machine.run(program.value(), host, o, program->entries()[e]);
    if (r.instructions > o.budget) finding("ran past its budget");
    if (r.error && r.error->describe().empty()) finding("a VM error without a reason");
    if (auto f = host.failure(); f && f->message.empty()) finding("a host failure without a message");
  }
  return 0;
}
