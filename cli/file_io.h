// Reading a whole file for the CLI. Every `artel` command reads its input
// files through here, so an unreadable path (a directory, no permission, an
// I/O error) is one clear message and never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace artel::cli {

// The file's bytes, or nullopt with `error` set to "cannot read PATH: reason".
[[nodiscard]] std::optional<std::string> read_text_file(const std::string& path, std::string& error);
[[nodiscard]] std::optional<std::vector<std::uint8_t>> read_binary_file(const std::string& path,
                                                                        std::string& error);

}  // namespace artel::cli
