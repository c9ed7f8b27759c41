package injectfasthttp_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject"
	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// fixed is a Source with one span, so that both sides render the same tags.
var fixed = func() tracecontext.Source {
	sc := tracecontext.Continue(http.Header{
		"Sentry-Trace": {"5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-1"},
		"Baggage":      {"sentry-trace_id=5b8efff798038103d269b633813fc60c,sentry-sample_rand=0.5"},
	})
	return tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return sc, true })
}()

// viaNetHTTP is what inject.Middleware makes of the response in net/http.
func viaNetHTTP(status int, contentType string, body []byte, chunk int, hx bool) (int, []byte) {
	h := inject.Middleware(inject.WithSource(fixed))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		for p := body; len(p) > 0; {
			n := min(chunk, len(p))
			_, _ = w.Write(p[:n])
			p = p[n:]
		}
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// viaFasthttp is what Middleware makes of the same response in fasthttp,
// set whole or streamed in chunks.
func viaFasthttp(t testing.TB, status int, contentType string, body []byte, chunk int, stream, hx bool) (int, []byte) {
	h := injectfasthttp.Middleware(func(fctx *fasthttp.RequestCtx) {
		fctx.Response.Header.SetContentType(contentType)
		fctx.SetStatusCode(status)
		if stream {
			fctx.SetBodyStream(&conformance.ChunkedReader{Data: bytes.Clone(body), N: chunk}, -1)
			return
		}
		fctx.SetBody(bytes.Clone(body))
	}, inject.WithSource(fixed))
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	if hx {
		ctx.Request.Header.Set("HX-Request", "true")
	}
	h(&ctx)
	var out bytes.Buffer
	require.NoError(t, ctx.Response.BodyWriteTo(&out))
	return ctx.Response.StatusCode(), out.Bytes()
}

// FuzzDifferential checks that Middleware rewrites a fasthttp response
// exactly as inject.Middleware rewrites it in net/http, set whole or
// streamed in any chunks.
func FuzzDifferential(f *testing.F) {
	f.Add([]byte(page), "text/html; charset=utf-8", uint8(0), uint8(7), false, false)
	f.Add([]byte(page), "text/html", uint8(1), uint8(1), true, false)
	f.Add([]byte("<div>fragment</div>"), "text/html", uint8(0), uint8(3), true, false)
	f.Add([]byte(page), "text/html", uint8(2), uint8(64), false, true)
	f.Add([]byte(`{"a":"<head>"}`), "application/json", uint8(3), uint8(2), true, false)
	f.Add([]byte("\xef\xbb\xbf<!-- c --><html><HEAD><meta charset=utf-8><title>x</title>"), "text/html; charset=utf-8", uint8(0), uint8(5), true, false)
	f.Add([]byte("<script>var s='<head>'</script><head>"), "text/html", uint8(0), uint8(4), false, false)
	statuses := []int{200, 201, 404, 500}
	f.Fuzz(func(t *testing.T, body []byte, contentType string, status, chunk uint8, stream, hx bool) {
		if contentType == "" || len(contentType) > 100 {
			return // fasthttp would send its default, text/plain
		}
		code := statuses[int(status)%len(statuses)]
		n := int(chunk)%64 + 1
		wantCode, want := viaNetHTTP(code, contentType, body, n, hx)
		gotCode, got := viaFasthttp(t, code, contentType, body, n, stream, hx)
		require.Equal(t, wantCode, gotCode)
		require.Equal(t, string(want), string(got))
	})
}
