#!/usr/bin/env bash
# Rebuilds the vendored GraphiQL assets in this folder from the npm registry, so that the GraphiQL page
# served by send-api works offline and under a strict Content-Security-Policy (no CDN, no inline code).
#
# Usage: bash api/assets/graphiql/build.sh   (from anywhere; needs node and npm, no global installs)
#
# It `npm pack`s the pinned packages below in a temporary folder, checks each tarball against the pinned
# integrity (so a re-run either reproduces the same bytes or fails loudly), and copies exactly:
#   graphiql.min.js, graphiql.min.css      (graphiql 3.x: the last major that still ships a UMD build)
#   react.production.min.js                (react 18 UMD; React 19 dropped UMD builds)
#   react-dom.production.min.js            (react-dom 18 UMD)
#   licenses/<package>.LICENSE             (all three are MIT: redistribution must keep the notice)
#   VERSIONS                               (package, version and npm integrity of each tarball; build date)
# The hand-written index.html, init.js and page.css in this folder are not touched.
#
# To upgrade: change a version below, set its integrity to "" and run; the script prints the integrity npm
# reports, which you then pin here after checking it (`npm view <package>@<version> dist.integrity`).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# name version integrity (sha512 of the tarball, as the registry reports it)
packages=(
    "graphiql 3.9.0 sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA=="
    "react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
    "react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)

# package-relative path in the tarball -> file name here
declare -A files=(
    ["graphiql:graphiql.min.js"]=graphiql.min.js
    ["graphiql:graphiql.min.css"]=graphiql.min.css
    ["react:umd/react.production.min.js"]=react.production.min.js
    ["react-dom:umd/react-dom.production.min.js"]=react-dom.production.min.js
)

fail() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

command -v npm >/dev/null || fail "npm is required"
command -v node >/dev/null || fail "node is required"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# VERSIONS: one line "name version integrity" per package, then "built YYYY-MM-DD" (UTC).
versions="$work/VERSIONS"
: >"$versions"

mkdir -p "$work/out/licenses"

for entry in "${packages[@]}"; do
    read -r name version pinned <<<"$entry"
    printf '==> %s@%s\n' "$name" "$version"
    mkdir -p "$work/$name"
    # --json gives the integrity npm computed for the tarball it fetched; --loglevel=error keeps warnings
    # about the user's npm config out of the way. `npm pack` only downloads: it runs no package scripts.
    (cd "$work/$name" && npm pack --json --loglevel=error "$name@$version" >pack.json)
    integrity=$(node -e '
        const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        if (!p || !p.integrity || !p.filename) process.exit(1);
        console.log(p.integrity + " " + p.filename);
    ' "$work/$name/pack.json") || fail "could not read npm pack's output for $name@$version"
    read -r integrity tarball <<<"$integrity"
    if [[ -z $pinned ]]; then
        fail "$name@$version has no pinned integrity; npm reports $integrity: check it and pin it in build.sh"
    fi
    [[ $integrity == "$pinned" ]] || fail "$name@$version: integrity $integrity, expected $pinned"
    tar -xzf "$work/$name/$tarball" -C "$work/$name"
    [[ -f $work/$name/package/LICENSE ]] || fail "$name@$version ships no LICENSE file"
    cp "$work/$name/package/LICENSE" "$work/out/licenses/$name.LICENSE"
    printf '%s %s %s\n' "$name" "$version" "$integrity" >>"$versions"
done

for key in "${!files[@]}"; do
    src="$work/${key%%:*}/package/${key#*:}"
    [[ -f $src ]] || fail "missing ${key#*:} in the ${key%%:*} package"
    cp "$src" "$work/out/${files[$key]}"
done

printf 'built %s\n' "$(date -u +%Y-%m-%d)" >>"$versions"
cp "$versions" "$work/out/VERSIONS"

# Copy only once everything succeeded, so a failed run leaves the previous assets intact.
mkdir -p "$here/licenses"
cp "$work/out/licenses/"*.LICENSE "$here/licenses/"
for name in "${files[@]}" VERSIONS; do
    cp "$work/out/$name" "$here/$name"
done

printf '==> wrote to %s:\n' "$here"
(cd "$here" && ls -l "${files[@]}" VERSIONS licenses/)
