// The host-call ABI between compiled charters and the ledger.
//
// A charter reaches the ledger only through these functions. The compiler
// emits a call to the extern symbol `name`; the module records a relocation
// by name; the loader maps the name to `id`; the ledger implements each id.
// Ids are stable: never renumber, only append. docs/abi.md is the prose
// version of this table and must say the same.
//
// Conventions: every argument and result is a 64-bit integer. Money is a
// signed count of minor units. Periods are the ledger's period number.
// A host call that fails (overdraft, overflow, unknown account, bad slot)
// aborts the whole transaction; the charter never sees a partial effect.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace artel::abi {

// Account handles: kind in the top byte, the owner in the low 56 bits.
enum class AccountKind : std::uint8_t {
  share = 1,        // a member's share account; owner = member id
  cooperative = 2,  // a cooperative's own account; owner = cooperative id
  fund = 3,         // the platform fund; owner = 0
  charter = 4,      // an account family the charter declares. A charter
                    // names it with owner (family index << 32) | member id
                    // (0 for a single account); the ledger keeps it as
                    // (cooperative << 40) | that, the cooperative being the
                    // charter's (0: the platform's), so two charters' families
                    // never meet
  clearing = 5,     // the transaction's transit account used by `split`:
                    // the whole amount moves here first, then out to the
                    // parts; it is zero again when the statement ends
};

constexpr std::uint64_t account_handle(AccountKind kind, std::uint64_t owner) {
  return (std::uint64_t(kind) << 56) | (owner & ((std::uint64_t(1) << 56) - 1));
}
constexpr AccountKind account_kind(std::uint64_t handle) { return AccountKind(handle >> 56); }
constexpr std::uint64_t account_owner(std::uint64_t handle) {
  return handle & ((std::uint64_t(1) << 56) - 1);
}

// Charter-declared accounts: at most 256 families per charter, 65,536
// chartered cooperatives, member ids below 2^32.
inline constexpr std::uint64_t kMaxAccountFamily = 0xff;
inline constexpr std::uint64_t kMaxCharterCoop = 0xffff;
constexpr std::uint64_t charter_account_owner(std::uint64_t coop, std::uint64_t family, std::uint64_t member) {
  return (coop << 40) | (family << 32) | (member & 0xffffffffu);
}
constexpr std::uint64_t charter_account_coop(std::uint64_t owner) { return owner >> 40; }
constexpr std::uint64_t charter_account_family(std::uint64_t owner) { return (owner >> 32) & 0xff; }

// Articles are passed as ordinals: 1 = the first article of the module's
// article table, 0 = no article (a ledger-native posting).

// Rounding modes passed to muldiv.
enum class Rounding : std::uint8_t { down = 0, up = 1, half_even = 2 };

// Party kinds of the authorisation / `party_kind` query.
enum class Party : std::uint8_t { member = 1, cooperative = 2, guarantor = 3, assembly = 4 };

struct HostFunction {
  std::uint32_t id;
  std::string_view name;
  std::uint8_t arity;
  std::string_view signature;  // human-readable, for the disassembler and docs
};

// Every host function, in id order: X(id, name, arity, signature). The
// bytecode calls `artel_NAME`; the ledger's host implements one member
// function per entry and dispatches through a table made from this list, so
// a function added here and not implemented there does not compile.
// clang-format off
#define ARTEL_HOST_FUNCTIONS(X) \
  X( 1, balance,          1, "(account) -> money") \
  X( 2, transfer,         4, "(from account, to account, amount money, article) -> 0; aborts on overdraft or amount < 0") \
  X( 3, muldiv,           5, "(a, b, c, rounding, article) -> a*b/c exact, rounded; aborts on c == 0 or overflow") \
  X( 4, fail,             2, "(article, message index) -> never returns; aborts with the module's message") \
  X( 5, caller,           0, "() -> member id of the signer") \
  X( 6, period,           0, "() -> current period number") \
  X( 7, state_get,        2, "(slot, key) -> value, 0 when absent") \
  X( 8, state_set,        3, "(slot, key, value) -> 0") \
  X( 9, state_has,        2, "(slot, key) -> 0 or 1") \
  X(10, state_del,        2, "(slot, key) -> 0") \
  X(11, state_count,      1, "(slot) -> number of keys present") \
  X(12, state_key_at,     2, "(slot, index) -> key, ascending key order") \
  X(13, members_count,    1, "(cooperative id, or 0 for the whole charter) -> count") \
  X(14, member_at,        2, "(cooperative id or 0, index) -> member id, in order of admission") \
  X(15, coops_count,      0, "() -> number of cooperatives") \
  X(16, coop_at,          1, "(index) -> cooperative id, in order of registration") \
  X(17, coop_of,          1, "(member id) -> cooperative id the member belongs to") \
  X(18, coop_account,     1, "(cooperative id) -> money: sum of its members' share accounts") \
  X(19, guarantors_count, 1, "(member id) -> number of the member's guarantors") \
  X(20, guarantor_at,     2, "(member id, index) -> guarantor member id") \
  X(21, emit,             4, "(event index, a, b, c) -> 0; records an event in the transaction's receipt") \
  X(22, approvals,        2, "(party kind, subject member) -> number of valid approvals attached to the transaction") \
  X(23, guarantee_add,    2, "(member, guarantor member) -> 0; the guarantor vouches for the member (both of the charter's cooperative); aborts if it already does, or on itself") \
  X(24, guarantee_remove, 2, "(member, guarantor member) -> 0; aborts if the guarantor does not vouch for the member") \
  X(25, guaranteed_count, 1, "(guarantor member) -> number of members it vouches for") \
  X(26, guaranteed_at,    2, "(guarantor member, index) -> member it vouches for") \
  X(27, guarantees,       2, "(guarantor member, member) -> 1 if the guarantor vouches for the member, else 0")
// clang-format on

inline constexpr std::array host_functions{
#define ARTEL_HOST_FUNCTION_ENTRY(id, name, arity, signature) HostFunction{id, "artel_" #name, arity, signature},
    ARTEL_HOST_FUNCTIONS(ARTEL_HOST_FUNCTION_ENTRY)
#undef ARTEL_HOST_FUNCTION_ENTRY
};

// Ids run 1, 2, ... in the list's order: a host may index a table by id - 1.
constexpr bool host_ids_are_dense() {
  for (std::size_t i = 0; i < host_functions.size(); ++i)
    if (host_functions[i].id != i + 1) return false;
  return true;
}
static_assert(host_ids_are_dense());

constexpr std::optional<HostFunction> find_host_function(std::string_view name) {
  for (const auto& f : host_functions)
    if (f.name == name) return f;
  return std::nullopt;
}

}  // namespace artel::abi
