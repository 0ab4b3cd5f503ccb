// Compiling charter text in tests.
#pragma once

#include <optional>
#include <sstream>
#include <string>

#include "compiler/driver.h"

namespace artel::test {

struct NoLibraries : typed::LibraryLoader {
  std::optional<SourceFile> load(const std::string&) override { return std::nullopt; }
};

// Parses, checks and compiles `text`; on failure `errors` gets the diagnostics.
inline std::optional<module::Built> compile_text(const std::string& text, std::string* errors = nullptr) {
  Diagnostics diags;
  SourceFile src{"test.artel", text};
  diags.add_source(src);
  NoLibraries libs;
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
