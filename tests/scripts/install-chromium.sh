#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the status page browser test
# (tests/PluginHost.IntegrationTests/StatusPageBrowserTests.cs). Idempotent: does nothing when present.
# Needs root (CI and the development machines run as root); .ci/run calls it before the tests.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium.sh: chromium is missing and installing it needs root (apt-get install -y chromium)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium installed: $(chromium --version)"
