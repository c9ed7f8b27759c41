package inject_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

// FuzzWriter writes any input, split any way, through a Writer: it must
// never panic; a skipped input comes out untouched; an injected one comes
// out with the tags inserted once, in the head x/net/html builds, the tree
// otherwise the same; and the split changes nothing (a Flush only may move
// the tags up to right after <head>).
func FuzzWriter(f *testing.F) {
	for i, tt := range goldenTests {
		f.Add([]byte(tt.in), uint64(i))
	}
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		doc := string(in)
		var opts []inject.WriterOption
		if seed%4 == 0 {
			opts = append(opts, inject.WithLookahead(1+int(seed>>2)%64))
		}
		want := writeWhole(t, doc, opts...)
		checkInvariants(t, doc, want)

		rng := rand.New(rand.NewPCG(seed, seed>>1))
		chunks := randomChunks(rng, len(doc))
		require.Equal(t, want, runWriter(t, doc, chunks, false, opts...), "split into %v", chunks)

		got := runWriter(t, doc, chunks, true, opts...)
		require.Equal(t, want.status, got.status, "split into %v, flushed", chunks)
		require.Equal(t, want.reason, got.reason)
		checkInvariants(t, doc, got)
	})
}
