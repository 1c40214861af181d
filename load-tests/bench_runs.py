"""Reads the outputs of omniroute-bench runs kept by alternate-runs.sh (cluster-bench.sh,
wait-bench.sh) and prints their medians side by side."""
import os
import re
import statistics
import sys

ROUND = re.compile(r"^round (\d+): .* -> (\S+) routed/s(?: \(intake accepted (\S+)/s\))?")
DONE = re.compile(r"^  full life cycle: .* -> (\S+) done/s")
CALLS = re.compile(r"^  submit calls: (\d+) SubmitInteractions answered OK, client wall time per "
                   r"call ms p50 (\S+) p90 (\S+) p99 (\S+) max (\S+)(?: \((\d+) call)?")
MASTER = re.compile(r"^    master (\d+) (\S+) \((\d+) tenants?\): (\d+) routed, redis (\S+) us "
                    r"CPU/int, (\S+) cmds/int, busy (\S+)%")
REFUSED = re.compile(r"^  warning: (\d+) items not accepted")
TOTAL = re.compile(r"^    masters' total: (\d+) routed, redis (\S+) us CPU/int, (\S+) cmds/int, "
                   r"busy (\S+)%")
NAN = float("nan")


def num(s):
    try:
        return float(s)
    except ValueError:
        return NAN


def parse(path, who, masters=False):
    """The rounds of one run: routed/s, intake accepted/s, done/s, items not accepted, the submit
    calls, per master and all masters (required when `masters`)."""
    rounds = []
    refused = 0
    for line in open(path, encoding="utf-8", errors="replace"):
        if m := ROUND.match(line):
            rounds.append({"routed_s": num(m[2]), "accepted_s": num(m[3] or "n/a"), "done_s": NAN,
                           "refused": refused, "masters": []})
            refused = 0
        elif m := REFUSED.match(line):
            refused = int(m[1])  # printed before its round's line
        elif line.startswith("warm-up:"):
            refused = 0  # the warm-up's
        elif rounds and (m := DONE.match(line)):
            rounds[-1]["done_s"] = num(m[1])
        elif rounds and (m := CALLS.match(line)):
            rounds[-1]["calls"] = {"n": int(m[1]), "p50": num(m[2]), "p90": num(m[3]),
                                   "p99": num(m[4]), "max": num(m[5]), "retried": int(m[6] or 0)}
        elif rounds and (m := MASTER.match(line)):
            rounds[-1]["masters"].append({"tenants": int(m[3]), "routed": int(m[4]),
                                          "us": num(m[5]), "cmds": num(m[6]), "busy": num(m[7])})
        elif rounds and (m := TOTAL.match(line)):
            rounds[-1]["all"] = {"routed": int(m[1]), "us": num(m[2]), "cmds": num(m[3]),
                                 "busy": num(m[4])}
    if not rounds:
        sys.exit(f"{who}: no round in {path}")
    for i, r in enumerate(rounds):
        if masters and ("all" not in r or not r["masters"]):
            sys.exit(f"{who}: no per-master figures for round {i + 1} in {path}")
        if "calls" not in r:
            sys.exit(f"{who}: no submit calls line for round {i + 1} in {path}")
    return rounds


def side_rounds(out, side, runs, who, masters=False):
    """Every round of the runs 1..runs of `side` (an --out directory may hold older ones)."""
    return [r for n in range(1, int(runs) + 1)
            for r in parse(os.path.join(out, f"{side}-{n}.txt"), who, masters)]


def median(values):
    values = [v for v in values if v == v]
    return statistics.median(values) if values else NAN


def med(rows, get):
    return median([get(r) for r in rows])


def fmt(v, d=0):
    return "n/a" if v != v else f"{v:,.{d}f}"


def print_when(started, load0, load1):
    print(f"{started}; machine: {os.cpu_count()} cores, load average {load0} at the start, "
          f"{load1} at the end")


def print_figures_note(a, rounds_a, b, rounds_b):
    print(f"figures: the MEDIAN of {rounds_a} rounds ({a}) and {rounds_b} rounds ({b}), each row "
          "on its own.\nThe cores are shared with other work, so rounds vary: compare medians, "
          "read the rounds below;\ntiming here is never a pass/fail test.")


class SideBySide:
    """Rows of a label, side A's and side B's figure and B/A."""

    def __init__(self, a, b, ratio, label_width=44, width=18):
        self.lw, self.w = label_width, width
        print(f"{'':{self.lw}}{a:>{self.w}}{b:>{self.w}}{ratio:>{self.w}}")

    def row(self, label, a, b, d=0):
        r = b / a if a == a and b == b and a else NAN
        print(f"{label:{self.lw}}{fmt(a, d):>{self.w}}{fmt(b, d):>{self.w}}{fmt(r, 2):>{self.w}}")
