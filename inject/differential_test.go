package inject_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

// testDoc is one input of the differential tests.
type testDoc struct {
	name string
	data string
}

// corpusDocuments returns the pages of testdata/corpus (see the README
// there for their sources and licences).
func corpusDocuments(t testing.TB) []testDoc {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.*html"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "the corpus is missing")
	var docs []testDoc
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		docs = append(docs, testDoc{name: filepath.Base(p), data: string(b)})
	}
	return docs
}

// xnetDir returns the directory of the golang.org/x/net module this module
// builds with, from the module cache.
func xnetDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/net").Output()
	require.NoError(t, err, "go list -m golang.org/x/net: the html5lib tests come from x/net/html's testdata in the module cache")
	dir := strings.TrimSpace(string(out))
	require.NotEmpty(t, dir, "golang.org/x/net is not in the module cache: run go mod download")
	return dir
}

// html5libDocuments returns the #data of every tree-construction test that
// x/net/html ships (html5lib-tests, BSD-style licence, and x/net/html's
// own, BSD licence), read from the module cache, and x/net/html's go1.html.
func html5libDocuments(t testing.TB) []testDoc {
	t.Helper()
	root := filepath.Join(xnetDir(t), "html", "testdata")
	var files []string
	for _, pattern := range []string{
		"html5lib-tests/tree-construction/*.dat",
		"html5lib-tests/tree-construction/scripted/*.dat",
		"go/*.dat",
	} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.Greater(t, len(files), 50, "html5lib tests not found under %s", root)
	var docs []testDoc
	for _, f := range files {
		docs = append(docs, readDat(t, f)...)
	}
	go1, err := os.ReadFile(filepath.Join(root, "go1.html"))
	require.NoError(t, err)
	return append(docs, testDoc{name: "x/net/html/testdata/go1.html", data: string(go1)})
}

// readDat reads the #data sections of an html5lib .dat file, as
// x/net/html's parse_test.go does: the lines between "#data" and the next
// "#errors", without the last newline.
func readDat(t testing.TB, path string) []testDoc {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var docs []testDoc
	var data bytes.Buffer
	in := false
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			break
		}
		switch {
		case line == "#data\n":
			in = true
			data.Reset()
		case in && strings.HasPrefix(line, "#errors"):
			in = false
			docs = append(docs, testDoc{
				name: fmt.Sprintf("%s:%d", filepath.Base(path), n),
				data: strings.TrimSuffix(data.String(), "\n"),
			})
		case in:
			data.WriteString(line)
		}
	}
	require.NotEmpty(t, docs, "no tests in %s", path)
	return docs
}

// TestDifferential writes every document of the html5lib tree-construction
// tests and of the corpus through a Writer and checks the writeResult against
// x/net/html: a skipped document comes out byte for byte; an injected one
// comes out as the input with the tags inserted once, and parses to the same
// tree with the tags in the head, and in the same encoding. Each is also
// written in random chunks, with and without a Flush after each, and one
// byte at a time with a Flush after each: none of which may change the
// output.
func TestDifferential(t *testing.T) {
	sets := []struct {
		name string
		docs []testDoc
	}{
		{"html5lib", html5libDocuments(t)},
		{"corpus", corpusDocuments(t)},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			counts := map[string]int{}
			for _, doc := range set.docs {
				res := writeWhole(t, doc.data)
				if !t.Run(doc.name, func(t *testing.T) { checkInvariants(t, doc.data, res) }) {
					t.Logf("input: %q\noutput: %q", doc.data, res.out)
				}
				chunks := randomChunks(rng, len(doc.data))
				require.Equal(t, res, runWriter(t, doc.data, chunks, false), "%s split into %v", doc.name, chunks)
				require.Equal(t, res, runWriter(t, doc.data, chunks, true), "%s split into %v, each flushed", doc.name, chunks)
				bytewise := make([]int, len(doc.data))
				for i := range bytewise {
					bytewise[i] = 1
				}
				require.Equal(t, res, runWriter(t, doc.data, bytewise, true), "%s flushed after every byte", doc.name)
				// The charset the browser finds is the same (x/net/html/charset's prescan).
				require.Equal(t, encodingName([]byte(doc.data)), encodingName([]byte(res.out)), doc.name)
				if res.status == inject.StatusInjected {
					counts["injected"]++
				} else {
					counts["skipped: "+res.reason.String()]++
				}
			}
			keys := make([]string, 0, len(counts))
			for k := range counts {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var summary strings.Builder
			for _, k := range keys {
				fmt.Fprintf(&summary, ", %s %d", k, counts[k])
			}
			t.Logf("%s: %d documents%s", set.name, len(set.docs), summary.String())
		})
	}
}
