#!/usr/bin/env bash
# QMsgBus against nats-server over WebSocket: same scenarios, same client code (qmsgbus bench),
# same machine, same run. Each server is pinned to one core, the load generator to the other.
# Every scenario runs RUNS times per target, alternating targets run by run so a change in the
# machine's background load hits both alike; the table shows medians and the ratio QMsgBus/NATS.
#
#   bench/compare.sh                       # everything, about 10 minutes on 2 cores
#   SCENARIOS="fanout4 ack" RUNS=3 bench/compare.sh
#   QMSGBUS_JAR=qmsgbus-cli/target-bench/qmsgbus.jar bench/compare.sh
#
# Environment (defaults in brackets):
#   QMSGBUS_JAR          the qmsgbus jar [qmsgbus-cli/target/qmsgbus.jar]
#   NATS_SERVER          nats-server binary [/usr/sbin/nats-server, else from PATH]
#   SCENARIOS            any of: fanout4 fanout1 pubsub ack efficiency conns durable
#                        durable-fastpush memory [fanout4 fanout1 pubsub ack efficiency conns]
#                        durable*: QMsgBus with --data-dir (a scratch dir) and --fsync per FSYNC
#                        against JetStream file storage; memory: the same client flow against
#                        QMsgBus without --data-dir (sessions in memory) and JetStream memory
#                        storage. Each gets a fresh pair of servers and scratch dirs.
#   FSYNC                QMsgBus --fsync policies for durable*, one row each [always]; e.g.
#                        FSYNC="always interval never"
#   JS_SYNC              JetStream sync_interval for durable* (nats-server >= 2.10); "auto":
#                        "always" when FSYNC is always and the server knows the field, else the
#                        server's default (every 2 min); "" = the default; else as given [auto]
#   DURABLE_WINDOW       unconfirmed packets in durable* and memory [64]
#   DURABLE_PREWARM      seconds of unrecorded load per fresh durable*/memory server [3]
#   RUNS                 runs per scenario and target [3]
#   DURATION / WARMUP    seconds measured / warmed up per run [4 / 3]; the warm-up also lets
#                        the bench JVM finish compiling (pinned to one core, its JIT competes
#                        with its event loop)
#   CONNS                idle connections in "conns" [10000]
#   EFFICIENCY_RATE      packets/s offered in "efficiency" (1 -> 4 fan-out) [50000 = 200k delivered/s]
#   SERVER_CPU / LOAD_CPU  cores for the servers / the load generator [0 / 1]
#   BENCH_THREADS        client event loop threads [1: one per core it is pinned to]
#   QMSGBUS_JVM_OPTS     JVM options for the QMsgBus server []
#   QMSGBUS_SERVER_ARGS  extra 'qmsgbus server' arguments [--set maxConnectionsPerAddress=100000]
#   BENCH_JVM_OPTS       JVM options for the load generator []
#   NICE                 nice level for servers and load generator, e.g. -5 on a shared machine
#                        (needs root for < 0) [0]
#   PREWARM              seconds of unrecorded load per target before the first scenario, so
#                        both servers are past JIT compilation (pinned to one core, the JVM's
#                        compiler threads compete with its event loop) [6]
#   OUT                  where results go [$TMPDIR or /tmp/qmsgbus-compare-YYYYmmdd-HHMMSS]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${QMSGBUS_JAR:-$ROOT/qmsgbus-cli/target/qmsgbus.jar}
if [[ -z "${NATS_SERVER:-}" ]]; then
  if [[ -x /usr/sbin/nats-server ]]; then NATS_SERVER=/usr/sbin/nats-server; else NATS_SERVER=$(command -v nats-server || true); fi
fi
SCENARIOS=${SCENARIOS:-"fanout4 fanout1 pubsub ack efficiency conns"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-3}
CONNS=${CONNS:-10000}
EFFICIENCY_RATE=${EFFICIENCY_RATE:-50000}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BENCH_THREADS=${BENCH_THREADS:-1}
QMSGBUS_JVM_OPTS=${QMSGBUS_JVM_OPTS:-}
QMSGBUS_SERVER_ARGS=${QMSGBUS_SERVER_ARGS:---set maxConnectionsPerAddress=100000}
BENCH_JVM_OPTS=${BENCH_JVM_OPTS:-}
NICE=${NICE:-0}
PREWARM=${PREWARM:-6}
FSYNC=${FSYNC:-always}
JS_SYNC=${JS_SYNC-auto}
DURABLE_WINDOW=${DURABLE_WINDOW:-64}
DURABLE_PREWARM=${DURABLE_PREWARM:-3}
OUT=${OUT:-${TMPDIR:-/tmp}/qmsgbus-compare-$(date +%Y%m%d-%H%M%S)}

die() { echo "compare.sh: $*" >&2; exit 1; }
[[ -f "$JAR" ]] || die "no $JAR (build: mvn -q -DskipTests package, or set QMSGBUS_JAR)"
[[ -n "$NATS_SERVER" && -x "$NATS_SERVER" ]] || die "nats-server not found (apt-get install nats-server, or set NATS_SERVER)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
command -v python3 >/dev/null || die "python3 is needed for the summary"
mkdir -p "$OUT"

# scenario -> bench arguments
args_for() {
  case "$1" in
    fanout4) echo "fanout --receivers 4" ;;
    fanout1) echo "fanout --receivers 1" ;;
    pubsub) echo "pubsub --publishers 4 --receivers 4 --skills 4" ;;
    ack) echo "ack --receivers 1" ;;
    efficiency) echo "fanout --receivers 4 --rate $EFFICIENCY_RATE" ;;
    conns) echo "conns --conns $CONNS --rate 1000 --duration 3 --warmup 1" ;;
    durable.fsync-*) echo "durable --receivers 1 --window $DURABLE_WINDOW" ;;
    durable-fastpush.fsync-*) echo "durable --receivers 1 --fastpush --window $DURABLE_WINDOW" ;;
    durable | durable-fastpush) echo "durable" ;; # expanded per FSYNC policy below
    memory) echo "durable --receivers 1 --window $DURABLE_WINDOW --storage memory" ;;
    *) die "unknown scenario '$1' (fanout4 fanout1 pubsub ack efficiency conns durable durable-fastpush memory)" ;;
  esac
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

QPID=""; NPID=""; QPORT=""; NPORT=""
stop_servers() {
  for pid in $QPID $NPID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $QPID $NPID; do
    wait "$pid" 2>/dev/null || true
  done
  QPID=""; NPID=""
}
trap stop_servers EXIT

start_qmsgbus() { # $1 = label for the log files; $2... = more 'qmsgbus server' arguments
  local label=$1
  shift
  QPORT=$(free_port)
  # shellcheck disable=SC2086
  nice -n "$NICE" taskset -c "$SERVER_CPU" java $QMSGBUS_JVM_OPTS -jar "$JAR" server --port "$QPORT" $QMSGBUS_SERVER_ARGS "$@" \
    >"$OUT/server-qmsgbus-$label.out" 2>"$OUT/server-qmsgbus-$label.err" &
  QPID=$!
  local deadline=$((SECONDS + 60))
  until grep -q "listening on" "$OUT/server-qmsgbus-$label.out" 2>/dev/null; do
    kill -0 "$QPID" 2>/dev/null || die "the QMsgBus server exited: $(cat "$OUT/server-qmsgbus-$label.err")"
    ((SECONDS < deadline)) || die "the QMsgBus server did not start in 60s"
    sleep 0.1
  done
}

start_nats() { # $1 = label for the log files; $2 = JetStream store dir (none: no JetStream); $3 = sync_interval
  NPORT=$(free_port)
  printf 'host: 127.0.0.1\nport: -1\nwebsocket {\n  listen: "127.0.0.1:%s"\n  no_tls: true\n}\n' "$NPORT" >"$OUT/nats.conf"
  if [[ -n "${2:-}" ]]; then
    printf 'jetstream {\n  store_dir: "%s"\n' "$2" >>"$OUT/nats.conf"
    [[ -z "${3:-}" ]] || printf '  sync_interval: %s\n' "$3" >>"$OUT/nats.conf"
    printf '}\n' >>"$OUT/nats.conf"
  fi
  nice -n "$NICE" taskset -c "$SERVER_CPU" "$NATS_SERVER" -c "$OUT/nats.conf" >"$OUT/server-nats-$1.log" 2>&1 &
  NPID=$!
  local deadline=$((SECONDS + 60))
  until (exec 3<>"/dev/tcp/127.0.0.1/$NPORT") 2>/dev/null; do
    kill -0 "$NPID" 2>/dev/null || die "nats-server exited: $(cat "$OUT/server-nats-$1.log")"
    ((SECONDS < deadline)) || die "nats-server did not start in 60s"
    sleep 0.1
  done
}

run_bench() { # $1 scenario, $2 target, $3 run number
  local sc=$1 target=$2 i=$3 url pid
  if [[ $target == qmsgbus ]]; then url="ws://127.0.0.1:$QPORT/"; pid=$QPID; else url="ws://127.0.0.1:$NPORT/"; pid=$NPID; fi
  local base="$OUT/$sc-$target-$i"
  # shellcheck disable=SC2046,SC2086
  if ! nice -n "$NICE" taskset -c "$LOAD_CPU" java $BENCH_JVM_OPTS -jar "$JAR" bench $(args_for "$sc") \
      --target "$target" --url "$url" --server-pid "$pid" --threads "$BENCH_THREADS" \
      $( [[ $sc == conns ]] || echo "--duration $DURATION --warmup $WARMUP" ) \
      --quiet --json --hist "$base.hgrm" >"$base.json" 2>"$base.err"; then
    echo "  run failed: $(tail -3 "$base.err")" >&2
    rm -f "$base.json"
    return 0
  fi
  python3 - "$base.json" "$sc" "$target" "$i" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
lat = r["latency_us"]
extra = ""
if "confirmed_per_s" in r:
    cl = r["confirm_latency_us"]
    extra = f"  confirmed/s {r['confirmed_per_s']:,.0f} (confirm p50 {cl['p50'] or 0:.0f} us, p99 {cl['p99'] or 0:.0f} us)"
if sys.argv[2] == "conns":
    extra = f"  mem {r['server']['kb_per_connection']:.1f} KB/conn"
def n(v, f="{:.0f}"):
    return "n/a" if v is None else f.format(v)
print(f"  {sys.argv[2]:<10} {sys.argv[3]:<8} run {sys.argv[4]}: delivered/s {n(r['delivered_per_s'], '{:>12,.0f}')}"
      f"  p50 {n(lat['p50'])} us  p99 {n(lat['p99'])} us"
      f"  server CPU {n(r['server']['cpu_pct'])}% (waited {n(r['server']['cpu_wait_pct'])}%)"
      f"  bench CPU {n(r['bench']['cpu_pct'])}% (waited {n(r['bench']['cpu_wait_pct'])}%)"
      f"  errors {r['errors']}{extra}")
EOF
}

echo "QMsgBus vs nats-server (WebSocket) -- $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(java -version 2>&1 | head -1)"
echo "nats-server: $("$NATS_SERVER" --version 2>&1 | head -1); jar: $JAR"
echo "servers pinned to core $SERVER_CPU, load generator to core $LOAD_CPU ($BENCH_THREADS client thread(s)), nice $NICE; $RUNS runs each, ${DURATION}s measured after ${WARMUP}s warm-up"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results: $OUT"
{
  echo "date=$(date -u +%FT%TZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "nats=$("$NATS_SERVER" --version 2>&1 | head -1)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs=$RUNS duration=$DURATION warmup=$WARMUP server_cpu=$SERVER_CPU load_cpu=$LOAD_CPU threads=$BENCH_THREADS nice=$NICE"
} >"$OUT/machine.txt"

# JetStream's sync_interval for a QMsgBus fsync policy (see JS_SYNC above)
js_sync_for() { # $1 = policy
  if [[ $JS_SYNC != auto ]]; then echo "$JS_SYNC"; return; fi
  [[ $1 == always ]] || return 0
  local probe="$OUT/nats-sync-probe.conf"
  printf 'jetstream {\n  store_dir: "%s"\n  sync_interval: always\n}\n' "$OUT/js-probe" >"$probe"
  if "$NATS_SERVER" -c "$probe" -t >/dev/null 2>&1; then echo always; fi
}

THROUGHPUT=""
WANT_CONNS=""
DURABLE=""
for sc in $SCENARIOS; do
  args_for "$sc" >/dev/null
  case "$sc" in
    conns) WANT_CONNS=1 ;;
    durable | durable-fastpush) for p in $FSYNC; do DURABLE="$DURABLE $sc.fsync-$p"; done ;;
    memory) DURABLE="$DURABLE memory" ;;
    *) THROUGHPUT="$THROUGHPUT $sc" ;;
  esac
done

runs_of() { # $1 scenario: RUNS runs per target, alternating targets
  local sc=$1
  echo
  echo "== $sc: qmsgbus bench $(args_for "$sc")"
  for i in $(seq 1 "$RUNS"); do
    for target in qmsgbus nats-ws; do
      if [[ $sc == conns ]]; then
        # a fresh server per run: memory growth is measured from an idle server
        if [[ $target == qmsgbus ]]; then start_qmsgbus "$sc-$i"; else start_nats "$sc-$i"; fi
      fi
      run_bench "$sc" "$target" "$i"
      if [[ $sc == conns ]]; then
        stop_servers
      fi
    done
  done
}

if [[ -n $THROUGHPUT ]]; then
  # one pair of servers for all throughput scenarios, warmed up first (not recorded)
  start_qmsgbus main
  start_nats main
  if ((PREWARM > 0)); then
    echo
    echo "== warming both servers up: ${PREWARM}s fan-out + 2s ACK each (not recorded)"
    for target in qmsgbus nats-ws; do
      if [[ $target == qmsgbus ]]; then url="ws://127.0.0.1:$QPORT/"; else url="ws://127.0.0.1:$NPORT/"; fi
      for warm in "fanout --receivers 4 --duration $PREWARM" "ack --duration 2"; do
        # shellcheck disable=SC2086
        nice -n "$NICE" taskset -c "$LOAD_CPU" java $BENCH_JVM_OPTS -jar "$JAR" bench $warm --warmup 0 --target "$target" \
          --url "$url" --threads "$BENCH_THREADS" --quiet >>"$OUT/prewarm-$target.txt" 2>&1 || true
      done
    done
  fi
  for sc in $THROUGHPUT; do
    runs_of "$sc"
  done
  stop_servers
fi
if [[ -n $WANT_CONNS ]]; then
  runs_of conns
fi
for sc in $DURABLE; do
  # a fresh pair of servers per scenario and fsync policy, with fresh scratch dirs: QMsgBus with
  # --data-dir (memory: without), nats-server with JetStream (the bench makes a fresh stream)
  rm -rf "$OUT/data-qmsgbus" "$OUT/data-jetstream"
  mkdir -p "$OUT/data-jetstream"
  if [[ $sc == memory ]]; then
    start_qmsgbus "$sc"
    sync=""
    echo "$sc: qmsgbus without --data-dir; JetStream memory storage" >>"$OUT/machine.txt"
  else
    policy=${sc##*.fsync-}
    mkdir -p "$OUT/data-qmsgbus"
    start_qmsgbus "$sc" --data-dir "$OUT/data-qmsgbus" --fsync "$policy"
    sync=$(js_sync_for "$policy")
    echo "$sc: qmsgbus --fsync $policy; JetStream file storage, sync_interval ${sync:-default (2 min)}" | tee -a "$OUT/machine.txt"
  fi
  start_nats "$sc" "$OUT/data-jetstream" "$sync"
  if ((DURABLE_PREWARM > 0)); then
    for target in qmsgbus nats-ws; do
      if [[ $target == qmsgbus ]]; then url="ws://127.0.0.1:$QPORT/"; else url="ws://127.0.0.1:$NPORT/"; fi
      # shellcheck disable=SC2046,SC2086
      nice -n "$NICE" taskset -c "$LOAD_CPU" java $BENCH_JVM_OPTS -jar "$JAR" bench $(args_for "$sc") --duration "$DURABLE_PREWARM" \
        --warmup 0 --target "$target" --url "$url" --threads "$BENCH_THREADS" --quiet >>"$OUT/prewarm-$sc-$target.txt" 2>&1 || true
    done
  fi
  runs_of "$sc"
  stop_servers
  rm -rf "$OUT/data-qmsgbus" "$OUT/data-jetstream"
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo
python3 "$ROOT/bench/summarize.py" "$OUT" | tee "$OUT/summary.md"

# latency plots from the median run of each target
for sc in fanout4 ack efficiency; do
  [[ " $SCENARIOS " == *" $sc "* ]] || continue
  q=$(python3 "$ROOT/bench/summarize.py" "$OUT" --median-run "$sc" qmsgbus || true)
  n=$(python3 "$ROOT/bench/summarize.py" "$OUT" --median-run "$sc" nats-ws || true)
  if [[ -n "$q" && -n "$n" ]]; then
    java -jar "$JAR" bench --plot "$OUT/$sc-latency.svg" --title "$sc: latency by percentile (median runs)" \
      --plot-hist "qmsgbus=$q" --plot-hist "nats-server (ws)=$n" >/dev/null
    java -Djava.awt.headless=true -jar "$JAR" bench --plot "$OUT/$sc-latency.png" --title "$sc: latency by percentile (median runs)" \
      --plot-hist "qmsgbus=$q" --plot-hist "nats-server (ws)=$n" >/dev/null
    echo "plot: $OUT/$sc-latency.svg (.png)"
  fi
done
