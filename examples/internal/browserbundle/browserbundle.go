// Package browserbundle builds the browser bundles of the npm project in
// examples/browser: the unmodified @sentry/browser SDK as the global Sentry
// (sentry.js), OpenTelemetry's document-load tracing as the global
// TracemetaOtel (otel.js) and the unmodified @datadog/browser-rum SDK as the
// global DD_RUM (datadog.js). The npm packages are pinned by the committed
// package-lock.json; [Build] runs `npm ci` when node_modules is missing and
// bundles with esbuild, so nothing built is ever committed.
package browserbundle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// ErrNoNode is returned when node or npm is not installed.
var ErrNoNode = errors.New("browserbundle: node and npm are needed to build the browser bundles")

// ErrNoProject is returned when the npm project cannot be found.
var ErrNoProject = errors.New("browserbundle: npm project not found")

// DirEnv names the environment variable that overrides where the npm project
// is; by default it is found next to this package's source.
const DirEnv = "TRACEMETA_BROWSER_DIR"

// Bundles names the files [Build] wrote.
type Bundles struct {
	Dir     string // the output directory
	Sentry  string // sentry.js: @sentry/browser, global Sentry
	OTel    string // otel.js: document-load tracing, global TracemetaOtel
	Datadog string // datadog.js: @datadog/browser-rum, global DD_RUM
}

// ProjectDir returns the npm project's directory: $TRACEMETA_BROWSER_DIR, or
// examples/browser of the source tree this package was built from (as `go
// run` and `go test` do).
func ProjectDir() (string, error) {
	if dir := os.Getenv(DirEnv); dir != "" {
		return checkProject(dir)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("%w: no source path; set %s", ErrNoProject, DirEnv)
	}
	return checkProject(filepath.Join(filepath.Dir(file), "..", "..", "browser"))
}

func checkProject(dir string) (string, error) {
	dir = filepath.Clean(dir)
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
		return "", fmt.Errorf("%w: %w; set %s", ErrNoProject, err, DirEnv)
	}
	return dir, nil
}

// Available reports whether node and npm are installed, wrapping [ErrNoNode]
// when they are not.
func Available() error {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%w: %w", ErrNoNode, err)
		}
	}
	return nil
}

// Build writes the bundles into outDir, installing the pinned npm packages
// first (`npm ci`) when node_modules lacks one of them. Output of npm and
// node goes into the returned error when they fail.
func Build(ctx context.Context, outDir string) (Bundles, error) {
	if err := Available(); err != nil {
		return Bundles{}, err
	}
	dir, err := ProjectDir()
	if err != nil {
		return Bundles{}, err
	}
	if err := install(ctx, dir); err != nil {
		return Bundles{}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Bundles{}, fmt.Errorf("browserbundle: %w", err)
	}
	abs, err := filepath.Abs(outDir)
	if err != nil {
		return Bundles{}, fmt.Errorf("browserbundle: %w", err)
	}
	if err := run(ctx, dir, "node", "build.mjs", abs); err != nil {
		return Bundles{}, err
	}
	return Bundles{
		Dir:     abs,
		Sentry:  filepath.Join(abs, "sentry.js"),
		OTel:    filepath.Join(abs, "otel.js"),
		Datadog: filepath.Join(abs, "datadog.js"),
	}, nil
}

// install runs `npm ci` in dir unless every package is installed, holding
// the project's lock.
func install(ctx context.Context, dir string) error {
	unlock, err := lockProject(dir)
	if err != nil {
		return err
	}
	defer unlock()
	ok, err := installed(dir)
	if err != nil || ok {
		return err
	}
	return run(ctx, dir, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
}

// installed reports whether every dependency of package.json is in
// node_modules.
func installed(dir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return false, fmt.Errorf("browserbundle: %w", err)
	}
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return false, fmt.Errorf("browserbundle: package.json: %w", err)
	}
	for _, deps := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
		for name := range deps {
			if _, err := os.Stat(filepath.Join(dir, "node_modules", name, "package.json")); err != nil {
				return false, nil
			}
		}
	}
	return true, nil
}

func run(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("browserbundle: %s %v in %s: %w\n%s", name, args, dir, err, out.Bytes())
	}
	return nil
}
