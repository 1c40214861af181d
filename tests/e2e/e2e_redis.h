// Redis helpers of the e2e tests: commands that fail the test on a transport error, stream
// counters, and snapshots of the whole database to prove a call changed nothing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::e2e {

inline std::string Prefix(const std::string& tenant) { return "{t:" + tenant + "}"; }

inline redis::Reply Cmd(redis::Connection& c, const std::vector<std::string>& argv) {
  auto r = c.Command(argv);
  if (!r.ok()) {
    ADD_FAILURE() << "redis " << argv[0] << ": " << r.status();
    return {};
  }
  return *r;
}

inline int64_t CmdInt(redis::Connection& c, const std::vector<std::string>& argv) {
  auto r = Cmd(c, argv);
  if (r.type == redis::Reply::Type::kInteger) return r.integer;
  int64_t v = 0;
  if (r.type == redis::Reply::Type::kString && absl::SimpleAtoi(r.str, &v)) return v;
  return 0;
}

// Entries ever appended to a stream (XINFO STREAM entries-added): consumers delete what they
// have processed, so XLEN shows only work in flight.
inline int64_t EntriesAdded(redis::Connection& c, const std::string& stream) {
  auto r = Cmd(c, {"XINFO", "STREAM", stream});
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    if (r.elements[i].str == "entries-added") return r.elements[i + 1].integer;
  }
  return -1;
}

// Number of entries pending (delivered, not acknowledged) in a consumer group; -1 when the
// stream or group does not exist.
inline int64_t PendingCount(redis::Connection& c, const std::string& stream,
                            const std::string& group) {
  auto r = Cmd(c, {"XPENDING", stream, group});
  if (r.is_error() || r.elements.empty()) return -1;
  return r.elements[0].integer;
}

// A canonical text form of any reply (for comparisons).
inline void Serialize(const redis::Reply& r, std::string* out) {
  switch (r.type) {
    case redis::Reply::Type::kNil:
      out->append("N;");
      break;
    case redis::Reply::Type::kInteger:
      absl::StrAppend(out, "I", r.integer, ";");
      break;
    case redis::Reply::Type::kArray:
      absl::StrAppend(out, "A", r.elements.size(), "[");
      for (const auto& e : r.elements) Serialize(e, out);
      out->append("]");
      break;
    default:
      absl::StrAppend(out, "S", r.str.size(), ":", r.str, ";");
  }
}

// Every key of the database with its type and value. Values are DUMP bytes, except for
// streams, whose DUMP holds consumer "seen" times that change on every idle XREADGROUP: a
// stream is described by XINFO STREAM, its entries and its groups' counters instead.
inline std::map<std::string, std::string> SnapshotRedis(redis::Connection& c) {
  std::map<std::string, std::string> out;
  auto keys = Cmd(c, {"KEYS", "*"});
  for (const auto& k : keys.elements) {
    // The estimated wait's inputs (P:ewt:<q>) are rewritten by the routing gauge loop every
    // 2 s: derived from the state, not state a request changes.
    if (absl::StrContains(k.str, ":ewt:")) continue;
    std::string type = Cmd(c, {"TYPE", k.str}).str;
    std::string v = type + "|";
    if (type == "stream") {
      Serialize(Cmd(c, {"XINFO", "STREAM", k.str}), &v);
      Serialize(Cmd(c, {"XRANGE", k.str, "-", "+"}), &v);
      Serialize(Cmd(c, {"XINFO", "GROUPS", k.str}), &v);
    } else {
      Serialize(Cmd(c, {"DUMP", k.str}), &v);
    }
    out[k.str] = std::move(v);
  }
  return out;
}

// Describes the differences of two snapshots ("" when equal).
inline std::string DiffSnapshots(const std::map<std::string, std::string>& a,
                                 const std::map<std::string, std::string>& b) {
  std::string d;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) {
      absl::StrAppend(&d, "removed ", k, "\n");
    } else if (it->second != v) {
      absl::StrAppend(&d, "changed ", k, "\n");
    }
  }
  for (const auto& [k, v] : b) {
    if (!a.count(k)) absl::StrAppend(&d, "added ", k, "\n");
  }
  return d;
}

}  // namespace omniroute::e2e
