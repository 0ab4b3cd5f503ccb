// Guest address space (private to the VM). An address is (region << 32) |
// offset; region 0 is never mapped, so null pointers fault.
#pragma once

#include <cstdint>
#include <cstring>

namespace artel::vm::detail {

inline constexpr uint64_t kRegionShift = 32;
inline constexpr uint32_t kRegionCount = 16;
inline constexpr uint32_t kStackRegion = 1;
inline constexpr uint32_t kInputRegion = 2;
inline constexpr uint32_t kRodataRegion = 3;
inline constexpr uint32_t kFirstLentRegion = 4;

[[nodiscard]] constexpr uint64_t region_address(uint32_t region, uint64_t offset) {
  return (uint64_t{region} << kRegionShift) | offset;
}

struct Regions {
  uint8_t* base[kRegionCount] = {};
  uint64_t read_len[kRegionCount] = {};   // 0 when not readable
  uint64_t write_len[kRegionCount] = {};  // 0 when not writable
  uint32_t next_lent = kFirstLentRegion;

  void clear() { *this = Regions{}; }

  // Checked access of any size (host calls); nullptr when out of bounds.
  [[nodiscard]] uint8_t* checked(uint64_t addr, uint64_t size, bool write) const {
    const uint64_t r = addr >> kRegionShift;
    if (r >= kRegionCount) return nullptr;
    const uint64_t off = addr & 0xffffffffu;
    const uint64_t len = write ? write_len[r] : read_len[r];
    if (size > len || off > len - size) return nullptr;
    return base[r] + off;
  }

  // Host pointer for an access of `size` (at most 8) bytes at `addr`, or nullptr.
  [[nodiscard]] uint8_t* readable(uint64_t addr, uint64_t size) const {
    const uint64_t r = addr >> kRegionShift;
    if (r >= kRegionCount) return nullptr;
    const uint64_t off = addr & 0xffffffffu;
    if (off + size > read_len[r]) return nullptr;
    return base[r] + off;
  }
  [[nodiscard]] uint8_t* writable(uint64_t addr, uint64_t size) const {
    const uint64_t r = addr >> kRegionShift;
    if (r >= kRegionCount) return nullptr;
    const uint64_t off = addr & 0xffffffffu;
    if (off + size > write_len[r]) return nullptr;
    return base[r] + off;
  }
};

}  // namespace artel::vm::detail
