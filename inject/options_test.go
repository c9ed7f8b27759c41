package inject_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestNewMiddlewareInvalidOption checks that an option out of range is
// reported, left at its default, and that nil options are skipped.
func TestNewMiddlewareInvalidOption(t *testing.T) {
	mw, err := inject.NewMiddleware(nil, inject.WithLookahead(-1))
	require.ErrorIs(t, err, inject.ErrInvalidOption)
	assert.Contains(t, err.Error(), "lookahead -1")
	got := serveWith(t, mw(pageHandler(true, 16)))
	assert.Equal(t, injected(testSpan(1)), got, "the default lookahead is kept")

	mw, err = inject.NewMiddleware(inject.WithLookahead(0), inject.WithSource(nil), inject.WithCachePolicy(nil))
	require.NoError(t, err)
	assert.Equal(t, injected(testSpan(1)), serveWith(t, mw(pageHandler(true, 16))))
}

func serveWith(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	withSpan(testSpan(1), h).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	return rec.Body.String()
}

// TestWriterWithContext checks that a Writer renders the tags itself at the
// insertion point for the span in its context, with the Source and render
// options given, and claims the context's Once only then.
func TestWriterWithContext(t *testing.T) {
	sc := testSpan(7)
	tp := render.WithFormats(render.Traceparent)
	tpTags := string(render.New(tp).AppendMetaTags(nil, sc))
	doc := `<!doctype html><head><meta charset="utf-8"><title>t</title>`
	t.Run("renders at the insertion point", func(t *testing.T) {
		var once render.Once
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), &once)
		var out bytes.Buffer
		w := inject.NewWriter(&out, nil, inject.WithContext(ctx), inject.WithRender(tp))
		_, err := w.Write([]byte(doc))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, strings.Replace(doc, "<title>", tpTags+"<title>", 1), out.String())
		assert.False(t, render.Claim(ctx), "claimed by the Writer")
	})
	t.Run("the page's own tags win", func(t *testing.T) {
		var once render.Once
		ctx := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), &once)
		var out bytes.Buffer
		w := inject.NewWriter(&out, nil, inject.WithContext(ctx))
		_, err := w.Write([]byte(`<!doctype html><head><meta charset="utf-8">`))
		require.NoError(t, err)
		require.True(t, render.Claim(ctx), "a template claims first")
		_, err = w.Write([]byte(`<meta name="sentry-trace" content="x"><title>t</title>`))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, inject.StatusSkipped, w.Status())
		assert.Equal(t, inject.ReasonAlreadyRendered, w.Reason())
	})
	t.Run("another Source", func(t *testing.T) {
		src := tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return sc, true })
		var out bytes.Buffer
		w := inject.NewWriter(&out, nil, inject.WithContext(context.Background()), inject.WithSource(src))
		_, err := w.Write([]byte(doc))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, strings.Replace(doc, "<title>", tagsFor(sc)+"<title>", 1), out.String())
	})
	t.Run("no span", func(t *testing.T) {
		var out bytes.Buffer
		w := inject.NewWriter(&out, nil, inject.WithContext(context.Background()))
		_, err := w.Write([]byte(doc))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, doc, out.String())
		assert.Equal(t, inject.ReasonNoSpan, w.Reason())
	})
}

// TestReasonVocabulary checks that the reasons a template entry point can
// meet have the names inject gives them: logs and metrics of both speak one
// vocabulary.
func TestReasonVocabulary(t *testing.T) {
	assert.Equal(t, inject.ReasonNone.String(), templates.ReasonNone.String())
	assert.Equal(t, inject.ReasonNoSpan.String(), templates.ReasonNoSpan.String())
	assert.Equal(t, inject.ReasonAlreadyRendered.String(), templates.ReasonAlreadyRendered.String())
}
