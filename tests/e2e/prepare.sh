#!/usr/bin/env bash
# Prepares the e2e tier's Next.js builds: for each VERSION given (next13, next16), installs the
# npm packages of tests/e2e/VERSION/ (npm ci) when they are missing or the lock file changed,
# and runs `next build` of tests/e2e/app/ only when a hash of its inputs changed. The standalone
# server (.next/standalone with .next/static and public/ copied in, as the Next.js docs say) is
# cached as CACHE/VERSION-HASH/; the last line printed per version on stdout is
# "VERSION CACHE/VERSION-HASH". Logs go to stderr.
#
# Usage: tests/e2e/prepare.sh [--cache DIR] VERSION...
#   DIR defaults to $CARGO_TARGET_DIR/e2e, else target/e2e of this repository.
#
# Concurrent runs (two test binaries, two checkouts sharing a target dir) serialise per version
# on CACHE/VERSION.lock; a finished build is moved into place whole, so a reader never sees half.
#
# `npm ci` and `next build` are bounded (a registry that stops answering must not hang CI):
# NPM_CI_TIMEOUT (default 600) and NEXT_BUILD_TIMEOUT (default 900) seconds; past them the script
# fails with exit 3, saying which one hung.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${CARGO_TARGET_DIR:-$repo/target}/e2e"
if [[ "${1:-}" == "--cache" ]]; then
    cache="$2"
    shift 2
fi
if [[ $# -eq 0 ]]; then
    echo "usage: $0 [--cache DIR] VERSION... (next13, next16)" >&2
    exit 2
fi

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tests/e2e/prepare.sh: '$tool' is not installed; the real Next.js tier needs Node.js 20.9+ with npm" >&2
        exit 2
    fi
done
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)'; then
    echo "tests/e2e/prepare.sh: Node.js $(node --version) is too old; Next.js 16 needs 20.9 or newer" >&2
    exit 2
fi

npm_ci_timeout="${NPM_CI_TIMEOUT:-600}"
next_build_timeout="${NEXT_BUILD_TIMEOUT:-900}"

# bounded SECONDS WHAT COMMAND...: runs COMMAND (and everything it starts), killed after SECONDS.
bounded() {
    local limit="$1" what="$2"
    shift 2
    local rc=0
    timeout --kill-after=10 "$limit" "$@" || rc=$?
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then
        echo "tests/e2e/prepare.sh: $what did not finish within $limit s and was stopped; check that the npm registry answers (npm ping), or allow more time" >&2
        exit 3
    fi
    return "$rc"
}

export NEXT_TELEMETRY_DISABLED=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
mkdir -p "$cache"

# A stable hash of the build's inputs: the app source, this version's package files, this script
# and the Node.js version (a build is only reused by the runtime it was made with).
inputs_hash() {
    local version="$1"
    {
        (cd "$here" && find app "$version/package.json" "$version/package-lock.json" -type f \
            ! -name '.*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
        sha256sum <"$here/prepare.sh"
        node --version
    } | sha256sum | cut -c1-16
}

prepare() {
    local version="$1"
    local src="$here/$version"
    if [[ ! -f "$src/package.json" || ! -f "$src/package-lock.json" ]]; then
        echo "tests/e2e/prepare.sh: unknown version '$version' (no $src/package-lock.json)" >&2
        exit 2
    fi
    local hash
    hash="$(inputs_hash "$version")"
    local out="$cache/$version-$hash"

    exec 9>"$cache/$version.lock"
    flock 9
    if [[ -f "$out/server.js" ]]; then
        echo "$version: cached build $out" >&2
        echo "$version $out"
        exec 9>&-
        return
    fi

    # The work tree: this version's package files, its node_modules, and a fresh copy of the app.
    local work="$cache/$version/work"
    mkdir -p "$work"
    local lock_hash
    lock_hash="$(sha256sum <"$src/package-lock.json" | cut -c1-64)"
    if [[ ! -d "$work/node_modules" || "$(cat "$work/node_modules/.e2e-lock-hash" 2>/dev/null)" != "$lock_hash" ]]; then
        echo "$version: npm ci" >&2
        cp "$src/package.json" "$src/package-lock.json" "$work/"
        (cd "$work" && bounded "$npm_ci_timeout" "$version: npm ci (NPM_CI_TIMEOUT)" \
            npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2)
        echo "$lock_hash" >"$work/node_modules/.e2e-lock-hash"
    fi
    find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
    cp "$src/package.json" "$src/package-lock.json" "$work/"
    cp -R "$here/app/." "$work/"

    echo "$version: next build (inputs $hash)" >&2
    local started=$SECONDS
    # CONTENT_FILE at build time is the seed content, which the build pre-renders.
    (cd "$work" && CONTENT_FILE="$work/content.json" \
        bounded "$next_build_timeout" "$version: next build (NEXT_BUILD_TIMEOUT)" \
        ./node_modules/.bin/next build >&2)
    echo "$version: built in $((SECONDS - started)) s" >&2

    local tmp="$cache/.tmp-$version-$hash-$$"
    rm -rf "$tmp"
    cp -R "$work/.next/standalone" "$tmp"
    mkdir -p "$tmp/.next"
    cp -R "$work/.next/static" "$tmp/.next/static"
    if [[ -d "$work/public" ]]; then
        cp -R "$work/public" "$tmp/public"
    fi
    # Older builds of this version are not used again (their inputs are gone).
    find "$cache" -mindepth 1 -maxdepth 1 -name "$version-*" ! -name "$version-$hash" -exec rm -rf {} +
    mv "$tmp" "$out"
    echo "$version $out"
    exec 9>&-
}

for version in "$@"; do
    prepare "$version"
done
