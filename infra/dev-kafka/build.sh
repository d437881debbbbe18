#!/usr/bin/env bash
# Compiles the dev Kafka broker when its source is newer than the binary (idempotent).
# Needs gcc and Debian's librdkafka-dev, which scripts/bootstrap.sh installs.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p bin
if [ ! -x bin/warden-dev-kafka ] || [ warden-dev-kafka.c -nt bin/warden-dev-kafka ]; then
  echo "[dev-kafka] compiling warden-dev-kafka"
  gcc -O2 -Wall -Wextra -o bin/warden-dev-kafka.tmp warden-dev-kafka.c -lrdkafka
  mv bin/warden-dev-kafka.tmp bin/warden-dev-kafka
fi
