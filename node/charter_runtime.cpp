#include "charter_runtime.h"

#include <charconv>
#include <cstring>

#include "vm/interpreter.h"
#include "vm/module.h"

namespace artel::node {

struct CharterRuntime::Loaded {
  vm::Module module;
  vm::VerifiedProgram program;
};

CharterRuntime::CharterRuntime() = default;
CharterRuntime::~CharterRuntime() = default;

Hash CharterRuntime::module_id(std::span<const std::uint8_t> module) { return blake2b256(module); }

std::shared_ptr<const CharterRuntime::Loaded> CharterRuntime::load(const CharterVersion& c, Check& error) {
  // The ledger hashed the module when it was deployed; a run looks it up by
  // that id and does not hash its bytes again.
  return load(c.module_id, c.module, error);
}

std::shared_ptr<const CharterRuntime::Loaded> CharterRuntime::load(const Hash& id,
                                                                   std::span<const std::uint8_t> bytes,
                                                                   Check& error) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  }
  auto parsed = vm::parse(bytes);
  if (!parsed) {
    error = TxError{TxCode::bad_module, "charter module " + to_hex(id).substr(0, 16) +
                                      " does not parse: " + parsed.error().describe(), 0};
    return nullptr;
  }
  auto program = vm::load_module(parsed.value(), ChartersHost::table());
  if (!program) {
    error = TxError{TxCode::bad_module, "charter module " + to_hex(id).substr(0, 16) +
                                      " is refused by the verifier: " + program.error().describe(), 0};
    return nullptr;
  }
  auto loaded = std::make_shared<const Loaded>(Loaded{std::move(parsed).value(), std::move(program).value()});
  std::lock_guard lock(mu_);
  cache_.emplace(id, loaded);
  return loaded;
}

Check CharterRuntime::validate(std::span<const std::uint8_t> module, std::uint32_t version) {
  Check error;
  auto l = load(module_id(module), module, error);
  if (!l) return error;
  if (l->module.header.version != version)
    return TxError{TxCode::invalid,
                   "the module says it is version " + std::to_string(l->module.header.version) + " of \"" +
                       l->module.header.name + "\", but the ledger would record it as version " +
                       std::to_string(version),
                   0};
  return std::nullopt;
}

bool CharterRuntime::has_entry(const CharterVersion& c, std::string_view entry) {
  Check error;
  auto l = load(c, error);
  return l && vm::find_entry(l->module, entry).ok();
}

std::optional<EntryInfo> CharterRuntime::entry(const CharterVersion& c, std::string_view name) {
  Check error;
  auto l = load(c, error);
  if (!l) return std::nullopt;
  for (const auto& e : l->module.entries) {
    if (e.name != name) continue;
    EntryInfo info{e.name, e.kind == vm::EntryKind::Rule, e.rights, e.article, 0, {}};
    for (std::size_t i = 0; i < l->module.articles.size(); ++i)
      if (l->module.articles[i].number == e.article) info.article_ordinal = static_cast<std::uint32_t>(i + 1);
    for (const auto& p : e.params) info.param_types.push_back(p.type);
    return info;
  }
  return std::nullopt;
}

std::vector<std::string> CharterRuntime::per_account_entries(const CharterVersion& c, Check& error) {
  auto l = load(c, error);
  std::vector<std::string> out;
  if (l)
    for (const auto& e : l->module.entries)
      if (e.kind == vm::EntryKind::PerAccount) out.push_back(e.name);
  return out;
}

std::shared_ptr<const vm::Module> CharterRuntime::module(const CharterVersion& c) {
  Check error;
  auto l = load(c, error);
  if (!l) return nullptr;
  return std::shared_ptr<const vm::Module>(l, &l->module);
}

vm::PeriodKind CharterRuntime::period_kind(const CharterVersion& c) {
  Check error;
  auto l = load(c, error);
  return l ? l->module.header.period : vm::PeriodKind::Week;
}

std::vector<std::string> CharterRuntime::periodic_entries(const CharterVersion& c) {
  Check error;
  auto l = load(c, error);
  std::vector<std::string> out;
  if (l)
    for (const auto& e : l->module.entries)
      if (e.kind == vm::EntryKind::Periodic) out.push_back(e.name);
  return out;
}

std::function<std::string(std::uint64_t)> CharterRuntime::messages(const CharterVersion& c) {
  Check error;
  std::shared_ptr<const Loaded> l = load(c, error);
  return [l](std::uint64_t index) {
    if (l && index < l->module.messages.size()) return l->module.messages[index];
    return "message " + std::to_string(index);
  };
}

std::shared_ptr<const std::vector<vm::EventDecl>> CharterRuntime::events(const CharterVersion& c) {
  Check error;
  auto l = load(c, error);
  if (!l) return nullptr;
  return std::shared_ptr<const std::vector<vm::EventDecl>>(l, &l->module.events);
}

Check CharterRuntime::run(const CharterVersion& c, std::string_view entry, std::span<const std::int64_t> args,
                          ChartersHost& host) {
  Check error;
  auto l = load(c, error);
  if (!l) return error;
  const vm::EntryPoint* ep = nullptr;
  for (const auto& e : l->module.entries)
    if (e.name == entry) ep = &e;
  if (!ep) return TxError{TxCode::unknown_rule, "charter version " + std::to_string(c.version) + " has no rule '" +
                                              std::string(entry) + "'", 0};
  std::uint32_t article = 0;
  std::from_chars(ep->article.data(), ep->article.data() + ep->article.size(), article);
  // A rule takes exactly its declared arguments (a per-account clause gets
  // the member and the balance from the ledger, a periodic one nothing).
  if (ep->kind == vm::EntryKind::Rule && ep->params.size() != args.size())
    return TxError{TxCode::bad_arguments, "rule '" + std::string(entry) + "' takes " +
                                        std::to_string(ep->params.size()) + " arguments, got " +
                                        std::to_string(args.size()), article};
  // Arguments reach the program as little-endian int64 words in its input
  // memory: r1 = address, r2 = length in bytes.
  std::vector<std::uint8_t> input(args.size() * 8);
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto v = static_cast<std::uint64_t>(args[i]);
    for (int b = 0; b < 8; ++b) input[i * 8 + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(v >> (8 * b));
  }
  vm::RunOptions opts;
  opts.budget = charter_budget;
  opts.input = input;
  vm::Vm machine;
  vm::RunResult r = machine.run(l->program, host, opts, ep->offset);
  if (r.ok()) return host.end_clearing();
  if (host.failure()) return host.failure();
  return TxError{r.error->code == vm::ErrorCode::OutOfBudget ? TxCode::out_of_budget : TxCode::vm_error,
                 "rule '" + std::string(entry) + "' (charter version " + std::to_string(c.version) +
                     ") stopped: " + r.error->describe(),
                 article};
}

}  // namespace artel::node
