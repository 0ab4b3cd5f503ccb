// The compiler driver: runs the stages in order and can stop after any of
// them. Each stage has one entry point (syntax::parse, typed::check, ...).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "compiler/diag/diagnostics.h"
#include "compiler/syntax/syntax.h"
#include "compiler/module/writer.h"
#include "compiler/typed/typed.h"

namespace artel::compiler {

// Finds `import NAME` libraries as NAME.artel in a directory.
class DirectoryLibraryLoader : public typed::LibraryLoader {
 public:
  explicit DirectoryLibraryLoader(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::optional<SourceFile> load(const std::string& name) override;

 private:
  std::filesystem::path dir_;
};

// The standard library folder: $ARTEL_STDLIB if set, else the one beside the
// installed binary (../stdlib), else the source tree's.
std::filesystem::path default_stdlib_dir();

// Reads a file; on failure reports `path: error: ...` and returns nullopt.
std::optional<SourceFile> read_source(const std::string& path, Diagnostics& diags);

struct Frontend {
  std::optional<syntax::File> syntax;
  std::optional<typed::Charter> typed;
};

// Reads, parses and checks one charter. `stop_after_syntax` skips checking.
Frontend run_frontend(const std::string& path, typed::LibraryLoader& libs, Diagnostics& diags,
                      bool stop_after_syntax = false);

// Lowers, generates code and packs the module of a checked charter.
[[nodiscard]] std::optional<module::Built> compile(const typed::Charter& charter, const std::string& path,
                                                   Diagnostics& diags);

// A charter file compiled in full: its checked charter and its module.
struct FileBuild {
  typed::Charter typed;
  module::Built built;
};
// Reads, checks and compiles the charter at `path` with the libraries in
// `stdlib`; nullopt when it does not compile (the reasons are in `diags`).
std::optional<FileBuild> build_file(const std::string& path, const std::filesystem::path& stdlib, Diagnostics& diags);

// Runs `fn` on a thread with a large stack: the parser and checker recurse
// over nesting that the parser bounds, but deeply nested input still needs
// more than the default 8 MB under sanitizers.
void with_large_stack(const std::function<void()>& fn);

}  // namespace artel::compiler
