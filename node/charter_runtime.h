// Runs charter modules in the VM for the ledger: loads, links against the
// host-call ABI and verifies each module once (cached by module id), then
// runs entry points with an instruction budget through a ChartersHost.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "charters_host.h"
#include "state.h"
#include "vm/module.h"

namespace artel::node {

// Instructions one entry-point run may execute.
inline constexpr std::uint64_t charter_budget = 10'000'000;

// What the module declares about one entry point.
struct EntryInfo {
  std::string name;
  bool is_rule = false;        // callable by call_rule (not periodic, not a hook)
  std::vector<vm::Right> rights;  // who may call it (all must hold); empty unless is_rule
  std::string article;
  std::uint32_t article_ordinal = 0;  // 1 = the module's first article; 0 if none
  std::vector<std::string> param_types;
};

class CharterRuntime {
 public:
  CharterRuntime();
  ~CharterRuntime();

  // Module identity on the ledger: BLAKE2b-256 of the module bytes.
  static Hash module_id(std::span<const std::uint8_t> module);
  // Accepts only a module the VM loads, links and verifies, whose header
  // says `version` (the version the ledger gives it).
  Check validate(std::span<const std::uint8_t> module, std::uint32_t version);
  bool has_entry(const CharterVersion& c, std::string_view entry);
  std::optional<EntryInfo> entry(const CharterVersion& c, std::string_view name);
  // The charter's period (its header's `period week` or `period month`);
  // weeks when the module does not load.
  vm::PeriodKind period_kind(const CharterVersion& c);
  // Names of the entries the module marks periodic, in module order.
  std::vector<std::string> periodic_entries(const CharterVersion& c);
  // Names of the entries run for each share account (`every week for each
  // member m holding b`), in module order; the ledger runs them lazily.
  // `error` is set when the module does not load.
  std::vector<std::string> per_account_entries(const CharterVersion& c, Check& error);
  // The module's message texts, as a run's CallContext::message wants them:
  // the text of message `index`, or "message N" when there is none. Holds
  // the loaded module, not a copy of the charter's bytes.
  std::function<std::string(std::uint64_t)> messages(const CharterVersion& c);
  // The module as it was parsed and verified once for the ledger (null when
  // it does not load): for readers that want its metadata.
  std::shared_ptr<const vm::Module> module(const CharterVersion& c);
  // The module's event declarations (null when the module does not load).
  std::shared_ptr<const std::vector<vm::EventDecl>> events(const CharterVersion& c);
  // Runs `entry` with `args`; a failed host call, a budget overrun or any VM
  // error comes back as the reason, with the charter article when known.
  Check run(const CharterVersion& c, std::string_view entry, std::span<const std::int64_t> args,
            ChartersHost& host);

 private:
  struct Loaded;
  std::shared_ptr<const Loaded> load(const CharterVersion& c, Check& error);
  std::shared_ptr<const Loaded> load(const Hash& id, std::span<const std::uint8_t> module, Check& error);
  std::mutex mu_;
  std::map<Hash, std::shared_ptr<const Loaded>> cache_;
};

}  // namespace artel::node
