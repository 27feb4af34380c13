#!/usr/bin/env bash
# Installs the ioredis of tests/node/package-lock.json (npm ci) under CACHE/node-ioredis when it is
# missing or the lock file changed, and prints the node_modules directory on stdout (last line).
# The Redis tests run a real ioredis subscriber with `node -e` and NODE_PATH set to it.
#
# Usage: tests/node/prepare.sh [--cache DIR]   (DIR defaults to $CARGO_TARGET_DIR, else target/)
#
# `npm ci` is bounded by NPM_CI_TIMEOUT seconds (default 600): a registry that stops answering
# fails the script with exit 3 instead of hanging CI.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${CARGO_TARGET_DIR:-$repo/target}"
if [[ "${1:-}" == "--cache" ]]; then
    cache="$2"
fi
for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tests/node/prepare.sh: '$tool' is not installed; the ioredis subscriber test needs Node.js with npm" >&2
        exit 2
    fi
done
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
work="$cache/node-ioredis"
mkdir -p "$work"
exec 9>"$work.lock"
flock 9
lock_hash="$(sha256sum <"$here/package-lock.json" | cut -c1-64)"
if [[ ! -d "$work/node_modules/ioredis" || "$(cat "$work/node_modules/.lock-hash" 2>/dev/null)" != "$lock_hash" ]]; then
    echo "tests/node: npm ci (ioredis)" >&2
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    limit="${NPM_CI_TIMEOUT:-600}"
    rc=0
    (cd "$work" && timeout --kill-after=10 "$limit" \
        npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2) || rc=$?
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then
        echo "tests/node/prepare.sh: npm ci (NPM_CI_TIMEOUT) did not finish within $limit s and was stopped; check that the npm registry answers (npm ping), or allow more time" >&2
        exit 3
    elif [[ $rc -ne 0 ]]; then
        exit "$rc"
    fi
    echo "$lock_hash" >"$work/node_modules/.lock-hash"
fi
echo "$work/node_modules"
