#!/usr/bin/env bash
# Installs what the project runs besides Node: Debian's prometheus package
# (prometheus + promtool), when it is missing. Java 17 and Maven are checked
# and named, not installed: the broker's launcher says what to do.
set -euo pipefail
if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  echo "setup: prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') already installed"
else
  if [ "$(id -u)" != 0 ]; then
    echo "setup: Prometheus is missing; install Debian's package as root: apt-get update && apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
  fi
  echo "setup: installing Debian's prometheus package (prometheus, promtool) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  # The package starts no daemon here (no systemd); the launcher runs its own with the project's config.
  echo "setup: $(prometheus --version 2>&1 | head -1)"
fi
# Chromium renders the scenario reports in the tests (headless, no network).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium (for the report rendering test) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
  else
    echo "setup: note: chromium is missing (the report test needs it): apt-get install -y chromium" >&2
  fi
fi
command -v java >/dev/null || echo "setup: note: Java 17+ is missing (needed for the local Kafka broker): apt-get install -y openjdk-17-jre-headless" >&2
command -v mvn >/dev/null || echo "setup: note: Maven is missing (needed once, to fetch the Kafka jars): apt-get install -y maven" >&2
