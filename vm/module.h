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

inline constexpr uint16_t kModuleFormatVersion = 2;

using Hash256 = std::array<uint8_t, 32>;

// PerAccount: a periodic clause run for each share account, (member,
// balance) as its two arguments; the ledger may run it lazily.
enum class EntryKind : uint8_t { Rule = 0, Periodic = 1, ClauseHook = 2, PerAccount = 3 };

struct EntryParam {
  std::string name;
  std::string type;  // type tag, e.g. "money", "member"
  bool operator==(const EntryParam&) const = default;
};

struct EntryPoint {
  std::string name;
  EntryKind kind = EntryKind::Rule;
  uint32_t offset = 0;  // instruction slot in `code`
  std::vector<EntryParam> params;
  std::string authorisation;  // who may call it, e.g. "member", "assembly quorum 2/3"
  std::string article;        // article number the entry implements
  bool operator==(const EntryPoint&) const = default;
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
  Hash256 source_hash{};       // BLAKE2b-256 of the typed AST dump (docs/module-format.md)
  std::vector<uint64_t> code;  // instruction words, opcode in the low byte
  std::vector<Relocation> relocations;
  std::vector<EntryPoint> entries;
  std::vector<Parameter> parameters;
  std::vector<Article> articles;
  // Messages a run can abort with: artel_fail(article, index) names one.
  std::vector<std::string> messages;
  // Event names: artel_emit(index, ...) names one.
  std::vector<std::string> events;
  std::vector<uint8_t> rodata;  // mapped read-only at kRodataAddress
  bool operator==(const Module&) const = default;
};

inline bool operator==(const Relocation& a, const Relocation& b) {
  return a.insn == b.insn && a.name == b.name && a.id == b.id;
}

[[nodiscard]] std::vector<uint8_t> serialize(const Module& module);

// Refuses (ErrorCode::BadModule, pc = byte offset) anything that serialize()
// would not have produced: bad magic or version, truncation, trailing bytes,
// invalid UTF-8, unsorted or duplicate language codes, unknown entry kinds.
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
