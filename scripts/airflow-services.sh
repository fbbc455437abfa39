#!/usr/bin/env bash
# Start or stop Airflow's services for local use, bound to 127.0.0.1 with modest parallelism.
# Each service runs under a loop that starts it again when it exits on its own, as
# docker-compose.yaml's `restart: unless-stopped` does in production.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
: "${AIRFLOW_HOME:?run through make}"
RUN="$AIRFLOW_HOME/run"
mkdir -p "$RUN"
AIRFLOW="${AIRFLOW_BIN:-.venv/bin/airflow}"
RESTART_DELAY="${RESTART_DELAY:-5}"

start() {
  local port="${1:-8080}"
  export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT="$port" AIRFLOW__API__WORKERS=1
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$port"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/"
  export AIRFLOW__CORE__PARALLELISM=4 AIRFLOW__SCHEDULER__PARSING_PROCESSES=1
  # Every fetching task runs in this pool (idempotent; make setup creates it too).
  "$AIRFLOW" pools set news_fetch "${FETCH_POOL_SLOTS:-4}" \
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
    # Own session per service, so stop can end the loop, the service and its workers.
    setsid nohup "$SELF" supervise "$svc" "${args[@]}" > "$RUN/$svc.log" 2>&1 < /dev/null &
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

# One service, started again whenever it exits until stop TERMs its session. Airflow 3.3's
# scheduler, for one, exits on SQLite when a backfill request that failed on the DB lock
# deletes runs it was scheduling. Five exits in a row each within 30 s of starting mean it
# cannot run (a bad config, a DB that is gone): then the loop gives up.
supervise() {
  local svc="$1" started code quick=0
  shift
  # TERM waits for the running service to exit (it got the same TERM), then ends the loop.
  trap 'exit 143' TERM INT
  while true; do
    started=$SECONDS
    code=0
    "$AIRFLOW" "$@" || code=$?
    if ((SECONDS - started < 30)); then quick=$((quick + 1)); else quick=0; fi
    if ((quick >= 5)); then
      echo "$(date -u +%FT%TZ) [supervise] $svc exited 5 times in a row within 30 s of starting (last code $code); giving up"
      exit 1
    fi
    echo "$(date -u +%FT%TZ) [supervise] $svc exited with code $code; starting it again in ${RESTART_DELAY} s"
    sleep "$RESTART_DELAY"
  done
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
  supervise) shift; supervise "$@" ;;
  *) echo "usage: $0 start [port] | stop" >&2; exit 2 ;;
esac
