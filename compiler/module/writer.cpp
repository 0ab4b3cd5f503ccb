#include "compiler/module/writer.h"

#include "vm/abi.h"

namespace artel::module {

std::string compiler_version() { return "artel 0.1.0"; }

vm::Hash256 source_hash(const typed::Charter& charter) {
  const std::string canonical = typed::dump(charter);
  return vm::blake2b_256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(canonical.data()),
                                                       canonical.size()));
}

std::vector<vm::Right> rights(const typed::Function& f) {
  std::vector<vm::Right> out;
  for (const auto& a : f.auth) {
    vm::Right g;
    switch (a.kind) {
      case typed::AuthKind::member: g.kind = vm::RightKind::Member; break;
      case typed::AuthKind::cooperative: g.kind = vm::RightKind::Cooperative; break;
      case typed::AuthKind::guarantors:
        g.kind = vm::RightKind::Guarantors;
        g.count = static_cast<std::uint32_t>(a.count);
        g.subject = a.subject < 0 ? vm::kCallerSubject : static_cast<std::uint32_t>(a.subject);
        break;
      case typed::AuthKind::assembly:
        g.kind = vm::RightKind::Assembly;
        g.num = static_cast<std::uint64_t>(a.quorum_num);
        g.den = static_cast<std::uint64_t>(a.quorum_den);
        break;
    }
    out.push_back(g);
  }
  return out;
}

std::optional<Built> build(const typed::Charter& c, const lower::Object& object, const std::string& path,
                           Diagnostics& diags) {
  Built out;
  vm::Module& m = out.module;
  m.compiler_version = compiler_version();
  m.header.name = c.name;
  m.header.version = static_cast<std::uint32_t>(c.version);
  m.header.currency = c.currency;
  m.header.scale = static_cast<std::uint8_t>(c.scale);
  m.header.period = c.period == typed::PeriodUnit::month ? vm::PeriodKind::Month : vm::PeriodKind::Week;
  m.header.rounding = !c.rounding                                       ? vm::RoundingKind::None
                      : *c.rounding == typed::RoundingMode::down        ? vm::RoundingKind::Down
                      : *c.rounding == typed::RoundingMode::up          ? vm::RoundingKind::Up
                                                                        : vm::RoundingKind::HalfEven;
  m.source_hash = source_hash(c);
  m.code = object.code;
  // A charter of text and parameters alone has no entry points, but the
  // VM's loader takes no program without code: it gets `r0 = 0; exit`,
  // which nothing calls, so that the ledger can deploy it like any other.
  if (m.code.empty()) m.code = {0x00000000000000b7ULL /* mov r0, 0 */, 0x0000000000000095ULL /* exit */};
  for (const auto& r : object.host_calls) {
    const auto f = abi::find_host_function(r.name);
    if (!f) {
      diags.error(path, {},
                  "internal compiler error: the code calls `" + r.name + "`, which is no host function");
      return std::nullopt;
    }
    m.relocations.push_back({r.insn, r.name, f->id});
  }

  for (const auto& f : c.functions) {
    if (f.kind == typed::FunctionKind::clause) continue;
    auto it = object.functions.find(lower::function_symbol(f));
    if (it == object.functions.end()) {
      diags.error(path, f.loc, "internal compiler error: no code was generated for `" + f.name + "`");
      return std::nullopt;
    }
    vm::EntryPoint e;
    e.name = f.name;
    e.kind = f.kind == typed::FunctionKind::rule ? vm::EntryKind::Rule
             : f.per_account                     ? vm::EntryKind::PerAccount
                                                 : vm::EntryKind::Periodic;
    e.offset = it->second;
    for (int i = 0; i < f.formal_count; ++i) {
      const auto& local = f.locals[static_cast<std::size_t>(i)];
      e.params.push_back({local.name, typed::type_name(c, local.type)});
    }
    if (f.kind == typed::FunctionKind::rule) e.rights = rights(f);
    e.article = f.article >= 0 ? c.articles[static_cast<std::size_t>(f.article)].number : "";
    m.entries.push_back(std::move(e));
  }
  for (const auto& p : c.params) m.parameters.push_back({p.name, typed::type_name(c, p.type), p.value, p.display});
  m.articles.resize(c.articles.size());
  for (std::size_t i = 0; i < c.articles.size(); ++i) {
    const typed::Article& from = c.articles[i];
    vm::Article& to = m.articles[i];
    to.number = from.number;
    for (const syntax::LangString& t : from.titles) to.titles.insert_or_assign(t.lang, t.text);
    for (const syntax::LangString& t : from.texts) {
      std::string& text = to.texts[t.lang];
      if (!text.empty()) text += "\n\n";
      text += t.text;
    }
  }
  m.messages = c.messages;
  for (const char* s : lower::kSystemMessages) m.messages.emplace_back(s);
  for (const auto& e : c.events) {
    vm::EventDecl d{e.name, {}};
    for (const auto& v : e.values) d.params.push_back({v.name, typed::type_name(c, v.type)});
    m.events.push_back(std::move(d));
  }

  out.bytes = vm::serialize(m);
  out.id = vm::module_id(out.bytes);
  return out;
}

}  // namespace artel::module
