#!/usr/bin/env bash
# Runs every check and every test of every module of the repository:
# formatting, generated code, go vet, and go test -race (browser tests included).
#
# Browser tests need Debian's chromium (/usr/bin/chromium) and Node.js/npm; they
# skip without them unless TRACEMETA_REQUIRE_BROWSER=1, which CI sets, and then
# they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== gofmt"
unformatted=$(git ls-files -co --exclude-standard '*.go' | xargs gofmt -l)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"
	echo "$unformatted"
	exit 1
fi

echo "== templ generate is current"
templ_sums() { git ls-files -co --exclude-standard '*_templ.go' | sort | xargs -r sha256sum; }
before=$(templ_sums)
go tool -modfile=tools/go.mod templ generate -include-version=false -log-level error
if [ "$before" != "$(templ_sums)" ]; then
	echo "generated templ code was stale: run"
	echo "  go tool -modfile=tools/go.mod templ generate -include-version=false"
	echo "and commit the result"
	exit 1
fi

# Every module but the tool module, the core first. -v makes the output show
# every test that ran (and the trace ids the browser tests log); the RUN/PAUSE
# noise is left out.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
modules=$(git ls-files -co --exclude-standard '*go.mod' | grep -v '^tools/' | xargs -n1 dirname | sort)
for mod in $modules; do
	echo "== $mod: go vet"
	(cd "$root/$mod" && GOWORK=off go vet ./...) || failed=1
	echo "== $mod: go test -race"
	if ! (cd "$root/$mod" && GOWORK=off go test -race -count=1 -v ./... 2>&1) |
		grep -v -E '^=== (RUN|PAUSE|CONT|NAME)' | tee -a "$log"; then
		failed=1
	fi
done

passed=$(grep -c -E '^ *--- PASS' "$log" || true)
fails=$(grep -c -E '^ *--- FAIL' "$log" || true)
skipped=$(grep -c -E '^ *--- SKIP' "$log" || true)
echo
echo "== skipped tests:"
grep -E '^ *--- SKIP' "$log" || echo "(none)"
echo
echo "tests: $passed passed, $fails failed, $skipped skipped"
if [ "$failed" != 0 ] || [ "$fails" != 0 ]; then
	echo "== FAILED"
	exit 1
fi
echo "== all modules passed"
