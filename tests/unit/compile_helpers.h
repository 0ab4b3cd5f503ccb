// Compiling charter text in tests.
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "compiler/driver.h"

namespace artel::test {

// Libraries given as text: name -> source, read as `NAME.artel`.
struct TextLibraries : typed::LibraryLoader {
  std::map<std::string, std::string> sources;
  std::optional<SourceFile> load(const std::string& name) override {
    auto it = sources.find(name);
    if (it == sources.end()) return std::nullopt;
    return SourceFile{name + ".artel", it->second};
  }
};

// Parses, checks and compiles `text`; on failure `errors` gets the diagnostics.
inline std::optional<module::Built> compile_text(const std::string& text, std::string* errors = nullptr,
                                                 const std::map<std::string, std::string>& libraries = {}) {
  Diagnostics diags;
  SourceFile src{"test.artel", text};
  diags.add_source(src);
  TextLibraries libs;
  libs.sources = libraries;
  std::optional<module::Built> built;
  auto parsed = syntax::parse(src, diags);
  if (parsed) {
    auto checked = typed::check(*parsed, libs, diags);
    if (checked) built = compiler::compile(*checked, src.path, diags);
  }
  if (errors) {
    std::ostringstream os;
    diags.print(os);
    *errors = os.str();
  }
  return built;
}

}  // namespace artel::test
