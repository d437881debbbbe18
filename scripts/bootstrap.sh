#!/usr/bin/env bash
# Idempotent set-up for `npm start`, `npm test` and CI on a Debian machine: system packages,
# local services, npm dependencies, the generated Prisma client and the database schema.
# Each step checks before it acts, so a second run takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[36m[bootstrap]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages ------------------------------------------------------------------------------
# command-or-file -> Debian package
declare -A NEEDS=(
  [/usr/lib/postgresql]=postgresql
  [redis-server]=redis-server
  [mosquitto]=mosquitto
  [mosquitto_pub]=mosquitto-clients
  [gcc]=gcc
  [/usr/include/librdkafka/rdkafka_mock.h]=librdkafka-dev
  [kcat]=kcat
  # the real hawkBit agent the DDI tests run: SWUpdate (suricatta), and what builds its images
  [swupdate]=swupdate
  [cpio]=cpio
  [openssl]=openssl
)
missing=()
for need in "${!NEEDS[@]}"; do
  if [[ "$need" == /* ]]; then [ -e "$need" ] || missing+=("${NEEDS[$need]}")
  else command -v "$need" >/dev/null 2>&1 || missing+=("${NEEDS[$need]}"); fi
done
if [ "${WARDEN_BROWSER_TESTS:-1}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- local services (only when the URLs point at this machine) ---------------------------------------
DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/warden}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
is_local() { [[ "$1" == *"@127.0.0.1"* || "$1" == *"@localhost"* || "$1" == *"://127.0.0.1"* || "$1" == *"://localhost"* ]]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done; return 1; }

if is_local "$DATABASE_URL" && ! port_open 5432; then
  log "starting PostgreSQL"
  cluster="$(ls /etc/postgresql | sort -V | tail -1)"
  if [ -z "$(ls /etc/postgresql/"$cluster" 2>/dev/null)" ]; then as_root pg_createcluster "$cluster" main; fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  wait_port 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
  # Local development uses trust auth on loopback, as the machine's own set-up does.
fi
if is_local "$REDIS_URL" && ! port_open 6379; then
  log "starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_port 6379 || { echo "Redis did not start" >&2; exit 1; }
fi
if ! port_open 1883; then
  log "starting Mosquitto"
  as_root mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883 || { echo "Mosquitto did not start" >&2; exit 1; }
fi

# --- npm dependencies -------------------------------------------------------------------------------
stamp=node_modules/.warden-install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# --- the console (static files the api serves at / and /ide), rebuilt when its sources change ---------
if [ -f services/console/scripts/build.ts ]; then node --import tsx services/console/scripts/build.ts; fi

# --- generated Prisma client ------------------------------------------------------------------------
gen=packages/db/src/generated/client.ts
if [ ! -f "$gen" ] || [ -n "$(find prisma -name '*.prisma' -newer "$gen" 2>/dev/null)" ]; then
  log "generating the Prisma client"
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/false npx --no-install prisma generate >/dev/null
fi

# --- the dev Kafka broker binary ----------------------------------------------------------------------
if [ -f infra/dev-kafka/build.sh ]; then bash infra/dev-kafka/build.sh; fi

log "ready"
