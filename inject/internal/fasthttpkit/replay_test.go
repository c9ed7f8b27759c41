package fasthttpkit_test

import (
	"bytes"
	"log/slog"
	"runtime"
	"strings"
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

// TestUnknownLayout checks what happens with a fasthttp whose Response the
// replay does not know: body streams pass through untouched, each reported
// to the skip hook, and logged once; bodies set whole are still rewritten.
func TestUnknownLayout(t *testing.T) {
	restore := fasthttpkit.SetStreamDetach(false)
	defer restore()
	var log strings.Builder
	var reasons conformance.Reasons
	rw := fasthttpkit.NewRewriter(inject.WithSource(conformance.Source), reasons.Option(),
		inject.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	for _, tt := range []struct {
		name   string
		stream bool
	}{{"stream", true}, {"stream again", true}, {"set whole", false}} {
		var fctx fasthttp.RequestCtx
		fctx.Request.SetRequestURI("/")
		for k, v := range conformance.Navigation() {
			fctx.Request.Header.Set(k, v[0])
		}
		fctx.Response.Header.SetContentType("text/html")
		if tt.stream {
			fctx.Response.SetBodyStream(strings.NewReader(conformance.Page), -1)
		} else {
			fctx.Response.SetBodyString(conformance.Page)
		}
		require.NoError(t, rw.Rewrite(&fctx, fasthttpkit.NewRequest(&fctx)))
		var out strings.Builder
		require.NoError(t, fctx.Response.BodyWriteTo(&out))
		assert.Equal(t, !tt.stream, strings.Contains(out.String(), `name="sentry-trace"`), "%s: %s", tt.name, out.String())
	}
	assert.Equal(t, []inject.Reason{fasthttpkit.ReasonUnsupportedStream, fasthttpkit.ReasonUnsupportedStream}, reasons.Get())
	assert.Equal(t, 1, strings.Count(log.String(), "level=WARN"), log.String())
}
