#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the status page browser test
# (tests/PluginHost.IntegrationTests/StatusPageBrowserTests.cs). Idempotent: does nothing when present.
# Needs root and apt (CI and the development machines have both); .ci/run calls it before the tests.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

# Exit 3 = cannot install here (not root, or no apt-get): .ci/run and the test then skip visibly instead of failing.
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium.sh: chromium is missing and installing it needs root (apt-get install -y chromium); skipping" >&2
  exit 3
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium.sh: chromium is missing and there is no apt-get to install it (Debian's package chromium); skipping" >&2
  exit 3
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium installed: $(chromium --version)"
