#!/usr/bin/env bash
# The distributed topology from local processes, as docker-compose.yml runs it:
# migrations once, incidents and reports under gunicorn, N scoring workers, one beat.
# Needs DATABASE_URL (PostgreSQL) and REDIS_URL. Stops everything on Ctrl-C / SIGTERM,
# and when any one process dies.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL URL}"
: "${REDIS_URL:?set REDIS_URL, e.g. redis://127.0.0.1:6379/0}"
export PATH="$PWD/.venv/bin:$PATH"
WORKERS=${JIXIAO_WORKERS:-2}
HOST=${JIXIAO_HOST:-127.0.0.1}

jixiao db upgrade
pids=()
stop() { trap - TERM INT EXIT; kill -TERM "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop TERM INT EXIT

export JIXIAO_SECRET_KEY=${JIXIAO_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')}
gunicorn -c python:jixiao.gunicorn_conf --bind "$HOST:${WEB_PORT:-8000}" --workers 2 --graceful-timeout 10 \
  'jixiao.wsgi:web()' & pids+=($!)
gunicorn -c python:jixiao.gunicorn_conf --bind "$HOST:${INCIDENTS_PORT:-8001}" --workers 2 --graceful-timeout 10 \
  'jixiao.wsgi:incidents()' & pids+=($!)
gunicorn -c python:jixiao.gunicorn_conf --bind "$HOST:${REPORTS_PORT:-8003}" --workers 2 --timeout 120 --graceful-timeout 10 \
  'jixiao.wsgi:reports()' & pids+=($!)
for i in $(seq 1 "$WORKERS"); do
  jixiao worker --concurrency 1 --hostname "worker$i@%h" & pids+=($!)
done
jixiao beat & pids+=($!)
echo "topology: web http://$HOST:${WEB_PORT:-8000}  incidents http://$HOST:${INCIDENTS_PORT:-8001}  reports http://$HOST:${REPORTS_PORT:-8003}  workers $WORKERS  beat 1" >&2
wait -n
echo "topology: a process exited; stopping the rest" >&2
