// Turns `.data` test files into seed inputs for artel_fuzz_vm, in the layout
// its second half reads (fuzz/vm_fuzz.cpp): byte 0 selects the budget and
// the call depth, byte 1 the input size, then the program's 8-byte words.
// Byte 0 is 206: budget 19983 and 9 frames, the most the layout allows, so a
// seed runs as far as the fuzzer lets any program run; byte 1 asks for as
// much input as the file's -- mem has (at most 64 bytes; the fuzzer fills it
// with its own pattern).
//
//   artel_fuzz_seeds OUTDIR FILE.data...   # writes OUTDIR/NAME.bin per file
//
// The checked-in seeds fuzz/corpus/vm/data_*.bin come from tests/vm/data:
//   build-fuzz/fuzz/artel_fuzz_seeds fuzz/corpus/vm/ --prefix data_ tests/vm/data/*.data
// scripts/fuzz.sh also converts ../shared/conformance/bpf at run time
// into build-fuzz/seeds/conformance (never committed).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "vm/assembler.h"
#include "vm/conformance.h"

namespace {

constexpr unsigned char kBudgetAndDepth = 206;  // 1 + (206 * 97) % 20000 = 19983; 1 + 206 % 9 = 9
constexpr std::size_t kMaxInput = 64;           // data[1] % 65

// The seed for one file, or an empty vector (with `why`) if it has no program.
std::vector<unsigned char> seed_of(const std::string& text, std::string& why) {
  auto parsed = artel::vm::parse_data_file(text);
  if (!parsed) {
    why = parsed.error().describe();
    return {};
  }
  std::vector<uint64_t> words;
  if (parsed->assembly) {
    auto a = artel::vm::assemble(*parsed->assembly);
    if (!a) {
      why = a.error().describe();
      return {};
    }
    words = std::move(a.value());
  } else if (parsed->raw) {
    words = *parsed->raw;
  }
  if (words.empty()) {
    why = "no program";
    return {};
  }
  std::vector<unsigned char> out;
  out.push_back(kBudgetAndDepth);
  out.push_back(static_cast<unsigned char>(std::min(parsed->memory.size(), kMaxInput)));
  for (uint64_t w : words)
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<unsigned char>(w >> (8 * b)));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUTDIR [--prefix P] FILE.data...\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::string prefix;
  int first = 2;
  if (argc > 3 && std::string(argv[2]) == "--prefix") {
    prefix = argv[3];
    first = 4;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  int written = 0;
  int skipped = 0;
  for (int i = first; i < argc; ++i) {
    const std::filesystem::path in = argv[i];
    std::ifstream f(in, std::ios::binary);
    std::string text;
    if (f && !std::filesystem::is_directory(in, ec)) text.assign(std::istreambuf_iterator<char>(f), {});
    std::string why = "cannot read";
    const std::vector<unsigned char> seed = text.empty() ? std::vector<unsigned char>{} : seed_of(text, why);
    if (seed.empty()) {
      std::fprintf(stderr, "skipped %s: %s\n", in.c_str(), why.c_str());
      ++skipped;
      continue;
    }
    const std::filesystem::path out = dir / (prefix + in.stem().string() + ".bin");
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
    if (!o) {
      std::fprintf(stderr, "error: cannot write %s\n", out.c_str());
      return 1;
    }
    ++written;
  }
  std::printf("%d seeds written to %s, %d files skipped\n", written, dir.c_str(), skipped);
  return 0;
}
