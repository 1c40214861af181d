#include "services/common/redis/command_keys.h"

#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "services/common/redis/key_slot.h"

namespace omniroute::redis {
namespace {

const absl::flat_hash_set<std::string>& Keyless() {
  static const auto* set = new absl::flat_hash_set<std::string>{
      "ACL",      "ASKING",  "AUTH",     "CLIENT",  "CLUSTER",  "COMMAND",   "CONFIG", "DBSIZE",
      "ECHO",     "EXEC",    "FLUSHALL", "FLUSHDB", "FUNCTION", "HELLO",     "INFO",   "KEYS",
      "LASTSAVE", "LATENCY", "MULTI",    "PING",    "READONLY", "READWRITE", "SCAN",   "SCRIPT",
      "SELECT",   "SLOWLOG", "TIME",     "WAIT",    "DISCARD",  "MONITOR",   "BGSAVE", "SAVE"};
  return *set;
}

// The slot of keys [first, last) of argv, kCrossSlot when they differ, kNoKeySlot when none.
int SlotOf(const std::vector<std::string>& argv, size_t first, size_t last, size_t step = 1) {
  int slot = kNoKeySlot;
  for (size_t i = first; i < last && i < argv.size(); i += step) {
    int s = KeySlot(argv[i]);
    if (slot == kNoKeySlot) {
      slot = s;
    } else if (s != slot) {
      return kCrossSlot;
    }
  }
  return slot;
}

}  // namespace

int CommandSlot(const std::vector<std::string>& argv) {
  if (argv.size() < 2) return kNoKeySlot;
  std::string name = absl::AsciiStrToUpper(argv[0]);
  if (name == "KEYS") {
    // A pattern within one hash tag ("{t:acme}:ix:*") names keys of that slot only.
    const std::string& p = argv[1];
    auto open = p.find('{');
    auto close = open == std::string::npos ? open : p.find('}', open + 1);
    if (close != std::string::npos && close > open + 1 && p.find_first_of("*?[\\", open) > close) {
      return KeySlot(p);
    }
    return kNoKeySlot;
  }
  if (Keyless().contains(name)) return kNoKeySlot;
  if (name == "FCALL" || name == "FCALL_RO" || name == "EVAL" || name == "EVALSHA" ||
      name == "EVAL_RO" || name == "EVALSHA_RO") {
    size_t n = 0;
    if (argv.size() < 3 || !absl::SimpleAtoi(argv[2], &n)) return kNoKeySlot;
    return SlotOf(argv, 3, 3 + n);
  }
  if (name == "XREAD" || name == "XREADGROUP") {
    for (size_t i = 1; i < argv.size(); ++i) {
      if (absl::AsciiStrToUpper(argv[i]) == "STREAMS") {
        size_t keys = (argv.size() - i - 1) / 2;
        return SlotOf(argv, i + 1, i + 1 + keys);
      }
    }
    return kNoKeySlot;
  }
  if (name == "XINFO" || name == "XGROUP" || name == "OBJECT" || name == "MEMORY") {
    return argv.size() > 2 ? KeySlot(argv[2]) : kNoKeySlot;
  }
  if (name == "DEL" || name == "UNLINK" || name == "EXISTS" || name == "TOUCH" || name == "MGET") {
    return SlotOf(argv, 1, argv.size());
  }
  if (name == "MSET") return SlotOf(argv, 1, argv.size(), 2);
  return KeySlot(argv[1]);
}

}  // namespace omniroute::redis
