#!/usr/bin/env bash
# Runs every check and every test of every module of the repository:
# formatting, generated code, go vet, and go test -race with the browser tests.
#
# Browser tests need Debian's chromium (/usr/bin/chromium) and Node.js/npm; they
# skip without them unless TRACEMETA_REQUIRE_BROWSER=1, which CI sets.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== gofmt"
unformatted=$(git ls-files -co --exclude-standard '*.go' | xargs gofmt -l)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== templ generate is current"
before=$(git ls-files -co --exclude-standard '*_templ.go' | sort | xargs -r sha256sum)
go tool -modfile=tools/go.mod templ generate -log-level error
after=$(git ls-files -co --exclude-standard '*_templ.go' | sort | xargs -r sha256sum)
if [ "$before" != "$after" ]; then
	echo "generated templ code was stale: run 'go tool -modfile=tools/go.mod templ generate' and commit"
	exit 1
fi

# Every module but the tool module, core first.
modules=$(git ls-files -co --exclude-standard '*go.mod' | grep -v '^tools/' | xargs -n1 dirname | sort)
for mod in $modules; do
	echo "== $mod: go vet"
	(cd "$root/$mod" && GOWORK=off go vet ./...)
	echo "== $mod: go test -race"
	(cd "$root/$mod" && GOWORK=off go test -race -count=1 ./...)
done
echo "== all modules passed"
