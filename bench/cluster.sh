#!/usr/bin/env bash
# QMsgBus with several nodes (--cluster redis://...) against one node, on one machine, in one run:
# the same client code (qmsgbus bench), the same payload, runs interleaved so a change in the
# machine's background load hits every target alike; tables of medians, spread (min-max) and
# ratios cluster/single. Starts its own redis-server (no persistence; the durable and resume parts
# turn its AOF on) on a free loopback port, a single node without --cluster, and cluster nodes A and
# B on that Redis (and, for the durable part, two more single nodes with --data-dir); stops them
# all on exit.
#
#   bench/cluster.sh                          # everything, about 14 minutes on 2 cores
#   PARTS="fanout churn" RUNS=5 bench/cluster.sh
#   PARTS="durable resume" bench/cluster.sh   # sessions that outlive their node, about 6 minutes
#
# Parts (PARTS):
#   fanout   1 publisher -> N receivers (RECEIVERS), fast-push, as fast as the bench's window
#            allows, per target: single (publisher and receivers on the single node), local
#            (both on cluster node A: what cluster mode costs a node's own fan-out) and cross
#            (publisher on A, receivers on B: every packet through Redis). Delivered/s, latency
#            p50/p99; the CPU of redis-server, the nodes and the load generator over the measured
#            window; Redis's output buffers (CLIENT LIST omem of the subscriber connections) and
#            memory, sampled every 0.25 s (bench/cluster.py watch).
#   latency  the same three targets at a fixed offered rate (LAT_RATE packets/s, 1 -> LAT_RECEIVERS):
#            latency when nothing is saturated (the fanout part's latency is that of a full window:
#            1000 copies in flight per receiver)
#   churn    CHURN_CONNS connections each registering a fresh skill, waiting for the ok,
#            deregistering it, waiting for the ok (qmsgbus bench churn), on the single node vs
#            on node A, where a register's ok waits for Redis's SUBSCRIBE confirm.
#   resub    RESUB_CLIENTS 'qmsgbus sub' clients on node A registering RESUB_SKILLS distinct skills
#            between them; then kill -9 redis-server, restart it on the same port, and time until
#            PUBSUB CHANNELS 'qmsgbus:s:resub.*' lists the first and then all RESUB_SKILLS channels
#            again (polled every 10 ms, at most RESUB_TIMEOUT s, by bench/cluster.py watch-resub,
#            started before the kill so its own start-up is not in the figures; the restarted
#            Redis is told apart by its run_id).
#            RUNS times. The node retries its subscription link after 100 ms, doubling up to 5 s,
#            so "Redis up -> first channel back" is mostly that retry timer.
#   durable  qmsgbus bench durable (1 publisher with confirms, at most DUR_WINDOW unconfirmed,
#            DUR_RECEIVERS receivers on named sessions) in ACK mode and with --fastpush
#            (DUR_MODES), against DUR_TARGETS:
#              disk-always / disk-never  a single node with --data-dir (a scratch dir in OUT)
#                                        and --fsync always / never
#              memory                    the single node (sessions in memory)
#              cluster-everysec / cluster-always  publisher on node A, receivers on node B,
#                                        sessions in Redis with appendonly yes and appendfsync
#                                        everysec / always (CONFIG SET before each run; Redis's
#                                        dir is OUT/redis)
#            Runs interleaved: run i of every mode and target before run i+1. Confirmed/s,
#            delivered/s, publish->delivery and publish->confirm latency, CPU as for fanout;
#            ratios cluster / memory and cluster / disk.
#   resume   a durable session (ACK mode) on node A, a publisher with confirms on node B at
#            RESUME_RATE packets/s; the probe (bench/resume.py, one process, one clock) sends
#            kill -9 to node A itself and its receiver reconnects at once to node B with the same
#            session name; times from the kill: the drop seen, the WebSocket to B open, the first
#            packet on B, and caught up (holding every packet confirmed so far); then it stops
#            publishing and checks that no confirmed packet is missing and counts the repeated
#            ones. Node A is restarted after each run. RESUME_RUNS times; Redis appendfsync
#            RESUME_APPENDFSYNC.
#
# Environment (defaults in brackets):
#   QMSGBUS_JAR          the qmsgbus jar [qmsgbus-cli/target/qmsgbus.jar]
#   REDIS_SERVER         redis-server binary [/usr/bin/redis-server]
#   PARTS                any of: fanout latency churn resub durable resume
#                        [fanout latency churn resub durable resume]
#   RUNS                 runs per part and target [3]
#   DURATION / WARMUP    seconds measured / warmed up per bench run [4 / 3]
#   RECEIVERS            fan-out widths N [1 4]
#   TARGETS              fan-out targets, any of: single local cross [single local cross]
#   SIZE                 packet bytes, the whole JSON packet [100]
#   LAT_RATE / LAT_RECEIVERS  the latency part's offered packets/s and fan-out [10000 / 4]
#   CHURN_CONNS          churning connections [4]
#   CHURN_RATE           registers/s offered by all churning connections; 0 = as fast as each
#                        round trip allows [0]
#   RESUB_SKILLS         skills held on node A for the re-subscribe [10000]
#   RESUB_CLIENTS        clients holding them (skills split evenly) [1]
#   RESUB_DOWN           seconds redis-server stays dead before the restart [0]
#   RESUB_TIMEOUT        most seconds to wait for the channels to come back [60]
#   DUR_MODES            durable modes, any of: ack fastpush [ack fastpush]
#   DUR_TARGETS          durable targets, any of: disk-always disk-never memory cluster-everysec
#                        cluster-always [all five]
#   DUR_RECEIVERS        durable receivers (sessions) [1]
#   DUR_WINDOW           unconfirmed packets (and copies in flight per receiver) [64]
#   DUR_PREWARM          seconds of unrecorded durable load (ACK mode) per target first [3]
#   RESUME_RUNS          kills of node A [5]
#   RESUME_RATE          packets/s the resume part's publisher offers [1000]
#   RESUME_BEFORE        seconds of steady publishing before the kill [3]
#   RESUME_DELAY         ms the receiver waits after the drop before it reconnects (a client's
#                        back-off: the backlog to catch up is about RESUME_RATE x this) [0]
#   RESUME_TIMEOUT       most seconds from the kill to caught up [30]
#   RESUME_APPENDFSYNC   Redis appendfsync during the resume part [everysec]
#   PYTHON_WS            a python3 with the 'websocket' module (Debian: python3-websocket), for
#                        bench/resume.py [/usr/bin/python3]
#   NODE_JVM_OPTS        JVM options of every node []
#   NODE_ARGS            extra 'qmsgbus server' arguments of every node [--set
#                        maxConnectionsPerAddress=100000 --set maxControlsPerSecond=0 --set
#                        maxRegistrations=RESUB_SKILLS/RESUB_CLIENTS rounded up, at least 1000]
#   BENCH_JVM_OPTS       JVM options of the load generator []
#   BENCH_THREADS        client event loop threads [1]
#   REDIS_CPU / NODE_CPU / LOAD_CPU  taskset -c lists for redis-server, the nodes and the load
#                        generator; empty = not pinned, everything shares every core [all empty]
#   PREWARM              seconds of unrecorded cross-node fan-out and single-node fan-out before
#                        the first recorded run, so the nodes are past JIT compilation [5]
#   OUT                  where results go [$TMPDIR or /tmp/qmsgbus-cluster-YYYYmmdd-HHMMSS]
#
# On 2 cores nothing here has a core of its own: redis-server, three node JVMs (the single node
# idles while the cluster nodes work, and the other way round) and the load generator share them.
# Read the CPU table beside the throughput: a figure is bounded by whichever process ran out of
# CPU, not by the design alone.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${QMSGBUS_JAR:-$ROOT/qmsgbus-cli/target/qmsgbus.jar}
REDIS_SERVER=${REDIS_SERVER:-/usr/bin/redis-server}
PARTS=${PARTS:-"fanout latency churn resub durable resume"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-3}
RECEIVERS=${RECEIVERS:-"1 4"}
TARGETS=${TARGETS:-"single local cross"}
SIZE=${SIZE:-100}
LAT_RATE=${LAT_RATE:-10000}
LAT_RECEIVERS=${LAT_RECEIVERS:-4}
CHURN_CONNS=${CHURN_CONNS:-4}
CHURN_RATE=${CHURN_RATE:-0}
RESUB_SKILLS=${RESUB_SKILLS:-10000}
RESUB_CLIENTS=${RESUB_CLIENTS:-1}
RESUB_DOWN=${RESUB_DOWN:-0}
RESUB_TIMEOUT=${RESUB_TIMEOUT:-60}
DUR_MODES=${DUR_MODES:-"ack fastpush"}
DUR_TARGETS=${DUR_TARGETS:-"disk-always disk-never memory cluster-everysec cluster-always"}
DUR_RECEIVERS=${DUR_RECEIVERS:-1}
DUR_WINDOW=${DUR_WINDOW:-64}
DUR_PREWARM=${DUR_PREWARM:-3}
RESUME_RUNS=${RESUME_RUNS:-5}
RESUME_RATE=${RESUME_RATE:-1000}
RESUME_BEFORE=${RESUME_BEFORE:-3}
RESUME_DELAY=${RESUME_DELAY:-0}
RESUME_TIMEOUT=${RESUME_TIMEOUT:-30}
RESUME_APPENDFSYNC=${RESUME_APPENDFSYNC:-everysec}
PYTHON_WS=${PYTHON_WS:-/usr/bin/python3}
PER_CLIENT=$(((RESUB_SKILLS + RESUB_CLIENTS - 1) / RESUB_CLIENTS))
MAX_REG=$((PER_CLIENT > 1000 ? PER_CLIENT : 1000))
NODE_JVM_OPTS=${NODE_JVM_OPTS:-}
NODE_ARGS=${NODE_ARGS:---set maxConnectionsPerAddress=100000 --set maxControlsPerSecond=0 --set maxRegistrations=$MAX_REG}
BENCH_JVM_OPTS=${BENCH_JVM_OPTS:-}
BENCH_THREADS=${BENCH_THREADS:-1}
REDIS_CPU=${REDIS_CPU:-}
NODE_CPU=${NODE_CPU:-}
LOAD_CPU=${LOAD_CPU:-}
PREWARM=${PREWARM:-5}
OUT=${OUT:-${TMPDIR:-/tmp}/qmsgbus-cluster-$(date +%Y%m%d-%H%M%S)}
HELPER=$ROOT/bench/cluster.py

die() { echo "cluster.sh: $*" >&2; exit 1; }
[[ -f "$JAR" ]] || die "no $JAR (build: mvn -q -DskipTests install, or set QMSGBUS_JAR)"
[[ -x "$REDIS_SERVER" ]] || die "redis-server not found (apt-get install redis-server, or set REDIS_SERVER)"
command -v python3 >/dev/null || die "python3 is needed (bench/cluster.py)"
[[ -z "$REDIS_CPU$NODE_CPU$LOAD_CPU" ]] || command -v taskset >/dev/null || die "taskset not found (util-linux)"
for p in $PARTS; do
  case "$p" in
    fanout | latency | churn | resub | durable | resume) ;;
    *) die "unknown part '$p' (fanout latency churn resub durable resume)" ;;
  esac
done
for m in $DUR_MODES; do
  case "$m" in ack | fastpush) ;; *) die "unknown durable mode '$m' (ack fastpush)" ;; esac
done
for t in $DUR_TARGETS; do
  case "$t" in
    disk-always | disk-never | memory | cluster-everysec | cluster-always) ;;
    *) die "unknown durable target '$t' (disk-always disk-never memory cluster-everysec cluster-always)" ;;
  esac
done
if [[ " $PARTS " == *" resume "* ]]; then
  "$PYTHON_WS" -c 'import websocket' 2>/dev/null \
    || die "$PYTHON_WS has no 'websocket' module (apt-get install python3-websocket, or set PYTHON_WS)"
fi
mkdir -p "$OUT"

pin_exec() { # $1 = cpu list or empty; the rest = the command. Run it with &: the background
  # subshell becomes the command (exec), so $! is its pid, for /proc/PID/stat and for kill
  local cpus=$1
  shift
  if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

RPORT=$(free_port)
RPID=""
declare -A NPID NPORT
SUBPIDS=""
WPID=""

stop_all() {
  for pid in $WPID $SUBPIDS ${NPID[@]+"${NPID[@]}"} $RPID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $WPID $SUBPIDS ${NPID[@]+"${NPID[@]}"} $RPID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT

start_redis() { # on $RPORT, the same port every time
  mkdir -p "$OUT/redis"
  pin_exec "$REDIS_CPU" "$REDIS_SERVER" --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$OUT/redis" --daemonize no >>"$OUT/redis.log" 2>&1 &
  RPID=$!
  # polls every 5 ms, at most 10 s
  python3 "$HELPER" wait-ping --redis-port "$RPORT" --pid "$RPID" --timeout 10 && return 0
  kill -0 "$RPID" 2>/dev/null || die "redis-server exited: $(tail -5 "$OUT/redis.log")"
  die "redis-server did not answer PING on port $RPORT in 10s"
}

start_node() { # $1 = name (single, disk-always, disk-never, a, b); a and b join the Redis; the
  # rest = more 'qmsgbus server' arguments
  local name=$1 port
  shift
  port=$(free_port)
  local cluster=()
  [[ $name != a && $name != b ]] || cluster=(--cluster "redis://127.0.0.1:$RPORT" --node-name "$name")
  # shellcheck disable=SC2086
  pin_exec "$NODE_CPU" java $NODE_JVM_OPTS -jar "$JAR" server --port "$port" "${cluster[@]}" $NODE_ARGS "$@" \
    >"$OUT/node-$name.out" 2>"$OUT/node-$name.err" &
  NPID[$name]=$!
  NPORT[$name]=$port
  local i
  for i in $(seq 1 600); do # at most 60 s
    if grep -q "listening on" "$OUT/node-$name.out" 2>/dev/null; then
      [[ $name == a || $name == b ]] || return 0
      grep -q "Redis link up" "$OUT/node-$name.err" 2>/dev/null && return 0
    fi
    kill -0 "${NPID[$name]}" 2>/dev/null || die "node $name exited: $(tail -5 "$OUT/node-$name.err")"
    sleep 0.1
  done
  die "node $name did not start (and reach Redis) in 60s"
}

url_of() { echo "ws://127.0.0.1:${NPORT[$1]}/"; }

load_pin() { # the load generator's taskset prefix, or nothing
  [[ -z $LOAD_CPU ]] || echo "taskset -c $LOAD_CPU"
}

bench() { # $1 = result base name; the rest = 'qmsgbus bench' arguments
  local name=$1 base="$OUT/$1"
  shift
  local pids=(--pid "redis=$RPID") n
  for n in "${!NPID[@]}"; do pids+=(--pid "$n=${NPID[$n]}"); done
  # shellcheck disable=SC2086
  if ! python3 "$HELPER" watch --out "$base" --duration "$DURATION" --redis-port "$RPORT" "${pids[@]}" -- \
      $(load_pin) java $BENCH_JVM_OPTS -jar "$JAR" bench "$@" \
      --threads "$BENCH_THREADS" --duration "$DURATION" --warmup "$WARMUP" --quiet --json; then
    echo "  run failed: $(tail -3 "$base.err")" >&2
    mv -f "$base.json" "$base.failed" 2>/dev/null || true
    return 0
  fi
  python3 - "$base.json" "$base.watch.json" "$name" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
w = json.load(open(sys.argv[2]))
lat = r["latency_us"]
cpu = "  ".join(f"{k} {v:.0f}%" for k, v in w["cpu_pct"].items())
red = w["redis"]
what = "registers/s" if r["scenario"] == "churn" else "delivered/s"
conf = ""
if r["scenario"] == "durable":
    c = r["confirm_latency_us"]
    conf = f"  confirmed/s {r['confirmed_per_s']:,.0f} (p50 {c['p50'] or 0:.0f} us, p99 {c['p99'] or 0:.0f} us) unconfirmed {r['unconfirmed']}"
print(f"  {sys.argv[3]:<28} {what} {r['delivered_per_s']:>10,.0f}  p50 {lat['p50'] or 0:.0f} us  p99 {lat['p99'] or 0:.0f} us{conf}"
      f"  errors {r['errors']} undelivered {r['undelivered']}  CPU: {cpu}"
      f"  redis {red.get('commands_per_s', 0):,.0f} cmd/s, omem {red.get('subscriber_omem_max', 0)} B")
EOF
}

echo "QMsgBus several nodes vs one node -- $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(java -version 2>&1 | head -1)"
echo "redis: $("$REDIS_SERVER" --version | head -1)"
echo "jar: $JAR; pinning: redis '${REDIS_CPU:-none}', nodes '${NODE_CPU:-none}', load '${LOAD_CPU:-none}'; $RUNS runs, ${DURATION}s measured after ${WARMUP}s warm-up"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results: $OUT"
{
  echo "date=$(date -u +%FT%TZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "redis=$("$REDIS_SERVER" --version | head -1)"
  echo "loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs=$RUNS duration=$DURATION warmup=$WARMUP receivers='$RECEIVERS' size=$SIZE threads=$BENCH_THREADS"
  echo "node_args=$NODE_ARGS"
} >"$OUT/machine.txt"

start_redis
start_node single
start_node a
start_node b
if [[ " $PARTS " == *" durable "* ]]; then
  for t in $DUR_TARGETS; do
    case "$t" in
      disk-always | disk-never)
        rm -rf "$OUT/data-$t"
        start_node "$t" --data-dir "$OUT/data-$t" --fsync "${t#disk-}"
        ;;
    esac
  done
fi

if ((PREWARM > 0)); then
  echo
  echo "== warming the nodes up: ${PREWARM}s fan-out 1 -> 4 on the single node, then across A -> B (not recorded)"
  for warm in "--url $(url_of single)" "--url $(url_of a) --receiver-url $(url_of b)" "--url $(url_of a)"; do
    # shellcheck disable=SC2086
    $(load_pin) java $BENCH_JVM_OPTS -jar "$JAR" bench fanout --receivers 4 $warm --duration "$PREWARM" --warmup 0 \
      --threads "$BENCH_THREADS" --quiet >>"$OUT/prewarm.txt" 2>&1 || true
  done
fi

urls_of() { # $1 = target
  case "$1" in
    single) echo "--url $(url_of single)" ;;
    local) echo "--url $(url_of a)" ;;
    cross) echo "--url $(url_of a) --receiver-url $(url_of b)" ;;
    *) die "unknown target '$1' (single local cross)" ;;
  esac
}

fanout_runs() { # $1 = part (fanout, latency); $2 = receivers; $3 = offered rate (0: as fast as possible)
  local part=$1 n=$2 rate=$3 i target
  echo
  echo "== $part: fan-out 1 -> $n, ${SIZE}-byte packets: qmsgbus bench fanout --receivers $n --size $SIZE --rate $rate"
  for i in $(seq 1 "$RUNS"); do
    for target in $TARGETS; do
      # shellcheck disable=SC2046
      bench "$part-n$n-$target-$i" fanout --receivers "$n" --size "$SIZE" --rate "$rate" $(urls_of "$target")
    done
  done
}

if [[ " $PARTS " == *" fanout "* ]]; then
  for n in $RECEIVERS; do
    fanout_runs fanout "$n" 0
  done
fi
if [[ " $PARTS " == *" latency "* ]]; then
  fanout_runs latency "$LAT_RECEIVERS" "$LAT_RATE"
fi

if [[ " $PARTS " == *" churn "* ]]; then
  echo
  echo "== subscribe churn: qmsgbus bench churn --receivers $CHURN_CONNS --rate $CHURN_RATE"
  for i in $(seq 1 "$RUNS"); do
    bench "churn-single-$i" churn --receivers "$CHURN_CONNS" --rate "$CHURN_RATE" --url "$(url_of single)"
    bench "churn-cluster-$i" churn --receivers "$CHURN_CONNS" --rate "$CHURN_RATE" --url "$(url_of a)"
  done
fi

count_resub() {
  python3 "$HELPER" count --redis-port "$RPORT" --pattern 'qmsgbus:s:resub.*'
}

now_ms() { date +%s%3N; }

if [[ " $PARTS " == *" resub "* ]]; then
  echo
  echo "== re-subscribe: $RESUB_CLIENTS client(s) on node A hold $RESUB_SKILLS skills; kill -9 redis-server, restart on port $RPORT"
  for c in $(seq 0 $((RESUB_CLIENTS - 1))); do
    from=$((c * PER_CLIENT))
    to=$((from + PER_CLIENT - 1))
    ((to < RESUB_SKILLS)) || to=$((RESUB_SKILLS - 1))
    ((from <= to)) || continue
    # shellcheck disable=SC2046,SC2086
    $(load_pin) java $BENCH_JVM_OPTS -jar "$JAR" sub --url "$(url_of a)" --fastpush $(seq -f 'resub.%05g' "$from" "$to") \
      >"$OUT/resub-client-$c.out" 2>"$OUT/resub-client-$c.err" &
    SUBPIDS="$SUBPIDS $!"
  done
  t0=$(now_ms)
  got=0
  for j in $(seq 1 600); do # at most 600 x 0.1 s = 60 s
    got=$(count_resub)
    ((got >= RESUB_SKILLS)) && break
    sleep 0.1
  done
  ((got >= RESUB_SKILLS)) || die "only $got of $RESUB_SKILLS skills subscribed in Redis after 60s (see $OUT/resub-client-*.err)"
  echo "  $got channels subscribed in $(($(now_ms) - t0)) ms (first registration, clients starting included)"
  for i in $(seq 1 "$RUNS"); do
    # the clock: one process, started (and past its own start-up) before the kill
    rm -f "$OUT/resub-ready" "$OUT/resub-killed"
    python3 "$HELPER" watch-resub --redis-port "$RPORT" --pattern 'qmsgbus:s:resub.*' --want "$RESUB_SKILLS" \
      --ready "$OUT/resub-ready" --killed "$OUT/resub-killed" --timeout "$RESUB_TIMEOUT" >"$OUT/resub-$i.json" &
    WPID=$!
    for j in $(seq 1 200); do # at most 10 s
      [[ -e "$OUT/resub-ready" ]] && break
      sleep 0.05
    done
    [[ -e "$OUT/resub-ready" ]] || die "the re-subscribe watcher did not see $RESUB_SKILLS channels"
    now_ms >"$OUT/resub-killed"
    kill -9 "$RPID"
    wait "$RPID" 2>/dev/null || true
    ((RESUB_DOWN == 0)) || sleep "$RESUB_DOWN"
    start_redis
    wait "$WPID" || echo "  run $i: not all channels back in ${RESUB_TIMEOUT}s" >&2
    WPID=""
    echo "  run $i: $(cat "$OUT/resub-$i.json")"
    # settle: the node is up again (both links), so the next kill starts from a steady state
    for j in $(seq 1 100); do
      [[ $(grep -c "Redis link up" "$OUT/node-a.err") -gt $i ]] && break
      sleep 0.05
    done
  done
  grep "after .* ms down" "$OUT/node-a.err" | sed 's/^/  node a: /' | tail -n "$RUNS" || true
fi

redis_cmd() { # a Redis command; prints the reply
  python3 "$HELPER" cmd --redis-port "$RPORT" -- "$@"
}

redis_aof() { # $1 = appendfsync policy: AOF on (once; waits for its first rewrite), that policy
  if [[ $(python3 "$HELPER" info --redis-port "$RPORT" --field aof_enabled) != 1 ]]; then
    redis_cmd CONFIG SET appendonly yes >/dev/null
    local j
    for j in $(seq 1 600); do # at most 60 s
      [[ $(python3 "$HELPER" info --redis-port "$RPORT" --field aof_enabled) == 1 ]] \
        && [[ $(python3 "$HELPER" info --redis-port "$RPORT" --field aof_rewrite_in_progress) == 0 ]] && break
      sleep 0.1
    done
    [[ $(python3 "$HELPER" info --redis-port "$RPORT" --field aof_enabled) == 1 ]] \
      || die "Redis did not turn its AOF on in 60s ($(tail -3 "$OUT/redis.log"))"
  fi
  redis_cmd CONFIG SET appendfsync "$1" >/dev/null
}

dur_urls() { # $1 = durable target
  case "$1" in
    disk-always | disk-never) echo "--url $(url_of "$1")" ;;
    memory) echo "--url $(url_of single)" ;;
    cluster-*) echo "--url $(url_of a) --receiver-url $(url_of b)" ;;
  esac
}

if [[ " $PARTS " == *" durable "* ]]; then
  echo
  echo "== durable: qmsgbus bench durable --receivers $DUR_RECEIVERS --window $DUR_WINDOW --size $SIZE [--fastpush]"
  echo "   targets: $DUR_TARGETS; modes: $DUR_MODES; Redis dir $OUT/redis"
  {
    echo "durable: targets '$DUR_TARGETS' modes '$DUR_MODES' receivers $DUR_RECEIVERS window $DUR_WINDOW"
    echo "durable: disk targets' data dirs in $OUT (df: $(df -hT "$OUT" | tail -1 | tr -s ' '))"
  } >>"$OUT/machine.txt"
  if ((DUR_PREWARM > 0)); then
    echo "   warming up: ${DUR_PREWARM}s of ACK-mode durable load per target (not recorded)"
    for target in $DUR_TARGETS; do
      [[ $target != cluster-* ]] || redis_aof "${target#cluster-}"
      # shellcheck disable=SC2046
      $(load_pin) java $BENCH_JVM_OPTS -jar "$JAR" bench durable --receivers "$DUR_RECEIVERS" --window "$DUR_WINDOW" \
        $(dur_urls "$target") --duration "$DUR_PREWARM" --warmup 0 --threads "$BENCH_THREADS" --quiet \
        >>"$OUT/prewarm.txt" 2>&1 || true
    done
  fi
  for i in $(seq 1 "$RUNS"); do
    for mode in $DUR_MODES; do
      fp=""
      [[ $mode == ack ]] || fp=--fastpush
      for target in $DUR_TARGETS; do
        [[ $target != cluster-* ]] || redis_aof "${target#cluster-}"
        # shellcheck disable=SC2046,SC2086
        bench "durable-$mode-$target-$i" durable --receivers "$DUR_RECEIVERS" --window "$DUR_WINDOW" --size "$SIZE" \
          $fp $(dur_urls "$target")
      done
    done
  done
  echo "   Redis persistence after: $(python3 "$HELPER" info --redis-port "$RPORT" --field aof_rewrites) AOF rewrites," \
    "aof_delayed_fsync $(python3 "$HELPER" info --redis-port "$RPORT" --field aof_delayed_fsync)" | tee -a "$OUT/machine.txt"
fi

if [[ " $PARTS " == *" resume "* ]]; then
  echo
  echo "== resume: a durable ACK-mode session on node A, a publisher with confirms on node B at $RESUME_RATE/s;" \
    "kill -9 node A, the receiver resumes on B ${RESUME_DELAY} ms after the drop (bench/resume.py); Redis appendfsync $RESUME_APPENDFSYNC"
  redis_aof "$RESUME_APPENDFSYNC"
  for i in $(seq 1 "$RESUME_RUNS"); do
    # shellcheck disable=SC2046
    if ! $(load_pin) timeout $((RESUME_BEFORE + RESUME_TIMEOUT + 40)) "$PYTHON_WS" "$ROOT/bench/resume.py" \
        --url-a "$(url_of a)" --url-b "$(url_of b)" --kill-pid "${NPID[a]}" --session "resume-$i" --skill "resume.$i" \
        --rate "$RESUME_RATE" --before "$RESUME_BEFORE" --reconnect-delay "$RESUME_DELAY" --timeout "$RESUME_TIMEOUT" \
        >"$OUT/resume-$i.json" 2>"$OUT/resume-$i.err"; then
      echo "  run $i: not caught up: $(cat "$OUT/resume-$i.json") $(tail -3 "$OUT/resume-$i.err")" >&2
    fi
    echo "  run $i: $(python3 "$HELPER" resume-line "$OUT/resume-$i.json")"
    # node A: gone (the probe killed it) or, if the probe failed first, still up: stop it, restart
    kill -9 "${NPID[a]}" 2>/dev/null || true
    wait "${NPID[a]}" 2>/dev/null || true
    mv -f "$OUT/node-a.out" "$OUT/node-a.resume-$i.out"
    mv -f "$OUT/node-a.err" "$OUT/node-a.resume-$i.err"
    start_node a
  done
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
echo
python3 "$HELPER" summary "$OUT" | tee "$OUT/summary.md"
