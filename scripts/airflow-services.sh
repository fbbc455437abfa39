#!/usr/bin/env bash
# Start or stop Airflow's services for local use, bound to 127.0.0.1 with modest parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${AIRFLOW_HOME:?run through make}"
RUN="$AIRFLOW_HOME/run"
mkdir -p "$RUN"
BIN=.venv/bin

start() {
  local port="${1:-8080}"
  export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT="$port" AIRFLOW__API__WORKERS=1
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$port"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/"
  export AIRFLOW__CORE__PARALLELISM=4 AIRFLOW__SCHEDULER__PARSING_PROCESSES=1
  # Every fetching task runs in this pool (idempotent; make setup creates it too).
  "$BIN/airflow" pools set news_fetch "${FETCH_POOL_SLOTS:-4}" \
    "tasks that fetch from news sites (politeness across DAG runs)" > /dev/null
  for svc in api-server scheduler dag-processor triggerer; do
    if [[ -f "$RUN/$svc.pid" ]] && kill -0 "$(cat "$RUN/$svc.pid")" 2>/dev/null; then
      echo "$svc already running (pid $(cat "$RUN/$svc.pid"))"
      continue
    fi
    args=("$svc")
    [[ $svc == api-server ]] && args+=(--host 127.0.0.1 --port "$port" --workers 1)
    # Their log servers would listen on all interfaces; task logs are read from local files.
    [[ $svc == scheduler || $svc == triggerer ]] && args+=(--skip-serve-logs)
    # Own session per service, so stop can end the service and every worker it forked.
    setsid nohup "$BIN/airflow" "${args[@]}" > "$RUN/$svc.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$svc.pid"
    echo "started $svc (pid $!, log $RUN/$svc.log)"
  done
  for _ in $(seq 1 180); do
    if curl -fsS "http://127.0.0.1:$port/api/v2/monitor/health" > /dev/null 2>&1; then
      echo "Airflow UI: http://127.0.0.1:$port"
      return 0
    fi
    sleep 1
  done
  echo "api-server did not answer on 127.0.0.1:$port; see $RUN/api-server.log" >&2
  return 1
}

stop() {
  # TERM every service at once, then wait for each (up to 10 s, KILL after): stopping them
  # one after the other only adds up their shutdown times.
  local svc pid stopping=()
  for svc in api-server scheduler dag-processor triggerer; do
    if [[ -f "$RUN/$svc.pid" ]]; then
      pid="$(cat "$RUN/$svc.pid")"
      kill -TERM -- "-$pid" 2>/dev/null || true
      stopping+=("$svc")
    fi
  done
  for svc in "${stopping[@]}"; do
    pid="$(cat "$RUN/$svc.pid")"
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$RUN/$svc.pid"
    echo "stopped $svc"
  done
}

case "${1:-}" in
  start) start "${2:-8080}" ;;
  stop) stop ;;
  *) echo "usage: $0 start [port] | stop" >&2; exit 2 ;;
esac
