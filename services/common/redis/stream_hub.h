#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/common/redis/polled_connection.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/stream_watch.h"

namespace omniroute::redis {

struct HubOptions {
  // Keys per XREAD. Each group of keys has its own connection with one XREAD BLOCK in flight, so
  // a new entry wakes (and re-registers) only its group's keys; every group is waited on by the
  // hub's one thread.
  int keys_per_read = 256;
  int count = 100;      // entries per key and read
  int block_ms = 1000;  // XREAD BLOCK; changes do not wait for it (CLIENT UNBLOCK)
  std::chrono::milliseconds timeout{2000};  // connect and write time-out
};

// Follows many Redis streams for many watchers with one thread: the keys being watched are
// split into groups of at most keys_per_read, each read by `XREAD COUNT n BLOCK t STREAMS
// <keys> <ids>` on its own connection, where each key's id is the lowest cursor of its active
// watches. Entries are shared by all watches of a key; each watch takes those after its own
// cursor (StreamWatch). A new watch, or a paused one that has room again, gets its key's group
// re-read at once (CLIENT UNBLOCK of the group's blocked XREAD). On a Redis Cluster a group holds
// the keys of one hash slot (one XREAD may not name several), read on the slot's master; a group
// whose XREAD is redirected (the slot moved, a failover) is read again where the slot is now.
class StreamHub {
 public:
  StreamHub(Endpoint endpoint, HubOptions options);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Starts the reader thread.
  void Start();
  // Closes every watch (OK: each ends after its buffered records) and stops the reader thread.
  // Watches added afterwards are closed at once.
  void Stop();

  // Starts following watch->key() after the watch's cursor. A watch that fails (its group's
  // connection broke) is closed with UNAVAILABLE and forgotten.
  void Add(const std::shared_ptr<StreamWatch>& watch);
  // Forgets the watch; the hub offers it nothing after this returns.
  void Remove(const std::shared_ptr<StreamWatch>& watch);

  struct Stats {
    size_t watches = 0;
    size_t keys = 0;
    size_t connections = 0;  // groups with an open connection
    uint64_t reads = 0;      // XREAD replies handled
    uint64_t unblocks = 0;   // CLIENT UNBLOCK sent
  };
  Stats stats() const;

 private:
  struct Key {
    std::vector<std::shared_ptr<StreamWatch>> watches;
    int group = -1;
    // The id the group's XREAD in flight reads this key after, if it names the key.
    std::optional<StreamId> in_flight_after;
  };
  struct Group {
    std::vector<std::string> keys;
    bool dirty = false;  // must be re-read with the current keys and cursors
    int slot = -1;       // on a cluster: the hash slot of its keys
  };
  // Reader-thread state of a group.
  struct GroupIo {
    std::unique_ptr<PolledConnection> conn;
    bool in_flight = false;
    bool unblock_sent = false;
    std::chrono::steady_clock::time_point sent_at;
    std::vector<std::pair<std::string, StreamId>> sent;  // keys and ids of the XREAD in flight
    std::string node;    // host:port the connection is to ("" for the one Redis)
    int redirected = 0;  // redirections in a row (a cluster slot moving)
  };

  void Run();
  // Marks the group of `key` for a re-read when it reads the key after `after` or not at all.
  void MarkDirty(const std::string& key, std::optional<StreamId> after)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Wake();
  // Sends the XREAD of every idle group that has something to read.
  void SendReads();
  void SendUnblocks();
  void Poll();
  void HandleReply(int group, const redisReply& reply);
  // Closes the watches of a group whose connection failed and forgets its keys.
  void FailGroup(int group, const absl::Status& status);
  // A cluster redirected or refused the group's XREAD: read it again where its slot is now.
  // False when that has happened too often in a row (the caller fails the group).
  bool Redirected(int group, const std::string& error);
  // Where a group's XREAD goes: the one Redis, or the master of the group's slot.
  absl::StatusOr<Endpoint> GroupEndpoint(int group);

  const Endpoint endpoint_;
  const HubOptions options_;
  const int wake_fd_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, Key> keys_ ABSL_GUARDED_BY(mu_);
  std::vector<Group> groups_ ABSL_GUARDED_BY(mu_);
  size_t watches_ ABSL_GUARDED_BY(mu_) = 0;
  Stats counters_ ABSL_GUARDED_BY(mu_);
  // Reader thread only.
  std::vector<GroupIo> io_;
  // Send CLIENT UNBLOCK, one per node ("" for the one Redis).
  absl::flat_hash_map<std::string, std::unique_ptr<Connection>> controls_;
  bool unblock_refused_ = false;
};

}  // namespace omniroute::redis
