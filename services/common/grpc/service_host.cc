#include "services/common/grpc/service_host.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <signal.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/reflection.h"
#include "services/common/grpc/rpc_roles.h"
#include "services/common/log/log.h"

namespace omniroute {

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ServiceHost::ServiceHost(HostOptions options, redis::Pool* pool)
    : options_(std::move(options)),
      pool_(pool),
      registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("omniroute_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"service", options_.service}, {"version", OMNIROUTE_VERSION}})
      .Set(1);
  redis_up_ = &prometheus::BuildGauge()
                   .Name("omniroute_redis_up")
                   .Help("1 when the last Redis health check of this replica succeeded.")
                   .Register(*registry_)
                   .Add({{"service", options_.service}});
  rpc_metrics_ = std::make_unique<RpcMetrics>(*registry_, options_.service);
  redis_metrics_ = std::make_unique<RedisMetrics>(*registry_, options_.service);
  pool_->SetObserver(redis_metrics_.get());
}

void ServiceHost::AddLoop(std::string name,
                          std::function<void(const std::atomic<bool>& stop)> loop) {
  loops_.emplace_back(std::move(name), std::move(loop));
}

void ServiceHost::ReadinessLoop() {
  auto* health = server_->GetHealthCheckService();
  bool last = false, first = true;
  // Its own connection, not one of the pool's: while Redis stalls, every pooled connection may
  // be held by a call waiting for it, and readiness must still report within its bound.
  std::unique_ptr<redis::Connection> conn;
  while (!stop_.load()) {
    bool ok = false;
    if (conn == nullptr || conn->broken()) {
      auto opened = pool_->OpenDedicated(options_.readiness_timeout);
      conn = opened.ok() ? std::move(*opened) : nullptr;
    }
    if (conn != nullptr) {
      // A PING not answered within readiness_timeout (Redis stopped, overloaded, loading)
      // breaks the connection and makes the replica NOT_SERVING.
      // On a Redis Cluster, every master (a failover in progress makes the replica wait).
      ok = conn->ForEachMaster([](redis::Connection& node) {
                 auto r = node.Command({"PING"});
                 if (!r.ok()) return r.status();
                 return redis::ReplyError(*r, "PING");
               })
               .ok();
    }
    // Redis is down, stalled or restarting: the pool's idle connections are likely dead; drop
    // them so that calls after its return open fresh ones instead of failing on the old ones.
    if (!ok) pool_->DropIdle();
    redis_up_->Set(ok ? 1 : 0);
    bool serving = ok && !draining_.load();
    if (first || serving != last) {
      health->SetServingStatus(serving);
      for (const auto& name : options_.health_names) health->SetServingStatus(name, serving);
      if (!first || !serving) {
        log::Info(serving ? "serving" : "not serving", {{"redis", ok ? "up" : "down"}});
      }
      last = serving;
      first = false;
    }
    for (int i = 0; i < 10 && !stop_.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

int ServiceHost::Run() {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>(
        absl::StrCat(options_.bind, ":", options_.metrics_port));
  } catch (const std::exception& e) {
    log::Error("cannot start the metrics endpoint",
               {{"port", std::to_string(options_.metrics_port)}, {"error", e.what()}});
    return 1;
  }
  exposer->RegisterCollectable(registry_);
  int metrics_port = exposer->GetListeningPorts().empty() ? 0 : exposer->GetListeningPorts()[0];

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(absl::StrCat(options_.bind, ":", options_.grpc_port),
                           tls::ServerCredentials(options_.tls), &grpc_port);
  builder.SetMaxReceiveMessageSize(8 * 1024 * 1024);
  // No SO_REUSEPORT: a second server on this host and port must fail to start (and say so)
  // instead of silently taking half of the port's connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // The sync server serves only gRPC's own health service: a few polling threads at most
  // (HostOptions); every omniroute service is a callback service.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS,
                              options_.sync_min_pollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              options_.sync_max_pollers);
  grpc::ResourceQuota quota("omniroute-" + options_.service);
  quota.SetMaxThreads(options_.max_threads);
  builder.SetResourceQuota(quota);
  for (auto* s : services_) builder.RegisterService(s);
  std::vector<std::string> names = options_.health_names;  // the omniroute.v1 services
  names.insert(names.end(), {"grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                             "grpc.reflection.v1alpha.ServerReflection"});
  reflection_v1_ = std::make_unique<ReflectionService<ReflectionV1>>(names);
  reflection_v1alpha_ = std::make_unique<ReflectionService<ReflectionV1Alpha>>(std::move(names));
  builder.RegisterService(reflection_v1_.get());
  builder.RegisterService(reflection_v1alpha_.get());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(rpc_metrics_->CreateInterceptorFactory());
  interceptors.push_back(RoleInterceptorFactory());  // marks each call for Authorize's roles
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || grpc_port == 0) {
    log::Error("cannot start the gRPC server", {{"port", std::to_string(options_.grpc_port)}});
    return 1;
  }
  // The HTTP/JSON front calls this server through its in-process channel: the same auth,
  // roles, validation and metrics as a gRPC call, without a network hop.
  std::unique_ptr<http::Front> front;
  int http_port = -1;
  if (options_.http.off_for_tls) {
    log::Warn(
        "HTTP port off: the gRPC port uses TLS and the HTTP front speaks plain HTTP; "
        "terminate TLS in front of it and pass --http-allow-plaintext to serve it",
        {});
  }
  if (options_.http.port >= 0) {
    front = std::make_unique<http::Front>(options_.http, options_.bind, registry_.get());
    for (auto& [prefix, handler] : http_routes_) front->AddRoute(prefix, handler);
    grpc::ChannelArguments args;
    auto bridge = std::make_unique<http::GrpcBridge>(server_->InProcessChannel(args),
                                                     options_.health_names, &draining_);
    if (auto st = front->Start(std::move(bridge), &http_port); !st.ok()) {
      log::Error("cannot start the HTTP front", {{"port", std::to_string(options_.http.port)},
                                                 {"error", std::string(st.message())}});
      server_->Shutdown();
      return 1;
    }
  }
  // Not serving until Redis answers.
  server_->GetHealthCheckService()->SetServingStatus(false);
  for (const auto& name : options_.health_names) {
    server_->GetHealthCheckService()->SetServingStatus(name, false);
  }
  log::Info("listening", {{"grpc_port", std::to_string(grpc_port)},
                          {"metrics_port", std::to_string(metrics_port)},
                          {"http_port", std::to_string(http_port)},
                          {"grpc_tls", !options_.tls.enabled()               ? "off"
                                       : options_.tls.client_ca_file.empty() ? "tls"
                                                                             : "mtls"}});

  std::vector<std::thread> threads;
  threads.emplace_back([this] { ReadinessLoop(); });
  for (auto& [name, loop] : loops_) {
    threads.emplace_back([this, &loop = loop] { loop(stop_); });
  }

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  log::Info("draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});

  draining_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  for (const auto& name : options_.health_names) {
    server_->GetHealthCheckService()->SetServingStatus(name, false);
  }
  stop_ = true;
  for (auto& t : threads) t.join();
  // Event streams end (they watch draining_), requests in flight finish, the port closes.
  if (front) front->Stop();
  // Shutdown sends each connection a GOAWAY and a PING, and closes it once the client answered
  // the PING and has no call left. A client answers only while it reads a call, so the streams
  // are ended (drain hooks) a moment after the GOAWAY, not before: ended first, an idle client
  // would never answer and the server would wait for the whole drain deadline.
  std::thread shutdown([this] {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(options_.drain_seconds));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (auto& hook : drain_hooks_) hook();
  shutdown.join();
  server_->Wait();
  log::Info("stopped");
  return 0;
}

}  // namespace omniroute
