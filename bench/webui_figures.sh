#!/usr/bin/env bash
# The web UI's figures (issue 20) in Debian's headless Chromium: first
# contentful paint and the time from navigation to the drawn graph of
# EXPR over the recorded hour (../shared/datasets/recorded-15s), the median
# of RUNS page loads each in a fresh browser; and the bundle's sizes.
#
#   bench/webui_figures.sh BUILD_DIR [EXPR]
#
# EXPR defaults to {__name__=~".+"}: every one of the hour's 1,467 series.
# Needs a build with the UI (node, npm), chromium, zstd, curl, python3.
set -euo pipefail
build=$(cd "$1" && pwd)
expr=${2:-'{__name__=~".+"}'}
runs=${RUNS:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/data"
zstd -dc "$src/../shared/datasets/recorded-15s/prometheus-blocks.tar.zst" | tar -x -C "$work/data"
"$build/tools/strata-server/strata-server" --storage.tsdb.path="$work/data" \
  --web.listen-address=127.0.0.1:$port --storage.tsdb.retention.time=100y \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break
  sleep 0.2
done

for i in $(seq 1 "$runs"); do
  node "$src/tests/webui/ui_browser.mjs" --figures --url "http://127.0.0.1:$port" \
    --node-modules "$src/web/ui/node_modules" --artifacts "$work/artifacts" \
    --end "2026-11-25 16:27:44" --expr "$expr"
done >"$work/runs.jsonl"
python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = [r for r in runs if "failure" in r or r["consoleErrors"]]
if bad:
    sys.exit("failed run: " + json.dumps(bad[0]))
figs = [r["figures"] for r in runs]
def med(key):
    return statistics.median(f[key] for f in figs)
print("series drawn: %d, runs: %d" % (figs[0]["series"], len(figs)))
print("first contentful paint: %.0f ms (median)" % med("firstContentfulPaintMs"))
print("graph drawn: %.0f ms after navigation start (median)" % med("graphDrawnMs"))
print("of which the query (fetch + JSON decoding): %.0f ms, drawing: %.0f ms (medians)" % (med("queryMs"), med("drawMs")))
print("all runs (fcp, drawn):", [(round(f["firstContentfulPaintMs"]), round(f["graphDrawnMs"])) for f in figs])
PY
for f in "$build"/web/ui/dist/index.html "$build"/web/ui/dist/assets/*; do
  printf '%s: %d bytes, %d gzipped (-9)\n' "${f#$build/}" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
