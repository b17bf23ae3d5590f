#!/usr/bin/env bash
# Refreshes docs/assets from the swagger-ui-dist package as published on
# the npm registry, pinned to one version.
#
#   docs/refresh.sh            # fetch again the version in assets/VERSION
#   docs/refresh.sh 5.36.0     # move to another version
#
# The files are copied unchanged; then run `go test ./docs/` (it checks the
# bundle for URLs outside the server) and the browser test
# (.ci/steps/10-browser.sh) before committing.
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-$(cat assets/VERSION)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$version" > /dev/null && tar xzf "swagger-ui-dist-$version.tgz")
license=$(cd "$tmp" && node -p 'require("./package/package.json").license')
integrity=$(npm view "swagger-ui-dist@$version" dist.integrity)
rm -f assets/*
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
	cp "$tmp/package/$f" assets/
done
echo "$version" > assets/VERSION
cat > assets/SOURCE <<SRC
swagger-ui-dist@$version from the npm registry, files copied unchanged by docs/refresh.sh
licence: $license (LICENSE, NOTICE; bundled third-party notices in swagger-ui-bundle.js.LICENSE.txt)
integrity: $integrity
SRC
ls -l assets
