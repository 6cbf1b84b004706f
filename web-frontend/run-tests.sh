#!/usr/bin/env bash
# Runs the web pages' tests: installs the pinned npm packages (never a browser: Chromium comes from Debian),
# then `npm test` (tsc --checkJs, node's test runner with headless Chromium).
# The browser tests run against `java -jar ../target/stagefleet.jar local ...`, so build the jar first
# (./mvnw -B package), or set STAGEFLEET_WEB_BACKEND=fake to use the node fake of the gateway.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v "${CHROMIUM_PATH:-/usr/bin/chromium}" >/dev/null 2>&1; then
  echo "Chromium is missing: apt-get install -y chromium fonts-liberation" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
npm test
