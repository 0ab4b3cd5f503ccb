// Compiled charters running in the VM against the ledger's own host
// (node::ChartersHost) over an in-memory state: the same host functions,
// account checks and failure codes as on a node, without RocksDB or
// transactions. What is refused here is refused by the ledger, with the
// same code and message.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "node/charters_host.h"
#include "node/state.h"
#include "node/store.h"
#include "vm/abi.h"
#include "vm/interpreter.h"
#include "vm/module.h"

namespace artel::test {

class MemoryLedger {
 public:
  // The ledger's host-function table, for vm::load_module.
  static vm::HostTable table() { return node::ChartersHost::table(); }

  std::uint64_t add_coop() { return state.add_coop(node::CoopRec{{}, "cooperative", 0}); }
  // A new member of `coop` (ids 1, 2, ... in order), with `balance` on its share.
  std::uint64_t add_member(std::uint64_t coop, std::int64_t balance = 0) {
    const std::uint64_t id = state.add_member(node::MemberRec{{}, coop, 0, 0});
    if (balance != 0) set_balance(abi::account_handle(abi::AccountKind::share, id), balance);
    return id;
  }
  // Sets an account's balance, as a posting from outside the ledger.
  void set_balance(std::uint64_t handle, std::int64_t amount) {
    const node::Check e = state.post(handle, amount - balance(handle), 0, {});
    EXPECT_FALSE(e.has_value()) << (e ? e->message : "");
  }
  std::int64_t balance(std::uint64_t handle) const { return state.account(handle).balance; }
  // Every posting of an account, oldest first.
  std::vector<node::Posting> postings(std::uint64_t handle) const {
    return state.postings(handle, 0, 1'000'000);
  }

  // Runs the entry at `offset` with `args` as its input words. `failure`
  // says why the host stopped the run (or why the clearing account was left
  // unbalanced); the state keeps what the run did, as an overlay would
  // before the ledger discards a failed transaction.
  vm::RunResult run(const vm::Module& module, const vm::VerifiedProgram& program, std::uint32_t offset,
                    std::span<const std::int64_t> args) {
    std::vector<std::uint8_t> input(args.size() * 8);
    if (!args.empty()) std::memcpy(input.data(), args.data(), input.size());
    node::CallContext c = ctx;
    c.message = [&module](std::uint64_t i) { return i < module.messages.size() ? module.messages[i] : std::string(); };
    node::ChartersHost host(state, std::move(c));
    vm::RunOptions options;
    options.input = input;
    vm::Vm machine;
    vm::RunResult r = machine.run(program, host, options, offset);
    failure = host.failure();
    if (r.ok() && !failure) failure = host.end_clearing();
    return r;
  }
  std::string failure_message() const { return failure ? failure->message : std::string(); }

  node::CallContext ctx;  // the caller, the period, the charter's cooperative, approvals
  std::optional<node::TxError> failure;

 private:
  node::EmptyKv base_;
  node::Overlay kv_{base_};

 public:
  node::State state{kv_};
};

}  // namespace artel::test
