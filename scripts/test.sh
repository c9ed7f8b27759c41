#!/usr/bin/env bash
# Runs every check and every test of every module of the repository:
# formatting, generated code, the versions the modules require of each other,
# go vet, and go test -race (browser tests included; the allocation-count
# tests, Test…Allocs and Test…Allocations, again without -race), then the
# core module's tests once more on the newest Go release.
#
# Browser tests need Debian's chromium (/usr/bin/chromium) and Node.js/npm, and
# the Caddy module's tests in front of PHP, Python and Node applications need
# php-cli, python3-flask, python3-blinker and python3-sentry-sdk; they skip
# without them unless TRACEMETA_REQUIRE_BROWSER=1, which CI sets, and then they
# fail instead.
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

echo "== module versions"
# Every nested module requires every tracemeta module at the version in
# VERSION, with a relative replace to that module's folder, so that work inside
# the repository uses the code beside it and, once the tags exist, go get
# resolves the same versions without a replace.
version=$(tr -d '[:space:]' <VERSION)
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "VERSION holds \"$version\", want a version such as v0.1.0"
	exit 1
fi
if ! grep -q "^## \[${version#v}\]" CHANGELOG.md; then
	echo "CHANGELOG.md has no \"## [${version#v}]\" entry for VERSION $version"
	exit 1
fi
# modfacts prints "module PATH", "require PATH VERSION" and "replace OLD NEW"
# lines for the go.mod file $1.
modfacts() {
	go mod edit -print "$1" | awk '
		/^\)/ { block = ""; next }
		/^(require|replace) \($/ { block = $1; next }
		/^module / { print "module", $2; next }
		/^require / { print "require", $2, $3; next }
		/^replace / { sub(/^replace /, ""); line = $0; kind = "replace" }
		block == "require" { print "require", $1, $2; next }
		block == "replace" { line = $0; kind = "replace" }
		kind == "replace" {
			split(line, sides, "=>"); split(sides[1], old, " "); split(sides[2], new, " ")
			print "replace", old[1], new[1]; kind = ""
		}'
}
bad_versions=0
for gomod in $(git ls-files -co --exclude-standard '*go.mod' | grep -v '^go.mod$' | sort); do
	dir=$(dirname "$gomod")
	facts=$(modfacts "$gomod")
	while read -r _ path ver; do
		case $path in github.com/tracemeta/tracemeta | github.com/tracemeta/tracemeta/*) ;; *) continue ;; esac
		if [ "$ver" != "$version" ]; then
			echo "$gomod requires $path $ver; every tracemeta module must be required at $version (VERSION)"
			bad_versions=1
		fi
		target=$(awk -v p="$path" '$1 == "replace" && $2 == p { print $3 }' <<<"$facts")
		if [[ $target != .* ]]; then
			echo "$gomod requires $path but does not replace it with its folder (replace $path => ../...)"
			bad_versions=1
		elif [ ! -f "$dir/$target/go.mod" ] ||
			[ "$(modfacts "$dir/$target/go.mod" | awk '$1 == "module" { print $2 }')" != "$path" ]; then
			echo "$gomod replaces $path with $target, which is not that module's folder"
			bad_versions=1
		fi
	done < <(grep '^require ' <<<"$facts")
done
if [ "$bad_versions" != 0 ]; then
	echo "set every requirement with: go mod edit -require=MODULE@$version (in each module), then go mod tidy"
	exit 1
fi

echo "== go directives"
# One policy: every module, the tool module included, declares the core's go
# version, the oldest release the project supports (the core is also tested
# on the newest, below).
core_go=$(go mod edit -json go.mod | awk -F'"' '/"Go":/ { print $4 }')
bad_go=0
for gomod in $(git ls-files -co --exclude-standard '*go.mod' | sort); do
	v=$(go mod edit -json "$gomod" | awk -F'"' '/"Go":/ { print $4 }')
	if [ "$v" != "$core_go" ]; then
		echo "$gomod declares go $v; every module declares the core's go $core_go"
		bad_go=1
	fi
done
if [ "$bad_go" != 0 ]; then
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
	# Allocation counts are asserted without -race, under which sync.Pool
	# drops what it is given at random: every Test…Allocs and
	# Test…Allocations runs again so.
	if grep -rqE --include='*_test.go' '^func Test[A-Za-z0-9_]*(Allocs|Allocations)\(' "$root/$mod"; then
		echo "== $mod: go test, allocation counts (without -race)"
		if ! (cd "$root/$mod" && GOWORK=off go test -count=1 -v -run '(Allocs|Allocations)$' ./... 2>&1) |
			grep -v -E '^=== (RUN|PAUSE|CONT|NAME)' | tee -a "$log"; then
			failed=1
		fi
	fi
done

# The core module again on the newest Go release (the toolchain is fetched
# from the module proxy on first use), so that a change in the next Go shows
# up before users hit it; the installed Go above covers the oldest supported
# one. TRACEMETA_GO_NEXT= (empty) leaves this run out.
go_next=${TRACEMETA_GO_NEXT-go1.27.4}
if [ -n "$go_next" ]; then
	echo "== .: go test -race with $go_next"
	if ! GOTOOLCHAIN=$go_next GOWORK=off go version ||
		! GOTOOLCHAIN=$go_next GOWORK=off go test -race -count=1 ./...; then
		echo "the core module's tests failed with $go_next"
		failed=1
	fi
else
	echo "== .: go test with the next Go release left out (TRACEMETA_GO_NEXT is empty)"
fi

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
