#!/usr/bin/env bash
# Runs the benchmarks side by side and writes the results into README.md:
# the targets, the real handlers per request (httptest and a loopback
# server), the Writer on real pages, ratios to the copy floor, allocations,
# the per-request and streaming figures, Caddy with and without tracemeta
# and workerd's HTMLRewriter in front of the same upstream, the correctness
# table, benchstat's output for the variance, and the plots (results/*.svg).
# Works from a fresh clone; needs Go, and npm for workerd (PROXY= leaves the
# proxies out).
#
# Knobs (environment):
#   COUNT=6            rounds, i.e. runs of each benchmark (benchstat wants >= 6)
#   BENCHTIME=0.1s     -benchtime of the rewrite, middleware and server benchmarks
#   REAL_BENCHTIME=0.2s  -benchtime of the real handlers (httptest) and pages
#   LOOPBACK_BENCHTIME=0.7s  -benchtime of the loopback server benchmark
#   STREAM_BENCHTIME=3x  -benchtime of the 16 MiB / 1 GiB stream benchmark
#   PROXY_BENCHTIME=1000x  requests per row of the proxy benchmark (Caddy,
#                      workerd); PROXY= (empty) leaves the proxies out
#   BENCH=regexp       run only these of the rewrite, middleware and server
#                      benchmarks (the README then lacks the others)
#   SMOKE=1            one short round (20x, 200 requests, -short: no 1 GiB
#                      stream) to check that everything runs, in about a
#                      minute; writes results/smoke/ and leaves README.md alone
#
# Takes about 8 minutes with the defaults on 2 CPUs. Keep the machine quiet:
# ratios are taken within one run, but a busy machine widens the variance.
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off

if [ -n "${SMOKE:-}" ]; then
	count=1
	benchtime=${BENCHTIME:-20x}
	real_benchtime=${REAL_BENCHTIME:-20x}
	loopback_benchtime=${LOOPBACK_BENCHTIME:-200x}
	stream_benchtime=${STREAM_BENCHTIME:-1x}
	proxy_benchtime=${PROXY_BENCHTIME:-50x}
	short=" -test.short"
	dir=results/smoke
else
	count=${COUNT:-6}
	benchtime=${BENCHTIME:-0.1s}
	real_benchtime=${REAL_BENCHTIME:-0.2s}
	loopback_benchtime=${LOOPBACK_BENCHTIME:-0.7s}
	stream_benchtime=${STREAM_BENCHTIME:-3x}
	proxy_benchtime=${PROXY_BENCHTIME:-1000x}
	short=
	dir=results
fi
bench=${BENCH:-^Benchmark(Rewrite|Middleware|Server)$}

mkdir -p "$dir"
out=$dir/bench.txt
readme=README.md
if [ -n "${SMOKE:-}" ]; then
	readme=$dir/README.md
	cp README.md "$readme"
fi

# Build once: every round runs the same binary, even if the tracemeta
# sources change during the run, and compile time stays out of it.
bin=results/benchmarks.test
go test -c -o "$bin" .
go build -o /dev/null golang.org/x/perf/cmd/benchstat ./cmd/benchreport
# The proxies: Caddy with tracemeta's module, built from this checkout, and
# workerd at the version package-lock.json pins.
proxy=${PROXY-1}
proxy_off=
[ -n "$proxy" ] || proxy_off=" PROXY="
if [ -n "$proxy" ]; then
	go test -c -o results/proxy.test ./proxy
	go build -C ../inject/caddy -o "$(pwd)/results/caddy" ./cmd/caddy
	if [ ! -d workerd/node_modules ]; then
		(cd workerd && npm ci --no-audit --no-fund --loglevel=error)
	fi
	workerd_bin=$(ls "$(pwd)"/workerd/node_modules/@cloudflare/workerd-*/bin/workerd | head -n1)
	export TRACEMETA_BENCH_CADDY="$(pwd)/results/caddy" TRACEMETA_BENCH_WORKERD="$workerd_bin"
fi
load_before=$(uptime)
rev=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C .. status --porcelain -- ../inject ../render ../tracecontext ../go.mod 2>/dev/null)" ]; then
	rev="$rev with uncommitted changes"
fi

# COUNT rounds of one run each rather than -count: the samples of every
# benchmark are spread over the whole run, so a burst of load elsewhere on the
# machine hits the copy floor and the methods alike instead of skewing one
# of them.
cmd="$bin -test.run '^\$' -test.bench '$bench' -test.benchmem -test.count 1 -test.benchtime $benchtime -test.timeout 1h$short"
real_cmd="$bin -test.run '^\$' -test.bench '^Benchmark(Handler|Pages)\$' -test.benchmem -test.count 1 -test.benchtime $real_benchtime -test.timeout 1h$short"
# The loopback server's figures are its own (server-ns/req, which benchstat
# shows as server-sec/req; server-allocs/req, server-B/req): -benchmem would
# add the clients' allocations.
loopback_cmd="$bin -test.run '^\$' -test.bench '^BenchmarkLoopback\$' -test.count 1 -test.benchtime $loopback_benchtime -test.timeout 1h$short"
stream_cmd="$bin -test.run '^\$' -test.bench '^BenchmarkStream\$' -test.benchmem -test.count 1 -test.benchtime $stream_benchtime -test.timeout 1h$short"
# The proxy benchmark reads ../workerd/worker.js: it runs in its folder. Its
# figures are the proxy process's (proxy-ns/req, from /proc).
proxy_cmd="(cd proxy && ../results/proxy.test -test.run '^\$' -test.bench '^BenchmarkProxy\$' -test.count 1 -test.benchtime $proxy_benchtime -test.timeout 1h)"
: > "$out.tmp"
for round in $(seq "$count"); do
	echo "+ round $round/$count: $cmd" >&2
	eval "$cmd" | tee -a "$out.tmp"
	echo "+ round $round/$count: $real_cmd" >&2
	eval "$real_cmd" | tee -a "$out.tmp"
	echo "+ round $round/$count: $loopback_cmd" >&2
	eval "$loopback_cmd" | tee -a "$out.tmp"
	echo "+ round $round/$count: $stream_cmd" >&2
	eval "$stream_cmd" | tee -a "$out.tmp"
	if [ -n "$proxy" ]; then
		echo "+ round $round/$count: $proxy_cmd" >&2
		eval "$proxy_cmd" | tee -a "$out.tmp"
	fi
done
load_after=$(uptime)
if grep -q -e '^FAIL' -e '^panic' -e '^--- FAIL' "$out.tmp"; then
	echo "run.sh: the benchmarks failed; results left in $out.tmp" >&2
	exit 1
fi
mv "$out.tmp" "$out"

{
	for family in Handler Loopback Pages Proxy Rewrite Middleware Server Stream; do
		grep -q "^Benchmark$family/" "$out" || continue
		echo "## $family"
		go tool benchstat -filter ".name:$family .unit:(sec/op OR cpu-sec/op OR B/op OR allocs/op OR req/s OR peak-heap-B OR server-sec/req OR server-allocs/req OR server-B/req OR proxy-sec/req OR proxy-writes/req OR resp-B)" -col /impl "$out"
		echo
	done
} > "$dir/benchstat.txt"

go run ./cmd/benchreport -in "$out" -benchstat "$dir/benchstat.txt" -readme "$readme" -plots "$dir" \
	-load "at the start: ${load_before#*load average: }; at the end: ${load_after#*load average: }" \
	-cmd "cd benchmarks && ${SMOKE:+SMOKE=1 }${BENCH:+BENCH='$bench' }COUNT=$count BENCHTIME=$benchtime REAL_BENCHTIME=$real_benchtime LOOPBACK_BENCHTIME=$loopback_benchtime STREAM_BENCHTIME=$stream_benchtime PROXY_BENCHTIME=$proxy_benchtime${proxy_off} ./run.sh   # at tracemeta $rev, $(( SECONDS / 60 )) min $(( SECONDS % 60 )) s
# which builds the benchmarks once and runs these $count times, one round after the other, into $out:
go test -c -o $bin .${proxy:+
go test -c -o results/proxy.test ./proxy
go build -C ../inject/caddy -o results/caddy ./cmd/caddy
(cd workerd && npm ci)}
$cmd
$real_cmd
$loopback_cmd
$stream_cmd${proxy:+
$proxy_cmd}"
echo "run.sh: results written to $readme" >&2
