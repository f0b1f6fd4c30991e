#!/usr/bin/env bash
# Installs systemd-analyze (Debian package 'systemd') for the unit file check
# (tests/PluginHost.IntegrationTests/SystemdUnitTests.cs). Idempotent: does nothing when present.
# It only parses unit files: systemd does not have to run (containers without it as PID 1 are fine).
# Needs root and apt; .ci/run calls it before the tests.
set -euo pipefail

if command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze present: $(systemd-analyze --version | head -n 1)"
  exit 0
fi

# Exit 3 = cannot install here (not root, or no apt-get): .ci/run and the test then skip visibly instead of failing.
if [ "$(id -u)" -ne 0 ]; then
  echo "install-systemd-analyze.sh: systemd-analyze is missing and installing it needs root (apt-get install -y systemd); skipping" >&2
  exit 3
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-systemd-analyze.sh: systemd-analyze is missing and there is no apt-get to install it (Debian's package systemd); skipping" >&2
  exit 3
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends systemd >/dev/null
echo "systemd-analyze installed: $(systemd-analyze --version | head -n 1)"
