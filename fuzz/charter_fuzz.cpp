// libFuzzer target: any bytes as a charter, through the whole compiler
// (ANTLR front end, checker, LLVM BPF back end, module writer), as lawyers'
// editors and every member running `artel verify` feed it. Properties (a
// violation aborts; LLVM's own aborts and hangs are findings too):
//  - with errors, every error names this file at a line:col inside it
//    (line 1 to the number of lines, column 1 to the line's length + 1);
//  - without errors, a module comes out; its bytes parse back to the same
//    bytes and load, against the ledger's host functions, into a program
//    the verifier accepts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compiler/driver.h"
#include "compiler/syntax/syntax.h"
#include "compiler/typed/typed.h"
#include "node/charters_host.h"
#include "vm/module.h"

namespace {

using namespace artel;

[[noreturn]] void finding(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "property violated: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;  // charters are read whole; longer inputs only slow the search
  const std::string path = "fuzz.artel";
  SourceFile src{path, std::string(reinterpret_cast<const char*>(data), size)};
  // Line lengths in bytes, for the location check.
  std::vector<std::size_t> lines{0};
  for (char c : src.text) {
    if (c == '\n')
      lines.push_back(0);
    else
      ++lines.back();
  }
  Diagnostics diags;
  compiler::DirectoryLibraryLoader libs(ARTEL_FUZZ_STDLIB);
  std::optional<typed::Charter> checked;
  compiler::with_large_stack([&] {
    auto file = syntax::parse(src, diags);
    if (file) checked = typed::check(*file, libs, diags);
  });
  std::optional<module::Built> built;
  if (checked) built = compiler::compile(*checked, path, diags);
  if (diags.has_errors()) {
    for (const Diagnostic& d : diags.all()) {
      if (d.severity != Severity::error || d.file != path) continue;
      const std::string at = std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " " + d.message;
      if (d.loc.line < 1 || d.loc.line > lines.size()) finding("an error's line is outside the file", at);
      if (d.loc.col < 1 || d.loc.col > lines[d.loc.line - 1] + 1) finding("an error's column is outside its line", at);
    }
    return 0;
  }
  if (!built) finding("no errors and no module");
  auto parsed = vm::parse(built->bytes);
  if (!parsed) finding("the compiler's module does not parse", parsed.error().describe());
  if (vm::serialize(parsed.value()) != built->bytes) finding("the compiler's module is not canonical");
  auto loaded = vm::load_module(parsed.value(), node::ChartersHost::table());
  if (!loaded) finding("the compiler's module does not load", loaded.error().describe());
  return 0;
}
