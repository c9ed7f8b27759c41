package fasthttpkit_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
)

// TestBodyNotCopied checks that a body set whole that the middleware does
// not rewrite stays where it is: a 100 MiB fragment costs what the replay
// keeps, not another 100 MiB; and one it rewrites is rewritten.
func TestBodyNotCopied(t *testing.T) {
	rw := fasthttpkit.NewRewriter(inject.WithSource(conformance.Source))
	fragment := append([]byte("<div>"), bytes.Repeat([]byte("<p>row</p>"), 10<<20)...) // 100 MiB
	for _, tt := range []struct {
		name string
		body []byte
		tags bool
	}{
		{"fragment", fragment, false},
		{"page", []byte(conformance.Page), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var fctx fasthttp.RequestCtx
			fctx.Request.SetRequestURI("/")
			for k, v := range conformance.Navigation() {
				fctx.Request.Header.Set(k, v[0])
			}
			fctx.Response.Header.SetContentType("text/html; charset=utf-8")
			fctx.Response.SetBodyRaw(tt.body)
			r := fasthttpkit.NewRequest(&fctx)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			require.NoError(t, rw.Rewrite(&fctx, r))
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			got := fctx.Response.Body()
			if !tt.tags {
				assert.Less(t, allocated, uint64(1<<20), "allocated for a body passed on")
				assert.Equal(t, len(tt.body), len(got))
				assert.True(t, &got[0] == &tt.body[0], "the body is the one the handler set")
				return
			}
			assert.Equal(t, conformance.Insert(conformance.Page, "text/html; charset=utf-8"), string(got))
		})
	}
}
