#!/usr/bin/env bash
# Reproduces src/OrderDapr.Query/wwwroot/graphiql/ from npm: the UMD builds of the versions
# package.json pins (package-lock.json fixes every transitive version and checksum), with their
# licences. order-query serves these files itself, so GraphiQL works without internet.
#
#   tools/graphiql/update.sh            # after changing a version in package.json
#
# The bundles' `//# sourceMappingURL=` lines are removed: the maps are not shipped, and a browser
# with its developer tools open would otherwise ask order-query for them.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../src/OrderDapr.Query/wwwroot/graphiql"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$work/"
if [[ -f "$here/package-lock.json" ]]; then
  cp "$here/package-lock.json" "$work/"
fi
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
cp "$work/package-lock.json" "$here/package-lock.json"

modules="$work/node_modules"
mkdir -p "$out"
copy() { # copy <source in node_modules> <name in wwwroot/graphiql>
  sed '/^\/\/# sourceMappingURL=/d' "$modules/$1" > "$out/$2"
}
copy react/umd/react.production.min.js react.production.min.js
copy react-dom/umd/react-dom.production.min.js react-dom.production.min.js
copy graphql-ws/umd/graphql-ws.min.js graphql-ws.min.js
copy graphiql/graphiql.min.js graphiql.min.js
copy graphiql/graphiql.min.css graphiql.min.css

# graphiql.min.js bundles graphql-js too.
cp "$modules/react/LICENSE" "$out/react.LICENSE.txt"
cp "$modules/react-dom/LICENSE" "$out/react-dom.LICENSE.txt"
cp "$modules/graphql-ws/LICENSE.md" "$out/graphql-ws.LICENSE.txt"
cp "$modules/graphiql/LICENSE" "$out/graphiql.LICENSE.txt"
cp "$modules/graphql/LICENSE" "$out/graphql.LICENSE.txt"

echo "Updated $out:"
ls -l "$out"
