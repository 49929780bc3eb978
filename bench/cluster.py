#!/usr/bin/env python3
"""Helpers of bench/cluster.sh: watch processes and Redis while a bench runs; the summary.

  bench/cluster.py watch --out BASE --duration D --redis-port P --pid NAME=PID... -- CMD...
      Runs CMD (a `qmsgbus bench --json`), its stdout to BASE.json and stderr to BASE.err, and
      samples every 0.25 s the CPU time of each PID and of CMD itself ("bench"; /proc/PID/stat
      utime+stime) and Redis
      (CLIENT LIST, INFO memory, INFO clients, over a socket). Writes BASE.watch.json: CPU % of
      each process over the measured window (taken as [exit - D, exit - 1 s]: the bench measures
      for D s and then drains, prints and exits), and the largest Redis figures seen in it.
      Exits with CMD's status.
  bench/cluster.py wait-ping --redis-port P --pid PID --timeout S
      Polls PING every 5 ms until PONG (exit 0), PID is gone or S seconds pass (exit 1).
  bench/cluster.py count --redis-port P --pattern PAT
      Prints how many channels PUBSUB CHANNELS PAT lists.
  bench/cluster.py watch-resub --redis-port P --pattern PAT --want N --ready FILE --killed FILE2 --timeout S
      Started before a kill -9 of Redis: polls every 10 ms; touches FILE once N channels match;
      then times, from the kill (epoch ms in FILE2), the restarted Redis (a new run_id)
      answering, the first channel back and the N-th (JSON).
  bench/cluster.py cmd --redis-port P -- WORD...
      Sends one command; prints the reply.
  bench/cluster.py info --redis-port P --field NAME
      Prints one INFO field (empty if Redis has none of that name).
  bench/cluster.py resume-line FILE
      One line of a bench/resume.py result.
  bench/cluster.py summary OUT
      The Markdown tables of a results directory.
"""
import glob
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


# ---- Redis, the little of RESP this needs

def resp(port, *words, timeout=2.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(("*%d\r\n" % len(words)).encode()
                  + b"".join(b"$%d\r\n%s\r\n" % (len(w.encode()), w.encode()) for w in words))
        f = s.makefile("rb")
        return read_reply(f)


def read_reply(f):
    line = f.readline()
    if not line:
        raise OSError("connection closed")
    kind, rest = line[:1], line[1:].rstrip(b"\r\n")
    if kind in (b"+", b":"):
        return rest.decode()
    if kind == b"-":
        raise OSError(rest.decode())
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:n].decode("utf-8", "replace")
    if kind == b"*":
        return [read_reply(f) for _ in range(int(rest))]
    raise OSError("not RESP: %r" % line)


def info(port, section):
    out = {}
    for line in resp(port, "INFO", section).splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def client_list(port):
    clients = []
    for line in resp(port, "CLIENT", "LIST").splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        clients.append(fields)
    return clients


def cpu_seconds(pid, path=None):
    try:
        with open(path or "/proc/%s/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_seconds():
    """CPU seconds the whole machine has been busy (all cores; /proc/stat)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: everything but idle and iowait
    return (sum(v[:8]) - v[3] - v[4]) / TICK


def thread_seconds(pid):
    """{thread name/tid: CPU seconds} of each thread of pid."""
    out = {}
    try:
        tids = os.listdir("/proc/%s/task" % pid)
    except OSError:
        return out
    for tid in tids:
        base = "/proc/%s/task/%s/" % (pid, tid)
        try:
            with open(base + "comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        v = cpu_seconds(pid, base + "stat")
        if v is not None:
            out[name + "/" + tid] = v
    return out


# ---- watch

def redis_sample(port):
    s = {}
    try:
        subs = pubs = 0
        omem = qbuf = 0
        for c in client_list(port):
            if int(c.get("sub", 0)) > 0 or int(c.get("psub", 0)) > 0:
                subs += 1
                omem = max(omem, int(c.get("omem", 0)))
            if c.get("cmd") == "publish":
                pubs += 1
                qbuf = max(qbuf, int(c.get("qbuf", 0)))
        s["subscriber_conns"] = subs
        s["subscriber_omem_max"] = omem
        s["publisher_qbuf_max"] = qbuf
        mem = info(port, "memory")
        s["used_memory"] = int(mem.get("used_memory", 0))
        s["mem_clients_normal"] = int(mem.get("mem_clients_normal", 0))
        st = info(port, "stats")
        for key in ("total_commands_processed", "total_net_input_bytes", "total_net_output_bytes"):
            s[key] = int(st.get(key, 0))
        s["pubsub_channels"] = int(st.get("pubsub_channels", 0))
        pe = info(port, "persistence")
        for key in ("aof_enabled", "aof_rewrite_in_progress", "aof_rewrites", "aof_delayed_fsync"):
            if key in pe:
                s[key] = int(pe[key])
        cl = info(port, "clients")
        s["client_recent_max_output_buffer"] = int(cl.get("client_recent_max_output_buffer", 0))
        s["client_recent_max_input_buffer"] = int(cl.get("client_recent_max_input_buffer", 0))
    except (OSError, ValueError):
        pass
    return s


def watch(argv):
    args = {"pid": []}
    i = 0
    while argv[i] != "--":
        key = argv[i].lstrip("-").replace("-", "_")
        if key == "pid":
            args["pid"].append(argv[i + 1])
        else:
            args[key] = argv[i + 1]
        i += 2
    cmd = argv[i + 1:]
    base, duration, port = args["out"], float(args["duration"]), int(args["redis_port"])
    pids = dict(p.split("=", 1) for p in args["pid"])
    samples = []
    with open(base + ".json", "w") as out, open(base + ".err", "w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        pids["bench"] = str(proc.pid)  # nice and taskset exec the JVM: the same pid
        deadline = time.monotonic() + duration + 600  # a bench that hangs is stopped after 10 min
        while proc.poll() is None and time.monotonic() < deadline:
            t = time.monotonic()
            sample = {"t": t, "machine": machine_seconds(),
                      "cpu": {n: cpu_seconds(p) for n, p in pids.items()},
                      "threads": {n: thread_seconds(p) for n, p in pids.items()}}
            sample.update(redis_sample(port))
            samples.append(sample)
            time.sleep(max(0.0, 0.25 - (time.monotonic() - t)))
        if proc.poll() is None:
            proc.kill()
        code = proc.wait()
    t_exit = time.monotonic()
    lo, hi = t_exit - duration, t_exit - 1.0
    window = [s for s in samples if lo <= s["t"] <= hi]
    if len(window) < 2:
        window = samples
    result = {"window_s": None, "cpu_pct": {}, "busiest_thread": {}, "redis": {}}
    if len(window) >= 2:
        a, b = window[0], window[-1]
        dt = b["t"] - a["t"]
        result["window_s"] = round(dt, 2)
        for key, name in (("total_commands_processed", "commands_per_s"),
                          ("total_net_input_bytes", "net_in_bytes_per_s"),
                          ("total_net_output_bytes", "net_out_bytes_per_s")):
            if key in a and key in b and dt > 0 and b[key] >= a[key]:
                result["redis"][name] = round((b[key] - a[key]) / dt)
        if dt > 0:
            busy = 100 * (b["machine"] - a["machine"]) / dt
            mine = sum(100 * (b["cpu"][n] - a["cpu"][n]) / dt for n in pids
                       if a["cpu"].get(n) is not None and b["cpu"].get(n) is not None)
            result["machine_busy_pct"] = round(busy, 1)
            # everything else on the machine: other processes, and the kernel's softirq work
            result["other_pct"] = round(max(0.0, busy - mine), 1)
        for n in pids:
            if a["cpu"].get(n) is not None and b["cpu"].get(n) is not None and dt > 0:
                result["cpu_pct"][n] = round(100 * (b["cpu"][n] - a["cpu"][n]) / dt, 1)
                ta, tb = a["threads"].get(n, {}), b["threads"].get(n, {})
                busy = [(tb[t] - ta[t], t) for t in tb if t in ta]
                if busy:
                    v, t = max(busy)
                    result["busiest_thread"][n] = {"name": t.rsplit("/", 1)[0],
                                                   "cpu_pct": round(100 * v / dt, 1)}
        for key in ("aof_rewrites", "aof_delayed_fsync"):
            if key in a and key in b:
                result["redis"][key + "_delta"] = b[key] - a[key]
        for k in ("aof_rewrite_in_progress", "subscriber_conns", "subscriber_omem_max", "pubsub_channels",
                  "publisher_qbuf_max", "used_memory",
                  "mem_clients_normal", "client_recent_max_output_buffer",
                  "client_recent_max_input_buffer"):
            vals = [s[k] for s in window if k in s]
            if vals:
                result["redis"][k] = max(vals)
    with open(base + ".watch.json", "w") as f:
        json.dump(result, f)
    return code


def resp_many(port, commands, timeout=1.0):
    """Several commands on one connection (pipelined); their replies in order."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        data = b""
        for words in commands:
            data += ("*%d\r\n" % len(words)).encode() + b"".join(
                b"$%d\r\n%s\r\n" % (len(w.encode()), w.encode()) for w in words)
        s.sendall(data)
        f = s.makefile("rb")
        return [read_reply(f) for _ in commands]


def watch_resub(argv):
    """The re-subscribe clock, in one process started before the kill so that no start-up time is
    in it. Polls Redis every 10 ms (INFO server's run_id and PUBSUB CHANNELS on one connection);
    once `want` channels match it notes the run_id and touches --ready. The script then writes the
    time of its kill -9 (epoch ms) to --killed and kills. A new run_id is the restarted Redis: the
    first poll that sees it is "answering", then the first matching channel and the `want`-th.
    Keyed on run_id, so an outage shorter than a poll (on a loaded machine) is not missed. Prints
    JSON, ms from the kill; exit 1 if not all came back within --timeout s of the ready."""
    opt = dict(zip(argv[0::2], argv[1::2]))
    port, pattern, want = int(opt["--redis-port"]), opt["--pattern"], int(opt["--want"])
    timeout = float(opt["--timeout"])
    deadline = time.monotonic() + timeout
    run_id = None
    t_gone = t_up = t_first = t_all = None
    got = 0
    polls = 0
    while time.monotonic() < deadline:
        polls += 1
        try:
            srv, channels = resp_many(port, [["INFO", "server"], ["PUBSUB", "CHANNELS", pattern]])
            rid = re.search(r"run_id:(\w+)", srv).group(1)
            got = len(channels)
            ok = True
        except (OSError, AttributeError):
            ok = False
        now = time.time()
        if run_id is None:
            if ok and got >= want:
                run_id = rid
                open(opt["--ready"], "w").close()
                deadline = time.monotonic() + timeout
        elif not ok:
            if t_gone is None:
                t_gone = now
        elif rid != run_id:
            if t_up is None:
                t_up = now
            if got > 0 and t_first is None:
                t_first = now
            if got >= want:
                t_all = now
                break
        time.sleep(0.01)
    try:
        with open(opt["--killed"]) as f:
            t_kill = int(f.read().strip()) / 1000.0
    except (OSError, ValueError):
        t_kill = None
    ms = lambda a, b: None if a is None or b is None else round(1000 * (b - a))
    print(json.dumps({"skills": want, "got": got, "polls": polls,
                      "kill_to_gone_seen_ms": ms(t_kill, t_gone), "kill_to_up_ms": ms(t_kill, t_up),
                      "up_to_first_ms": ms(t_up, t_first), "first_to_all_ms": ms(t_first, t_all),
                      "up_to_all_ms": ms(t_up, t_all), "kill_to_all_ms": ms(t_kill, t_all)}))
    return 0 if t_all is not None else 1


def wait_ping(argv):
    """Polls PING every 5 ms until PONG (exit 0), the pid is gone or the timeout (exit 1)."""
    opt = dict(zip(argv[0::2], argv[1::2]))
    port, pid = int(opt["--redis-port"]), int(opt["--pid"])
    deadline = time.monotonic() + float(opt["--timeout"])
    while time.monotonic() < deadline:
        try:
            if resp(port, "PING", timeout=0.5) == "PONG":
                return 0
        except OSError:
            pass
        try:
            os.kill(pid, 0)
        except OSError:
            return 1
        time.sleep(0.005)
    return 1


def cmd(argv):
    port = int(argv[argv.index("--redis-port") + 1])
    words = argv[argv.index("--") + 1:]
    r = resp(port, *words)
    print(r if not isinstance(r, list) else "\n".join(str(x) for x in r))
    return 0


def info_field(argv):
    port = int(argv[argv.index("--redis-port") + 1])
    field = argv[argv.index("--field") + 1]
    sections = {"aof_enabled": "persistence", "aof_rewrite_in_progress": "persistence",
                "aof_rewrites": "persistence", "aof_delayed_fsync": "persistence"}
    try:
        print(info(port, sections.get(field, "all")).get(field, ""))
    except OSError:
        print("")
    return 0


def resume_line(argv):
    try:
        r = json.load(open(argv[0]))
    except (OSError, ValueError) as e:
        return print("no result (%s)" % e) or 0
    if "error" in r and r.get("kill_to_first_ms") is None:
        return print("error: %s" % r["error"]) or 0
    f = lambda v: "n/a" if v is None else "%.0f ms" % v
    print("kill -> drop seen %s, open on B %s, first packet on B %s, caught up %s; backlog at the first %s;"
          " confirmed %s, missing %s, repeated %s, refused %s" % (
              f(r.get("kill_to_drop_seen_ms")), f(r.get("kill_to_open_on_b_ms")), f(r.get("kill_to_first_ms")),
              f(r.get("kill_to_caught_up_ms")), r.get("backlog_at_first"), r.get("confirmed"),
              r.get("missing_confirmed"), r.get("repeated"), r.get("refused")))
    return 0


def count(argv):
    port = int(argv[argv.index("--redis-port") + 1])
    pattern = argv[argv.index("--pattern") + 1]
    try:
        print(len(resp(port, "PUBSUB", "CHANNELS", pattern, timeout=1.0)))
    except OSError:
        print(-1)
    return 0


# ---- summary

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def spread(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    m = statistics.median(vals)
    if len(vals) == 1:
        return fmt(m)
    return "%s (%s-%s)" % (fmt(m), fmt(min(vals)), fmt(max(vals)))


def k(v):
    return "%.0fk" % (v / 1000) if v >= 10000 else "%.0f" % v


def us(v):
    return "%.0f" % v if v < 10000 else "%.1f ms" % (v / 1000)


def ratio(a, b):
    return "n/a" if a is None or b in (None, 0) else "%.2f" % (a / b)


def kb(v):
    return "n/a" if v is None else ("%.0f KB" % (v / 1024) if v < 10 << 20 else "%.1f MB" % (v / (1 << 20)))


def load_runs(out, prefix):
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, prefix + "*.json"))):
        name = os.path.basename(path)
        if name.endswith(".watch.json"):
            continue
        m = re.match(re.escape(prefix) + r"(.+)-(\d+)\.json$", name)
        if not m:
            continue
        try:
            r = json.load(open(path))
        except (OSError, ValueError):
            continue
        try:
            r["_watch"] = json.load(open(path[:-5] + ".watch.json"))
        except (OSError, ValueError):
            r["_watch"] = {"cpu_pct": {}, "redis": {}}
        runs.setdefault(m.group(1), []).append(r)
    return runs


TARGET_TITLE = {
    "single": "single node (no --cluster): publisher and receivers on it",
    "local": "cluster node A: publisher and receivers on A",
    "cross": "cluster: publisher on A, receivers on B",
}


def summary(out):
    lines = []
    for prefix in ("fanout-", "latency-"):
        fan = load_runs(out, prefix)
        if not fan:
            continue
        if prefix == "fanout-":
            lines.append("### Fan-out, 1 publisher -> N receivers, fast-push, as fast as the window allows")
        else:
            rate = next(iter(fan.values()))[0]["rate"]
            lines.append("### Latency at a fixed offered rate: 1 publisher -> N receivers, %s packets/s offered" % k(rate))
        lines.append("")
        lines.append("| N | where | delivered/s | p50 us | p99 us | delivered/s vs single | p50 vs single | p99 vs single | errors, undelivered |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        keys = sorted(fan, key=lambda s: (int(s.split("-")[0][1:]), ["single", "local", "cross"].index(s.split("-")[1])))
        for key in keys:
            n, target = key.split("-")
            rs = fan[key]
            single = fan.get(n + "-single", [])
            d = [r["delivered_per_s"] for r in rs]
            p50 = [r["latency_us"]["p50"] for r in rs]
            p99 = [r["latency_us"]["p99"] for r in rs]
            sd = med([r["delivered_per_s"] for r in single])
            s50 = med([r["latency_us"]["p50"] for r in single])
            s99 = med([r["latency_us"]["p99"] for r in single])
            bad = "%d, %d" % (sum(r["errors"] for r in rs), sum(r["undelivered"] for r in rs))
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n[1:], TARGET_TITLE.get(target, target), spread(d, k), spread(p50, us), spread(p99, us),
                "1" if target == "single" else ratio(med(d), sd),
                "1" if target == "single" else ratio(med(p50), s50),
                "1" if target == "single" else ratio(med(p99), s99), bad))
        lines.append("")
        lines.append("CPU over the measured window, % of one core (median of the runs; 200% = the whole machine):")
        lines.append("")
        lines.append("| N | where | redis-server | node A | node B | single node | load generator | everything else | machine busy |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for key in keys:
            n, target = key.split("-")
            rs = fan[key]
            cells = []
            for name in ("redis", "a", "b", "single", "bench"):
                cells.append(spread([r["_watch"]["cpu_pct"].get(name) for r in rs], lambda v: "%.0f" % v))
            for name in ("other_pct", "machine_busy_pct"):
                cells.append(spread([r["_watch"].get(name) for r in rs], lambda v: "%.0f" % v))
            lines.append("| %s | %s | %s |" % (n[1:], target, " | ".join(cells)))
        lines.append("")
        lines.append("The busiest thread of each busy process over the measured window, % of one core (median run by total CPU); a thread near 100% is that process's limit:")
        lines.append("")
        lines.append("| N | where | busiest threads |")
        lines.append("| --- | --- | --- |")
        for key in keys:
            n, target = key.split("-")
            rs = fan[key]
            cells = []
            for name in ("redis", "a", "b", "single", "bench"):
                runs = [r for r in rs if r["_watch"]["cpu_pct"].get(name) is not None]
                if not runs:
                    continue
                runs.sort(key=lambda r: r["_watch"]["cpu_pct"][name])
                mid = runs[len(runs) // 2]["_watch"]
                bt = mid.get("busiest_thread", {}).get(name)
                if bt and mid["cpu_pct"][name] >= 5:
                    cells.append("%s: %s %.0f%% (of %.0f%%)" % (name, bt["name"], bt["cpu_pct"], mid["cpu_pct"][name]))
            lines.append("| %s | %s | %s |" % (n[1:], target, "; ".join(cells)))
        lines.append("")
        lines.append("Redis during the cluster runs (rates over the measured window; buffers and memory: the largest value seen in it, sampled every 0.25 s; median and spread of the runs):")
        lines.append("")
        lines.append("| N | where | commands/s | net in MB/s | net out MB/s | subscriber conns | omem of a subscriber conn | qbuf of a publishing conn | client_recent_max_output_buffer | mem_clients_normal | used_memory |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for key in keys:
            n, target = key.split("-")
            if target == "single":
                continue
            rs = fan[key]
            def m(name):
                return med([r["_watch"]["redis"].get(name) for r in rs])
            sc = m("subscriber_conns")
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n[1:], target,
                spread([r["_watch"]["redis"].get("commands_per_s") for r in rs], k),
                spread([r["_watch"]["redis"].get("net_in_bytes_per_s") for r in rs], mb),
                spread([r["_watch"]["redis"].get("net_out_bytes_per_s") for r in rs], mb),
                "n/a" if sc is None else "%.0f" % sc,
                spread([r["_watch"]["redis"].get("subscriber_omem_max") for r in rs], kb_num),
                spread([r["_watch"]["redis"].get("publisher_qbuf_max") for r in rs], kb_num),
                spread([r["_watch"]["redis"].get("client_recent_max_output_buffer") for r in rs], kb_num),
                spread([r["_watch"]["redis"].get("mem_clients_normal") for r in rs], kb),
                spread([r["_watch"]["redis"].get("used_memory") for r in rs], kb)))
        lines.append("")
    churn = load_runs(out, "churn-")
    if churn:
        lines.append("### Subscribe churn: register a fresh skill, its ok, deregister, its ok, next")
        lines.append("")
        lines.append("| where | registers/s | register->ok p50 us | p99 us | registers/s vs single | p50 vs single | redis-server CPU % | node CPU % | load generator CPU % | everything else CPU % | Redis channels (max) | errors |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        single = churn.get("single", [])
        sd = med([r["delivered_per_s"] for r in single])
        s50 = med([r["latency_us"]["p50"] for r in single])
        for target in ("single", "cluster"):
            rs = churn.get(target)
            if not rs:
                continue
            d = [r["delivered_per_s"] for r in rs]
            p50 = [r["latency_us"]["p50"] for r in rs]
            node = "single" if target == "single" else "a"
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
                "single node" if target == "single" else "cluster node A (ok after Redis's SUBSCRIBE)",
                spread(d, k), spread(p50, us), spread([r["latency_us"]["p99"] for r in rs], us),
                "1" if target == "single" else ratio(med(d), sd),
                "1" if target == "single" else ratio(med(p50), s50),
                spread([r["_watch"]["cpu_pct"].get("redis") for r in rs], lambda v: "%.0f" % v),
                spread([r["_watch"]["cpu_pct"].get(node) for r in rs], lambda v: "%.0f" % v),
                spread([r["_watch"]["cpu_pct"].get("bench") for r in rs], lambda v: "%.0f" % v),
                spread([r["_watch"].get("other_pct") for r in rs], lambda v: "%.0f" % v),
                spread([r["_watch"]["redis"].get("pubsub_channels") for r in rs], k),
                sum(r["errors"] for r in rs)))
        lines.append("")
    resub = []
    for path in sorted(glob.glob(os.path.join(out, "resub-*.json"))):
        try:
            resub.append(json.load(open(path)))
        except (OSError, ValueError):
            pass
    if resub:
        n = resub[0].get("skills", 0)
        ok = [r for r in resub if r.get("kill_to_all_ms") is not None]
        ms = lambda v: "%.0f ms" % v
        lines.append("### Re-subscribe %d skills after kill -9 of redis-server and a restart on the same port" % n)
        lines.append("")
        lines.append("| runs | kill -9 -> restarted Redis answers | answering -> first channel back | first -> all %d back | answering -> all back | kill -9 -> all back | all back |" % n)
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        lines.append("| %d | %s | %s | %s | %s | %s | %d of %d |" % (
            len(resub),
            spread([r.get("kill_to_up_ms") for r in resub], ms),
            spread([r.get("up_to_first_ms") for r in resub], ms),
            spread([r.get("first_to_all_ms") for r in ok], ms),
            spread([r.get("up_to_all_ms") for r in ok], ms),
            spread([r.get("kill_to_all_ms") for r in ok], ms),
            len(ok), len(resub)))
        lines.append("")
    lines.extend(durable_summary(out))
    lines.extend(resume_summary(out))
    print("\n".join(lines))
    return 0


DUR_TITLE = {
    "disk-always": "single node, --data-dir, --fsync always",
    "disk-never": "single node, --data-dir, --fsync never",
    "memory": "single node, sessions in memory",
    "cluster-everysec": "cluster A -> B, Redis AOF appendfsync everysec",
    "cluster-always": "cluster A -> B, Redis AOF appendfsync always",
}
DUR_ORDER = ["disk-always", "disk-never", "memory", "cluster-everysec", "cluster-always"]
DUR_NODES = {"disk-always": ("disk-always",), "disk-never": ("disk-never",), "memory": ("single",),
             "cluster-everysec": ("a", "b"), "cluster-always": ("a", "b")}


def durable_summary(out):
    runs = load_runs(out, "durable-")
    if not runs:
        return []
    lines = []
    for mode in ("ack", "fastpush"):
        keys = [t for t in DUR_ORDER if mode + "-" + t in runs]
        if not keys:
            continue
        r0 = runs[mode + "-" + keys[0]][0]
        lines.append("### Durable sessions, %s: 1 publisher with confirms (window %d) -> %d receiver(s) on named sessions" % (
            "ACK mode" if mode == "ack" else "fast-push", r0["window"], r0["receivers"]))
        lines.append("")
        lines.append("| where | confirmed/s | delivered/s | publish->delivery p50 / p99 us | publish->confirm p50 / p99 us | confirmed/s vs memory | vs disk always | vs disk never | confirm p50 vs memory | errors, unconfirmed, undelivered |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        base = {t: runs.get(mode + "-" + t, []) for t in ("memory", "disk-always", "disk-never")}
        bc = {t: med([r["confirmed_per_s"] for r in rs]) for t, rs in base.items()}
        b50 = med([r["confirm_latency_us"]["p50"] for r in base["memory"]])
        for t in keys:
            rs = runs[mode + "-" + t]
            c = [r["confirmed_per_s"] for r in rs]
            mc = med(c)
            lines.append("| %s | %s | %s | %s / %s | %s / %s | %s | %s | %s | %s | %d, %d, %d |" % (
                DUR_TITLE[t], spread(c, k), spread([r["delivered_per_s"] for r in rs], k),
                spread([r["latency_us"]["p50"] for r in rs], us), spread([r["latency_us"]["p99"] for r in rs], us),
                spread([r["confirm_latency_us"]["p50"] for r in rs], us),
                spread([r["confirm_latency_us"]["p99"] for r in rs], us),
                ratio(mc, bc["memory"]), ratio(mc, bc["disk-always"]), ratio(mc, bc["disk-never"]),
                ratio(med([r["confirm_latency_us"]["p50"] for r in rs]), b50),
                sum(r["errors"] for r in rs), sum(r["unconfirmed"] for r in rs), sum(r["undelivered"] for r in rs)))
        lines.append("")
        lines.append("CPU over the measured window, % of one core (median of the runs; 200% = the machine); Redis commands/s; AOF rewrites during the window (all runs):")
        lines.append("")
        lines.append("| where | redis-server | node(s) | load generator | everything else | machine busy | redis commands/s | AOF rewrites |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        pct = lambda v: "%.0f" % v
        for t in keys:
            rs = runs[mode + "-" + t]
            nodes = " + ".join("%s %s" % (n, spread([r["_watch"]["cpu_pct"].get(n) for r in rs], pct))
                               for n in DUR_NODES[t])
            rw = sum(r["_watch"]["redis"].get("aof_rewrites_delta", 0) or 0 for r in rs)
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                t, spread([r["_watch"]["cpu_pct"].get("redis") for r in rs], pct), nodes,
                spread([r["_watch"]["cpu_pct"].get("bench") for r in rs], pct),
                spread([r["_watch"].get("other_pct") for r in rs], pct),
                spread([r["_watch"].get("machine_busy_pct") for r in rs], pct),
                spread([r["_watch"]["redis"].get("commands_per_s") for r in rs], k) if t.startswith("cluster") else "-",
                rw if t.startswith("cluster") else "-"))
        lines.append("")
    return lines


def resume_summary(out):
    res = []
    for path in sorted(glob.glob(os.path.join(out, "resume-*.json"))):
        try:
            res.append(json.load(open(path)))
        except (OSError, ValueError):
            pass
    if not res:
        return []
    ok = [r for r in res if r.get("kill_to_caught_up_ms") is not None]
    ms = lambda v: "%.0f ms" % v
    num = lambda v: "%.0f" % v
    lines = ["### Resume after kill -9 of the session's node: ACK-mode receiver on A, publisher with confirms on B at %s/s,"
             " reconnect %s ms after the drop" % (k(res[0].get("rate", 0)), k(res[0].get("reconnect_delay_ms", 0))), ""]
    lines.append("| runs | kill -> drop seen | kill -> WebSocket open on B | **kill -> first packet on B** | **kill -> caught up** | first -> caught up | backlog at the first packet | repeated | missing confirmed | refused | caught up |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    lines.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d of %d |" % (
        len(res), spread([r.get("kill_to_drop_seen_ms") for r in res], ms),
        spread([r.get("kill_to_open_on_b_ms") for r in res], ms),
        spread([r.get("kill_to_first_ms") for r in res], ms),
        spread([r.get("kill_to_caught_up_ms") for r in ok], ms),
        spread([r.get("first_to_caught_up_ms") for r in ok], ms),
        spread([r.get("backlog_at_first") for r in res], num) + (
            "" if not any((r.get("received_on_b_until_caught_up") or 0) > 100 for r in ok) else
            "; received on B at %s/s until caught up" % spread(
                [1000 * (r["received_on_b_until_caught_up"] - 1) / r["first_to_caught_up_ms"] for r in ok
                 if r.get("received_on_b_until_caught_up") and r.get("first_to_caught_up_ms")], k)),
        spread([r.get("repeated") for r in res], num),
        sum(r.get("missing_confirmed") or 0 for r in res),
        sum(r.get("refused") or 0 for r in res), len(ok), len(res)))
    lines.append("")
    return lines


def mb(v):
    return "%.1f" % (v / 1e6)


def kb_num(v):
    return kb(v)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "watch":
        sys.exit(watch(sys.argv[2:]))
    if what == "watch-resub":
        sys.exit(watch_resub(sys.argv[2:]))
    if what == "wait-ping":
        sys.exit(wait_ping(sys.argv[2:]))
    if what == "cmd":
        sys.exit(cmd(sys.argv[2:]))
    if what == "info":
        sys.exit(info_field(sys.argv[2:]))
    if what == "resume-line":
        sys.exit(resume_line(sys.argv[2:]))
    if what == "count":
        sys.exit(count(sys.argv[2:]))
    if what == "summary":
        sys.exit(summary(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
