#!/usr/bin/env bash
# Install jixiao and run it on the embedded default: SQLite under ./var/, scoring
# in-process, the demo group loaded. Prints the web app's URL and the demo's accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
# PDF sheets embed a CJK font and are laid out by Pango (WeasyPrint).
if ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
  echo "run: installing fonts-noto-cjk and Pango for the PDF reports"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 fontconfig >/dev/null
fi
bash scripts/install.sh
bash scripts/shim.sh  # `jixiao` on PATH for the commands in the README
export PATH="$PWD/.venv/bin:$PATH"
unset REDIS_URL
export JIXIAO_ADMIN_TOKEN=${JIXIAO_ADMIN_TOKEN:-$(python3 -c 'import secrets; print("jx_" + secrets.token_urlsafe(24))')}
export JIXIAO_SECRET_KEY=${JIXIAO_SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')}
jixiao db upgrade
jixiao demo
cat <<MSG

  jixiao is starting (SQLite at ./var/jixiao.db, scoring in-process).

  Open  http://127.0.0.1:${WEB_PORT:-8000}/  and sign in with a demo account above
  (password: jixiao-demo; one account per role, e.g. the manager of JRJ).

  API for integrations (bearer token, this session's admin token: $JIXIAO_ADMIN_TOKEN):
       http://127.0.0.1:${INCIDENTS_PORT:-8001}/openapi.json (write side)
       http://127.0.0.1:${REPORTS_PORT:-8003}/openapi.json (read side)
  Stop with Ctrl-C.

MSG
exec jixiao serve
