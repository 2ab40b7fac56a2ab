// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of OP_MSG's optional
// trailing checksum field. Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dds::wire {

// Returns the CRC-32C of `size` bytes at `data`, continuing from `crc` (0 for a fresh
// computation). Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(const char* data, size_t size, uint32_t crc = 0);

}  // namespace dds::wire
