#include "services/common/redis/cluster_admin.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace omniroute::redis {
namespace {

absl::StatusOr<Reply> Run(Connection& conn, const std::vector<std::string>& argv,
                          const std::string& what) {
  auto reply = conn.Command(argv);
  if (!reply.ok()) return reply.status();
  if (auto st = ReplyError(*reply, what); !st.ok()) return st;
  return reply;
}

// Migrates every key of slot ARGV[1] to ARGV[2]:ARGV[3] and gives the slot to node id ARGV[4]
// (MIGRATE time-out ARGV[5] ms, password ARGV[6] and user ARGV[7] when given), atomically. The
// keys are copied (COPY REPLACE, in batches: Lua unpacks a few thousand values at most) and
// deleted here only once the target has every one, so a MIGRATE that fails ends the script with
// the slot whole on the source (a retry replaces what the target got).
constexpr char kMoveScript[] = R"lua(
local slot = tonumber(ARGV[1])
local keys = redis.call('CLUSTER', 'GETKEYSINSLOT', slot,
                        redis.call('CLUSTER', 'COUNTKEYSINSLOT', slot))
for first = 1, #keys, 1000 do
  local cmd = {'MIGRATE', ARGV[2], ARGV[3], '', 0, ARGV[5], 'COPY', 'REPLACE'}
  if ARGV[6] and ARGV[7] ~= '' then
    cmd[#cmd + 1] = 'AUTH2'; cmd[#cmd + 1] = ARGV[7]; cmd[#cmd + 1] = ARGV[6]
  elseif ARGV[6] then
    cmd[#cmd + 1] = 'AUTH'; cmd[#cmd + 1] = ARGV[6]
  end
  cmd[#cmd + 1] = 'KEYS'
  for i = first, math.min(#keys, first + 999) do cmd[#cmd + 1] = keys[i] end
  redis.call(unpack(cmd))
end
for first = 1, #keys, 1000 do
  redis.call('DEL', unpack(keys, first, math.min(#keys, first + 999)))
end
return redis.call('CLUSTER', 'SETSLOT', slot, 'NODE', ARGV[4])
)lua";

}  // namespace

absl::Status MoveSlot(ClusterMap& map, int slot, const NodeAddress& to) {
  if (slot < 0 || slot >= kClusterSlots) {
    return absl::InvalidArgumentError(absl::StrCat("slot ", slot, " is not in 0..16383"));
  }
  if (auto st = map.Refresh(); !st.ok()) return st;
  auto from = map.MasterOf(slot);
  if (!from.ok()) return from.status();
  if (*from == to) return absl::OkStatus();
  auto masters = map.Masters();
  if (!masters.ok()) return masters.status();
  bool known = false;
  for (const auto& m : *masters) known = known || m == to;
  if (!known) {
    return absl::InvalidArgumentError(absl::StrCat(to.ToString(), " is not a master"));
  }
  const auto timeout = std::chrono::milliseconds(5000);
  auto src = Connection::Open(map.NodeEndpoint(*from), timeout);
  if (!src.ok()) return src.status();
  auto dst = Connection::Open(map.NodeEndpoint(to), timeout);
  if (!dst.ok()) return dst.status();
  auto src_id = Run(**src, {"CLUSTER", "MYID"}, "CLUSTER MYID");
  if (!src_id.ok()) return src_id.status();
  auto dst_id = Run(**dst, {"CLUSTER", "MYID"}, "CLUSTER MYID");
  if (!dst_id.ok()) return dst_id.status();
  std::string s = std::to_string(slot);
  if (auto r = Run(**dst, {"CLUSTER", "SETSLOT", s, "IMPORTING", src_id->str}, "IMPORTING");
      !r.ok()) {
    return r.status();
  }
  // One script on the source: while it runs, no other command runs there.
  std::vector<std::string> move = {"EVAL",      kMoveScript,
                                   "0",         s,
                                   to.host,     std::to_string(to.port),
                                   dst_id->str, std::to_string(timeout.count())};
  Endpoint creds = map.NodeEndpoint(to);
  if (!creds.password.empty()) move.insert(move.end(), {creds.password, creds.username});
  if (auto r = Run(**src, move, "moving the slot"); !r.ok()) {
    (void)(*dst)->Command({"CLUSTER", "SETSLOT", s, "STABLE"});
    return r.status();
  }
  // Until the target takes the slot, the two nodes redirect its commands to each other; the
  // cluster connection retries them.
  if (auto r = Run(**dst, {"CLUSTER", "SETSLOT", s, "NODE", dst_id->str}, "SETSLOT"); !r.ok()) {
    return r.status();
  }
  for (const auto& m : *masters) {
    if (m == *from || m == to) continue;
    auto other = Connection::Open(map.NodeEndpoint(m), timeout);
    if (other.ok()) (void)(*other)->Command({"CLUSTER", "SETSLOT", s, "NODE", dst_id->str});
  }
  map.Moved(slot, to);
  return absl::OkStatus();
}

}  // namespace omniroute::redis
