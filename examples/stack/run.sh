#!/usr/bin/env bash
# The monitoring stack on Strata, on 127.0.0.1: the dataspace connector
# app, node_exporter, two Prometheus 2.42 agents (an HA pair) scraping
# them and remote-writing to strata-server, which evaluates the rules in
# rules/ and notifies Alertmanager 0.25, whose webhook receiver logs every
# notification as a JSON line.
#
# Ctrl-C (or SIGTERM) stops every child by its PID. With
# STACK_MEASURE_SECONDS=N it runs N seconds, samples the CPU time and RSS
# of each component from /proc, prints a markdown table and stops.
#
# Environment (defaults in brackets):
#   STRATA_SERVER            strata-server binary [build-release/tools/strata-server/strata-server]
#   STACK_WORK_DIR           data, rendered configs, logs, pids [build-release/stack]
#   STRATA_PORT [9201]  PROMETHEUS_A_PORT [9090]  PROMETHEUS_B_PORT [9091]
#   NODE_EXPORTER_PORT [9100]  ALERTMANAGER_PORT [9093]  APP_PORT [3000]
#   WEBHOOK_PORT [9096]
#   STACK_SCRAPE_INTERVAL [15s]   STACK_EVAL_INTERVAL [15s]
#   STACK_HA_FAILOVER_TIMEOUT [30s]   STACK_REMOTE_WRITE_DEADLINE [1s] (the agents' batch_send_deadline)
#   STACK_ALERT_FOR          if set, every rule's `for:` becomes this (demos, tests)
#   AM_GROUP_WAIT [10s]  AM_GROUP_INTERVAL [1m]
#   TRAFFIC_RATE [5]         requests/s of the app's traffic generator
#   STACK_MEASURE_SECONDS    measure mode (see above); STACK_MEASURE_SAMPLE [5] s between samples
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

STRATA_SERVER="${STRATA_SERVER:-$repo/build-release/tools/strata-server/strata-server}"
STACK_WORK_DIR="${STACK_WORK_DIR:-$repo/build-release/stack}"
STRATA_PORT="${STRATA_PORT:-9201}"
PROMETHEUS_A_PORT="${PROMETHEUS_A_PORT:-9090}"
PROMETHEUS_B_PORT="${PROMETHEUS_B_PORT:-9091}"
NODE_EXPORTER_PORT="${NODE_EXPORTER_PORT:-9100}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
APP_PORT="${APP_PORT:-3000}"
WEBHOOK_PORT="${WEBHOOK_PORT:-9096}"
STACK_SCRAPE_INTERVAL="${STACK_SCRAPE_INTERVAL:-15s}"
STACK_EVAL_INTERVAL="${STACK_EVAL_INTERVAL:-15s}"
STACK_HA_FAILOVER_TIMEOUT="${STACK_HA_FAILOVER_TIMEOUT:-30s}"
STACK_REMOTE_WRITE_DEADLINE="${STACK_REMOTE_WRITE_DEADLINE:-1s}"
STACK_ALERT_FOR="${STACK_ALERT_FOR:-}"
AM_GROUP_WAIT="${AM_GROUP_WAIT:-10s}"
AM_GROUP_INTERVAL="${AM_GROUP_INTERVAL:-1m}"
TRAFFIC_RATE="${TRAFFIC_RATE:-5}"
STACK_MEASURE_SECONDS="${STACK_MEASURE_SECONDS:-0}"
STACK_MEASURE_SAMPLE="${STACK_MEASURE_SAMPLE:-5}"

PROMETHEUS="${PROMETHEUS:-/usr/bin/prometheus}"
PROMTOOL="${PROMTOOL:-/usr/bin/promtool}"
ALERTMANAGER="${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}"
NODE_EXPORTER="${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for bin in "$STRATA_SERVER" "$PROMETHEUS" "$PROMTOOL" "$ALERTMANAGER" "$NODE_EXPORTER"; do
  [ -x "$bin" ] || die "missing $bin (make deps; make stack builds strata-server)"
done
command -v node >/dev/null || die "missing node (make deps)"
command -v curl >/dev/null || die "missing curl (make deps)"

# The prom-client and Express packages of the app, from its lockfile.
if [ ! -d "$here/dataspace-app/node_modules" ]; then
  log "installing the app's npm packages (npm ci)"
  (cd "$here/dataspace-app" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
fi

mkdir -p "$STACK_WORK_DIR"
work="$(cd "$STACK_WORK_DIR" && pwd)"
conf="$work/config"
logs="$work/logs"
pids="$work/pids"
mkdir -p "$conf/rules" "$logs" "$pids"
rm -f "$pids"/*.pid

# Configuration: the files of this directory with @NAME@ replaced.
scrape_timeout="$STACK_SCRAPE_INTERVAL"
render() { # template output [replica]
  sed -e "s|@SCRAPE_INTERVAL@|$STACK_SCRAPE_INTERVAL|g" \
      -e "s|@SCRAPE_TIMEOUT@|$scrape_timeout|g" \
      -e "s|@EVAL_INTERVAL@|$STACK_EVAL_INTERVAL|g" \
      -e "s|@REMOTE_WRITE_DEADLINE@|$STACK_REMOTE_WRITE_DEADLINE|g" \
      -e "s|@REPLICA@|${3:-}|g" \
      -e "s|@STRATA_PORT@|$STRATA_PORT|g" \
      -e "s|@NODE_EXPORTER_PORT@|$NODE_EXPORTER_PORT|g" \
      -e "s|@APP_PORT@|$APP_PORT|g" \
      -e "s|@ALERTMANAGER_PORT@|$ALERTMANAGER_PORT|g" \
      -e "s|@WEBHOOK_PORT@|$WEBHOOK_PORT|g" \
      -e "s|@AM_GROUP_WAIT@|$AM_GROUP_WAIT|g" \
      -e "s|@AM_GROUP_INTERVAL@|$AM_GROUP_INTERVAL|g" \
      -e "s|@RULES_DIR@|$conf/rules|g" "$1" > "$2"
}
render "$here/prometheus/agent.yml.in" "$conf/prometheus-a.yml" a
render "$here/prometheus/agent.yml.in" "$conf/prometheus-b.yml" b
render "$here/alertmanager/alertmanager.yml.in" "$conf/alertmanager.yml"
render "$here/strata/strata.yml.in" "$conf/strata.yml"
for rules in "$here"/rules/*.yml; do
  if [ -n "$STACK_ALERT_FOR" ]; then
    sed -E "s/^( *)for: .*/\\1for: $STACK_ALERT_FOR/" "$rules" > "$conf/rules/$(basename "$rules")"
  else
    cp "$rules" "$conf/rules/"
  fi
done
"$PROMTOOL" check rules "$conf"/rules/*.yml >"$logs/promtool.log" 2>&1 || { cat "$logs/promtool.log" >&2; die "rule files"; }
"$PROMTOOL" check config --agent "$conf/prometheus-a.yml" >>"$logs/promtool.log" 2>&1 || { cat "$logs/promtool.log" >&2; die "agent configuration"; }

# HA-pair dedup in strata-server: one replica's samples stored per cluster.
ha_flags=(--ha.replica-label=__replica__ --ha.cluster-label=cluster
          "--ha.failover-timeout=$STACK_HA_FAILOVER_TIMEOUT")

# Children, in start order; stopped in reverse order.
names=()
declare -A pid_of=()
stopping=0

# Whether `pid` runs (a zombie, exited but not yet waited for, does not).
alive() {
  local state
  state="$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop_all() {
  [ "$stopping" = 1 ] && return
  stopping=1
  local i name pid deadline
  # Reverse start order: the agents first, while Strata still takes their
  # last samples; then each process gets 10 s before SIGKILL.
  for ((i = ${#names[@]} - 1; i >= 0; i--)); do
    name="${names[$i]}"; pid="${pid_of[$name]}"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if alive "$pid"; then
      log "$name ($pid) did not stop: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$pids/$name.pid"
  done
  log "stopped"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

start() { # name command...
  local name="$1"; shift
  "$@" >"$logs/$name.log" 2>&1 &
  pid_of[$name]=$!
  names+=("$name")
  echo "$!" >"$pids/$name.pid"
  log "$name: pid $! (log $logs/$name.log)"
}

wait_ready() { # name url
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "$2" 2>/dev/null; do
    alive "${pid_of[$1]}" || { tail -n 20 "$logs/$1.log" >&2; die "$1 exited"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$logs/$1.log" >&2; die "$1 not ready at $2"; }
    sleep 0.2
  done
}

start webhook-logger env WEBHOOK_HOST=127.0.0.1 "WEBHOOK_PORT=$WEBHOOK_PORT" \
  "WEBHOOK_LOG=$work/alerts.jsonl" node "$here/webhook-logger/webhook-logger.js"
start node-exporter "$NODE_EXPORTER" "--web.listen-address=127.0.0.1:$NODE_EXPORTER_PORT"
start alertmanager "$ALERTMANAGER" "--config.file=$conf/alertmanager.yml" \
  "--storage.path=$work/alertmanager" "--web.listen-address=127.0.0.1:$ALERTMANAGER_PORT" \
  --cluster.listen-address=
start strata "$STRATA_SERVER" "--storage.tsdb.path=$work/strata" \
  "--web.listen-address=127.0.0.1:$STRATA_PORT" "--config.file=$conf/strata.yml" \
  "--web.external-url=http://127.0.0.1:$STRATA_PORT/" "${ha_flags[@]}"
start dataspace-app env APP_HOST=127.0.0.1 "APP_PORT=$APP_PORT" "TRAFFIC_RATE=$TRAFFIC_RATE" \
  node "$here/dataspace-app/src/server.js"
wait_ready webhook-logger "http://127.0.0.1:$WEBHOOK_PORT/healthz"
wait_ready node-exporter "http://127.0.0.1:$NODE_EXPORTER_PORT/metrics"
wait_ready alertmanager "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready"
wait_ready strata "http://127.0.0.1:$STRATA_PORT/-/ready"
wait_ready dataspace-app "http://127.0.0.1:$APP_PORT/healthz"
for replica in a b; do
  port_var="PROMETHEUS_${replica^^}_PORT"
  start "prometheus-$replica" "$PROMETHEUS" --enable-feature=agent \
    "--config.file=$conf/prometheus-$replica.yml" "--storage.agent.path=$work/prometheus-$replica" \
    "--web.listen-address=127.0.0.1:${!port_var}"
done
wait_ready prometheus-a "http://127.0.0.1:$PROMETHEUS_A_PORT/-/ready"
wait_ready prometheus-b "http://127.0.0.1:$PROMETHEUS_B_PORT/-/ready"
touch "$work/ready"
log "ready: Strata http://127.0.0.1:$STRATA_PORT (Grafana datasource), Alertmanager http://127.0.0.1:$ALERTMANAGER_PORT, app http://127.0.0.1:$APP_PORT, alerts in $work/alerts.jsonl"

# CPU seconds (utime + stime) and RSS in KiB of a process, from /proc.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

measure() {
  local seconds="$1" hz name pid samples=0 end
  hz="$(getconf CLK_TCK)"
  declare -A cpu0=() rss_sum=() rss_max=()
  for name in "${names[@]}"; do
    cpu0[$name]="$(cpu_ticks "${pid_of[$name]}")"; rss_sum[$name]=0; rss_max[$name]=0
  done
  log "measuring for ${seconds}s (a sample every ${STACK_MEASURE_SAMPLE}s)"
  end=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$end" ]; do
    sleep "$STACK_MEASURE_SAMPLE"
    samples=$((samples + 1))
    for name in "${names[@]}"; do
      local rss; rss="$(rss_kib "${pid_of[$name]}")"
      rss_sum[$name]=$((rss_sum[$name] + rss))
      [ "$rss" -gt "${rss_max[$name]}" ] && rss_max[$name]=$rss
    done
  done
  {
    echo "Stack resource use over ${seconds} s (scrape ${STACK_SCRAPE_INTERVAL}, evaluation ${STACK_EVAL_INTERVAL}, app traffic ${TRAFFIC_RATE} req/s; $(nproc) CPUs, $(uname -r)):"
    echo
    echo "| component | CPU seconds | mean CPU % | mean RSS MiB | max RSS MiB |"
    echo "|---|---:|---:|---:|---:|"
    local total_cpu=0 total_rss=0 total_max=0 cpu
    for name in "${names[@]}"; do
      cpu=$(( $(cpu_ticks "${pid_of[$name]}") - cpu0[$name] ))
      total_cpu=$((total_cpu + cpu))
      total_rss=$((total_rss + rss_sum[$name] / samples))
      total_max=$((total_max + rss_max[$name]))
      awk -v n="$name" -v c="$cpu" -v hz="$hz" -v s="$seconds" -v r="${rss_sum[$name]}" -v k="$samples" -v m="${rss_max[$name]}" \
        'BEGIN { printf "| %s | %.1f | %.2f | %.1f | %.1f |\n", n, c / hz, 100 * c / hz / s, r / k / 1024, m / 1024 }'
    done
    awk -v c="$total_cpu" -v hz="$hz" -v s="$seconds" -v r="$total_rss" -v m="$total_max" \
      'BEGIN { printf "| **total** | %.1f | %.2f | %.1f | %.1f |\n", c / hz, 100 * c / hz / s, r / 1024, m / 1024 }'
  } | tee "$work/measure.md"
}

if [ "$STACK_MEASURE_SECONDS" -gt 0 ]; then
  measure "$STACK_MEASURE_SECONDS"
  exit 0
fi

# Run until stopped. A child that exits (a replica stopped on purpose,
# say) is reported, not restarted.
declare -A reported=()
while true; do
  for name in "${names[@]}"; do
    if [ -z "${reported[$name]:-}" ] && ! alive "${pid_of[$name]}"; then
      reported[$name]=1
      log "$name (pid ${pid_of[$name]}) exited; see $logs/$name.log"
    fi
  done
  sleep 1
done
