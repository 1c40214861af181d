// webhooks list|get|put|delete|rotate-secret|dead-letters|redeliver|drop: webhooks out, through
// the Admin API of the routing service (role admin).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/proto_file.h"

namespace omniroute::ctl {
namespace {

const std::vector<Format> kListFormats = {Format::kText, Format::kJson, Format::kYaml};

int ListWebhooks(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "", kListFormats,
                            "Lists the tenant's webhooks with their pending and dropped "
                            "deliveries (role admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::ListWebhooksRequest req;
  req.set_tenant_id(api.tenant);
  v1::ListWebhooksResponse resp;
  auto st = api.Client()->admin().ListWebhooks(api.Context().get(), req, &resp);
  if (!st.ok() || api.format != Format::kText) return PrintResult(argv[0], st, resp, api.format);
  std::vector<std::vector<std::string>> rows = {
      {"ID", "URL", "EVENTS", "ENABLED", "PENDING", "DROPPED"}};
  for (const auto& w : resp.webhooks()) {
    rows.push_back({w.id(), w.url(),
                    w.event_types().empty() ? "*" : absl::StrJoin(w.event_types(), ","),
                    w.disabled() ? "no" : "yes", std::to_string(w.pending_deliveries()),
                    std::to_string(w.dropped_deliveries())});
  }
  PrintTable(rows);
  return kExitOk;
}

int GetWebhook(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code =
          api.Parse(flags, "ID", {Format::kYaml, Format::kJson},
                    "Prints one webhook, as `webhooks put` reads it (role admin).\n", argc, argv)) {
    return *code;
  }
  v1::GetWebhookRequest req;
  req.set_tenant_id(api.tenant);
  req.set_id(api.arg);
  v1::GetWebhookResponse resp;
  auto st = api.Client()->admin().GetWebhook(api.Context().get(), req, &resp);
  return PrintResult(argv[0], st, resp.webhook(), api.format);
}

int PutWebhook(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(
          flags, "FILE", {},
          "Creates the webhook FILE defines (without an id; prints its signing secret on stdout, "
          "the only time it is shown, and its id on stderr) or replaces the one with its id "
          "(role admin). FILE is YAML or JSON (- reads stdin) of the Webhook message of "
          "proto/omniroute/v1/admin.proto, e.g.\n  url: https://hooks.example.com/omniroute\n"
          "  event_types: [queued, completed]\n",
          argc, argv)) {
    return *code;
  }
  v1::PutWebhookRequest req;
  req.set_tenant_id(api.tenant);
  if (auto st = ReadMessageFile(api.arg, req.mutable_webhook()); !st.ok()) {
    return Fail(argv[0], st);
  }
  v1::PutWebhookResponse resp;
  auto st = api.Client()->admin().PutWebhook(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  if (resp.secret().empty()) {
    std::printf("stored webhook %s\n", resp.webhook().id().c_str());
  } else {
    std::printf("%s\n", resp.secret().c_str());
    std::fprintf(stderr, "created webhook %s (the line above is its signing secret)\n",
                 resp.webhook().id().c_str());
  }
  return kExitOk;
}

int DeleteWebhook(int argc, char** argv) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(flags, "ID", {},
                            "Deletes a webhook; its queued deliveries are discarded, its dead "
                            "letters stay (role admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::DeleteWebhookRequest req;
  req.set_tenant_id(api.tenant);
  req.set_id(api.arg);
  v1::DeleteWebhookResponse resp;
  auto st = api.Client()->admin().DeleteWebhook(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  std::printf("deleted webhook %s\n", api.arg.c_str());
  return kExitOk;
}

int RotateSecret(int argc, char** argv) {
  ApiFlags api;
  int overlap = 0;
  config::Flags flags(argv[0]);
  flags.Add("overlap-seconds", &overlap,
            "how long the previous secret keeps signing alongside the new one (0..604800)");
  if (auto code = api.Parse(flags, "ID", {},
                            "Gives a webhook a new signing secret and prints it on stdout (role "
                            "admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::RotateWebhookSecretRequest req;
  req.set_tenant_id(api.tenant);
  req.set_id(api.arg);
  req.set_previous_secret_seconds(overlap);
  v1::RotateWebhookSecretResponse resp;
  auto st = api.Client()->admin().RotateWebhookSecret(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  std::printf("%s\n", resp.secret().c_str());
  return kExitOk;
}

int DeadLetters(int argc, char** argv) {
  ApiFlags api;
  int page_size = 50;
  std::string page_token;
  config::Flags flags(argv[0]);
  flags.Add("page-size", &page_size, "dead letters per page (1..500)");
  flags.Add("page-token", &page_token, "next_page_token of the page before");
  if (auto code = api.Parse(flags, "", kListFormats,
                            "Lists the tenant's dead letters, newest first: deliveries that "
                            "failed every attempt, with the last error (role admin).\n",
                            argc, argv)) {
    return *code;
  }
  v1::ListWebhookDeadLettersRequest req;
  req.set_tenant_id(api.tenant);
  req.set_page_size(page_size);
  req.set_page_token(page_token);
  v1::ListWebhookDeadLettersResponse resp;
  auto st = api.Client()->admin().ListWebhookDeadLetters(api.Context().get(), req, &resp);
  if (!st.ok() || api.format != Format::kText) return PrintResult(argv[0], st, resp, api.format);
  std::vector<std::vector<std::string>> rows = {
      {"DELIVERY_ID", "EVENT", "ATTEMPTS", "STATUS", "PARKED", "LAST_ERROR"}};
  for (const auto& d : resp.dead_letters()) {
    rows.push_back({d.delivery_id(), d.event().type(), std::to_string(d.attempts()),
                    std::to_string(d.last_status()), FormatTimeMs(d.dead_lettered_ms()),
                    d.last_error()});
  }
  PrintTable(rows);
  std::printf("%lld dead letter(s)%s\n", static_cast<long long>(resp.total()),
              resp.next_page_token().empty()
                  ? ""
                  : absl::StrCat("; next page: --page-token ", resp.next_page_token()).c_str());
  return kExitOk;
}

// Redeliver and drop: dead letters by delivery id (comma-separated).
int ActOnDeadLetters(int argc, char** argv, bool redeliver) {
  ApiFlags api;
  config::Flags flags(argv[0]);
  if (auto code = api.Parse(
          flags, "DELIVERY_IDS", {},
          redeliver ? "Queues dead letters (comma-separated delivery ids) for delivery again; "
                      "each leaves the dead letters (role admin).\n"
                    : "Drops dead letters (comma-separated delivery ids) for good (role admin).\n",
          argc, argv)) {
    return *code;
  }
  std::vector<std::string> ids = absl::StrSplit(api.arg, ',', absl::SkipEmpty());
  if (redeliver) {
    v1::RedeliverWebhookDeadLettersRequest req;
    req.set_tenant_id(api.tenant);
    for (const auto& id : ids) req.add_delivery_ids(id);
    v1::RedeliverWebhookDeadLettersResponse resp;
    auto st = api.Client()->admin().RedeliverWebhookDeadLetters(api.Context().get(), req, &resp);
    if (!st.ok()) return Fail(argv[0], st);
    std::printf(
        "redelivered %d; not found: %s; webhook deleted: %s\n", resp.redelivered_size(),
        resp.not_found().empty() ? "-" : absl::StrJoin(resp.not_found(), ",").c_str(),
        resp.webhook_deleted().empty() ? "-" : absl::StrJoin(resp.webhook_deleted(), ",").c_str());
    return resp.redelivered_size() == static_cast<int>(ids.size()) ? kExitOk : kExitNotFound;
  }
  v1::DeleteWebhookDeadLettersRequest req;
  req.set_tenant_id(api.tenant);
  for (const auto& id : ids) req.add_delivery_ids(id);
  v1::DeleteWebhookDeadLettersResponse resp;
  auto st = api.Client()->admin().DeleteWebhookDeadLetters(api.Context().get(), req, &resp);
  if (!st.ok()) return Fail(argv[0], st);
  std::printf("dropped %d dead letter(s)\n", resp.deleted());
  return kExitOk;
}

int Redeliver(int argc, char** argv) { return ActOnDeadLetters(argc, argv, true); }
int Drop(int argc, char** argv) { return ActOnDeadLetters(argc, argv, false); }

}  // namespace

std::vector<Command> WebhookCommands() {
  return {{"webhooks", "list", "the tenant's webhooks", ListWebhooks},
          {"webhooks", "get", "one webhook (YAML or JSON)", GetWebhook},
          {"webhooks", "put", "create or replace a webhook from a YAML or JSON file", PutWebhook},
          {"webhooks", "delete", "delete a webhook", DeleteWebhook},
          {"webhooks", "rotate-secret", "give a webhook a new signing secret", RotateSecret},
          {"webhooks", "dead-letters", "deliveries that failed every attempt", DeadLetters},
          {"webhooks", "redeliver", "queue dead letters for delivery again", Redeliver},
          {"webhooks", "drop", "drop dead letters", Drop}};
}

}  // namespace omniroute::ctl
