#!/usr/bin/env python3
"""Medians of bench/compare.sh runs, QMsgBus beside nats-server, as a Markdown table.

  bench/summarize.py RESULTS_DIR                       # the table
  bench/summarize.py RESULTS_DIR --median-run SC TGT   # the .hgrm of the median run (for plots)

Reads RESULTS_DIR/<scenario>-<target>-<run>.json as written by `qmsgbus bench --json`.
"""
import glob
import json
import os
import re
import statistics
import sys

TARGETS = ("qmsgbus", "nats-ws")
ORDER = ["fanout4", "fanout1", "pubsub", "ack", "efficiency", "conns",
         "memory",
         "durable.fsync-always", "durable.fsync-interval", "durable.fsync-never",
         "durable-fastpush.fsync-always", "durable-fastpush.fsync-interval",
         "durable-fastpush.fsync-never"]
TITLES = {
    "fanout4": "fan-out 1 -> 4, fast-push, 100 B",
    "fanout1": "fan-out 1 -> 1, fast-push, 100 B",
    "pubsub": "pub/sub 4 pub x 4 recv x 4 skills, 100 B",
    "ack": "ACK mode, window of one (NATS: ping-pong)",
    "efficiency": "efficiency: 1 -> 4 at a fixed offered rate",
    "conns": "idle registered connections + probe",
    "memory": "1 publisher with confirms, window 64 -> 1 session, ACK mode; "
              "QMsgBus sessions in memory vs JetStream memory storage",
}


def title_of(sc):
    if sc in TITLES:
        return TITLES[sc]
    m = re.match(r"(durable(?:-fastpush)?)\.fsync-(\w+)$", sc)
    if m:
        mode = "fast-push" if m.group(1).endswith("fastpush") else "ACK mode"
        return (f"1 publisher with confirms, window 64 -> 1 session, {mode}; "
                f"QMsgBus --data-dir --fsync {m.group(2)} vs JetStream file storage")
    return sc


def is_durable(sc):
    return sc == "memory" or sc.startswith("durable")


def load(results):
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "*.json"))):
        m = re.match(r"(.+)-(qmsgbus|nats-ws)-(\d+)\.json$", os.path.basename(path))
        if not m:
            continue
        try:
            with open(path) as f:
                r = json.load(f)
        except (OSError, ValueError):
            continue
        r["_path"] = path
        runs.setdefault((m.group(1), m.group(2)), []).append(r)
    return runs


def get(r, dotted):
    v = r
    for k in dotted.split("."):
        if v is None:
            return None
        v = v.get(k)
    return v


def median(rs, dotted):
    vals = [get(r, dotted) for r in rs]
    vals = [v for v in vals if isinstance(v, (int, float))]
    return statistics.median(vals) if vals else None


def fmt(v, kind):
    if v is None:
        return "n/a"
    if kind == "rate":
        if v < 1e3:
            return f"{v:.0f}"
        return f"{v / 1e6:.2f} M" if v >= 1e6 else f"{v / 1e3:.1f} k"
    if kind == "us":
        return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    if kind == "pct":
        return f"{v:.0f}%"
    if kind == "cpu":
        return f"{v:.3f}"
    if kind == "kb":
        return f"{v:.1f}"
    return f"{v:,.0f}" if isinstance(v, (int, float)) else str(v)


def spread(rs, dotted, kind):
    """min-max over the runs, when there is more than one."""
    vals = [get(r, dotted) for r in rs]
    vals = [v for v in vals if isinstance(v, (int, float))]
    if len(vals) < 2:
        return ""
    return f" ({fmt(min(vals), kind)}-{fmt(max(vals), kind)})"


def ratio(q, n):
    if q is None or n is None or n == 0:
        return "n/a"
    return f"{q / n:.2f}x"


METRICS = [
    # (label, json path, format, better)
    ("delivered/s", "delivered_per_s", "rate", "higher"),
    ("published/s", "published_per_s", "rate", "higher"),
    ("latency p50 (us)", "latency_us.p50", "us", "lower"),
    ("latency p99 (us)", "latency_us.p99", "us", "lower"),
    ("latency p99.9 (us)", "latency_us.p99_9", "us", "lower"),
    ("latency max (us)", "latency_us.max", "us", "lower"),
    ("server CPU (% of its core)", "server.cpu_pct", "pct", "lower"),
    ("server CPU-s per million delivered", "server.cpu_s_per_million_delivered", "cpu", "lower"),
    ("server waited for a CPU (% of window)", "server.cpu_wait_pct", "pct", "-"),
    ("bench CPU (% of its core)", "bench.cpu_pct", "pct", "-"),
    ("bench waited for a CPU (% of window)", "bench.cpu_wait_pct", "pct", "-"),
]
DURABLE_METRICS = [
    ("confirmed publishes/s", "confirmed_per_s", "rate", "higher"),
    ("delivered/s", "delivered_per_s", "rate", "higher"),
    ("publish -> delivery p50 (us)", "latency_us.p50", "us", "lower"),
    ("publish -> delivery p99 (us)", "latency_us.p99", "us", "lower"),
    ("publish -> confirm p50 (us)", "confirm_latency_us.p50", "us", "lower"),
    ("publish -> confirm p99 (us)", "confirm_latency_us.p99", "us", "lower"),
    ("server CPU (% of its core)", "server.cpu_pct", "pct", "lower"),
    ("server CPU-s per million delivered", "server.cpu_s_per_million_delivered", "cpu", "lower"),
    ("bench CPU (% of its core)", "bench.cpu_pct", "pct", "-"),
]
CONNS_METRICS = [
    ("connections opened", "conns.opened", "n", "-"),
    ("server memory per connection (KB)", "server.kb_per_connection", "kb", "lower"),
    ("probe delivered/s", "delivered_per_s", "rate", "-"),
    ("probe latency p50 (us)", "latency_us.p50", "us", "lower"),
    ("probe latency p99 (us)", "latency_us.p99", "us", "lower"),
    ("probe latency max (us)", "latency_us.max", "us", "lower"),
]


def table(results):
    runs = load(results)
    scenarios = [s for s in ORDER if any((s, t) in runs for t in TARGETS)]
    scenarios += sorted({s for s, _ in runs} - set(scenarios))
    out = []
    out.append("| scenario | figure | QMsgBus | nats-server (ws) | QMsgBus / NATS | better |")
    out.append("| --- | --- | ---: | ---: | ---: | --- |")
    for sc in scenarios:
        q = runs.get((sc, "qmsgbus"), [])
        n = runs.get((sc, "nats-ws"), [])
        durable = is_durable(sc)
        metrics = CONNS_METRICS if sc == "conns" else DURABLE_METRICS if durable else METRICS
        title = f"**{sc}** ({title_of(sc)}; runs {len(q)}/{len(n)})"
        for i, (label, path, kind, better) in enumerate(metrics):
            qv, nv = median(q, path), median(n, path)
            qs = spread(q, path, kind) if durable else ""
            ns = spread(n, path, kind) if durable else ""
            out.append(
                f"| {title if i == 0 else ''} | {label} | {fmt(qv, kind)}{qs} | {fmt(nv, kind)}{ns} "
                f"| {ratio(qv, nv) if better != '-' else ''} | {better if better != '-' else ''} |")
        errs_q = sum(get(r, "errors") or 0 for r in q)
        errs_n = sum(get(r, "errors") or 0 for r in n)
        drop_q = sum((get(r, "dropped") or 0) + (get(r, "undelivered") or 0)
                     + (get(r, "unconfirmed") or 0) for r in q)
        drop_n = sum((get(r, "dropped") or 0) + (get(r, "undelivered") or 0)
                     + (get(r, "unconfirmed") or 0) for r in n)
        out.append(f"| | errors / dropped+undelivered (all runs) | {errs_q} / {drop_q} | {errs_n} / {drop_n} | | |")
    out.append("")
    out.append("Medians over the runs; ratio = QMsgBus / NATS (for delivered/s higher is better,"
               " for latency, CPU and memory lower is better).")
    if any(is_durable(s) for s in scenarios):
        out.append("Durable rows: median (min-max over the runs); errors / dropped+undelivered"
                   " counts unconfirmed packets too.")
    return "\n".join(out)


def median_run(results, sc, target):
    rs = load(results).get((sc, target), [])
    rs = [r for r in rs if isinstance(r.get("delivered_per_s"), (int, float))]
    if not rs:
        return None
    rs.sort(key=lambda r: r["delivered_per_s"])
    r = rs[(len(rs) - 1) // 2]
    hgrm = r["_path"][: -len(".json")] + ".hgrm"
    return hgrm if os.path.exists(hgrm) else None


def main(argv):
    if len(argv) >= 2 and "--median-run" not in argv:
        print(table(argv[1]))
        return 0
    if len(argv) == 5 and argv[2] == "--median-run":
        p = median_run(argv[1], argv[3], argv[4])
        if p is None:
            return 1
        print(p)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
