#!/usr/bin/env bash
# Compatibility gate (internal/compat, its own module): compares the tree
# with the newest release tag (v*; otel/v* for the otel module) —
#   - the exported Go API of the public modules (root, otel), with
#     golang.org/x/exp/apidiff;
#   - the OpenAPI documents (3.1 and 3.0) that `go run ./examples/hello spec`
#     and `go run ./examples/kitchen spec` print, with `roux diff`;
# and fails on a breaking change that CHANGELOG.md does not declare under
# "### Breaking" in its Unreleased section. With no tag yet there is nothing
# to compare with, and it says so and passes. The gate's own tests (a
# throwaway repository with a tag and a breaking change, declared and not)
# run first.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS

# CI works on a fresh clone: tags come along with a plain clone, not always
# with a shallow or single-branch one. Fetch them when there is a remote;
# without one, or when it cannot be reached, the local tags are all there is.
remote=$(git remote | head -n 1)
if [ -n "$remote" ]; then
	if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
		timeout 120 git fetch --quiet --unshallow --tags "$remote" || echo "compat: could not unshallow from $remote; comparing with the local tags"
	else
		timeout 120 git fetch --quiet --tags "$remote" || echo "compat: could not fetch tags from $remote; comparing with the local tags"
	fi
fi
echo "compat: release tags here: $(git tag --list 'v*' '*/v*' | tr '\n' ' ')"

cd internal/compat
export GOWORK=off # outside go.work, like bench/: apidiff's dependencies stay out of roux's builds
go mod download
go vet ./...
go test -count=1 ./...
go run . -repo ../..
echo "compat: done in $((SECONDS - start))s"
