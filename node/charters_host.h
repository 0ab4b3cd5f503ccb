// The ledger side of the host-call ABI (vm/abi.h): what a charter's bytecode
// can read and change, implemented over one transaction's state overlay.
// A failed call stops the run; the ledger then discards the overlay, so the
// charter never leaves a partial effect.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state.h"
#include "vm/abi.h"
#include "vm/host.h"
#include "vm/module.h"

namespace artel::node {

struct CallContext {
  std::uint64_t caller = 0;  // the acting membership; 0 when the signer acts as no member
  std::uint64_t signer = 0;  // the signing person; 0 for the ledger itself
  std::uint64_t scope = 0;   // the cooperative whose charter runs (0: the platform's)
  std::uint32_t charter_version = 0;
  // The charter's current period (current_period()), in its own weeks or
  // months; for a lazy charge, the period being charged.
  std::uint64_t period = 0;
  Hash tx{};
  std::uint8_t tx_kind = 0;
  // Persons who approved the transaction (valid, distinct approvals).
  std::vector<std::uint64_t> approvers;
  // Text of the module's message `index` for artel_fail (empty when unknown).
  std::function<std::string(std::uint64_t index)> message;
  // The module's events; when set, an event index outside it fails the run.
  std::shared_ptr<const std::vector<vm::EventDecl>> event_decls;
  // The rule's `by` clause included the general assembly, and its approval
  // was counted: the rule may debit any share account.
  bool assembly_approved = false;
};

class ChartersHost final : public vm::Host {
 public:
  ChartersHost(State& state, CallContext ctx) : state_(state), ctx_(std::move(ctx)) {}

  using Args = std::array<std::uint64_t, 5>;
  vm::HostResult call(std::uint32_t id, const Args& args, vm::GuestMemory& memory) override;

  // The ABI table in the form the VM loader takes.
  static vm::HostTable table();

  const std::vector<CharterEvent>& events() const { return events_; }
  // After a successful run: the clearing account must be empty again.
  Check end_clearing() { return state_.end_clearing(); }
  // Why the last failed call failed (set whenever call() returns an error).
  const std::optional<TxError>& failure() const { return failure_; }

 private:
  // One member function per host function: h_NAME for artel_NAME.
#define ARTEL_HOST_DECLARE(id, name, arity, signature) vm::HostResult h_##name(const Args& a);
  ARTEL_HOST_FUNCTIONS(ARTEL_HOST_DECLARE)
#undef ARTEL_HOST_DECLARE
  vm::HostResult guarantee_change(const Args& a, bool add);
  std::optional<std::uint64_t> ledger_handle(std::uint64_t h) const;
  vm::HostResult out_of_range(std::string what);
  vm::HostResult bad_handle(std::uint64_t h);
  vm::HostResult fail(TxError e);
  Check may_debit(std::uint64_t handle, std::uint32_t article) const;
  vm::HostResult checked(Check c, std::uint64_t r0 = 0);

  State& state_;
  CallContext ctx_;
  std::vector<CharterEvent> events_;
  std::optional<TxError> failure_;
};

}  // namespace artel::node
