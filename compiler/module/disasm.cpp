#include "compiler/module/disasm.h"

#include <map>
#include <sstream>

#include "vm/assembler.h"
#include "vm/module.h"

namespace artel::module {

namespace {
const char* kind_text(vm::EntryKind k) {
  switch (k) {
    case vm::EntryKind::Rule: return "rule";
    case vm::EntryKind::Periodic: return "periodic";
    case vm::EntryKind::ClauseHook: return "hook";
    case vm::EntryKind::PerAccount: return "periodic for each member";
  }
  return "?";
}
std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  std::string line = nl == std::string::npos ? s : s.substr(0, nl) + " ...";
  return line.size() > 100 ? line.substr(0, 97) + "..." : line;
}
}  // namespace

Listing disassemble(std::span<const std::uint8_t> bytes) {
  auto parsed = vm::parse(bytes);
  if (!parsed) return {false, parsed.error().message};
  const vm::Module& m = parsed.value();
  std::ostringstream out;
  out << "module " << vm::to_hex(vm::module_id(bytes)) << "\n";
  out << "  format       ACM" << vm::kModuleFormatVersion << ", " << bytes.size() << " bytes\n";
  out << "  compiler     " << m.compiler_version << "\n";
  out << "  charter      \"" << m.header.name << "\" version " << m.header.version << ", " << m.header.currency
      << " scale " << unsigned{m.header.scale} << ", period "
      << (m.header.period == vm::PeriodKind::Month ? "month" : "week") << ", rounding "
      << (m.header.rounding == vm::RoundingKind::Down       ? "down"
          : m.header.rounding == vm::RoundingKind::Up       ? "up"
          : m.header.rounding == vm::RoundingKind::HalfEven ? "half_even"
                                                            : "none")
      << "\n";
  out << "  source hash  " << vm::to_hex(m.source_hash) << "\n";
  out << "\nentry points (" << m.entries.size() << ")\n";
  std::map<std::uint32_t, std::string> labels;
  for (const auto& e : m.entries) {
    out << "  " << kind_text(e.kind) << " " << e.name << "(";
    for (std::size_t i = 0; i < e.params.size(); ++i)
      out << (i ? ", " : "") << e.params[i].name << ": " << e.params[i].type;
    out << ") at " << e.offset << ", by " << vm::describe_rights(e) << ", article " << e.article << "\n";
    labels[e.offset] = e.name;
  }
  out << "\nparameters (" << m.parameters.size() << ")\n";
  for (const auto& p : m.parameters)
    out << "  " << p.name << ": " << p.type << " = " << p.display << " (" << p.value << ")\n";
  out << "\narticles (" << m.articles.size() << ")\n";
  for (const auto& a : m.articles) {
    out << "  " << a.number;
    for (const auto& [lang, title] : a.titles) out << "  " << (lang.empty() ? "" : lang + ": ") << first_line(title);
    out << "\n";
  }
  out << "\nmessages (" << m.messages.size() << ")\n";
  for (std::size_t i = 0; i < m.messages.size(); ++i) out << "  #" << i << " " << m.messages[i] << "\n";
  if (!m.events.empty()) {
    out << "\nevents (" << m.events.size() << ")\n";
    for (std::size_t i = 0; i < m.events.size(); ++i) {
      out << "  #" << i << " " << m.events[i].name << "(";
      for (std::size_t k = 0; k < m.events[i].params.size(); ++k)
        out << (k ? ", " : "") << m.events[i].params[k].name << ": " << m.events[i].params[k].type;
      out << ")\n";
    }
  }
  std::map<std::uint32_t, std::string> hosts;
  for (const auto& r : m.relocations) hosts[r.insn] = r.name + " (#" + std::to_string(r.id) + ")";
  out << "\ncode (" << m.code.size() << " instructions, " << m.relocations.size() << " host calls)\n";
  for (const auto& line : vm::disassemble(m.code)) {
    if (auto l = labels.find(line.pc); l != labels.end()) out << l->second << ":\n";
    out << "  " << line.pc << ":\t" << line.text;
    if (auto h = hosts.find(line.pc); h != hosts.end()) out << "\t; host " << h->second;
    out << "\n";
  }
  return {true, out.str()};
}

}  // namespace artel::module
