// The fixture of the webhook e2e tests: the services, webhook workers and Redis (or a Redis
// Cluster) as processes, tenants with a chat queue, and helpers to subscribe webhooks, make
// events, and read what a receiver got against what it should get (webhook_ledger.h).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/webhook_ledger.h"
#include "tests/support/cluster.h"
#include "tests/support/webhook_receiver.h"

namespace omniroute {

class WebhooksE2E : public ::testing::Test {
 protected:
  using milliseconds = std::chrono::milliseconds;
  using seconds = std::chrono::seconds;
  using WebhookReceiver = testing::WebhookReceiver;

  // A cluster with `workers` webhook workers that may deliver to loopback, with quick retries,
  // on a Redis Cluster of `redis_masters` masters when that is above 0; each tenant has a chat
  // queue "support" that takes every interaction.
  void Start(int workers, std::vector<std::string> flags,
             std::vector<std::string> tenants = {"acme"}, int redis_masters = 0) {
    testing::ClusterOptions options;
    options.webhooks_replicas = workers;
    options.redis_cluster_masters = redis_masters;
    options.extra_webhooks_flags = {"--allow-loopback", "--poll-ms=20", "--gauge-interval-ms=200",
                                    "--backoff-base-ms=20", "--backoff-cap-ms=200"};
    options.extra_webhooks_flags.insert(options.extra_webhooks_flags.end(), flags.begin(),
                                        flags.end());
    cluster_ = std::make_unique<testing::Cluster>(options);
    api_ = std::make_unique<sim::ApiClient>(cluster_->endpoints());
    redis_ = cluster_->ConnectRedis();
    for (const auto& tenant : tenants) {
      keys_[tenant] = cluster_->CreateTenant(tenant);
      ASSERT_TRUE(e2e::PutQueue(*api_, Key("admin", tenant), "support", {v1::CHANNEL_CHAT}).ok());
      v1::TenantConfig config;
      config.set_default_queue("support");
      ASSERT_TRUE(e2e::PutConfig(*api_, Key("admin", tenant), config).ok());
    }
  }

  const std::string& Key(const std::string& role, const std::string& tenant = "acme") {
    return keys_[tenant][role];
  }

  // A new webhook; its events are those after the feed's newest event now.
  v1::PutWebhookResponse Subscribe(const std::string& url, std::vector<std::string> types = {},
                                   const std::string& tenant = "acme") {
    v1::PutWebhookRequest req;
    req.mutable_webhook()->set_url(url);
    for (const auto& t : types) req.mutable_webhook()->add_event_types(t);
    v1::PutWebhookResponse resp;
    auto st = api_->admin().PutWebhook(Ctx(tenant).get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    after_[resp.webhook().id()] = e2e::LastEventId(*redis_, tenant);
    return resp;
  }

  // Submits `n` chats (every `cancel_every`-th is then canceled) and waits until each is queued
  // or canceled: the feed stops growing then (no agents).
  void Workload(int n, int cancel_every, const std::string& tenant = "acme") {
    const std::string& key = Key("integrator", tenant);
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(e2e::SubmitChat(*api_, key, "hi"));
    ASSERT_TRUE(e2e::WaitFor(
        [&] {
          for (const auto& id : ids) {
            if (e2e::GetInteraction(*api_, key, id).state() != v1::INTERACTION_STATE_QUEUED) {
              return false;
            }
          }
          return true;
        },
        seconds(20)));
    for (size_t i = 0; i < ids.size(); i += cancel_every) {
      v1::CancelInteractionRequest r;
      r.set_interaction_id(ids[i]);
      v1::CancelInteractionResponse resp;
      auto st = api_->intake().CancelInteraction(sim::ApiClient::Context(key).get(), r, &resp);
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
  }

  // The events the webhook should get, in feed order.
  std::vector<e2e::FeedEvent> Expected(const v1::PutWebhookResponse& w,
                                       const std::string& tenant = "acme") {
    std::set<std::string> types(w.webhook().event_types().begin(), w.webhook().event_types().end());
    std::vector<e2e::FeedEvent> out;
    for (auto& e : e2e::ReadFeedFromRedis(*redis_, tenant, after_[w.webhook().id()])) {
      if (types.empty() || types.count(e.type)) out.push_back(std::move(e));
    }
    return out;
  }

  // Waits (bounded) until the receiver has every expected event, then returns its ledger.
  e2e::WebhookLedger WaitDelivered(const WebhookReceiver& receiver, const v1::PutWebhookResponse& w,
                                   const std::vector<e2e::FeedEvent>& expected,
                                   const std::string& tenant = "acme") {
    e2e::WebhookLedger ledger;
    e2e::WaitFor(
        [&] {
          ledger = e2e::CheckWebhookDeliveries(receiver.requests(), tenant, w.webhook().id(),
                                               w.secret(), expected);
          return ledger.missing.empty() || !ledger.problems.empty();
        },
        seconds(60), milliseconds(100));
    return ledger;
  }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& tenant = "acme") {
    return sim::ApiClient::Context(Key("admin", tenant));
  }

  // The sum of a counter over every webhook worker's /metrics.
  double WorkerMetric(const std::string& series) {
    double sum = 0;
    for (auto* r : cluster_->Replicas("webhooks")) {
      int code = 0;
      std::string body = e2e::HttpGet(r->metrics_port, "/metrics", &code);
      for (size_t at = body.find("\n" + series); at != std::string::npos;
           at = body.find("\n" + series, at + 1)) {
        size_t space = body.find(' ', at + 1);
        size_t end = body.find('\n', space);
        sum += std::stod(body.substr(space + 1, end - space - 1));
      }
    }
    return sum;
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::map<std::string, std::string>> keys_;  // tenant -> role -> key
  std::unique_ptr<sim::ApiClient> api_;
  std::unique_ptr<redis::Connection> redis_;
  std::map<std::string, std::string> after_;  // webhook id -> the feed's newest event then
};

}  // namespace omniroute
