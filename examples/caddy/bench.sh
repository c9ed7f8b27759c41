#!/usr/bin/env bash
# Measures what tracemeta costs Caddy: requests/s and Caddy's CPU time per
# request for one page proxied from a loopback upstream, through two sites of
# the same Caddy process that differ only by the tracemeta directive, measured
# with wrk in interleaved runs (A, B, A, B, ...).
#
#   examples/caddy/bench.sh [rounds] [seconds per run]    (default 6 rounds of 5 s)
#
# Needs wrk (apt-get install wrk). Builds bin/caddy from inject/caddy/cmd/caddy.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-6}
secs=${2:-5}
conns=${CONNS:-16}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; cat "$work/proxy.log" >&2; rm -rf "$work"' EXIT

go build -C inject/caddy -o "$PWD/bin/caddy" ./cmd/caddy

# A 12 KB server-rendered page, as an app would send it: not cacheable.
{
	printf '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Shop</title>\n'
	printf '<link rel="stylesheet" href="/app.css">\n</head>\n<body>\n'
	for i in $(seq 1 200); do printf '<p>Item %d: lorem ipsum dolor sit amet.</p>\n' "$i"; done
	printf '</body>\n</html>\n'
} >"$work/page.html"

cat >"$work/upstream.Caddyfile" <<CADDY
{
	admin off
	auto_https off
	persist_config off
	log {
		level ERROR
	}
}
http://127.0.0.1:18100 {
	header Cache-Control no-store
	root * $work
	rewrite * /page.html
	file_server
}
CADDY
cat >"$work/proxy.Caddyfile" <<CADDY
{
	admin off
	auto_https off
	persist_config off
	log {
		level ERROR
	}
}
http://127.0.0.1:18101 {
	reverse_proxy 127.0.0.1:18100
}
http://127.0.0.1:18102 {
	tracemeta
	reverse_proxy 127.0.0.1:18100
}
CADDY
XDG_DATA_HOME=$work XDG_CONFIG_HOME=$work bin/caddy run --config "$work/upstream.Caddyfile" >"$work/upstream.log" 2>&1 &
XDG_DATA_HOME=$work XDG_CONFIG_HOME=$work bin/caddy run --config "$work/proxy.Caddyfile" >"$work/proxy.log" 2>&1 &
proxy=$!
sleep 2
curl -fsS -H 'Accept: text/html' http://127.0.0.1:18102/ | grep -q 'name="sentry-trace"' || { echo "no tags from the tracemeta site"; exit 1; }
curl -fsS -H 'Accept: text/html' http://127.0.0.1:18101/ | grep -q 'name="sentry-trace"' && { echo "tags from the plain site"; exit 1; }

tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$proc_pid/stat"; }
proc_pid=$proxy
run() { # site port -> prints "requests/s cpu-us/request"
	local before after out reqs rps
	before=$(cpu)
	out=$(wrk -t1 -c"$conns" -d"${secs}s" -H 'Accept: text/html' -H 'Sec-Fetch-Dest: document' "http://127.0.0.1:$1/")
	after=$(cpu)
	reqs=$(echo "$out" | awk '/requests in/ {print $1}')
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	awk -v r="$rps" -v n="$reqs" -v c="$((after - before))" -v t="$tck" 'BEGIN { printf "%.0f %.1f\n", r, c / t * 1e6 / n }'
}
run 18101 >/dev/null; run 18102 >/dev/null # warm up
echo "round  plain-req/s  plain-cpu-us/req  tracemeta-req/s  tracemeta-cpu-us/req"
sa=0; sb=0; ca=0; cb=0
for i in $(seq 1 "$rounds"); do
	read -r ra cpa < <(run 18101)
	read -r rb cpb < <(run 18102)
	printf '%5d  %11s  %16s  %15s  %20s\n' "$i" "$ra" "$cpa" "$rb" "$cpb"
	sa=$(awk -v a="$sa" -v b="$ra" 'BEGIN{print a+b}'); sb=$(awk -v a="$sb" -v b="$rb" 'BEGIN{print a+b}')
	ca=$(awk -v a="$ca" -v b="$cpa" 'BEGIN{print a+b}'); cb=$(awk -v a="$cb" -v b="$cpb" 'BEGIN{print a+b}')
done
awk -v sa="$sa" -v sb="$sb" -v ca="$ca" -v cb="$cb" -v n="$rounds" 'BEGIN {
	printf "mean   %11.0f  %16.1f  %15.0f  %20.1f\n", sa/n, ca/n, sb/n, cb/n
	printf "throughput ratio tracemeta/plain: %.3f   CPU per request ratio: %.3f\n", sb/sa, cb/ca
}'
