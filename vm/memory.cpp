#include <cstring>

#include "vm/host.h"
#include "vm/memory.h"

namespace artel::vm {

bool GuestMemory::read(uint64_t addr, std::span<uint8_t> out) const {
  const uint8_t* p = regions_->checked(addr, out.size(), false);
  if (p == nullptr) return false;
  if (!out.empty()) std::memcpy(out.data(), p, out.size());
  return true;
}

bool GuestMemory::write(uint64_t addr, std::span<const uint8_t> in) {
  uint8_t* p = regions_->checked(addr, in.size(), true);
  if (p == nullptr) return false;
  if (!in.empty()) std::memcpy(p, in.data(), in.size());
  return true;
}

std::optional<uint64_t> GuestMemory::read_u64(uint64_t addr) const {
  uint64_t v = 0;
  if (!read(addr, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v))) return std::nullopt;
  return v;
}

bool GuestMemory::write_u64(uint64_t addr, uint64_t value) {
  return write(addr, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&value), sizeof value));
}

std::optional<uint64_t> GuestMemory::lend(std::span<uint8_t> bytes) {
  detail::Regions& r = *regions_;
  if (r.next_lent >= detail::kRegionCount || bytes.size() > 0xffffffffu) return std::nullopt;
  const uint32_t k = r.next_lent++;
  r.base[k] = bytes.data();
  r.read_len[k] = bytes.size();
  r.write_len[k] = bytes.size();
  return detail::region_address(k, 0);
}

std::optional<uint64_t> GuestMemory::lend_read_only(std::span<const uint8_t> bytes) {
  detail::Regions& r = *regions_;
  if (r.next_lent >= detail::kRegionCount || bytes.size() > 0xffffffffu) return std::nullopt;
  const uint32_t k = r.next_lent++;
  r.base[k] = const_cast<uint8_t*>(bytes.data());  // never written: write_len stays 0
  r.read_len[k] = bytes.size();
  r.write_len[k] = 0;
  return detail::region_address(k, 0);
}

}  // namespace artel::vm
