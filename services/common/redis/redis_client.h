#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace omniroute::redis {

class ClusterMap;

// A Redis node's address, as Redis Cluster announces it.
struct NodeAddress {
  std::string host;
  int port = 0;
  bool operator==(const NodeAddress& o) const { return host == o.host && port == o.port; }
  bool operator!=(const NodeAddress& o) const { return !(*this == o); }
  std::string ToString() const;
};

// Where Redis is: parsed from redis://[[user]:password@]host:port[/db], unix:///path/to/socket,
// or redis+cluster://[[user]:password@]host:port[,host:port...] for a Redis Cluster (the nodes
// given are seeds: the slot map is read from them). With a user the connection sends AUTH user
// password (a Redis 6 ACL user), with a password alone AUTH password (the default user).
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_path;
  std::string username;
  std::string password;
  int db = 0;
  // Set for a cluster: the slot map every connection opened from this endpoint (and its copies)
  // shares. host and port are then those of the first seed.
  std::shared_ptr<ClusterMap> cluster;
};

absl::StatusOr<Endpoint> ParseUrl(const std::string& url);

// `url` with its credentials (between "://" and the last '@') shown as "***", for messages.
std::string RedactUrl(const std::string& url);

// The AUTH command for the endpoint's credentials; empty when it has none.
std::vector<std::string> AuthCommand(const Endpoint& endpoint);

// Queues one command on a hiredis context's output buffer (binary-safe arguments); returns
// redisAppendCommandArgv's REDIS_OK or REDIS_ERR.
int AppendArgv(redisContext* ctx, const std::vector<std::string>& argv);

// A Redis reply, copied out of hiredis so it outlives the connection's buffers.
struct Reply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

// Sees every round trip of the connections of a pool (for metrics). Called from many threads.
class Observer {
 public:
  virtual ~Observer() = default;
  // One command or pipeline answered in `seconds` (not reported for blocking reads).
  virtual void RoundTrip(double seconds) = 0;
  // A connect or a round trip that failed (the connection is dropped).
  virtual void Failed() = 0;
};

// One blocking hiredis connection. Not thread-safe: one thread uses it at a time.
//
// Opened from a cluster endpoint, it is a connection to the cluster: each command goes to the
// master of its keys' slot (keyless ones to any master), over a connection per node opened on
// first use. MOVED updates the shared slot map and sends the command on; ASK sends it once to the
// node named, after ASKING; TRYAGAIN and CLUSTERDOWN are retried (a slot is moving, a failover
// runs) until the call's deadline or the connection time-out. A pipeline is split by node, sent
// to every node before any reply is read, and its replies are put back in order. A node that
// cannot be reached is no failure of the whole connection (it never becomes broken): Command
// answers UNAVAILABLE, and in a pipeline the commands of that node get a NODEDOWN error reply
// (transient: they may or may not have run). Commands naming keys of several slots are refused.
// A command without keys goes to any master, or in a pipeline where the command before it went
// (so WAIT follows the write it waits for).
class Connection {
 public:
  // `observer`, if given, must outlive the connection; `timed` = false for connections that
  // block on purpose (XREADGROUP BLOCK), whose round trips say nothing about Redis latency.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const Endpoint& endpoint,
                                                          std::chrono::milliseconds timeout,
                                                          Observer* observer = nullptr,
                                                          bool timed = true);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one command. A Redis error reply is returned as a Reply of type kError; the Status
  // is not OK only when the connection failed (it is then broken and must be dropped).
  absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);
  // Sends all commands in one round trip and reads their replies in order.
  absl::StatusOr<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& cmds);
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<const std::vector<std::string>*>& cmds);
  // Sets the read timeout (e.g. longer than a blocking XREAD's BLOCK time).
  void SetTimeout(std::chrono::milliseconds timeout);
  bool broken() const { return broken_; }

  // Runs `fn` with a connection to every master of the cluster (stopping at the first failure),
  // or with this connection when it is not a cluster's: for what concerns every node (loading
  // the Functions library, PING, SCAN).
  absl::Status ForEachMaster(const std::function<absl::Status(Connection&)>& fn);
  bool cluster() const { return cluster_ != nullptr; }

 private:
  explicit Connection(redisContext* ctx) : ctx_(ctx) {}
  absl::Status Fail(const char* what);
  void Observe(std::chrono::steady_clock::time_point started) const;
  // Queues a command and writes the output buffer (node connections; the reply is read later).
  absl::Status Send(const std::vector<const std::vector<std::string>*>& cmds);
  absl::StatusOr<Reply> Receive();

  // ---- cluster connections (cluster_connection.cc) ----
  struct Node {
    NodeAddress address;
    std::unique_ptr<Connection> conn;
  };
  absl::StatusOr<Connection*> NodeConnection(const NodeAddress& address);
  void DropNode(const NodeAddress& address);
  // Sends one command to the master of `slot` (-1: any master), or to `ask` after ASKING,
  // following redirections and retrying "not now" replies within the time allowed.
  absl::StatusOr<Reply> Route(const std::vector<std::string>& argv, int slot,
                              std::optional<NodeAddress> ask);
  absl::StatusOr<Reply> ClusterCommand(const std::vector<std::string>& argv);
  absl::StatusOr<std::vector<Reply>> ClusterPipeline(
      const std::vector<const std::vector<std::string>*>& cmds);

  redisContext* ctx_ = nullptr;
  bool broken_ = false;
  Observer* observer_ = nullptr;
  bool timed_ = true;
  std::shared_ptr<ClusterMap> cluster_;
  Endpoint node_endpoint_;  // credentials for the node connections
  std::chrono::milliseconds timeout_{2000};
  std::vector<Node> nodes_;
};

// The deadline of the call the current thread serves, while an instance lives on its stack
// (ServeUnary sets one around each call's work): Pool::Acquire waits for a connection no
// longer than it, so no call waits for Redis past the point where its caller gave up.
class CallDeadline {
 public:
  explicit CallDeadline(std::chrono::system_clock::time_point deadline);
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;
  // The innermost live deadline of this thread; time_point::max() when none.
  static std::chrono::system_clock::time_point Current();

 private:
  std::chrono::system_clock::time_point previous_;
};

// A bounded pool of connections shared by a service's threads. Acquire() waits for a free
// connection at most the pool's timeout and at most until the thread's CallDeadline; a broken
// connection is dropped when its lease ends and reopened on demand.
class Pool {
 public:
  Pool(Endpoint endpoint, int size, std::chrono::milliseconds timeout);

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Reports the round trips of connections opened from now on. Set it before traffic starts;
  // the observer must outlive the pool.
  void SetObserver(Observer* observer) { observer_ = observer; }

  absl::StatusOr<Lease> Acquire();
  // Closes the idle connections (after Redis was found down or restarted: they are dead too),
  // so the next calls open fresh ones instead of each failing on a dead one.
  void DropIdle();
  // Opens a connection outside the pool, for long blocking reads (XREAD BLOCK).
  absl::StatusOr<std::unique_ptr<Connection>> OpenDedicated(std::chrono::milliseconds timeout);
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  void Return(std::unique_ptr<Connection> conn);

  const Endpoint endpoint_;
  const int size_;
  const std::chrono::milliseconds timeout_;
  std::atomic<Observer*> observer_{nullptr};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

// Helpers to read replies.
std::vector<std::string> ReplyStrings(const Reply& reply);
// True for an error reply that means "not now" rather than "no": Redis is loading its data set
// (LOADING), busy with a script (BUSY), without a reachable master or replicas (MASTERDOWN,
// NOREPLICAS, READONLY after a failover), failing to persist (MISCONF), a cluster slot is
// moving (TRYAGAIN, CLUSTERDOWN), or a cluster node could not be reached (NODEDOWN, our own
// reply in a cluster pipeline). The same call may succeed later.
bool IsTransientError(const Reply& reply);
// OK unless `reply` is an error: then UNAVAILABLE for a transient one (the client retries),
// INTERNAL for any other, the message starting with `context`.
absl::Status ReplyError(const Reply& reply, const std::string& context);

}  // namespace omniroute::redis
