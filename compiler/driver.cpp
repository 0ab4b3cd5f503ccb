#include "compiler/driver.h"

#include <pthread.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace artel::compiler {

std::optional<SourceFile> DirectoryLibraryLoader::load(const std::string& name) {
  // Library names are plain identifiers; refuse anything path-like.
  if (name.find('/') != std::string::npos || name.find("..") != std::string::npos) return std::nullopt;
  std::filesystem::path p = dir_ / (name + ".artel");
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return SourceFile{p.string(), ss.str()};
}

std::filesystem::path default_stdlib_dir() {
  if (const char* env = std::getenv("ARTEL_STDLIB"); env && *env) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir : {exe.parent_path() / "../stdlib", exe.parent_path() / "../../stdlib",
                     exe.parent_path() / "../share/artel/stdlib"}) {
      if (std::filesystem::is_directory(dir, ec)) return std::filesystem::weakly_canonical(dir, ec);
    }
  }
  return ARTEL_SOURCE_STDLIB;
}

std::optional<SourceFile> read_source(const std::string& path, Diagnostics& diags) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error(path, {}, "is a directory, not a charter file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(path, {}, "cannot open the file: " + std::string(std::strerror(errno)));
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    diags.error(path, {}, "cannot read the file");
    return std::nullopt;
  }
  SourceFile f{path, ss.str()};
  diags.add_source(f);
  return f;
}

Frontend run_frontend(const std::string& path, typed::LibraryLoader& libs, Diagnostics& diags,
                      bool stop_after_syntax) {
  Frontend out;
  auto src = read_source(path, diags);
  if (!src) return out;
  with_large_stack([&] {
    out.syntax = syntax::parse(*src, diags);
    if (out.syntax && !stop_after_syntax) out.typed = typed::check(*out.syntax, libs, diags);
  });
  return out;
}

std::optional<module::Built> compile(const typed::Charter& charter, const std::string& path,
                                    Diagnostics& diags) {
  auto lowered = lower::lower(charter, path, diags);
  if (!lowered) return std::nullopt;
  auto object = lower::emit_object(*lowered, diags);
  if (!object) return std::nullopt;
  return module::build(charter, *object, path, diags);
}

std::optional<FileBuild> build_file(const std::string& path, const std::filesystem::path& stdlib, Diagnostics& diags) {
  DirectoryLibraryLoader libs(stdlib);
  auto fe = run_frontend(path, libs, diags);
  if (!fe.typed) return std::nullopt;
  auto built = compile(*fe.typed, path, diags);
  if (!built) return std::nullopt;
  return FileBuild{std::move(*fe.typed), std::move(*built)};
}

namespace {
void* trampoline(void* arg) {
  (*static_cast<const std::function<void()>*>(arg))();
  return nullptr;
}
}  // namespace

void with_large_stack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t(512) << 20);  // reserved, touched only as used
  pthread_t thread;
  if (pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&fn)) != 0) {
    pthread_attr_destroy(&attr);
    fn();  // no thread to be had: run here
    return;
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace artel::compiler
