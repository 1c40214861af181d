// The fixture of the omniroute-ctl e2e tests: the services and Redis as processes, tenant
// "acme" with a key per role and an operator key (admin,supervisor) made by `keys create`, and
// helpers to run omniroute-ctl and read its output.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {

class CtlE2E : public ::testing::Test {
 protected:
  CtlE2E() : api_(cluster_.endpoints()) {}

  void SetUp() override {
    keys_ = cluster_.CreateTenant("acme");
    redis_conn_ = cluster_.redis().Connect();
    e2e::CommandResult r = Ctl(Redis(
        {"keys", "create", "--tenant", "acme", "--roles", "admin,supervisor", "--name", "ops"}));
    ASSERT_EQ(r.code, 0) << r.err;
    operator_key_ = Trim(r.out);
  }

  // Runs omniroute-ctl with `args`, `env` added to its environment and `input` on stdin.
  e2e::CommandResult Ctl(std::vector<std::string> args,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& input = "") {
    args.insert(args.begin(), testing::BinDir() + "/omniroute-ctl");
    return e2e::RunCommand(args, env, input, cluster_.dir());
  }
  // `args` with the Redis flag, or with the routing address and an API key (the operator's).
  std::vector<std::string> Redis(std::vector<std::string> args) {
    args.push_back("--redis-url=" + cluster_.redis().url());
    return args;
  }
  std::vector<std::string> Api(std::vector<std::string> args, const std::string& key = "") {
    args.push_back("--routing-addr=" + routing_addr());
    args.push_back("--api-key=" + (key.empty() ? operator_key_ : key));
    return args;
  }
  std::string routing_addr() { return cluster_.endpoints().routing; }

  // Writes `text` to a file of the test's directory; returns its path.
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = cluster_.dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  static std::string Trim(const std::string& s) {
    return std::string(absl::StripAsciiWhitespace(s));
  }
  // The lines of a command's output split into whitespace-separated words.
  static std::vector<std::vector<std::string>> Rows(const std::string& out) {
    std::vector<std::vector<std::string>> rows;
    for (auto line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
      rows.push_back(absl::StrSplit(line, ' ', absl::SkipEmpty()));
    }
    return rows;
  }

  redis::Reply RedisCmd(const std::vector<std::string>& argv) {
    return e2e::Cmd(*redis_conn_, argv);
  }
  std::string HGet(const std::string& key, const std::string& field) {
    return RedisCmd({"HGET", key, field}).str;
  }
  std::unique_ptr<grpc::ClientContext> Admin() { return sim::ApiClient::Context(operator_key_); }
  v1::Queue GetQueue(const std::string& name) {
    v1::GetQueueRequest req;
    req.set_name(name);
    v1::GetQueueResponse resp;
    auto st = api_.admin().GetQueue(Admin().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.queue();
  }
  v1::TenantConfig GetConfig() {
    v1::GetTenantConfigRequest req;
    v1::GetTenantConfigResponse resp;
    auto st = api_.admin().GetTenantConfig(Admin().get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.config();
  }
  // Logs an agent in (AVAILABLE unless told), for one chat at a time.
  grpc::Status LogIn(const std::string& agent, v1::AgentState state = v1::AGENT_STATE_AVAILABLE) {
    v1::SetAgentStateRequest r;
    r.set_agent_id(agent);
    r.set_state(state);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(1);
    v1::SetAgentStateResponse resp;
    return api_.routing().SetAgentState(sim::ApiClient::Context(keys_["agent"]).get(), r, &resp);
  }

  testing::Cluster cluster_;
  sim::ApiClient api_;
  std::map<std::string, std::string> keys_;  // CreateTenant's, by role
  std::string operator_key_;
  std::unique_ptr<redis::Connection> redis_conn_;
};

}  // namespace omniroute
