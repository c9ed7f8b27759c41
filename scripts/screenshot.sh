#!/usr/bin/env bash
# Takes the README's screenshots of the demo with headless Debian chromium:
# the page (docs/demo-page.png) and the collector's waterfall of its trace
# (docs/demo-waterfall.png). Needs Go, Node.js/npm (the demo bundles the
# browser SDK) and chromium (apt-get install chromium, or set $CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)
go run -C examples ./demo -port 0 -screenshot "$out"
# Chromium writes lossless PNGs; pngquant (apt-get install pngquant), when
# installed, makes them about a third of the size with no visible change.
if command -v pngquant >/dev/null 2>&1; then
	for f in "$out/demo-page.png" "$out/demo-waterfall.png"; do
		pngquant --quality=70-95 --speed 1 --force --skip-if-larger --output "$f" "$f"
	done
fi
ls -l "$out/demo-page.png" "$out/demo-waterfall.png"
