// Charter modules (.acm): the unit the compiler writes and the ledger stores.
// The byte format is canonical (docs/module-format.md): serialize() of a
// module always gives the same bytes, parse() accepts only canonical bytes,
// and the module id is the BLAKE2b-256 hash of those bytes.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "vm/host.h"
#include "vm/program.h"
#include "vm/result.h"

namespace artel::vm {

inline constexpr uint16_t kModuleFormatVersion = 3;

using Hash256 = std::array<uint8_t, 32>;

// PerAccount: a periodic clause run for each share account, (member,
// balance) as its two arguments; the ledger may run it lazily.
enum class EntryKind : uint8_t { Rule = 0, Periodic = 1, ClauseHook = 2, PerAccount = 3 };

struct EntryParam {
  std::string name;
  std::string type;  // type tag, e.g. "money", "member"
  bool operator==(const EntryParam&) const = default;
};

// Who may call a rule: one term of its `by` clause, recorded structurally so
// the ledger decides without reading text. All terms must hold.
enum class RightKind : uint8_t { Member = 0, Cooperative = 1, Guarantors = 2, Assembly = 3 };

inline constexpr uint32_t kCallerSubject = 0xFFFFFFFF;

struct Right {
  RightKind kind = RightKind::Member;
  uint32_t count = 0;    // Guarantors: how many of them must approve (1..16)
  uint32_t subject = 0;  // Guarantors: index of the member parameter, or kCallerSubject
  uint64_t num = 0;      // Assembly: quorum num/den of all members, an exact
  uint64_t den = 0;      //   fraction in lowest terms, 0 < num <= den
  bool operator==(const Right&) const = default;
};

struct EntryPoint {
  std::string name;
  EntryKind kind = EntryKind::Rule;
  uint32_t offset = 0;  // instruction slot in `code`
  std::vector<EntryParam> params;
  std::vector<Right> rights;  // a rule has at least one; other kinds none (the ledger runs them)
  std::string article;        // article number the entry implements
  bool operator==(const EntryPoint&) const = default;
};

// A rule's rights in words, e.g. "member and 2 guarantors of borrower",
// "assembly quorum 2/3"; "ledger" for entries only the ledger runs.
std::string describe_rights(const EntryPoint& e);

enum class PeriodKind : uint8_t { Week = 1, Month = 2 };
// The charter's declared rounding; None when it declares none.
enum class RoundingKind : uint8_t { None = 0, Down = 1, Up = 2, HalfEven = 3 };

// The charter's header: what it is called and how it counts money and time.
struct CharterHeader {
  std::string name;
  uint32_t version = 0;
  std::string currency;  // e.g. "RUB"
  uint8_t scale = 0;     // digits after the point of the minor unit (0..9)
  PeriodKind period = PeriodKind::Week;
  RoundingKind rounding = RoundingKind::None;
  bool operator==(const CharterHeader&) const = default;
};

// An event the charter can emit, with its values' names and type tags.
struct EventDecl {
  std::string name;
  std::vector<EntryParam> params;  // at most 3
  bool operator==(const EventDecl&) const = default;
};

struct Parameter {
  std::string name;
  std::string type;
  int64_t value = 0;
  std::string display;  // as the charter writes it, e.g. "0.5%"
  bool operator==(const Parameter&) const = default;
};

struct Article {
  std::string number;
  std::map<std::string, std::string> titles;  // language code -> title
  std::map<std::string, std::string> texts;   // language code -> text
  bool operator==(const Article&) const = default;
};

struct Module {
  std::string compiler_version;
  CharterHeader header;
  Hash256 source_hash{};       // BLAKE2b-256 of the typed AST dump (docs/module-format.md)
  std::vector<uint64_t> code;  // instruction words, opcode in the low byte
  std::vector<Relocation> relocations;
  std::vector<EntryPoint> entries;
  std::vector<Parameter> parameters;
  std::vector<Article> articles;
  // Messages a run can abort with: artel_fail(article, index) names one.
  std::vector<std::string> messages;
  // Events: artel_emit(index, ...) names one.
  std::vector<EventDecl> events;
  std::vector<uint8_t> rodata;  // mapped read-only at kRodataAddress
  bool operator==(const Module&) const = default;
};

inline bool operator==(const Relocation& a, const Relocation& b) {
  return a.insn == b.insn && a.name == b.name && a.id == b.id;
}

[[nodiscard]] std::vector<uint8_t> serialize(const Module& module);

// Refuses (ErrorCode::BadModule, pc = byte offset) anything that serialize()
// would not have produced: bad magic or version, truncation, trailing bytes,
// invalid UTF-8, unsorted or duplicate language codes, unknown entry kinds,
// rights that do not fit their entry (a rule without rights, a quorum not in
// lowest terms, a guarantor subject that is not one of the parameters).
[[nodiscard]] Result<Module> parse(std::span<const uint8_t> bytes);

// BLAKE2b-256 of the bytes (libsodium crypto_generichash).
[[nodiscard]] Hash256 blake2b_256(std::span<const uint8_t> bytes);
[[nodiscard]] inline Hash256 module_id(std::span<const uint8_t> serialized) {
  return blake2b_256(serialized);
}
[[nodiscard]] std::string to_hex(std::span<const uint8_t> bytes);

// Links the module's relocations against `hosts`, checks entry offsets and
// verifies the code; entries() of the result are the module's entry offsets.
[[nodiscard]] Result<VerifiedProgram> load_module(const Module& module, HostTable hosts,
                                                  const Limits& limits = {});

// Offset of the named entry point, or an error naming the entry.
[[nodiscard]] Result<uint32_t> find_entry(const Module& module, std::string_view name);

}  // namespace artel::vm
