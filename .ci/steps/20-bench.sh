#!/usr/bin/env bash
# Benchmark suite (bench/, its own module): build and vet it. Its tests —
# the shared conformance test of every Go stack over loopback and the
# router's zero-allocation check — run in the README's test command.
# Nothing here is timed; the measurements are run by hand (see
# bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/../../bench"
export GOWORK=off # bench/go.mod replaces roux with ../, so this tests the tree under review
go mod download
go build ./... # first, so that vet and test reuse the compiled dependencies
go vet ./...
# kitchenload's response parser (its generator's own HTTP/1.1 client).
go test -run='^$' -fuzz='^FuzzParseResponse$' -fuzztime="${FUZZTIME:-20000x}" ./cmd/kitchenload
