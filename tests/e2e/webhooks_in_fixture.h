// The services with a tenant, a queue and its sources of provider webhooks, for
// webhooks_in_test.cc: posts recorded-format payloads (tests/e2e/webhooks_in/) with curl and
// reads what was stored through the API and Redis.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "omniroute/v1/admin.pb.h"
#include "omniroute/v1/intake.pb.h"
#include "services/common/keys.h"
#include "tests/e2e/http_client.h"
#include "tests/support/cluster.h"

namespace omniroute::webhooks_test {

using e2e::Curl;
using e2e::HttpResult;
using e2e::Parse;
using e2e::PostJson;

inline constexpr char kTenant[] = "acme";

// A fixture file of tests/e2e/webhooks_in/.
inline std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(OMNIROUTE_SOURCE_DIR) + "/tests/e2e/webhooks_in/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The multipart fixtures are kept with LF line ends; providers send CRLF.
inline std::string Crlf(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\n", "\r\n"}});
}

class WebhooksInE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new testing::Cluster();
    keys_ = new std::map<std::string, std::string>(cluster_->CreateTenant(kTenant));
    cluster_->CreateTenant("globex");
    auto r = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/PutQueue"), Key("admin"),
                      R"({"queue": {"name": "support", "channels": [
                          "CHANNEL_VOICE", "CHANNEL_CHAT", "CHANNEL_EMAIL", "CHANNEL_SMS",
                          "CHANNEL_MESSAGING"]}})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static void TearDownTestSuite() {
    delete keys_;
    delete cluster_;
  }

  static std::string Key(const std::string& role) { return keys_->at(role); }
  static std::string Url(const std::string& service, const std::string& path) {
    for (const auto& r : cluster_->replicas()) {
      if (r.service == service) return r.http_url() + path;
    }
    return "";
  }

  // PutInboundSource through the HTTP front; the answer's source.
  static v1::InboundSource PutSource(const std::string& source_json, int want = 200) {
    auto r = PostJson(cluster_->dir(), Url("routing", "/omniroute.v1.Admin/PutInboundSource"),
                      Key("admin"), R"({"source": )" + source_json + "}");
    EXPECT_EQ(r.status, want) << r.body;
    if (r.status != 200) return {};
    return Parse<v1::PutInboundSourceResponse>(r.body).source();
  }

  static HttpResult Post(const std::string& path, const std::vector<std::string>& headers,
                         const std::string& body) {
    return Curl(cluster_->dir(), "POST", Url("intake", path), headers, body);
  }

  // How many interactions the tenant has (every hash P:ix:<id>).
  static int InteractionCount() {
    auto conn = cluster_->ConnectRedis();
    std::string cursor = "0";
    int n = 0;
    for (int i = 0; i < 1000; ++i) {
      auto r = conn->Command(
          {"SCAN", cursor, "MATCH", TenantKeys(kTenant).Interaction("*"), "COUNT", "1000"});
      if (!r.ok() || r->elements.size() != 2) {
        ADD_FAILURE() << "SCAN failed";
        return -1;
      }
      cursor = r->elements[0].str;
      n += static_cast<int>(r->elements[1].elements.size());
      if (cursor == "0") return n;
    }
    ADD_FAILURE() << "SCAN did not end";
    return -1;
  }

  // The interaction stored under an idempotency key, "" when none.
  static std::string ByIdempotencyKey(const std::string& key) {
    auto r = cluster_->ConnectRedis()->Command({"GET", TenantKeys(kTenant).Idempotency(key)});
    return r.ok() && !r->is_nil() ? r->str : "";
  }

  // Waits until the interaction waits in a queue (routed), up to 20 s; returns it as the API
  // shows it.
  static v1::Interaction WaitQueued(const std::string& id) {
    v1::Interaction ix;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = PostJson(cluster_->dir(), Url("intake", "/omniroute.v1.Intake/GetInteraction"),
                        Key("integrator"), R"({"interactionId": ")" + id + R"("})");
      if (r.status == 200) {
        ix = Parse<v1::GetInteractionResponse>(r.body).interaction();
        if (ix.state() == v1::INTERACTION_STATE_QUEUED) return ix;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "interaction " << id << " not queued; state " << ix.state();
    return ix;
  }

  // omniroute_intake_webhooks_total{kind,result} on the intake replica.
  static int64_t WebhookCount(const std::string& kind, const std::string& result) {
    int port = 0;
    for (const auto& r : cluster_->replicas()) {
      if (r.service == "intake") port = r.metrics_port;
    }
    auto m = Curl(cluster_->dir(), "GET", absl::StrCat("http://127.0.0.1:", port, "/metrics"), {});
    std::string series = absl::StrCat("omniroute_intake_webhooks_total{kind=\"", kind,
                                      "\",result=\"", result, "\"} ");
    size_t at = m.body.find(series);
    if (at == std::string::npos) return 0;
    double v = 0;
    std::string rest = m.body.substr(at + series.size());
    EXPECT_TRUE(absl::SimpleAtod(rest.substr(0, rest.find('\n')), &v)) << rest;
    return static_cast<int64_t>(v);
  }

  static testing::Cluster* cluster_;
  static std::map<std::string, std::string>* keys_;
};

inline testing::Cluster* WebhooksInE2E::cluster_ = nullptr;
inline std::map<std::string, std::string>* WebhooksInE2E::keys_ = nullptr;

}  // namespace omniroute::webhooks_test
