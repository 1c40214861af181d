#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace omniroute::redis {

// Redis Cluster has 16384 hash slots; a key belongs to slot CRC16(key) mod 16384, where only the
// part between the first '{' and the next '}' is hashed when that part is not empty (the hash
// tag: every key of a tenant carries {t:<tenant>}, so a tenant's keys share one slot). CRC16 is
// the XMODEM variant (polynomial 0x1021, initial value 0), as the Redis Cluster specification
// says. Debian 12 packages no C or C++ cluster client, so this is ours.
inline constexpr int kClusterSlots = 16384;

// CRC16/XMODEM of `data`.
uint16_t Crc16(absl::string_view data);

// The hash slot of `key`, 0..16383.
int KeySlot(absl::string_view key);

}  // namespace omniroute::redis
