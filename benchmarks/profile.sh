#!/usr/bin/env bash
# Profiles one benchmark of tracemeta and prints where the time goes, for the
# pages where it misses a target:
#
#   ./profile.sh head-past-cap-100K 4K            # BenchmarkRewrite, inject.Writer
#   ./profile.sh small-2K 4K Middleware           # BenchmarkMiddleware, inject.Middleware
#
# The profile is left in results/<family>-<page>-<write>.prof for
# `go tool pprof -list`. BENCHTIME (default 3s) sets the run's length.
set -euo pipefail
cd "$(dirname "$0")"
export GOWORK=off
page=${1:?usage: profile.sh PAGE WRITE [Rewrite|Middleware]}
write=${2:?usage: profile.sh PAGE WRITE [Rewrite|Middleware]}
family=${3:-Rewrite}
mkdir -p results
prof=results/$family-$page-$write.prof
go test -c -o results/benchmarks.test .
./results/benchmarks.test -test.run '^$' -test.bench "^Benchmark$family\$/^page=$page\$/^write=$write\$/^impl=tracemeta\$" \
	-test.benchmem -test.benchtime "${BENCHTIME:-3s}" -test.cpuprofile "$prof"
go tool pprof -top -cum -nodecount=30 results/benchmarks.test "$prof" 2>/dev/null | sed -n '6,$p'
