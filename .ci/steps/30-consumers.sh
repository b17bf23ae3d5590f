#!/usr/bin/env bash
# Independent consumers of the example service's published document:
#   1. the document printed by `hello spec` (3.1 and the 3.0.3 downgrade)
#      is the served one (golden file) and passes `roux lint`;
#   2. oapi-codegen (Go) generates a client from each; the one from the 3.1
#      document must equal the committed conformance/helloclient, which
#      TestGeneratedClient drives over loopback;
#   3. the generated client's test and the property-based contract test run
#      again, with CONTRACT_CHECKS checks (default: the test's own 300).
# Idempotent: the tools are installed once, at pinned versions, under
# ${XDG_CACHE_HOME:-~/.cache}/roux-ci. Cold, building oapi-codegen takes
# about two minutes of the step's three; warm, the step takes ~15 s.
# Redocly CLI and Spectral lint these documents (and the kitchen's) in
# step 32-openapi-lint.sh, every rule on.
set -euo pipefail
cd "$(dirname "$0")/../.."

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
