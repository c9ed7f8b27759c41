#!/usr/bin/env bash
# Runs the benchmarks side by side and writes the results into README.md:
# ratios to the copy floor, allocations, the per-request and streaming
# figures, the targets of DESIGN.md, the correctness table, and benchstat's
# output for the variance. Works from a fresh clone; needs only Go.
#
# Knobs (environment):
#   COUNT=6            rounds, i.e. runs of each benchmark (benchstat wants >= 6)
#   BENCHTIME=0.3s     -benchtime of the rewrite, middleware and server benchmarks
#   STREAM_BENCHTIME=3x  -benchtime of the 16 MiB / 1 GiB stream benchmark
#   BENCH=regexp       run only these benchmarks (the README then lacks the others)
#
# Takes about 15 minutes with the defaults on 2 CPUs. Keep the machine quiet:
# ratios are taken within one run, but a busy machine widens the variance.
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off

count=${COUNT:-6}
benchtime=${BENCHTIME:-0.3s}
stream_benchtime=${STREAM_BENCHTIME:-3x}
bench=${BENCH:-^Benchmark(Rewrite|Middleware|Server)$}

mkdir -p results
out=results/bench.txt

# Build once: every round runs the same binary, even if the tracemeta
# sources change during the run, and compile time stays out of it.
bin=results/benchmarks.test
go test -c -o "$bin" .
go build -o /dev/null golang.org/x/perf/cmd/benchstat ./cmd/benchreport
rev=$(git -C .. rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C .. status --porcelain -- ../inject ../render ../tracecontext ../go.mod 2>/dev/null)" ]; then
	rev="$rev with uncommitted changes"
fi

# COUNT rounds of one run each rather than -count: the samples of every
# benchmark are spread over the whole run, so a burst of load elsewhere on the
# machine hits the copy floor and the methods alike instead of skewing one
# of them.
cmd="$bin -test.run '^\$' -test.bench '$bench' -test.benchmem -test.count 1 -test.benchtime $benchtime -test.timeout 1h"
stream_cmd="$bin -test.run '^\$' -test.bench '^BenchmarkStream\$' -test.benchmem -test.count 1 -test.benchtime $stream_benchtime -test.timeout 1h"
: > "$out.tmp"
for round in $(seq "$count"); do
	echo "+ round $round/$count: $cmd" >&2
	eval "$cmd" | tee -a "$out.tmp"
	echo "+ round $round/$count: $stream_cmd" >&2
	eval "$stream_cmd" | tee -a "$out.tmp"
done
if grep -q -e '^FAIL' -e '^panic' -e '^--- FAIL' "$out.tmp"; then
	echo "run.sh: the benchmarks failed; results left in $out.tmp" >&2
	exit 1
fi
mv "$out.tmp" "$out"

{
	for family in Rewrite Middleware Server Stream; do
		echo "## $family"
		go tool benchstat -filter ".name:$family .unit:(sec/op OR B/op OR allocs/op OR req/s OR peak-heap-B)" -col /impl "$out"
		echo
	done
} > results/benchstat.txt

go run ./cmd/benchreport -in "$out" -benchstat results/benchstat.txt -readme README.md \
	-cmd "cd benchmarks && ${BENCH:+BENCH='$bench' }COUNT=$count BENCHTIME=$benchtime STREAM_BENCHTIME=$stream_benchtime ./run.sh   # at tracemeta $rev
# which builds the benchmarks once and runs these $count times, one round after the other, into $out:
go test -c -o $bin .
$cmd
$stream_cmd"
echo "run.sh: results written to README.md" >&2
