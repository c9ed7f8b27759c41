// Command benchreport turns a run of the benchmarks into the results
// section of benchmarks/README.md: ratios to the copy floor, allocations,
// the per-request and streaming figures, the performance targets met or
// missed, the correctness table, and benchstat's output for the variance.
//
// Usage (run.sh runs it):
//
//	go run ./cmd/benchreport -in results/bench.txt -benchstat results/benchstat.txt \
//		-readme README.md -cmd "the command that produced results/bench.txt"
//
// It replaces what lies between the "<!-- results:begin -->" and
// "<!-- results:end -->" lines of the README and leaves the rest alone.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

const (
	beginMarker = "<!-- results:begin -->"
	endMarker   = "<!-- results:end -->"
)

// errNoMarkers is returned for a README without the results markers.
var errNoMarkers = errors.New("README has no " + beginMarker + " ... " + endMarker + " section")

func main() {
	in := flag.String("in", "results/bench.txt", "benchmark output `file`")
	stat := flag.String("benchstat", "results/benchstat.txt", "benchstat output `file`")
	readme := flag.String("readme", "README.md", "README `file` whose results section is replaced")
	cmd := flag.String("cmd", "", "the `command` that produced -in, quoted in the README")
	plots := flag.String("plots", "results", "`folder` the SVG plots are written to, linked from the README")
	load := flag.String("load", "", "the machine's `load` (uptime) during the run, quoted in the README")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*in, *stat, *readme, *cmd, *plots, *load); err != nil {
		log.Fatalf("benchreport: %v", err)
	}
}

func run(in, stat, readme, cmd, plots, load string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rs, err := parse(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	benchstat, err := os.ReadFile(stat)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(readme), plots)
	if err != nil {
		return fmt.Errorf("plots folder: %w", err)
	}
	written := map[string]bool{}
	for file, content := range map[string]string{plotCostFile: costPlot(rs), plotOverheadFile: overheadPlot(rs)} {
		if content == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(plots, file), []byte(content), 0o644); err != nil {
			return err
		}
		written[file] = true
	}
	section, err := report(rs, string(benchstat), cmd, reportOptions{plots: filepath.ToSlash(rel), written: written, load: load})
	if err != nil {
		return err
	}
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	updated, err := splice(old, section)
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	return os.WriteFile(readme, updated, 0o644)
}

// splice replaces the lines between the markers of readme with section.
func splice(readme []byte, section string) ([]byte, error) {
	begin := bytes.Index(readme, []byte(beginMarker+"\n"))
	end := bytes.Index(readme, []byte(endMarker))
	if begin < 0 || end < begin {
		return nil, errNoMarkers
	}
	var b bytes.Buffer
	b.Write(readme[:begin+len(beginMarker)+1])
	b.WriteString(section)
	b.Write(readme[end:])
	return b.Bytes(), nil
}
