#!/usr/bin/env bash
# OpenAPI linters over the example services' documents: the 3.1 document
# and its 3.0 downgrade of examples/hello and of examples/kitchen, as
# their `spec` subcommands print them, checked by
#   - Redocly CLI with its recommended ruleset, and
#   - Spectral with its spectral:oas ruleset,
# every rule on (conformance/lint/redocly.yaml and spectral.yaml), at the
# versions conformance/lint/package-lock.json pins. Any error or warning
# fails the step; conformance/lint/report.mjs lists them and counts them
# per document. npm ci installs from the lockfile each run.
set -euo pipefail
cd "$(dirname "$0")/../.."

start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "openapi-lint: the documents"
docs=()
for svc in hello kitchen; do
	go build -o "$work/$svc" "./examples/$svc"
	"$work/$svc" spec > "$work/$svc.json" 2> "$work/$svc.log" || { cat "$work/$svc.log"; exit 1; }
	"$work/$svc" spec -version 3.0 > "$work/$svc-3.0.json" 2> "$work/$svc.log" || { cat "$work/$svc.log"; exit 1; }
	docs+=("$svc" "$svc-3.0")
done
echo "openapi-lint: documents built in $((SECONDS - start)) s"

if ! command -v npm > /dev/null; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm > /dev/null
fi
t=$SECONDS
(cd conformance/lint && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error)
echo "openapi-lint: npm ci took $((SECONDS - t)) s"

t=$SECONDS
cd conformance/lint
for doc in "${docs[@]}"; do
	# Both exit non-zero on what they find: report.mjs judges from their
	# JSON, so their exit status is not used; an output that is not JSON
	# (a crash) fails the report.
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		npx --no-install redocly lint --config redocly.yaml --format=json "$work/$doc.json" > "$work/$doc.redocly.json" 2> "$work/$doc.redocly.log" || true
	npx --no-install spectral lint --ruleset spectral.yaml --format json --quiet "$work/$doc.json" > "$work/$doc.spectral.json" 2> "$work/$doc.spectral.log" || true
done
if ! node report.mjs "$work" "${docs[@]}"; then
	echo "openapi-lint: the linters found errors or warnings (above); the linters' own messages:"
	cat "$work"/*.log
	exit 1
fi
echo "openapi-lint: linters took $((SECONDS - t)) s"
echo "openapi-lint: ok in $((SECONDS - start)) s"
