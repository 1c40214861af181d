// omniroute-ctl run as a process against the real services and Redis: every command, its
// output checked against what it did (read back over gRPC or from Redis), and its exit codes.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "services/common/api_keys.h"
#include "services/common/grpc/auth.h"
#include "services/common/grpc/published.h"
#include "services/common/keys.h"
#include "tests/e2e/ctl_fixture.h"

namespace omniroute {
namespace {

using e2e::CommandResult;
using google::protobuf::util::MessageDifferencer;

TEST_F(CtlE2E, KeysCreateListRevokeAndTheRevokedKeyIsRefusedWithinFiveSeconds) {
  // create-key (the old name) and keys create print the key; --key-from-env prints nothing.
  CommandResult crm =
      Ctl(Redis({"create-key", "--tenant", "acme", "--roles", "integrator", "--name", "crm"}));
  ASSERT_EQ(crm.code, 0) << crm.err;
  const std::string crm_key = Trim(crm.out);
  CommandResult sup =
      Ctl({"keys", "create", "--tenant", "acme", "--roles", "supervisor", "--name", "wallboard"},
          {{"OMNIROUTE_REDIS_URL", cluster_.redis().url()}});
  ASSERT_EQ(sup.code, 0) << sup.err;
  const std::string sup_key = Trim(sup.out);
  const std::string chosen = "a-key-kept-in-a-secret-0123456789abcdef";
  CommandResult from_env = Ctl(Redis({"keys", "create", "--tenant", "acme", "--roles", "admin",
                                      "--name", "helm", "--key-from-env", "CHOSEN"}),
                               {{"CHOSEN", chosen}});
  ASSERT_EQ(from_env.code, 0) << from_env.err;
  EXPECT_EQ(from_env.out, "");
  for (const auto& [key, roles] : std::vector<std::pair<std::string, std::string>>{
           {crm_key, "integrator"}, {sup_key, "supervisor"}, {chosen, "admin"}}) {
    EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(key)), "roles"), roles);
  }

  // keys list: id, name, roles, agent, creation and expiry time of each key, never a key.
  CommandResult list = Ctl(Redis({"keys", "list", "--tenant", "acme"}));
  ASSERT_EQ(list.code, 0) << list.err;
  auto rows = Rows(list.out);
  std::map<std::string, std::vector<std::string>> by_id;
  for (size_t i = 1; i < rows.size(); ++i) by_id[rows[i][0]] = rows[i];
  ASSERT_EQ(rows[0],
            (std::vector<std::string>{"ID", "NAME", "ROLES", "AGENT", "CREATED", "EXPIRES"}));
  // The fixture's five keys (four of CreateTenant, the operator's) and these three.
  EXPECT_EQ(by_id.size(), 8u) << list.out;
  for (const auto& [key, name, roles] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {crm_key, "crm", "integrator"},
           {sup_key, "wallboard", "supervisor"},
           {chosen, "helm", "admin"},
           {operator_key_, "ops", "admin,supervisor"}}) {
    const std::string id = HashApiKey(key).substr(0, kApiKeyIdLength);
    ASSERT_TRUE(by_id.count(id)) << name << " missing from\n" << list.out;
    EXPECT_EQ(by_id[id][1], name);
    EXPECT_EQ(by_id[id][2], roles);
    EXPECT_EQ(by_id[id][3], "-");                                       // no agent
    EXPECT_TRUE(absl::StartsWith(by_id[id][4], "20")) << by_id[id][4];  // RFC 3339
    EXPECT_EQ(by_id[id][5], "-");                                       // no expiry
    EXPECT_FALSE(absl::StrContains(list.out, key));
  }

  // The supervisor key works, so the routing replica has it cached ...
  v1::ListQueuesRequest req;
  v1::ListQueuesResponse resp;
  ASSERT_TRUE(api_.admin().ListQueues(sim::ApiClient::Context(sup_key).get(), req, &resp).ok());
  // ... and after keys revoke it is refused within the 5 s the cache lasts.
  const std::string sup_id = HashApiKey(sup_key).substr(0, kApiKeyIdLength);
  auto revoked_at = e2e::Clock::now();
  CommandResult revoke = Ctl(Redis({"keys", "revoke", "--tenant", "acme", "--id", sup_id}));
  ASSERT_EQ(revoke.code, 0) << revoke.err;
  EXPECT_TRUE(absl::StrContains(revoke.out, "revoked key " + sup_id)) << revoke.out;
  grpc::Status last;
  bool refused = e2e::WaitFor(
      [&] {
        last = api_.admin().ListQueues(sim::ApiClient::Context(sup_key).get(), req, &resp);
        return last.error_code() == grpc::StatusCode::UNAUTHENTICATED;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(100));
  double took = e2e::SecondsSince(revoked_at);
  ASSERT_TRUE(refused) << last.error_message();
  EXPECT_LE(took, 5.5);
  EXPECT_EQ(HGet(ApiKeyKey(HashApiKey(sup_key)), "tenant"), "");
  CommandResult with_revoked = Ctl(Api({"queues", "list"}, sup_key));
  EXPECT_EQ(with_revoked.code, 4) << with_revoked.err;
  EXPECT_TRUE(absl::StrContains(with_revoked.err, "UNAUTHENTICATED")) << with_revoked.err;
  // The others still work; the revoked one is gone from the list; revoking it again is 3.
  EXPECT_TRUE(api_.admin().ListQueues(sim::ApiClient::Context(chosen).get(), req, &resp).ok());
  CommandResult after = Ctl(Redis({"keys", "list", "--tenant", "acme"}));
  EXPECT_FALSE(absl::StrContains(after.out, sup_id));
  EXPECT_EQ(Rows(after.out).size(), 8u);  // header + 7
  EXPECT_EQ(Ctl(Redis({"keys", "revoke", "--tenant", "acme", "--id", sup_id})).code, 3);
  CommandResult bad_id = Ctl(Redis({"keys", "revoke", "--tenant", "acme", "--id", "xyz"}));
  EXPECT_EQ(bad_id.code, 2);
  EXPECT_TRUE(absl::StrContains(bad_id.err, "id:")) << bad_id.err;

  // keys reindex: a key stored the way older versions did (no index entry) gets listed.
  const std::string legacy = HashApiKey("a-key-from-an-older-version-0123456789");
  RedisCmd({"HSET", ApiKeyKey(legacy), "tenant", "acme", "roles", "agent", "name", "legacy"});
  EXPECT_FALSE(absl::StrContains(Ctl(Redis({"keys", "list", "--tenant", "acme"})).out, "legacy"));
  CommandResult reindex = Ctl(Redis({"keys", "reindex"}));
  ASSERT_EQ(reindex.code, 0) << reindex.err;
  EXPECT_EQ(reindex.out, "indexed 1 key(s)\n");
  CommandResult relisted = Ctl(Redis({"keys", "list", "--tenant", "acme"}));
  EXPECT_TRUE(absl::StrContains(relisted.out, legacy.substr(0, kApiKeyIdLength) + "  legacy"))
      << relisted.out;
}

TEST_F(CtlE2E, TenantsListAndShowCountWhatATenantHolds) {
  cluster_.CreateTenant("globex");
  ASSERT_EQ(
      Ctl(Api({"queues", "put", WriteFile("q.yaml", "name: a\nchannels: [CHANNEL_CHAT]\n")})).code,
      0);
  ASSERT_EQ(
      Ctl(Api({"queues", "put", WriteFile("q.yaml", "name: b\nchannels: [CHANNEL_SMS]\n")})).code,
      0);
  ASSERT_TRUE(LogIn("agent-1").ok());
  CommandResult list = Ctl(Redis({"tenants", "list"}));
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out, "acme\nglobex\n");
  CommandResult show = Ctl(Redis({"tenants", "show", "acme"}));
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_EQ(show.out, "tenant  acme\nqueues  2\nagents  1\nkeys    5\n");
  EXPECT_EQ(Ctl(Redis({"tenants", "show", "globex"})).out,
            "tenant  globex\nqueues  0\nagents  0\nkeys    4\n");
  CommandResult unknown = Ctl(Redis({"tenants", "show", "nobody"}));
  EXPECT_EQ(unknown.code, 3);
  EXPECT_TRUE(absl::StrContains(unknown.err, "no tenant 'nobody'")) << unknown.err;
}

TEST_F(CtlE2E, QueuesPutFromYamlAndJsonGetListAndDelete) {
  const std::string yaml =
      "# the support queue\n"
      "name: support\n"
      "channels: [CHANNEL_CHAT, CHANNEL_EMAIL]\n"
      "required_skills:\n"
      "  - {name: billing, proficiency: 2}\n"
      "strategy: STRATEGY_MOST_FREE_CAPACITY\n"
      "sla_threshold_seconds: 30\n"
      "sla_target_percent: 90\n"
      "offerTimeoutSeconds: 15\n"
      "steps:\n"
      "  - after_seconds: 60\n"
      "    drop_skills: [billing]\n";
  CommandResult put = Ctl(Api({"queues", "put", WriteFile("support.yaml", yaml)}));
  ASSERT_EQ(put.code, 0) << put.err;
  EXPECT_EQ(put.out, "stored queue support\n");
  v1::Queue stored = GetQueue("support");
  EXPECT_EQ(stored.channels_size(), 2);
  ASSERT_EQ(stored.required_skills_size(), 1);
  EXPECT_EQ(stored.required_skills(0).name(), "billing");
  EXPECT_EQ(stored.required_skills(0).proficiency(), 2);
  EXPECT_EQ(stored.strategy(), v1::STRATEGY_MOST_FREE_CAPACITY);
  EXPECT_EQ(stored.sla_target_percent(), 90);
  EXPECT_EQ(stored.offer_timeout_seconds(), 15);
  ASSERT_EQ(stored.steps_size(), 1);
  EXPECT_EQ(stored.steps(0).drop_skills(0), "billing");

  const std::string json =
      R"({"name": "voice", "channels": ["CHANNEL_VOICE"], "slaThresholdSeconds": 20,
          "sla_target_percent": 80, "max_waiting": "50"})";
  CommandResult put_json = Ctl(Api({"queues", "put", WriteFile("voice.json", json)}));
  ASSERT_EQ(put_json.code, 0) << put_json.err;
  v1::Queue voice = GetQueue("voice");
  EXPECT_EQ(voice.channels(0), v1::CHANNEL_VOICE);
  EXPECT_EQ(voice.sla_threshold_seconds(), 20);
  EXPECT_EQ(voice.max_waiting(), 50);

  // get prints what is stored, as YAML (default) or JSON, and what it prints puts back as is.
  CommandResult get = Ctl(Api({"queues", "get", "support"}));
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_TRUE(absl::StrContains(get.out, "name: support\n")) << get.out;
  EXPECT_TRUE(absl::StrContains(get.out, "strategy: STRATEGY_MOST_FREE_CAPACITY\n")) << get.out;
  CommandResult get_json = Ctl(Api({"queues", "get", "support", "--output", "json"}));
  ASSERT_EQ(get_json.code, 0) << get_json.err;
  v1::Queue from_json;
  ASSERT_TRUE(published::FromJson(get_json.out, &from_json).ok()) << get_json.out;
  EXPECT_TRUE(MessageDifferencer::Equals(from_json, stored)) << from_json.DebugString();
  ASSERT_EQ(Ctl(Api({"queues", "put", WriteFile("again.yaml", get.out)})).code, 0);
  EXPECT_TRUE(MessageDifferencer::Equals(GetQueue("support"), stored));
  // ... also on stdin.
  CommandResult from_stdin = Ctl(Api({"queues", "put", "-"}), {}, get_json.out);
  EXPECT_EQ(from_stdin.code, 0) << from_stdin.err;

  CommandResult list = Ctl(Api({"queues", "list"}));
  ASSERT_EQ(list.code, 0) << list.err;
  auto rows = Rows(list.out);
  ASSERT_EQ(rows.size(), 3u) << list.out;
  std::set<std::string> names = {rows[1][0], rows[2][0]};
  EXPECT_EQ(names, (std::set<std::string>{"support", "voice"}));
  for (const auto& row : rows) {
    if (row[0] == "support") {
      EXPECT_EQ(row, (std::vector<std::string>{"support", "CHANNEL_CHAT,CHANNEL_EMAIL",
                                               "STRATEGY_MOST_FREE_CAPACITY", "90%", "in", "30s"}));
    }
  }
  CommandResult list_json = Ctl(Api({"queues", "list", "--output", "json"}));
  v1::ListQueuesResponse listed;
  ASSERT_TRUE(published::FromJson(list_json.out, &listed).ok()) << list_json.out;
  EXPECT_EQ(listed.queues_size(), 2);

  CommandResult del = Ctl(Api({"queues", "delete", "voice"}));
  ASSERT_EQ(del.code, 0) << del.err;
  EXPECT_EQ(del.out, "deleted queue voice\n");
  v1::GetQueueRequest g;
  g.set_name("voice");
  v1::GetQueueResponse gr;
  EXPECT_EQ(api_.admin().GetQueue(Admin().get(), g, &gr).error_code(), grpc::StatusCode::NOT_FOUND);
  CommandResult again = Ctl(Api({"queues", "delete", "voice"}));
  EXPECT_EQ(again.code, 3);
  EXPECT_TRUE(absl::StrContains(again.err, "NOT_FOUND")) << again.err;
  EXPECT_EQ(Ctl(Api({"queues", "get", "voice"})).code, 3);
}

TEST_F(CtlE2E, ConfigPutAndGetRoundTripWithRuleKeywordsAsText) {
  ASSERT_EQ(
      Ctl(Api({"queues", "put", WriteFile("q.yaml", "name: billing\nchannels: [2, 3]\n")})).code,
      0);
  const std::string yaml =
      "rules:\n"
      "  - name: refunds\n"
      "    keywords: [refund, money back]\n"
      "    category: billing\n"
      "    priority: PRIORITY_P2\n"
      "    queue: billing\n"
      "    attributes: {lang: \"yes\"}\n"
      "default_queues: [{channel: CHANNEL_CHAT, queue: billing}]\n"
      "default_queue_by_channel: {3: billing}\n"  // the older form, folded into the list
      "default_queue: billing\n"
      "min_confidence: 0.75\n";
  CommandResult put = Ctl(Api({"config", "put", WriteFile("config.yaml", yaml)}));
  ASSERT_EQ(put.code, 0) << put.err;
  v1::TenantConfig stored = GetConfig();
  EXPECT_EQ(put.out, "stored config version " + std::to_string(stored.version()) + "\n");
  ASSERT_EQ(stored.rules_size(), 1);
  EXPECT_EQ(stored.rules(0).keywords(0), "refund");  // text in YAML and in the API
  EXPECT_EQ(stored.rules(0).keywords(1), "money back");
  EXPECT_EQ(stored.rules(0).attributes().at("lang"), "yes");
  std::map<int, std::string> defaults;
  for (const auto& d : stored.default_queues()) defaults[d.channel()] = d.queue();
  EXPECT_EQ(defaults, (std::map<int, std::string>{{2, "billing"}, {3, "billing"}}));
  EXPECT_DOUBLE_EQ(stored.min_confidence(), 0.75);

  CommandResult get = Ctl(Api({"config", "get"}));
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_TRUE(absl::StrContains(get.out, "- money back\n")) << get.out;
  EXPECT_TRUE(absl::StrContains(get.out, "lang: \"yes\"\n")) << get.out;
  CommandResult get_json = Ctl(Api({"config", "get", "--output", "json"}));
  v1::TenantConfig from_json;
  ASSERT_TRUE(published::FromJson(get_json.out, &from_json).ok()) << get_json.out;
  EXPECT_TRUE(MessageDifferencer::Equals(from_json, stored));
  // Keywords are text in JSON too (the API's `string`), never base64.
  EXPECT_TRUE(absl::StrContains(get_json.out, "\"money back\"")) << get_json.out;
  EXPECT_FALSE(absl::StrContains(get_json.out, "cmVmdW5k")) << get_json.out;
  // What get printed (YAML or JSON) puts back unchanged but for the version.
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"back.yaml", get.out}, {"back.json", get_json.out}}) {
    CommandResult back = Ctl(Api({"config", "put", WriteFile(name, text)}));
    ASSERT_EQ(back.code, 0) << name << ": " << back.err;
    v1::TenantConfig now = GetConfig();
    EXPECT_GT(now.version(), stored.version());
    now.set_version(stored.version());
    EXPECT_TRUE(MessageDifferencer::Equals(now, stored)) << name;
  }
}

TEST_F(CtlE2E, BadInputIsExitTwoWithAMessageNamingWhatIsWrong) {
  ASSERT_EQ(
      Ctl(Api({"queues", "put", WriteFile("q.yaml", "name: ok\nchannels: [CHANNEL_CHAT]\n")})).code,
      0);
  // The services create the tenant's streams once they see it; then nothing else changes.
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        return e2e::CmdInt(*redis_conn_,
                           {"EXISTS", "{t:acme}:s:intake", "{t:acme}:s:classified"}) == 2;
      },
      std::chrono::seconds(10)));
  auto before = e2e::SnapshotRedis(*redis_conn_);
  struct Case {
    std::vector<std::string> args;
    std::string file_text;  // written to the file named in args[2] when not empty
    std::string expected;   // in stderr
  };
  const std::vector<Case> cases = {
      {{"queues", "put", "/nonexistent/q.yaml"}, "", "/nonexistent/q.yaml: cannot read the file"},
      {{"queues", "put", "broken.yaml"}, "name: x\nchannels: [CHANNEL_CHAT\n", "invalid YAML"},
      {{"queues", "put", "typo.yaml"},
       "name: x\nchannels: [CHANNEL_CHAT]\nsla_target_precent: 80\n",
       "line 3: sla_target_precent: unknown field"},
      {{"queues", "put", "enum.yaml"},
       "name: x\nchannels:\n  - CHANNEL_CHAT\n  - CHANNEL_FAX\n",
       "line 4: channels[1]: 'CHANNEL_FAX' is not a Channel"},
      {{"queues", "put", "number.yaml"},
       "name: x\nchannels: [2]\nmax_waiting: lots\n",
       "line 3: max_waiting: 'lots' is not an integer"},
      {{"queues", "put", "bad.json"},
       "{\"name\": \"x\",\n \"channels\": [2],\n \"strategy\": \"FASTEST\"}",
       "line 3: strategy: 'FASTEST' is not a Strategy"},
      {{"config", "put", "nested.yaml"},
       "rules:\n  - name: r\n    priority: P9\n",
       "line 3: rules[0].priority: 'P9' is not a Priority"},
      // Refused by the server (INVALID_ARGUMENT naming the field) is a usage error too.
      {{"queues", "put", "server.yaml"},
       "name: x\nchannels: [2]\nsla_target_percent: 500\n",
       "sla_target_percent"},
      {{"queues", "get"}, "", "missing NAME"},
      {{"queues", "list", "--output", "xml"}, "", "--output: 'xml' is not one of"},
      {{"queues", "list", "--bogus"}, "", "unknown flag --bogus"},
      {{"events", "tail", "--from", "1"}, "", "--from"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    if (!c.file_text.empty()) args[2] = WriteFile(args[2], c.file_text);
    CommandResult r = Ctl(Api(args));
    EXPECT_EQ(r.code, 2) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_TRUE(absl::StrContains(r.err, c.expected))
        << "expected '" << c.expected << "' in " << r.err;
    EXPECT_EQ(r.out, "");
  }
  // Unknown commands, no API key, and a key without the role.
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"frobnicate"}, {"queues", "frob"}}) {
    CommandResult r = Ctl(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(absl::StrContains(r.err, "unknown command")) << r.err;
  }
  CommandResult no_key = Ctl({"queues", "list", "--routing-addr", routing_addr()});
  EXPECT_EQ(no_key.code, 2);
  EXPECT_TRUE(absl::StrContains(no_key.err, "--api-key")) << no_key.err;
  CommandResult no_role = Ctl(Api(
      {"queues", "put", WriteFile("ok.yaml", "name: y\nchannels: [2]\n")}, keys_["integrator"]));
  EXPECT_EQ(no_role.code, 4);
  EXPECT_TRUE(absl::StrContains(no_role.err, "PERMISSION_DENIED")) << no_role.err;
  // Nothing of it changed anything.
  EXPECT_EQ(e2e::DiffSnapshots(before, e2e::SnapshotRedis(*redis_conn_)), "");
  // Unreachable services are 1.
  CommandResult down = Ctl({"queues", "list", "--routing-addr", "127.0.0.1:1", "--api-key", "k"});
  EXPECT_EQ(down.code, 1) << down.err;
}

}  // namespace
}  // namespace omniroute
