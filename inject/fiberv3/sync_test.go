package injectfiberv3_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharedFilesInSync checks that the files this module shares with
// inject/fiber, the Fiber v2 adapter, are the same but for the package
// clause: the fasthttp replay is written once, and copied.
func TestSharedFilesInSync(t *testing.T) {
	for _, name := range []string{"body.go", "options.go", "replay.go", "request.go"} {
		t.Run(name, func(t *testing.T) {
			v3, err := os.ReadFile(name)
			require.NoError(t, err)
			v2, err := os.ReadFile(filepath.Join("..", "fiber", name))
			if os.IsNotExist(err) {
				t.Skip("inject/fiber is not beside this module") // a module downloaded alone
			}
			require.NoError(t, err)
			want := strings.Replace(string(v2), "package injectfiber\n", "package injectfiberv3\n", 1)
			assert.Equal(t, want, string(v3), "copy ../fiber/%s here, with package injectfiberv3", name)
		})
	}
}
