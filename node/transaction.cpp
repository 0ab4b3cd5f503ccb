#include "transaction.h"

#include <array>
#include <cstring>

namespace artel::node {

namespace {

constexpr std::array<std::string_view, 11> kind_names{
    "register_coop",  "admit_member",  "contribute", "transfer",      "return_share",  "call_rule",
    "advance_period", "deploy_charter", "amend_charter", "rotate_key", "change_council"};

constexpr std::string_view sign_domain{"artel/tx/v2", 12};  // includes the NUL
constexpr std::string_view approve_domain{"artel/approve/v2", 17};

void write_body(Writer& w, const TxBody& body) {
  std::visit(
      [&w](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RegisterCoop>) {
          w.raw(b.coop_key);
          w.str(b.name);
        } else if constexpr (std::is_same_v<T, AdmitMember>) {
          w.u64(b.coop_id);
          w.raw(b.person_key);
          w.u64(b.member_coop);
        } else if constexpr (std::is_same_v<T, Contribute>) {
          w.u64(b.member_id);
          w.i64(b.amount);
          w.u8(static_cast<std::uint8_t>(b.kind));
          w.str(b.description);
          w.str(b.valuation);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          w.u64(b.from_member);
          w.u64(b.to_person);
          w.u64(b.to_member);
          w.i64(b.amount);
          w.str(b.memo);
        } else if constexpr (std::is_same_v<T, ReturnShare>) {
          w.u64(b.member_id);
          w.i64(b.amount);
        } else if constexpr (std::is_same_v<T, CallRule>) {
          w.u64(b.coop_id);
          w.u64(b.member_id);
          w.str(b.rule);
          w.u32(static_cast<std::uint32_t>(b.args.size()));
          for (auto a : b.args) w.i64(a);
        } else if constexpr (std::is_same_v<T, AdvancePeriod>) {
          w.u64(b.to_day);
        } else if constexpr (std::is_same_v<T, DeployCharter> ||
                             std::is_same_v<T, AmendCharter>) {
          w.u64(b.coop_id);
          w.bytes(b.module);
          w.str(b.source);
        } else if constexpr (std::is_same_v<T, RotateKey>) {
          w.raw(b.new_key);
        } else if constexpr (std::is_same_v<T, ChangeCouncil>) {
          w.u32(static_cast<std::uint32_t>(b.keys.size()));
          for (const auto& k : b.keys) w.raw(k);
          w.u32(b.threshold);
          w.raw(b.clock_key);
        }
      },
      body);
}

template <std::size_t N>
void read_array(Reader& r, std::array<std::uint8_t, N>& out) {
  auto s = r.raw(N);
  if (r.ok()) std::memcpy(out.data(), s.data(), N);
}

// Returns an error message, or empty when the body parsed.
std::string read_body(Reader& r, TxKind kind, TxBody& body) {
  switch (kind) {
    case TxKind::register_coop: {
      RegisterCoop b;
      read_array(r, b.coop_key);
      b.name = r.str(max_text_size);
      body = std::move(b);
      break;
    }
    case TxKind::admit_member: {
      AdmitMember b;
      b.coop_id = r.u64();
      read_array(r, b.person_key);
      b.member_coop = r.u64();
      body = b;
      break;
    }
    case TxKind::contribute: {
      Contribute b;
      b.member_id = r.u64();
      b.amount = r.i64();
      std::uint8_t k = r.u8();
      if (r.ok() && k > 1) return "unknown contribution kind " + std::to_string(k);
      b.kind = static_cast<ContributionKind>(k);
      b.description = r.str(max_text_size);
      b.valuation = r.str(max_text_size);
      body = std::move(b);
      break;
    }
    case TxKind::transfer: {
      Transfer b;
      b.from_member = r.u64();
      b.to_person = r.u64();
      b.to_member = r.u64();
      b.amount = r.i64();
      b.memo = r.str(max_text_size);
      body = std::move(b);
      break;
    }
    case TxKind::return_share: {
      ReturnShare b;
      b.member_id = r.u64();
      b.amount = r.i64();
      body = b;
      break;
    }
    case TxKind::call_rule: {
      CallRule b;
      b.coop_id = r.u64();
      b.member_id = r.u64();
      b.rule = r.str(max_rule_name);
      std::uint32_t n = r.u32();
      if (r.ok() && n > max_rule_args) return "too many rule arguments (" + std::to_string(n) + ")";
      for (std::uint32_t i = 0; i < n && r.ok(); ++i) b.args.push_back(r.i64());
      body = std::move(b);
      break;
    }
    case TxKind::advance_period: {
      AdvancePeriod b;
      b.to_day = r.u64();
      body = b;
      break;
    }
    case TxKind::deploy_charter: {
      DeployCharter b;
      b.coop_id = r.u64();
      b.module = r.bytes(max_module_size);
      b.source = r.str(max_source_size);
      body = std::move(b);
      break;
    }
    case TxKind::amend_charter: {
      AmendCharter b;
      b.coop_id = r.u64();
      b.module = r.bytes(max_module_size);
      b.source = r.str(max_source_size);
      body = std::move(b);
      break;
    }
    case TxKind::rotate_key: {
      RotateKey b;
      read_array(r, b.new_key);
      body = b;
      break;
    }
    case TxKind::change_council: {
      ChangeCouncil b;
      std::uint32_t n = r.u32();
      if (r.ok() && n > max_council_keys) return "too many council keys (" + std::to_string(n) + ")";
      for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        PublicKey k{};
        read_array(r, k);
        b.keys.push_back(k);
      }
      b.threshold = r.u32();
      read_array(r, b.clock_key);
      body = std::move(b);
      break;
    }
  }
  return {};
}

}  // namespace

std::string_view kind_name(TxKind k) {
  auto i = static_cast<std::size_t>(k);
  return i >= 1 && i <= kind_names.size() ? kind_names[i - 1] : std::string_view("unknown");
}

std::optional<TxKind> kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kind_names.size(); ++i)
    if (kind_names[i] == name) return static_cast<TxKind>(i + 1);
  return std::nullopt;
}

Bytes encode_intent(const Transaction& tx) {
  Writer w;
  w.u8(tx_format_version);
  w.u8(static_cast<std::uint8_t>(tx.kind()));
  w.raw(tx.signer);
  w.u64(tx.nonce);
  write_body(w, tx.body);
  return w.take();
}

Bytes encode(const Transaction& tx) {
  Writer w;
  w.raw(encode_intent(tx));
  w.u32(static_cast<std::uint32_t>(tx.approvals.size()));
  for (const auto& a : tx.approvals) {
    w.raw(a.key);
    w.raw(a.sig);
  }
  w.raw(tx.sig);
  return w.take();
}

Bytes signing_message(const Hash& ledger_id, std::span<const std::uint8_t> encoded_without_sig) {
  Bytes m(sign_domain.begin(), sign_domain.end());
  m.insert(m.end(), ledger_id.begin(), ledger_id.end());
  m.insert(m.end(), encoded_without_sig.begin(), encoded_without_sig.end());
  return m;
}

Bytes approval_message(const Hash& ledger_id, std::span<const std::uint8_t> intent) {
  Bytes m(approve_domain.begin(), approve_domain.end());
  m.insert(m.end(), ledger_id.begin(), ledger_id.end());
  Hash h = blake2b256(intent);
  m.insert(m.end(), h.begin(), h.end());
  return m;
}

std::variant<Transaction, DecodeError> decode(std::span<const std::uint8_t> bytes) {
  auto err = [](std::size_t off, std::string msg) { return DecodeError{off, std::move(msg)}; };
  if (bytes.size() > max_tx_size)
    return err(0, "transaction is " + std::to_string(bytes.size()) + " bytes, limit " +
                      std::to_string(max_tx_size));
  Reader r(bytes);
  Transaction tx;
  std::uint8_t version = r.u8();
  if (!r.ok()) return err(0, "empty transaction");
  if (version != tx_format_version)
    return err(0, "unknown format version " + std::to_string(version));
  std::uint8_t kind = r.u8();
  if (!r.ok()) return err(1, "truncated before the kind");
  if (kind < 1 || kind > kind_names.size()) return err(1, "unknown kind " + std::to_string(kind));
  read_array(r, tx.signer);
  tx.nonce = r.u64();
  if (!r.ok()) return err(r.position(), "truncated header");
  std::size_t body_at = r.position();
  std::string msg = read_body(r, static_cast<TxKind>(kind), tx.body);
  if (!msg.empty()) return err(r.position(), msg);
  if (!r.ok())
    return err(body_at, std::string("truncated or oversize ") +
                            std::string(kind_name(static_cast<TxKind>(kind))) + " body");
  std::uint32_t n = r.u32();
  if (!r.ok()) return err(r.position(), "truncated before the approval count");
  if (n > max_approvals) return err(r.position() - 4, "too many approvals");
  for (std::uint32_t i = 0; i < n; ++i) {
    Approval a;
    read_array(r, a.key);
    read_array(r, a.sig);
    tx.approvals.push_back(a);
  }
  read_array(r, tx.sig);
  if (!r.ok()) return err(r.position(), "truncated approvals or signature");
  if (!r.at_end())
    return err(r.position(), std::to_string(r.remaining()) + " trailing bytes after the signature");
  return tx;
}

bool verify_signatures(const Transaction& tx, std::span<const std::uint8_t> bytes, const Hash& ledger_id) {
  if (bytes.size() < 64) return false;
  Bytes msg = signing_message(ledger_id, bytes.first(bytes.size() - 64));
  if (!verify(tx.signer, msg, tx.sig)) return false;
  if (!tx.approvals.empty()) {
    Bytes am = approval_message(ledger_id, encode_intent(tx));
    for (const auto& a : tx.approvals)
      if (!verify(a.key, am, a.sig)) return false;
  }
  return true;
}

void add_approval(Transaction& tx, const KeyPair& approver, const Hash& ledger_id) {
  Approval a;
  a.key = approver.pk;
  a.sig = sign(approver.sk, approval_message(ledger_id, encode_intent(tx)));
  tx.approvals.push_back(a);
}

Bytes sign_transaction(Transaction& tx, const KeyPair& signer, const Hash& ledger_id) {
  tx.signer = signer.pk;
  // Approvals sign the intent, which includes the signer: re-sign them if the
  // caller attached them before the signer was known is the caller's job.
  Bytes b = encode(tx);
  b.resize(b.size() - 64);
  tx.sig = sign(signer.sk, signing_message(ledger_id, b));
  b.insert(b.end(), tx.sig.begin(), tx.sig.end());
  return b;
}

Hash tx_id(std::span<const std::uint8_t> bytes) { return blake2b256(bytes); }

}  // namespace artel::node
