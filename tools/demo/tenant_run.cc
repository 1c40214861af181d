#include "tools/demo/tenant_run.h"

#include <cstdio>
#include <utility>

#include "tools/demo/tenant_setup.h"

namespace omniroute::demo {

// The first tenant's seeds are those the demo had with one tenant (agents 99.., traffic 1000..).
TenantRun::TenantRun(sim::ApiClient* api, const Clock* clock, TenantKeys keys, std::string label,
                     int index)
    : api_(api),
      clock_(clock),
      keys_(std::move(keys)),
      label_(std::move(label)),
      seed_(static_cast<uint64_t>(index) * 1000000),
      events_(clock) {}

TenantRun::~TenantRun() {
  StopTraffic();
  if (!agents_stopped_) demo::StopAgents(staff_);
  events_.Stop();
  if (events_thread_.joinable()) events_thread_.join();
}

bool TenantRun::SetUp() { return SetUpTenant(*api_, keys_.tenant, keys_.admin_key); }

void TenantRun::FollowEvents(const std::string& after_event_id) {
  events_thread_ = std::thread([this, after_event_id] {
    events_.Run(*api_, keys_.admin_key, keys_.tenant, after_event_id);
  });
}

bool TenantRun::StartAgents(const std::vector<RosterEntry>& roster, int count) {
  staff_ = demo::StartAgents(api_, keys_.agent_key, roster, count, seed_ + 99);
  occupancy_.emplace(staff_.people_slots);
  if (staff_.people > 0) return true;
  std::fprintf(stderr, "omniroute-demo: %sno agent could log in\n", label_.c_str());
  return false;
}

void TenantRun::StartTraffic(double rate, const std::vector<v1::Channel>& channels,
                             const std::string& run_id) {
  traffic_thread_ = std::thread([this, rate, channels, run_id] {
    TrafficLoop(*api_, keys_.integrator_key, rate, channels, run_id, seed_ + 1000, stop_traffic_,
                traffic_);
  });
}

void TenantRun::Summary(int64_t elapsed_s) {
  double busy = occupancy_->Add(clock_->NowMs(), PeopleBusyMs(staff_));
  PrintSummary(*api_, keys_.tenant, keys_.admin_key, events_, traffic_, busy, elapsed_s, "",
               label_);
}

void TenantRun::StopTraffic() {
  stop_traffic_ = true;
  if (traffic_thread_.joinable()) traffic_thread_.join();
}

void TenantRun::StopAgents() {
  if (occupancy_) final_busy_ = occupancy_->Add(clock_->NowMs(), PeopleBusyMs(staff_));
  agents_total_ = demo::StopAgents(staff_);
  agents_stopped_ = true;
}

void TenantRun::FinalSummary(int64_t elapsed_s) {
  // With the agents logged out nothing is answered any more: the final line's queue figures
  // stay what GetQueueStats says until the services stop.
  PrintSummary(*api_, keys_.tenant, keys_.admin_key, events_, traffic_, final_busy_, elapsed_s,
               "final ", label_);
}

void TenantRun::Finish(bool report) {
  events_.Stop();
  if (events_thread_.joinable()) events_thread_.join();
  if (!report) return;
  const sim::AgentStats& t = agents_total_;
  std::printf(
      "%sagents: %lld offers, %lld accepted, %lld declined, %lld completed, %lld escalated by the "
      "bot; all logged out\n",
      label_.c_str(), static_cast<long long>(t.offers), static_cast<long long>(t.accepted),
      static_cast<long long>(t.rejected), static_cast<long long>(t.completed),
      static_cast<long long>(t.escalated));
  std::fflush(stdout);
}

}  // namespace omniroute::demo
