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
	f.Add([]byte(`<html><head><script>"<!--<script></script>`+ownTags+`"</script>`+ownTags+`</head>`), uint64(8))
	f.Add([]byte(`<!doctype html><head><template><meta name="sentry-trace"></template><title>t</title></head><body>`), uint64(9))
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		doc := string(in)
		var opts []inject.WriterOption
		if seed%4 == 0 {
			opts = append(opts, inject.WithLookahead(1+int(seed>>2)%64))
		}
		if seed&8 != 0 {
			// The page's own tags: untouched, or the tags where the
			// Writer without the option puts them.
			without := writeWhole(t, doc, opts...)
			opts = append(opts, inject.WithExistingTags())
			if got := writeWhole(t, doc, opts...); got.reason != inject.ReasonExistingTags {
				require.Equal(t, without, got)
			} else {
				require.Equal(t, doc, got.out)
			}
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
