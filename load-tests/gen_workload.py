#!/usr/bin/python3
"""Writes a synthetic what-if workload (proto3 JSON of omniroute.v1.Workload): Poisson arrivals
over a few queues, exponential handle times and patience, and a fixed roster, so that the
replay's speed can be measured at any size (load-tests/whatif-bench.sh)."""
import argparse
import json
import random

QUEUES = [  # name, channel, share of arrivals, skill
    ("voice", "CHANNEL_VOICE", 0.4, "general"),
    ("chat", "CHANNEL_CHAT", 0.3, "general"),
    ("billing", "CHANNEL_VOICE", 0.2, "billing"),
    ("email", "CHANNEL_EMAIL", 0.1, "general"),
]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seconds", type=int, default=3600)
    p.add_argument("--rate", type=float, default=50.0, help="arrivals per second")
    p.add_argument("--handle-ms", type=float, default=8000, help="mean handle time")
    p.add_argument("--patience-ms", type=float, default=60000, help="mean patience")
    p.add_argument("--occupancy", type=float, default=0.9, help="offered load / agents")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    rng = random.Random(a.seed)
    start = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    queues = [{"name": n, "channels": [ch], "requiredSkills": [{"name": s, "proficiency": 1}],
               "slaThresholdSeconds": 20, "slaTargetPercent": 80} for n, ch, _, s in QUEUES]
    agents = int(a.rate * a.handle_ms / 1000 / a.occupancy) + 1
    roster = []
    for i in range(agents):
        skills = [{"name": "general", "proficiency": 3}]
        if i % 5 == 0:
            skills.append({"name": "billing", "proficiency": 3})
        roster.append({"atMs": 0, "agentId": "a%04d" % i, "state": "AGENT_STATE_AVAILABLE",
                       "skills": skills,
                       "capacities": [{"channel": ch, "max": 1} for ch in
                                      ("CHANNEL_VOICE", "CHANNEL_CHAT", "CHANNEL_EMAIL")]})
    arrivals, t, n = [], 0.0, 0
    weights = [q[2] for q in QUEUES]
    while True:
        t += rng.expovariate(a.rate)
        if t * 1000 >= a.seconds * 1000:
            break
        name, ch, _, _ = rng.choices(QUEUES, weights)[0]
        n += 1
        patience = rng.expovariate(1.0 / a.patience_ms)
        arrivals.append({"atMs": str(int(t * 1000)), "interactionId": "r%d" % n, "channel": ch,
                         "queue": name, "priority": "PRIORITY_P3",
                         "handleMs": str(max(50, int(rng.expovariate(1.0 / a.handle_ms)))),
                         "patienceMs": str(max(1, int(patience))), "outcome": "open"})
    w = {"tenantId": "bench", "startMs": str(start), "endMs": str(start + a.seconds * 1000),
         "config": {"defaultQueue": "voice"}, "queues": queues, "roster": roster,
         "arrivals": arrivals}
    with open(a.out, "w") as f:
        json.dump(w, f)
    print("wrote %s: %d arrivals over %d s, %d agents" % (a.out, len(arrivals), a.seconds, agents))


if __name__ == "__main__":
    main()
