// An in-memory ledger behind the host-call ABI, for running compiled charters
// in the VM in unit tests. The real ledger is node/; this one keeps balances
// in a map and implements just enough of vm/abi.h to exercise the code the
// back end generates.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vm/abi.h"
#include "vm/host.h"

namespace artel::test {

struct LedgerDouble final : vm::Host {
  std::map<std::uint64_t, std::int64_t> balances;  // account handle -> minor units
  std::vector<std::uint64_t> members;              // member ids in admission order
  std::vector<std::uint64_t> coops;
  std::map<std::uint64_t, std::uint64_t> coop_of;  // member -> cooperative
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::int64_t> state;
  std::uint64_t caller = 0;
  std::uint64_t period = 0;
  std::int64_t failed_article = -1;
  std::int64_t failed_message = -1;
  std::vector<std::string> log;

  std::vector<vm::HostFunction> table_storage;
  vm::HostTable table() {
    if (table_storage.empty())
      for (const auto& f : abi::host_functions) table_storage.push_back({std::string(f.name), f.id, f.arity});
    return table_storage;
  }

  std::int64_t coop_account(std::uint64_t coop) const {
    std::int64_t sum = 0;
    for (auto m : members)
      if (coop_of.at(m) == coop) sum += balance(abi::account_handle(abi::AccountKind::share, m));
    return sum;
  }
  std::int64_t balance(std::uint64_t account) const {
    auto it = balances.find(account);
    return it == balances.end() ? 0 : it->second;
  }

  static std::optional<std::int64_t> muldiv(std::int64_t a, std::int64_t b, std::int64_t c, std::uint64_t mode) {
    if (c == 0) return std::nullopt;
    __extension__ using i128 = __int128;
    i128 n = static_cast<i128>(a) * b;
    i128 q = n / c, r = n % c;
    if (r != 0) {
      const bool negative = (r < 0) != (c < 0);
      if (mode == 0 && negative) q -= 1;
      if (mode == 1 && !negative) q += 1;
      if (mode == 2) {
        i128 twice = (r < 0 ? -r : r) * 2, cabs = c < 0 ? -c : c;
        if (twice > cabs || (twice == cabs && (q % 2 != 0))) q += negative ? -1 : 1;
      }
    }
    if (q > INT64_MAX || q < INT64_MIN) return std::nullopt;
    return static_cast<std::int64_t>(q);
  }

  vm::HostResult call(std::uint32_t id, const std::array<std::uint64_t, 5>& a, vm::GuestMemory&) override {
    auto s = [&](int i) { return static_cast<std::int64_t>(a[static_cast<std::size_t>(i)]); };
    switch (id) {
      case 1: return vm::HostResult::ok(static_cast<std::uint64_t>(balance(a[0])));
      case 2: {
        if (s(2) < 0) return fail(1, "negative transfer");
        if (abi::account_kind(a[0]) != abi::AccountKind::clearing && balance(a[0]) < s(2))
          return fail(2, "overdraft");
        balances[a[0]] -= s(2);
        balances[a[1]] += s(2);
        log.push_back("transfer " + std::to_string(s(2)) + " article " + std::to_string(s(3)));
        return vm::HostResult::ok(0);
      }
      case 3: {
        auto r = muldiv(s(0), s(1), s(2), a[3]);
        if (!r) {
          failed_article = s(4);
          return fail(3, "muldiv overflow or division by zero");
        }
        return vm::HostResult::ok(static_cast<std::uint64_t>(*r));
      }
      case 4:
        failed_article = s(0);
        failed_message = s(1);
        return fail(4, "require failed");
      case 5: return vm::HostResult::ok(caller);
      case 6: return vm::HostResult::ok(period);
      case 7: {
        auto it = state.find({a[0], a[1]});
        return vm::HostResult::ok(it == state.end() ? 0 : static_cast<std::uint64_t>(it->second));
      }
      case 8: state[{a[0], a[1]}] = s(2); return vm::HostResult::ok(0);
      case 9: return vm::HostResult::ok(state.count({a[0], a[1]}));
      case 10: state.erase({a[0], a[1]}); return vm::HostResult::ok(0);
      case 13: {
        std::uint64_t n = 0;
        for (auto m : members) n += (a[0] == 0 || coop_of.at(m) == a[0]) ? 1 : 0;
        return vm::HostResult::ok(n);
      }
      case 14: {
        std::uint64_t i = 0;
        for (auto m : members)
          if (a[0] == 0 || coop_of.at(m) == a[0]) {
            if (i++ == a[1]) return vm::HostResult::ok(m);
          }
        return fail(5, "member index out of range");
      }
      case 15: return vm::HostResult::ok(coops.size());
      case 16: return a[0] < coops.size() ? vm::HostResult::ok(coops[a[0]]) : fail(5, "range");
      case 17: return vm::HostResult::ok(coop_of.at(a[0]));
      case 18: return vm::HostResult::ok(static_cast<std::uint64_t>(coop_account(a[0])));
      case 21: return vm::HostResult::ok(0);
      default: return fail(9, "host function " + std::to_string(id) + " not in the double");
    }
  }
};

}  // namespace artel::test
