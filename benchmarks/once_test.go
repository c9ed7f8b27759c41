package benchmarks_test

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onceEnv marks the test binary that TestBenchmarksOnce runs, so that it
// does not run itself again.
const onceEnv = "TRACEMETA_BENCH_ONCE"

// TestBenchmarksOnce runs every benchmark of the package once (b.N = 1,
// -short: without the 1 GiB stream) in a child test binary, so that a plain
// go test keeps them compiling and working: each one checks what it wrote,
// and fails the run if a method lost bytes or a request failed. The child's
// timeout is shorter than go test's default, so that a benchmark that hangs
// fails with the child's goroutines in the output.
func TestBenchmarksOnce(t *testing.T) {
	if os.Getenv(onceEnv) != "" {
		t.Skip("already inside the run of the benchmarks")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), exe, "-test.run", "^$", "-test.bench", ".",
		"-test.benchtime", "1x", "-test.benchmem", "-test.short", "-test.timeout", "5m")
	cmd.Env = append(os.Environ(), onceEnv+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the benchmarks failed:\n%s", out)
	assert.NotRegexp(t, regexp.MustCompile(`(?m)^(--- FAIL|FAIL|panic)`), string(out))
	for _, family := range []string{"Rewrite", "Middleware", "Server", "Stream", "Handler", "Loopback", "Pages"} {
		assert.True(t, bytes.Contains(out, []byte("\nBenchmark"+family+"/")), "benchmark %s did not run:\n%s", family, out)
	}
}
