package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExampleCaddyfile adapts examples/caddy/Caddyfile as `caddy run` does
// and checks that Caddy has nothing to warn about, the warning that the file
// is not formatted (what `caddy fmt --overwrite` fixes) included, and that
// the static site's root, resolved from the directory `go run -C
// inject/caddy` gives Caddy, exists.
func TestExampleCaddyfile(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "examples", "caddy", "Caddyfile")
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(caddyfile.Format(src)), string(src), "not `caddy fmt` clean: run go run -C inject/caddy ./cmd/caddy fmt --overwrite ../../examples/caddy/Caddyfile")

	t.Setenv("TRACEMETA_SITE", "")
	t.Setenv("TRACEMETA_APP", "")
	os.Unsetenv("TRACEMETA_SITE")
	os.Unsetenv("TRACEMETA_APP")
	cfg, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(src, map[string]any{"filename": path})
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Contains(t, string(cfg), `"handler":"tracemeta"`)
	root := regexp.MustCompile(`"root":"([^"]+)"`).FindSubmatch(cfg)
	require.NotNil(t, root, "the static site's root")
	// inject/caddy, where go run -C runs Caddy, is two levels up from here.
	assert.FileExists(t, filepath.Join("..", "..", string(root[1]), "index.html"))
}
