// Why the ledger refused a transaction: one table of stable codes, each with
// the HTTP status the API answers with and what it means. docs/transactions.md
// prints the same table; a test holds the two together. Codes are stable
// (clients and metrics use the names): never rename, only append.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace artel::node {

// X(name, HTTP status, meaning)
#define ARTEL_TX_ERRORS(X)                                                                                     \
  X(malformed, 400, "the bytes are not a transaction of this format")                                        \
  X(bad_signature, 401, "the signer's signature or an approval's does not verify")                           \
  X(bad_nonce, 409, "the nonce was already used or skips ahead")                                             \
  X(unauthorized, 403, "the signer may not do this")                                                         \
  X(approval_missing, 403, "the approvals the rule demands are not all there")                               \
  X(bad_approval, 403, "an approval is repeated or comes from a key the ledger does not know")               \
  X(unknown_member, 422, "no such member")                                                                   \
  X(unknown_cooperative, 422, "no such cooperative")                                                         \
  X(unknown_account, 422, "no such account")                                                                 \
  X(unknown_rule, 422, "the charter in force has no such rule, or the ledger runs it itself")                \
  X(no_charter, 422, "no charter is deployed")                                                               \
  X(duplicate, 409, "the key or the membership exists already")                                              \
  X(charter_exists, 409, "a charter is deployed already; amend it instead")                                  \
  X(amendment_pending, 409, "an amendment is already waiting for the next period")                           \
  X(bad_period, 422, "the clock can only move to a later day, at most 366 days ahead")                       \
  X(invalid, 422, "a field of the transaction is missing or inconsistent")                                   \
  X(invalid_amount, 422, "an amount is zero or negative where it must be positive")                          \
  X(invalid_transfer, 422, "a transfer from an account to itself")                                           \
  X(overdraft, 422, "an account would go below zero")                                                        \
  X(overflow, 422, "an amount or a balance would leave the 64-bit range, or a division by zero")             \
  X(clearing_not_empty, 422, "a split left money in the transaction's clearing account")                     \
  X(charter_abort, 422, "the charter refused (a `require` failed); the message and article say why")         \
  X(charter_error, 422, "the charter made a host call the ledger cannot carry out")                          \
  X(bad_module, 422, "a charter module does not parse, link or verify")                                      \
  X(bad_arguments, 400, "a rule was called with the wrong number of arguments")                              \
  X(out_of_budget, 422, "the charter ran out of its instruction budget")                                     \
  X(vm_error, 422, "the charter's bytecode faulted (the message gives the pc)")                              \
  X(retired_key, 401, "the key was replaced; its person signs with its new key")                             \
  X(busy, 503, "the node is not accepting transactions now (queue full or stopping); try again")             \
  X(shutting_down, 503, "the node stopped before ordering the transaction; submit it again")                \
  X(node_diverged, 503, "this node's state is not the cluster's; it applies nothing until repaired")

enum class TxCode : std::uint8_t {
#define ARTEL_TX_ERROR_ENUM(name, status, meaning) name,
  ARTEL_TX_ERRORS(ARTEL_TX_ERROR_ENUM)
#undef ARTEL_TX_ERROR_ENUM
};

struct TxCodeInfo {
  TxCode code;
  std::string_view name;
  unsigned http_status;
  std::string_view meaning;
};

inline constexpr TxCodeInfo tx_codes[] = {
#define ARTEL_TX_ERROR_INFO(name, status, meaning) {TxCode::name, #name, status, meaning},
    ARTEL_TX_ERRORS(ARTEL_TX_ERROR_INFO)
#undef ARTEL_TX_ERROR_INFO
};

constexpr const TxCodeInfo& info(TxCode c) { return tx_codes[static_cast<std::size_t>(c)]; }
constexpr std::string_view code_name(TxCode c) { return info(c).name; }
constexpr unsigned http_status(TxCode c) { return info(c).http_status; }
std::optional<TxCode> tx_code_from_name(std::string_view name);
inline std::ostream& operator<<(std::ostream& o, TxCode c) { return o << code_name(c); }

// Why a transaction was rejected. `code` is stable (metrics, clients);
// `message` says where and why for a person.
struct TxError {
  TxCode code = TxCode::invalid;
  std::string message;
  std::uint32_t article = 0;  // charter article (its ordinal in the module), when a charter refused
  // Whose charter refused, when `article` is set: the cooperative (0: the
  // platform's) and the version in force.
  std::uint64_t charter_coop = 0;
  std::uint32_t charter_version = 0;
};
// The outcome of a check: nullopt when it passed, else why not. A Check
// cannot be dropped silently: the compiler warns (an error in our builds)
// when a call's Check is ignored.
struct [[nodiscard]] Check : std::optional<TxError> {
  using std::optional<TxError>::optional;
  Check(std::optional<TxError> o) : std::optional<TxError>(std::move(o)) {}  // NOLINT: implicit by design
};

}  // namespace artel::node
