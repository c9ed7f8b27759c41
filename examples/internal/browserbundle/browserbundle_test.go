package browserbundle_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browserbundle"
)

func TestProjectDir(t *testing.T) {
	dir, err := browserbundle.ProjectDir()
	require.NoError(t, err)
	assert.Equal(t, "browser", filepath.Base(dir))
	assert.FileExists(t, filepath.Join(dir, "package-lock.json"))
	assert.FileExists(t, filepath.Join(dir, "build.mjs"))
}

func TestProjectDirFromEnv(t *testing.T) {
	t.Setenv(browserbundle.DirEnv, t.TempDir())
	_, err := browserbundle.ProjectDir()
	require.ErrorIs(t, err, browserbundle.ErrNoProject)
}

func TestBuildWithoutNode(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	require.ErrorIs(t, browserbundle.Available(), browserbundle.ErrNoNode)
	_, err := browserbundle.Build(context.Background(), t.TempDir())
	require.ErrorIs(t, err, browserbundle.ErrNoNode)
}

func TestBuild(t *testing.T) {
	if err := browserbundle.Available(); err != nil {
		if os.Getenv("TRACEMETA_REQUIRE_BROWSER") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "nested", "out")
	b, err := browserbundle.Build(ctx, out)
	require.NoError(t, err)
	assert.Equal(t, out, b.Dir)
	tests := []struct {
		name   string
		path   string
		global string
	}{
		{"sentry", b.Sentry, "var Sentry="},
		{"otel", b.OTel, "var TracemetaOtel="},
		{"datadog", b.Datadog, "window.DD_RUM="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := os.ReadFile(tt.path)
			require.NoError(t, err)
			assert.Contains(t, string(src), tt.global, "an IIFE bundle that sets the global")
			t.Logf("%s: %d bytes", filepath.Base(tt.path), len(src))
		})
	}
}
