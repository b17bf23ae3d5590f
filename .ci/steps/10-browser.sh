#!/usr/bin/env bash
# The docs page in a real browser: installs Debian's chromium (unless it
# is there already) and runs the root package's TestDocsInChromium, which
# fails rather than skips when CI=true and chromium is missing.
#
#   bash .ci/steps/10-browser.sh           # install if needed, run the test
#   bash .ci/steps/10-browser.sh install   # install only (.ci/run does this
#                                          # before the README's test command,
#                                          # which runs the test too)
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
	apt-get -o DPkg::Lock::Timeout=300 update
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium
fi
chromium --version
[ "${1:-}" = install ] && exit 0
CI=true CHROMIUM=/usr/bin/chromium go test -count=1 -run '^TestDocsInChromium$' -v .
