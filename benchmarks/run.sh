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

# Build first, so compile time and module downloads stay out of the run.
go test -c -o /dev/null .
go build -o /dev/null golang.org/x/perf/cmd/benchstat ./cmd/benchreport

# COUNT rounds of one run each rather than -count: the samples of every
# benchmark are spread over the whole run, so a burst of load elsewhere on the
# machine hits the copy floor and the methods alike instead of skewing one
# of them.
cmd="go test -run '^\$' -bench '$bench' -benchmem -count 1 -benchtime $benchtime -timeout 1h ."
stream_cmd="go test -run '^\$' -bench '^BenchmarkStream\$' -benchmem -count 1 -benchtime $stream_benchtime -timeout 1h ."
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
	-cmd "cd benchmarks && ${BENCH:+BENCH='$bench' }COUNT=$count BENCHTIME=$benchtime STREAM_BENCHTIME=$stream_benchtime ./run.sh
# which runs these $count times, one round after the other, into $out:
$cmd
$stream_cmd"
echo "run.sh: results written to README.md" >&2
