#!/usr/bin/env bash
# Installs what uwsgitop-ts needs on a fresh Debian machine (root, Node ^20.15 or >= 22.2), then builds it.
#   scripts/setup.sh run    uWSGI (Debian uwsgi-core + uwsgi-plugin-python3) for the demo
#   scripts/setup.sh test   the same, plus tmux, Chromium and Prometheus (promtool) for the end-to-end tests, and
#                           BusyBox, zsh, fish, man and python3-yaml for the launcher, completion, man page and
#                           contrib/ tests (systemd-analyze comes with systemd)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

need=()
command -v uwsgi >/dev/null 2>&1 || need+=(uwsgi-core)
[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || need+=(uwsgi-plugin-python3)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "$mode" = test ]; then
  command -v tmux >/dev/null 2>&1 || need+=(tmux)
  command -v faketime >/dev/null 2>&1 || need+=(faketime)
  command -v busybox >/dev/null 2>&1 || need+=(busybox)
  command -v zsh >/dev/null 2>&1 || need+=(zsh)
  command -v fish >/dev/null 2>&1 || need+=(fish)
  command -v man >/dev/null 2>&1 || need+=(man-db)
  python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  { command -v prometheus && command -v promtool; } >/dev/null 2>&1 || need+=(prometheus)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "setup: these packages are missing and installing them needs root: apt-get install ${need[*]}" >&2
    exit 1
  fi
  # The tests run their own prometheus (temp config and storage, random port): the package's service must
  # not start. A policy-rc.d that refuses (exit 101) is Debian's way to say so; ours is removed afterwards.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The launcher's own check (bin/uwsgitop-ts, "engines" in package.json) says which Node this one is not.
node bin/uwsgitop-ts --version >/dev/null

# Reinstall node modules only when the lock file changed since the last install.
stamp=node_modules/.uwsgitop-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi
echo "setup: building" >&2
npm run --silent build >&2
