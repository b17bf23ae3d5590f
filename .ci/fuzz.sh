#!/usr/bin/env bash
# Fuzzing for CI (.ci/run runs both passes, each a section of its own):
#
#	bash .ci/fuzz.sh short     # every target but the hostile ones, FUZZTIME inputs each (20000x)
#	bash .ci/fuzz.sh hostile   # the hostile ones, FUZZTIME_HOSTILE inputs each (100000x)
#
# The hostile targets are the parsers that take hostile input, what an
# attacker's bytes reach first (issue 14): the body decoder, the parameter
# binders, multipart forms, Accept negotiation, the SSE reader, WebSocket
# frames and handshakes, the router and the whole request path. They get
# five times the short pass's inputs, in the hostile pass only: running
# them in the short pass too would repeat a fifth of their work.
#
# Counts, not durations: with a duration, Go's fuzzing coordinator can end
# a run with a spurious "context deadline exceeded" (go.dev/issue/75804,
# fixed in Go 1.27; roux builds with 1.26).
set -euo pipefail
cd "$(dirname "$0")/.."

hostile=(
	"./internal/codec FuzzDecode" "./internal/codec FuzzOptional" "./internal/codec FuzzIntegral"
	"./internal/bind FuzzBindInt" "./internal/bind FuzzBindFloat" "./internal/bind FuzzBindTime" "./internal/bind FuzzBindSlice"
	". FuzzMultipartForm" ". FuzzNegotiate" ". FuzzParseRanges" ". FuzzServe"
	"./sse FuzzParser" "./ws FuzzFrameGuard" "./ws FuzzHandshake" "./internal/route FuzzLookup" "./internal/route FuzzCleanEscaped"
)

# Each package's test binary is built once, with the fuzzing
# instrumentation (go test -c -fuzz), and run for each of its targets:
# go test -fuzz would link it again for every target (1.5-2 s each;
# warm, with 2,000 inputs a target: short 99 -> 69 s, hostile 56 -> 43 s).
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cache=$(go env GOCACHE)/fuzz
declare -A built dir import
binary() { # binary PKG: the fuzzing test binary of PKG (an import path or ./dir), built once
	if [ -z "${built[$1]:-}" ]; then
		local f
		f="$bin/$(echo "$1" | tr -c 'A-Za-z0-9\n' _).test"
		go test -c -fuzz=. -o "$f" "$1"
		built[$1]=$f
		dir[$1]=$(go list -f '{{.Dir}}' "$1")
		import[$1]=$(go list "$1")
	fi
}

fuzz() { # fuzz PKG TARGET COUNT
	echo "fuzz $1 $2 ($3)"
	binary "$1"
	# As go test runs it: in the package's directory (its testdata/fuzz
	# seeds, and where a failure is written), the generated corpus kept
	# in the build cache by import path.
	(cd "${dir[$1]}" && "${built[$1]}" -test.run='^$' -test.fuzz="^${2}\$" -test.fuzztime="$3" \
		-test.fuzzcachedir="$cache/${import[$1]}") > /tmp/fuzz.log 2>&1 || { cat /tmp/fuzz.log; exit 1; }
}

case "${1:-}" in
short)
	# The hostile targets by import path, as go list names packages.
	declare -A skip path
	for t in "${hostile[@]}"; do
		read -r pkg target <<< "$t"
		[ -n "${path[$pkg]:-}" ] || path[$pkg]=$(go list "$pkg")
		skip["${path[$pkg]} $target"]=1
	done
	n=0
	# The targets are read from the test files, not listed by go test
	# -list, which links a test binary for every package (a minute of the
	# pass, most packages having none).
	for line in $(go list -f '{{.ImportPath}}={{.Dir}}' ./... ./examples/kitchen/... ./otel/... ./jwt/...); do
		pkg=${line%%=*}
		for target in $(cat "${line#*=}"/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do
			if [ -n "${skip[$pkg $target]:-}" ]; then
				n=$((n + 1))
				continue
			fi
			fuzz "$pkg" "$target" "${FUZZTIME:-20000x}"
		done
	done
	if [ "$n" -ne "${#hostile[@]}" ]; then
		echo "fuzz.sh: $n of the ${#hostile[@]} hostile targets found by the short pass (renamed? update .ci/fuzz.sh)"
		exit 1
	fi
	;;
hostile)
	for t in "${hostile[@]}"; do
		read -r pkg target <<< "$t"
		binary "$pkg"
		listed=$("${built[$pkg]}" -test.list "^${target}\$") # not piped into grep -q: with pipefail, its early exit fails the write
		grep -qx "$target" <<< "$listed" || { echo "fuzz.sh: no fuzz target $target in $pkg (renamed? update .ci/fuzz.sh)"; exit 1; }
		fuzz "$pkg" "$target" "${FUZZTIME_HOSTILE:-100000x}"
	done
	;;
*)
	echo "usage: bash .ci/fuzz.sh short|hostile" >&2
	exit 2
	;;
esac
