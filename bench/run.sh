#!/usr/bin/env bash
# Runs every BENCH.md scenario against a Release build and writes
# bench/results/latest.md (the table) and bench/results/latest.jsonl (every raw line).
#
# The server runs pinned to CPU 0 with `threads: 1` on a fresh data dir per run, the
# generator pinned to CPU 1. Scenarios with a throughput figure run RUNS times (default
# 3) and the table shows medians; idle runs once per size; the micro-benchmarks give
# the store and JSON ceilings measured in the same run.
#
#   bench/run.sh                      # everything, BENCH.md's default sizes (< 10 min)
#   RUNS=1 DURATION=3 bench/run.sh    # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
duration=${DURATION:-10}
warmup=${WARMUP:-2}
results=bench/results
mkdir -p "$results"

scripts/bootstrap # compilers, libraries and Node.js (for the summary) from Debian
cmake --preset release >/dev/null
cmake --build --preset release --target parley parley-bench parley-micro

work=$(mktemp -d /tmp/parley-bench.XXXXXX)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

raw="$work/latest.jsonl"
: >"$raw"
secret=bench-secret-$(date +%s)-$RANDOM

# A port nothing listens on (SPEC's listen.port is 1..65535, so no port 0).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "run.sh: no free port found" >&2
  exit 1
}

# start_server NAME SYNC: a fresh server on a free port; sets port, config, server_pid.
start_server() {
  local dir="$work/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  write_config "$dir" "$2"
  launch_server "$dir"
}

# write_config DIR SYNC: sets port and config.
write_config() {
  local dir=$1
  config="$dir/parley.json"
  port=$(free_port)
  cat >"$config" <<JSON
{ "listen": {"address": "127.0.0.1", "port": $port}, "threads": 1,
  "storage": {"path": "$dir/data", "sync": $2},
  "sites": [{"id": "demo", "secret": "$secret"}],
  "limits": {"commands_per_s": 1000000, "commands_burst": 1000000},
  "log": {"level": "warn"} }
JSON
}

# launch_server DIR: the server on DIR's config; sets server_pid once it listens.
launch_server() {
  local dir=$1
  taskset -c 0 build/parley serve --config "$config" 2>"$dir/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: the server did not start; its log:" >&2
  cat "$dir/server.log" >&2
  exit 1
}

stop_server() {
  kill "$server_pid" && wait "$server_pid" || true
  server_pid=
}

# bench SCENARIO [flags...]: one generator run; its line goes to the raw file, a failed
# run is kept (marked) so the table can say so rather than hide it.
bench() {
  local scenario=$1
  shift
  echo "run.sh: $scenario $*" >&2
  local line status=0
  line=$(taskset -c 1 build/parley-bench "$scenario" --port "$port" --config "$config" \
    --server-pid "$server_pid" "$@") || status=$?
  [[ -n $line ]] || line="{\"scenario\":\"$scenario\",\"errors\":1}"
  echo "${line%\}},\"exit_code\":$status}" >>"$raw"
}

timed=(--warmup "$warmup" --duration "$duration")
for _ in $(seq "$runs"); do
  start_server pairs false; bench pairs "${timed[@]}"; stop_server
  start_server openloop false; bench openloop "${timed[@]}" --rate 20000; stop_server
  start_server sync true; bench sync "${timed[@]}"; stop_server
  start_server fanout false; bench fanout "${timed[@]}" --subscribers 2000 --senders 10; stop_server
done

for n in 10000 19000; do
  start_server "idle-$n" false; bench idle --connections "$n"; stop_server
done

start_server history false
bench history "${timed[@]}" --ids-file "$work/history-ids"
for _ in $(seq 2 "$runs"); do bench history "${timed[@]}" --no-fill --ids-file "$work/history-ids"; done
stop_server

# list: the store is written before the server opens it.
mkdir -p "$work/list" && write_config "$work/list" false
build/parley-bench list-fill --config "$config"
launch_server "$work/list"
for _ in $(seq "$runs"); do bench list "${timed[@]}"; done
stop_server

echo "run.sh: micro-benchmarks" >&2
micro_dir="$work/micro" && mkdir -p "$micro_dir"
PARLEY_MICRO_DIR="$micro_dir" taskset -c 0 build/parley-micro --benchmark_format=json \
  --benchmark_out="$work/micro.json" --benchmark_out_format=json >/dev/null 2>"$work/micro.log"

cp "$raw" "$results/latest.jsonl"
node bench/summarize.mjs "$results/latest.jsonl" "$work/micro.json" \
  --commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include || echo '+changes')" \
  --nproc "$(nproc)" \
  --cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
  --kernel "$(uname -sr)" \
  --runs "$runs" --duration "$duration" >"$results/latest.md"
echo "run.sh: wrote $results/latest.md" >&2
