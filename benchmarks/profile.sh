#!/usr/bin/env bash
# Profiles one benchmark of tracemeta and prints where the time goes, for the
# pages where it misses a target:
#
#   ./profile.sh head-past-cap-100K 4K            # BenchmarkRewrite, inject.Writer
#   ./profile.sh small-2K 4K Middleware           # BenchmarkMiddleware, inject.Middleware
#   ./profile.sh handler                          # BenchmarkHandler: the 2 KB one-write page
#                                                 # through the full chain, CPU and allocations
#   ./profile.sh handler template-60K inject      # another page or chain of BenchmarkHandler
#   ./profile.sh loopback onewrite-2K chain       # the loopback server process's CPU profile
#                                                 # while it serves BenchmarkLoopback's row
#   ./profile.sh pages rustdoc-convert            # BenchmarkPages: the Writer on a real page
#                                                 # in 32 KiB writes (or readfrom: io.Copy into it)
#   ./profile.sh caddy 12K identity none          # the Caddy process with tracemeta, loaded by
#                                                 # BenchmarkProxy's row (page, upstream, encode);
#                                                 # a fifth argument, caddy, profiles the one without
#
# The profile is left in results/<family>-<page>-<write>.prof (handler:
# results/handler-<page>-<impl>.cpu.prof and .mem.prof) for
# `go tool pprof -list`. BENCHTIME (default 3s) sets the run's length.
# caddy builds Caddy into results/caddy and profiles 10 s of it through its
# admin API (results/caddy-<page>-<upstream>-<encode>.prof).
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off
usage="usage: profile.sh PAGE WRITE [Rewrite|Middleware] | profile.sh handler [PAGE [bare|inject|chain]] | profile.sh loopback [PAGE [IMPL]] | profile.sh pages PAGE [write|readfrom] | profile.sh caddy [PAGE [UPSTREAM [ENCODE [caddy|caddy-tracemeta]]]]"
mkdir -p results

# tops TITLE BINARY PROFILE CUM OWN prints the CUM functions of PROFILE with
# the most time including their callees, then the OWN with the most of
# their own.
tops() {
	echo "== $1, CPU by cumulative time ($3)"
	go tool pprof -top -cum -nodecount="$4" "$2" "$3" 2>/dev/null | sed -n '6,$p'
	echo
	echo "== by own time"
	go tool pprof -top -nodecount="$5" "$2" "$3" 2>/dev/null | sed -n '6,$p'
}

if [ "${1:-}" = caddy ]; then
	page=${2:-12K}
	upstream=${3:-identity}
	encode=${4:-none}
	impl=${5:-caddy-tracemeta}
	prof=$(pwd)/results/$impl-$page-$upstream-$encode.prof
	go test -c -o results/proxy.test ./proxy
	go build -C ../inject/caddy -o "$(pwd)/results/caddy" ./cmd/caddy
	# The one row, long enough to outlast the profile (10 s): the profile
	# is this row's.
	(cd proxy && TRACEMETA_BENCH_CADDY="$(pwd)/../results/caddy" TRACEMETA_BENCH_CADDY_PROFILE="$prof" \
		TRACEMETA_BENCH_CADDY_PROFILE_IMPL="$impl" ../results/proxy.test -test.run '^$' \
		-test.bench "^BenchmarkProxy\$/^page=$page\$/^upstream=$upstream\$/^encode=$encode\$/^impl=$impl\$" \
		-test.benchtime "${BENCHTIME:-12s}")
	tops "$impl" results/caddy "$prof" 40 25
	exit 0
fi

go test -c -o results/benchmarks.test .

if [ "${1:-}" = pages ]; then
	page=${2:?$usage}
	impl=${3:-write}
	prof=results/pages-$page-$impl.prof
	./results/benchmarks.test -test.run '^$' -test.bench "^BenchmarkPages\$/^page=$page\$/^impl=$impl\$" \
		-test.benchmem -test.benchtime "${BENCHTIME:-3s}" -test.cpuprofile "$prof"
	tops "the Writer" results/benchmarks.test "$prof" 30 20
	exit 0
fi

if [ "${1:-}" = loopback ]; then
	page=${2:-onewrite-2K}
	impl=${3:-chain}
	prof=$(pwd)/results/loopback-$page-$impl.prof
	# The server process profiles its whole run: the one row, and the
	# requests that learn the page's size and open the connections.
	TRACEMETA_BENCH_SERVER_CPUPROFILE="$prof" ./results/benchmarks.test -test.run '^$' \
		-test.bench "^BenchmarkLoopback\$/^page=$page\$/^impl=$impl\$" -test.benchtime "${BENCHTIME:-100000x}"
	tops "the server process" results/benchmarks.test "$prof" 40 25
	exit 0
fi

if [ "${1:-}" = handler ]; then
	page=${2:-onewrite-2K}
	impl=${3:-chain}
	cpu=results/handler-$page-$impl.cpu.prof
	mem=results/handler-$page-$impl.mem.prof
	# Every allocation is sampled (-test.memprofilerate 1), so the counts
	# are exact; the CPU profile comes from a second run, without that cost.
	./results/benchmarks.test -test.run '^$' -test.bench "^BenchmarkHandler\$/^page=$page\$/^impl=$impl\$" \
		-test.benchmem -test.benchtime "${BENCHTIME:-3s}" -test.cpuprofile "$cpu"
	./results/benchmarks.test -test.run '^$' -test.bench "^BenchmarkHandler\$/^page=$page\$/^impl=$impl\$" \
		-test.benchmem -test.benchtime 20000x -test.memprofile "$mem" -test.memprofilerate 1 >/dev/null
	tops "the chain" results/benchmarks.test "$cpu" 35 20
	echo
	echo "== allocations in the requests: objects (20000 requests), by where they were made ($mem)"
	go tool pprof -sample_index=alloc_objects -focus BenchmarkHandler.func1 -top -nodecount=25 results/benchmarks.test "$mem" 2>/dev/null | sed -n '5,$p'
	echo
	echo "== allocations: bytes"
	go tool pprof -sample_index=alloc_space -focus BenchmarkHandler.func1 -top -nodecount=25 results/benchmarks.test "$mem" 2>/dev/null | sed -n '5,$p'
	exit 0
fi

page=${1:?$usage}
write=${2:?$usage}
family=${3:-Rewrite}
prof=results/$family-$page-$write.prof
./results/benchmarks.test -test.run '^$' -test.bench "^Benchmark$family\$/^page=$page\$/^write=$write\$/^impl=tracemeta\$" \
	-test.benchmem -test.benchtime "${BENCHTIME:-3s}" -test.cpuprofile "$prof"
go tool pprof -top -cum -nodecount=30 results/benchmarks.test "$prof" 2>/dev/null | sed -n '6,$p'
