#!/usr/bin/env bash
# Client generators over the kitchen's document, its event stream included:
#   1. TypeScript (conformance/typescript, versions pinned by its
#      package-lock.json): openapi-typescript types for openapi-fetch, and
#      @hey-api/openapi-ts's SDK, each with a driver that calls every
#      operation; tsc type-checks the drivers against the generated types;
#   2. Go (conformance/gogen, a module of its own outside go.work):
#      oapi-codegen generates clients from the 3.1 document and its 3.0
#      downgrade, ogen (default configuration) from the 3.1 document; all
#      must compile; a driver (conformance/gogen/main.go) follows an
#      order's events through each 3.1 client;
#   3. the drivers run against a live kitchen (demo mode, SQLite in a
#      temporary directory, fast cooking, webhooks to loopback only) on a
#      free loopback port, stopped by its PID at the end.
# Idempotent: the Go tools are installed once under
# ${XDG_CACHE_HOME:-~/.cache}/roux-ci (step 30 installs the same
# oapi-codegen); npm ci installs from the lockfile each run.
set -euo pipefail
cd "$(dirname "$0")/../.."

oapi_codegen_version=v2.8.2
ogen_version=v1.25.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/roux-ci"
start=$SECONDS
lap=$SECONDS
section() { echo "generators: $1 (previous section $((SECONDS - lap)) s)"; lap=$SECONDS; }

work=$(mktemp -d)
kitchen_pid=
cleanup() {
	if [ -n "$kitchen_pid" ]; then kill "$kitchen_pid" 2> /dev/null || true; wait "$kitchen_pid" 2> /dev/null || true; fi
	rm -rf "$work" conformance/typescript/gen conformance/typescript/dist conformance/gogen/gen
}
trap cleanup EXIT

section "the kitchen and its documents"
go build -o "$work/kitchen" ./examples/kitchen
"$work/kitchen" spec > "$work/kitchen.json"
"$work/kitchen" spec -version 3.0 > "$work/kitchen-3.0.json"

section "npm ci"
if ! command -v npm > /dev/null; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm > /dev/null
fi
t=$SECONDS
(cd conformance/typescript && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error)
echo "generators: npm ci took $((SECONDS - t)) s"

section "TypeScript: generate and type-check"
(
	cd conformance/typescript
	npx --no-install openapi-typescript "$work/kitchen.json" -o gen/openapi-typescript/kitchen.d.ts
	npx --no-install openapi-ts -i "$work/kitchen.json" -o gen/hey-api -c @hey-api/client-fetch > "$work/hey-api.log" 2>&1 ||
		{ cat "$work/hey-api.log"; exit 1; }
	npx --no-install tsc -p .
)

section "Go: install oapi-codegen $oapi_codegen_version and ogen $ogen_version"
for tool in "oapi-codegen github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@$oapi_codegen_version" \
	"ogen github.com/ogen-go/ogen/cmd/ogen@$ogen_version"; do
	set -- $tool
	bin="$cache/$1-${2##*@}"
	if [ ! -x "$bin/$1" ]; then
		# Outside the workspace, so that go.work does not apply.
		(cd "$work" && GOBIN="$bin" go install "$2")
	fi
done

section "Go: generate and compile"
gen=conformance/gogen/gen
for doc in kitchen kitchen-3.0; do
	pkg=oapiclient${doc#kitchen}
	pkg=${pkg//[-.]/}
	mkdir -p "$gen/$pkg"
	printf 'package: %s\noutput: %s\ngenerate:\n  client: true\n  models: true\n' "$pkg" "$gen/$pkg/client.gen.go" > "$work/$pkg.yaml"
	"$cache/oapi-codegen-$oapi_codegen_version/oapi-codegen" -config "$work/$pkg.yaml" "$work/$doc.json"
done
# ogen reads 3.1 (the 3.0 form is for older tools), with its default
# configuration: server and client. Its log lists every warning; only a
# failure is shown.
"$cache/ogen-$ogen_version/ogen" --target "$gen/ogenclient" --package ogenclient --clean "$work/kitchen.json" > "$work/ogen.log" 2>&1 ||
	{ cat "$work/ogen.log"; exit 1; }
(cd conformance/gogen && GOWORK=off go build ./... && GOWORK=off go vet . && GOWORK=off go build -o "$work/gogen" .)

section "drivers against a live kitchen"
"$work/kitchen" -demo -data "$work/data" -cook-unit 20ms -metrics=false -webhook-to loopback serve -addr 127.0.0.1:0 2> "$work/kitchen.log" &
kitchen_pid=$!
base=
for _ in $(seq 100); do
	base=$(grep -o 'addr=http://127\.0\.0\.1:[0-9]*' "$work/kitchen.log" | head -1 | cut -d= -f2 || true)
	[ -n "$base" ] && break
	kill -0 "$kitchen_pid" 2> /dev/null || break
	sleep 0.2
done
if [ -z "$base" ]; then
	echo "the kitchen did not start:"; cat "$work/kitchen.log"; exit 1
fi
# The demo credentials a first start seeds in demo mode (examples/kitchen/internal/kitchen).
staff=demo-staff-key
token=demo-customer-token
(cd conformance/typescript && node dist/openapi-fetch.js "$base" "$staff" "$token" && node dist/hey-api.js "$base" "$staff" "$token")
"$work/gogen" -base "$base" -staff-key "$staff" -token "$token"

section "done"
echo "generators: ok in $((SECONDS - start)) s"
