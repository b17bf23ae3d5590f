#!/usr/bin/env bash
# Independent consumers of the example service's published document:
#   1. the document printed by `hello spec` (3.1 and the 3.0.3 downgrade)
#      is the served one (golden file) and passes `roux lint`;
#   2. Redocly CLI (npm) lints both with zero errors (conformance/redocly.yaml
#      says which rules are off and why);
#   3. oapi-codegen (Go) generates a client from each; the one from the 3.1
#      document must equal the committed conformance/helloclient, which
#      TestGeneratedClient drives over loopback;
#   4. the generated client's test and the property-based contract test run
#      again, with CONTRACT_CHECKS checks (default: the test's own 300).
# Idempotent: the tools are installed once, at pinned versions, under
# ${XDG_CACHE_HOME:-~/.cache}/roux-ci. Cold, building oapi-codegen takes
# about two minutes of the step's three; warm, the step takes ~15 s.
set -euo pipefail
cd "$(dirname "$0")/../.."

redocly_version=2.77.0
oapi_codegen_version=v2.8.2
checks="${CONTRACT_CHECKS:-1000}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "consumers: the document"
go run ./examples/hello spec > "$work/hello.json"
go run ./examples/hello spec -version 3.0 > "$work/hello-3.0.json"
if ! cmp -s "$work/hello.json" <(cat examples/hello/testdata/openapi.json; echo); then
	echo "hello spec differs from examples/hello/testdata/openapi.json (the served document)"; exit 1
fi
go run ./cmd/roux lint "$work/hello.json"

echo "consumers: redocly lint"
if ! command -v npm > /dev/null; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm > /dev/null
fi
tools="${XDG_CACHE_HOME:-$HOME/.cache}/roux-ci/redocly-$redocly_version"
if [ ! -x "$tools/node_modules/.bin/redocly" ]; then
	mkdir -p "$tools"
	npm install --prefix "$tools" --no-audit --no-fund --no-update-notifier --loglevel=error "@redocly/cli@$redocly_version"
fi
for doc in hello.json hello-3.0.json; do
	# Redocly exits non-zero on any error; warnings are printed and allowed.
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		"$tools/node_modules/.bin/redocly" lint --config conformance/redocly.yaml --format=stylish "$work/$doc" 2>&1 |
		grep -vE '║|╔|╚|^\s*$' || true
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		"$tools/node_modules/.bin/redocly" lint --config conformance/redocly.yaml --format=summary "$work/$doc" > /dev/null 2>&1 ||
		{ echo "redocly lint found errors in $doc"; exit 1; }
done

echo "consumers: oapi-codegen"
gobin="${XDG_CACHE_HOME:-$HOME/.cache}/roux-ci/oapi-codegen-$oapi_codegen_version"
if [ ! -x "$gobin/oapi-codegen" ]; then
	# Outside the workspace, so that go.work does not apply.
	(cd "$work" && GOBIN="$gobin" go install "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@$oapi_codegen_version")
fi
for doc in hello hello-3.0; do
	printf 'package: helloclient\noutput: %s\ngenerate:\n  client: true\n  models: true\n' "$work/$doc.gen.go" > "$work/$doc.yaml"
	"$gobin/oapi-codegen" -config "$work/$doc.yaml" "$work/$doc.json"
done
if ! diff -u conformance/helloclient/client.gen.go "$work/hello.gen.go"; then
	echo "conformance/helloclient is stale: run go generate ./conformance/helloclient"; exit 1
fi

echo "consumers: generated client and contract test ($checks checks)"
go test -count=1 -run 'TestGeneratedClient|TestContract' ./conformance/ -args -contract.checks="$checks"
