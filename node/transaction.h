// Signed ledger transactions and their canonical binary encoding
// (docs/transactions.md is the normative description; keep them in step).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "codec.h"
#include "crypto.h"

namespace artel::node {

enum class TxKind : std::uint8_t {
  register_coop = 1,
  admit_member = 2,
  contribute = 3,
  transfer = 4,
  return_share = 5,
  call_rule = 6,
  advance_period = 7,
  deploy_charter = 8,
  amend_charter = 9,
  rotate_key = 10,
  change_council = 11,
};

std::string_view kind_name(TxKind k);
std::optional<TxKind> kind_from_name(std::string_view name);

// Parties: a *person* is a ledger record (a member, or a cooperative, which
// is a person of its own kind) found by its current key; a *membership*
// ("member" in charters) is a person's place in one cooperative, with its
// own share account. Ids of both are assigned 1, 2, 3... in order.

// Signed by the operator council. Registers a cooperative, a person of its
// own kind whose key is `coop_key`.
struct RegisterCoop {
  PublicKey coop_key{};
  std::string name;
};
// Signed by the admitting cooperative's key. The person with `person_key`
// (created when the key is new) becomes a member of `coop_id`. When
// `member_coop` is non-zero the new member is that cooperative (a union
// admitting a cooperative) and `person_key` must be its key.
struct AdmitMember {
  std::uint64_t coop_id = 0;
  PublicKey person_key{};
  std::uint64_t member_coop = 0;
};
enum class ContributionKind : std::uint8_t { money = 0, property = 1 };
// Signed by the membership's cooperative, which received the money or property.
struct Contribute {
  std::uint64_t member_id = 0;
  std::int64_t amount = 0;  // for property: its valuation in minor units
  ContributionKind kind = ContributionKind::money;
  std::string description;  // property: what it is; money: free text
  std::string valuation;    // property: who valued it and how (act, appraiser)
};
// Signed by the paying person: from its membership `from_member` (0: its
// only one) to the person `to_person`, into its membership `to_member` (0:
// its only one). `to_person` may be 0 when `to_member` is named: a
// membership names its person.
struct Transfer {
  std::uint64_t from_member = 0;
  std::uint64_t to_person = 0;
  std::uint64_t to_member = 0;
  std::int64_t amount = 0;
  std::string memo;
};
// Signed by the membership's cooperative, which pays the share back out.
struct ReturnShare {
  std::uint64_t member_id = 0;
  std::int64_t amount = 0;
};
// Runs the rule `rule` of the charter of cooperative `coop_id` (0: the
// platform charter), acting as the signer's membership `member_id` (0: the
// signer's membership in that cooperative, if any).
struct CallRule {
  std::uint64_t coop_id = 0;
  std::uint64_t member_id = 0;
  std::string rule;
  std::vector<std::int64_t> args;
};
// Signed by the clock key: moves the ledger's clock to day `to_day` (days
// since the genesis date), later than today and at most kMaxClockStep days
// ahead. Every charter's periods that begin on the way run in calendar order.
struct AdvancePeriod {
  std::uint64_t to_day = 0;
};
inline constexpr std::uint64_t kMaxClockStep = 366;
// The first charter of cooperative `coop_id` (0: the platform charter,
// signed by the operator council; otherwise by the cooperative's key). The
// module's header must say version 1.
struct DeployCharter {
  std::uint64_t coop_id = 0;
  Bytes module;
  std::string source;
};
// Signed by a member of cooperative `coop_id` (0: of any cooperative on the
// platform); needs the approvals that cooperative's charter demands. The
// module's header must say the next version.
struct AmendCharter {
  std::uint64_t coop_id = 0;
  Bytes module;
  std::string source;
};

// Signed by a person's current key, and approved by `new_key` (which proves
// the new key's holder agreed): the person's key becomes `new_key`. The old
// key is retired at once and never serves again; memberships, accounts,
// statements and the nonce stay with the person.
struct RotateKey {
  PublicKey new_key{};
};
// Signed and approved by operator council keys, as many as the council's
// threshold: the council becomes `keys` with `threshold`, and the clock key
// becomes `clock_key`.
struct ChangeCouncil {
  std::vector<PublicKey> keys;
  std::uint32_t threshold = 1;
  PublicKey clock_key{};
};
inline constexpr std::size_t max_council_keys = 64;

using TxBody = std::variant<RegisterCoop, AdmitMember, Contribute, Transfer, ReturnShare,
                            CallRule, AdvancePeriod, DeployCharter, AmendCharter, RotateKey, ChangeCouncil>;

struct Approval {
  PublicKey key{};
  Signature sig{};  // over approval_message(intent)
};

struct Transaction {
  PublicKey signer{};
  std::uint64_t nonce = 0;
  TxBody body;
  std::vector<Approval> approvals;
  Signature sig{};

  TxKind kind() const { return static_cast<TxKind>(body.index() + 1); }
};

inline constexpr std::uint8_t tx_format_version = 2;
inline constexpr std::size_t max_tx_size = 4u << 20;
inline constexpr std::size_t max_module_size = 1u << 20;
inline constexpr std::size_t max_source_size = 1u << 20;
inline constexpr std::size_t max_text_size = 4096;
inline constexpr std::size_t max_rule_name = 64;
inline constexpr std::size_t max_rule_args = 16;
inline constexpr std::size_t max_approvals = 256;

// The bytes from the format version through the body: what approvals sign.
Bytes encode_intent(const Transaction& tx);
// The whole signed transaction.
Bytes encode(const Transaction& tx);
// What the signer's signature covers: domain tag || the ledger's id || every
// byte before the signature. The id binds the signature to one ledger.
Bytes signing_message(const Hash& ledger_id, std::span<const std::uint8_t> encoded_without_sig);
// What an approval signature covers: domain tag || the ledger's id ||
// BLAKE2b-256(intent).
Bytes approval_message(const Hash& ledger_id, std::span<const std::uint8_t> intent);

struct DecodeError {
  std::size_t offset = 0;
  std::string message;
};
// Strict: rejects unknown kinds, oversize fields, trailing bytes. Does not
// check signatures (see verify_signatures).
std::variant<Transaction, DecodeError> decode(std::span<const std::uint8_t> bytes);

// Checks the signer's signature and every approval signature, as made for
// the ledger `ledger_id`. `bytes` must be what `tx` was decoded from.
[[nodiscard]] bool verify_signatures(const Transaction& tx, std::span<const std::uint8_t> bytes,
                                     const Hash& ledger_id);

// Fills approvals' and signer's signatures for the ledger `ledger_id`.
// Approvers sign first.
void add_approval(Transaction& tx, const KeyPair& approver, const Hash& ledger_id);
Bytes sign_transaction(Transaction& tx, const KeyPair& signer, const Hash& ledger_id);

Hash tx_id(std::span<const std::uint8_t> bytes);

}  // namespace artel::node
