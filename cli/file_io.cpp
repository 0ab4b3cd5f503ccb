#include "file_io.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace artel::cli {

// C stdio rather than iostreams: std::filebuf throws std::ios_failure from
// istreambuf_iterator when read(2) fails (EISDIR on a directory), and
// `stream << rdbuf()` swallows the same failure into an empty result.
std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    error = "cannot read " + path + ": " + std::strerror(errno != 0 ? errno : EIO);
    return std::nullopt;
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    out.append(buf, n);
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get()) != 0) {
    error = "cannot read " + path + ": " + std::strerror(errno != 0 ? errno : EIO);
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> read_binary_file(const std::string& path, std::string& error) {
  auto text = read_text_file(path, error);
  if (!text) return std::nullopt;
  return std::vector<std::uint8_t>(text->begin(), text->end());
}

}  // namespace artel::cli
