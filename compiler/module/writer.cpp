#include "compiler/module/writer.h"

#include "vm/abi.h"

namespace artel::module {

std::string compiler_version() { return "artel 0.1.0"; }

vm::Hash256 source_hash(const typed::Charter& charter) {
  const std::string canonical = typed::dump(charter);
  return vm::blake2b_256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(canonical.data()),
                                                       canonical.size()));
}

std::string authorisation_text(const typed::Function& f) {
  std::string out;
  for (const auto& a : f.auth) {
    if (!out.empty()) out += " and ";
    switch (a.kind) {
      case typed::AuthKind::member: out += "member"; break;
      case typed::AuthKind::cooperative: out += "cooperative"; break;
      case typed::AuthKind::guarantors:
        out += std::to_string(a.count) + " guarantors of " +
               (a.subject < 0 ? std::string("caller") : f.locals[static_cast<std::size_t>(a.subject)].name);
        break;
      case typed::AuthKind::assembly: out += "assembly quorum " + typed::format_rate(a.quorum); break;
    }
  }
  return out;
}

std::optional<Built> build(const typed::Charter& c, const lower::Object& object, const std::string& path,
                           Diagnostics& diags) {
  Built out;
  vm::Module& m = out.module;
  m.compiler_version = compiler_version();
  m.source_hash = source_hash(c);
  m.code = object.code;
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
    e.authorisation = f.kind == typed::FunctionKind::rule ? authorisation_text(f) : "ledger";
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
  for (const auto& e : c.events) m.events.push_back(e.name);

  out.bytes = vm::serialize(m);
  out.id = vm::module_id(out.bytes);
  return out;
}

}  // namespace artel::module
