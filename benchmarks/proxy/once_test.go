//go:build linux

package proxy_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onceEnv marks the test binary that TestBenchmarkProxyOnce runs.
const onceEnv = "TRACEMETA_BENCH_ONCE"

// TestBenchmarkProxyOnce runs BenchmarkProxy once, 20 requests per row, in a
// child test binary given the binaries this one found, so that a plain go
// test keeps it working: every request of it checks its response.
func TestBenchmarkProxyOnce(t *testing.T) {
	if os.Getenv(onceEnv) != "" {
		t.Skip("already inside the run of the benchmark")
	}
	e := setup(t)
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.CommandContext(t.Context(), exe, "-test.run", "^$", "-test.bench", "^BenchmarkProxy$",
		"-test.benchtime", "20x", "-test.timeout", "10m")
	cmd.Env = append(os.Environ(), onceEnv+"=1", caddyEnv+"="+e.caddy, workerdEnv+"="+e.workerd)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the benchmark failed:\n%s", out)
	assert.NotRegexp(t, regexp.MustCompile(`(?m)^(--- FAIL|FAIL|panic)`), string(out))
	assert.Equal(t, len(cases()), strings.Count(string(out), "proxy-ns/req"), "every row ran:\n%s", out)
}
