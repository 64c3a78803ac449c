#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 (start them, or install them with
# apt-get, when they do not), and that the system packages the tests use are there:
# redis-server, a CJK font, Pango and poppler-utils. Idempotent; prints what it did.
set -euo pipefail

PGHOST_=${JIXIAO_TEST_PGHOST:-127.0.0.1}
PGPORT_=${JIXIAO_TEST_PGPORT:-5432}
REDIS_PORT_=${JIXIAO_TEST_REDIS_PORT:-6379}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

apt_install() {
  echo "ensure-services: installing $* with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h "$PGHOST_" -p "$PGPORT_" 2>/dev/null; }
redis_up() {
  if command -v redis-cli >/dev/null; then redis-cli -h 127.0.0.1 -p "$REDIS_PORT_" ping 2>/dev/null | grep -q PONG
  else (exec 3<>/dev/tcp/127.0.0.1/"$REDIS_PORT_") 2>/dev/null; fi
}

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  conf=/etc/postgresql/$ver/main
  # Trust on loopback for the test user, as on the project's machines.
  if ! grep -q "jixiao-test" "$conf/pg_hba.conf"; then
    $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust # jixiao-test\nhost all postgres ::1/128 trust # jixiao-test\nlocal all postgres trust # jixiao-test' "$conf/pg_hba.conf"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || $SUDO pg_ctlcluster "$ver" main restart
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "ensure-services: PostgreSQL did not start" >&2; exit 1; }
  echo "ensure-services: started PostgreSQL $ver"
fi

if ! redis_up; then
  command -v redis-server >/dev/null || apt_install redis-server redis-tools
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT_" --save "" --appendonly no \
    --maxmemory-policy noeviction --dir /tmp --logfile /tmp/jixiao-redis.log
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { echo "ensure-services: Redis did not start" >&2; exit 1; }
  echo "ensure-services: started Redis"
fi
# The fault tests start a private redis-server; the PDF tests need a CJK font and read the PDFs
# back with poppler-utils (pdftoppm, pdftotext); the browser tests drive Debian's chromium
# (Playwright's own browser download is not reachable).
command -v redis-server >/dev/null || apt_install redis-server
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || apt_install fonts-noto-cjk fontconfig libpango-1.0-0 libpangoft2-1.0-0
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || apt_install poppler-utils
[ -x /usr/bin/chromium ] || apt_install chromium
echo "ensure-services: PostgreSQL and Redis answer"
