#!/usr/bin/env bash
# The memory probes of issue 15, against one strata-server binary: its peak
# resident size (VmHWM, reset before each case) above its resident size
# before the case, the HTTP status and the answer's size.
#
#   bench/query_memory_probe.sh SERVER STRATA_TSDB [extra server flags...]
#
# Cases: one `max_over_time(vector(1)[1y:1ms])`; three at once; a
# label_replace chain whose answer has a 400 MB label (and the resident
# size 5 s after it); a remote read answered with SAMPLES (Prometheus 2.42
# as the client, `read_recent: true`) of SERIES x POINTS samples.
# Needs root (writes /proc/<pid>/clear_refs), python3, curl, prometheus.
set -euo pipefail
server=$1
tsdb=$2
shift 2
series=${SERIES:-500}
points=${POINTS:-10000}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_ready() {
  for _ in $(seq 1 300); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.2
  done
  echo "not ready: $1" >&2
  return 1
}

# SERIES series of POINTS samples every 15 s, ending now.
now=$(date +%s)
python3 - "$series" "$points" "$now" >"$work/probe.om" <<'EOF'
import sys
series, points, now = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
start = now - points * 15
out = sys.stdout
for i in range(series):
    lines = [f'probe{{instance="host-{i:05d}",job="memory-probe"}} {j % 97} {start + j * 15}\n'
             for j in range(points)]
    out.writelines(lines)
out.write("# EOF\n")
EOF
"$tsdb" -d "$work/data" import openmetrics "$work/probe.om" >/dev/null
rm "$work/probe.om"

port=$(free_port)
"$server" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$port" --log.level=warn "$@" &
spid=$!
pids+=("$spid")
wait_ready "http://127.0.0.1:$port/-/ready"
base="http://127.0.0.1:$port"

kb() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$spid/status"; }
# Runs "$@" with the peak reset first; prints the peak growth in MB.
measure() {
  echo 5 >"/proc/$spid/clear_refs"
  local before
  before=$(kb VmRSS)
  "$@"
  echo "peak +$(((($(kb VmHWM) - before)) / 1024)) MB"
}
query() {
  curl -s -o "$work/answer" -w "%{http_code} %{size_download} bytes; " \
    --data-urlencode "query=$1" "$base/api/v1/query"
}

echo "== baseline RSS $(($(kb VmRSS) / 1024)) MB"
echo -n "== max_over_time(vector(1)[1y:1ms]): "
measure query 'max_over_time(vector(1)[1y:1ms])'
head -c 300 "$work/answer"
echo
three() {
  local curls=()
  for _ in 1 2 3; do
    query 'max_over_time(vector(1)[1y:1ms])' &
    curls+=("$!")
  done
  wait "${curls[@]}"
}
echo -n "== three at once: "
measure three
x1000=$(printf 'x%.0s' $(seq 1 1000))
r400=$(printf '$1%.0s' $(seq 1 400))
r1000=$(printf '$1%.0s' $(seq 1 1000))
inflate="label_replace(label_replace(label_replace(vector(1), \"a\", \"$x1000\", \"\", \"\"), \"b\", \"$r400\", \"a\", \"(.*)\"), \"c\", \"$r1000\", \"b\", \"(.*)\")"
echo -n "== label_replace to a 400 MB label: "
measure query "$inflate"
head -c 300 "$work/answer" | cut -c1-300
echo
sleep 5
echo "== RSS 5 s later: $(($(kb VmRSS) / 1024)) MB"

# Remote read, SAMPLES, with Prometheus as the client.
pport=$(free_port)
cat >"$work/prometheus.yml" <<EOF
remote_read:
  - url: $base/api/v1/read
    read_recent: true
EOF
prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/prom" --web.listen-address="127.0.0.1:$pport" \
  --log.level=warn &
pids+=("$!")
wait_ready "http://127.0.0.1:$pport/-/ready"
remote_read() {
  curl -s -o "$work/answer" -w "%{http_code}; " \
    --data-urlencode "query=count(count_over_time(probe[$((points * 15 + 600))s]))" \
    "http://127.0.0.1:$pport/api/v1/query"
}
samples=$((series * points))
echo -n "== remote read of $samples samples (SAMPLES): "
echo 5 >"/proc/$spid/clear_refs"
before=$(kb VmRSS)
remote_read
growth=$(($(kb VmHWM) - before))
echo "peak +$((growth / 1024)) MB, $((growth * 1024 / samples)) B/sample"
head -c 300 "$work/answer"
echo
