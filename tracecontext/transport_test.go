package tracecontext_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// recordingServer is a real HTTP server on loopback that keeps the headers
// of the last request.
func recordingServer(t *testing.T) (*httptest.Server, func() http.Header) {
	t.Helper()
	var mu sync.Mutex
	var last http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		last = r.Header.Clone()
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() http.Header {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

func upstreamSpan(t *testing.T) tracecontext.SpanContext {
	t.Helper()
	p := mustPropagator(t, tracecontext.WithPublicKey("pk"))
	return p.Continue(headers(
		"sentry-trace", upTrace+"-"+upSpan+"-1",
		"baggage", "sentry-trace_id="+upTrace+",sentry-public_key=up,sentry-sample_rate=0.5,sentry-sample_rand=0.1,sentry-sampled=true,sentry-release=a%20b,upstreamVendor=secret",
		"traceparent", "00-"+upTrace+"-"+upSpan+"-01",
		"tracestate", "rojo=00f067aa0ba902b7",
	))
}

func TestTransport(t *testing.T) {
	srv, last := recordingServer(t)
	sc := upstreamSpan(t)
	require.Equal(t, "upstreamVendor=secret", sc.Baggage.String())
	ctx := tracecontext.NewContext(context.Background(), sc)

	t.Run("adds the headers, merges baggage", func(t *testing.T) {
		client := &http.Client{Transport: tracecontext.Transport(nil)}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api", nil)
		require.NoError(t, err)
		req.Header.Set("Baggage", "userId=alice, sentry-release=stale,sentry-environment=old")
		req.Header.Add("Baggage", "isProduction=false")
		res, err := client.Do(req)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())

		got := last()
		assert.Equal(t, []string{sc.SentryTrace()}, got.Values("Sentry-Trace"))
		assert.Equal(t, upTrace+"-"+sc.SpanID.String()+"-1", got.Get("Sentry-Trace"), "the server span is the parent downstream")
		assert.Equal(t, []string{"userId=alice,isProduction=false," +
			"sentry-trace_id=" + upTrace + ",sentry-public_key=up,sentry-sample_rate=0.5,sentry-sample_rand=0.1,sentry-sampled=true,sentry-release=a%20b"},
			got.Values("Baggage"))
		assert.NotContains(t, got.Get("Baggage"), "upstreamVendor", "upstream third-party members are never forwarded")
		assert.Empty(t, got.Get("Traceparent"), "off by default")

		assert.Equal(t, []string{"userId=alice, sentry-release=stale,sentry-environment=old", "isProduction=false"},
			req.Header.Values("Baggage"), "the caller's request is not modified")
		assert.Empty(t, req.Header.Get("Sentry-Trace"))
	})

	t.Run("traceparent", func(t *testing.T) {
		client := &http.Client{Transport: tracecontext.Transport(http.DefaultTransport, tracecontext.WithTraceparent(true))}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		require.NoError(t, err)
		req.Header.Set("Sentry-Trace", "stale")
		res, err := client.Do(req)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		got := last()
		assert.Equal(t, []string{sc.SentryTrace()}, got.Values("Sentry-Trace"), "replaced")
		assert.Equal(t, "00-"+upTrace+"-"+sc.SpanID.String()+"-01", got.Get("Traceparent"))
		assert.Equal(t, "rojo=00f067aa0ba902b7", got.Get("Tracestate"))
	})

	tests := []struct {
		name string
		opts []tracecontext.Option
		ctx  context.Context
		want bool
	}{
		{name: "default targets: loopback", ctx: ctx, want: true},
		{name: "no span in the context", ctx: context.Background(), want: false},
		{name: "invalid span in the context", ctx: tracecontext.NewContext(context.Background(), tracecontext.SpanContext{}), want: false},
		{name: "string target, substring of the URL", opts: []tracecontext.Option{tracecontext.WithPropagationTargets("/api/")}, ctx: ctx, want: true},
		{name: "string target elsewhere", opts: []tracecontext.Option{tracecontext.WithPropagationTargets("api.example.com")}, ctx: ctx, want: false},
		{name: "pattern", opts: []tracecontext.Option{tracecontext.WithPropagationPatterns(regexp.MustCompile(`^http://127\.0\.0\.1:\d+/api`))}, ctx: ctx, want: true},
		{name: "pattern elsewhere", opts: []tracecontext.Option{tracecontext.WithPropagationPatterns(regexp.MustCompile(`^https://`), nil)}, ctx: ctx, want: false},
		{name: "empty list disables", opts: []tracecontext.Option{tracecontext.WithPropagationTargets()}, ctx: ctx, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := &http.Client{Transport: tracecontext.Transport(nil, tt.opts...)}
			req, err := http.NewRequestWithContext(tt.ctx, http.MethodGet, srv.URL+"/api/x", nil)
			require.NoError(t, err)
			req.Header.Set("Baggage", "sentry-release=app-set")
			res, err := client.Do(req)
			require.NoError(t, err)
			require.NoError(t, res.Body.Close())
			got := last()
			if tt.want {
				assert.Equal(t, sc.SentryTrace(), got.Get("Sentry-Trace"))
				assert.Equal(t, sc.DSC.Baggage(), got.Get("Baggage"))
				return
			}
			assert.Empty(t, got.Get("Sentry-Trace"))
			assert.Equal(t, "sentry-release=app-set", got.Get("Baggage"), "untouched")
		})
	}
}

func TestTransportNoHeaderMap(t *testing.T) {
	var seen http.Header
	rt := tracecontext.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r.Header
		return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
	}))
	sc := mustPropagator(t).Continue(http.Header{})
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "http", Host: "localhost:8080", Path: "/"}}
	req = req.WithContext(tracecontext.NewContext(context.Background(), sc))
	res, err := rt.RoundTrip(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, sc.SentryTrace(), seen.Get("Sentry-Trace"))
	assert.Nil(t, req.Header)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDefaultPropagationTargets(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"http://localhost/", true},
		{"http://LOCALHOST:3000/x", true},
		{"http://localhost.:3000/x", true},
		{"https://api.localhost/x", true},
		{"http://127.0.0.1:8080/", true},
		{"http://127.255.10.1/", true},
		{"http://[::1]:9000/", true},
		{"http://[::ffff:127.0.0.1]/", true},
		{"http://example.com/localhost", false},
		{"http://localhost.example.com/", false},
		{"http://notlocalhost/", false},
		{"http://128.0.0.1/", false},
		{"http://[::2]/", false},
		{"http://10.0.0.1/", false},
	}
	sc := mustPropagator(t).Continue(http.Header{})
	ctx := tracecontext.NewContext(context.Background(), sc)
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			var seen http.Header
			rt := tracecontext.Transport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
				seen = r.Header
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
			}))
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, tt.url, nil)
			require.NoError(t, err)
			res, err := rt.RoundTrip(req)
			require.NoError(t, err)
			require.NoError(t, res.Body.Close())
			assert.Equal(t, tt.want, seen.Get("Sentry-Trace") != "")
		})
	}
}

func TestInject(t *testing.T) {
	sc := upstreamSpan(t)
	ctx := tracecontext.NewContext(context.Background(), sc)
	p := mustPropagator(t, tracecontext.WithTraceparent(true))

	h := http.Header{}
	p.Inject(ctx, h)
	assert.Equal(t, sc.SentryTrace(), h.Get("Sentry-Trace"))
	assert.Equal(t, sc.DSC.Baggage(), h.Get("Baggage"))
	assert.Equal(t, sc.Traceparent(), h.Get("Traceparent"))

	h = http.Header{}
	p.Inject(context.Background(), h)
	assert.Empty(t, h, "no span: nothing")
	p.Inject(ctx, nil) // no panic

	// Without a DSC, the application's baggage stays as it is, less sentry- entries.
	bare := tracecontext.SpanContext{TraceID: sc.TraceID, SpanID: sc.SpanID}
	h = http.Header{"Baggage": {"a=1,sentry-x=2"}}
	p.Inject(tracecontext.NewContext(context.Background(), bare), h)
	assert.Equal(t, "a=1", h.Get("Baggage"))
	h = http.Header{"Baggage": {"sentry-x=2"}}
	p.Inject(tracecontext.NewContext(context.Background(), bare), h)
	assert.NotContains(t, h, "Baggage")

	// The application's members come first; the DSC fills what is left of
	// the 8192 bytes, whole members only.
	big := "app=" + strings.Repeat("v", tracecontext.MaxBaggageBytes-100)
	h = http.Header{"Baggage": {big}}
	p.Inject(ctx, h)
	got := h.Get("Baggage")
	assert.LessOrEqual(t, len(got), tracecontext.MaxBaggageBytes)
	assert.True(t, strings.HasPrefix(got, big+",sentry-trace_id="+upTrace+","), got[len(big):])
	b, err := tracecontext.ParseBaggage(got)
	require.NoError(t, err)
	for _, m := range b.Members() {
		assert.NotEmpty(t, m.Value)
	}
	h = http.Header{"Baggage": {"app=" + strings.Repeat("v", tracecontext.MaxBaggageBytes-5)}}
	p.Inject(ctx, h)
	assert.False(t, strings.HasSuffix(h.Get("Baggage"), ","), "no dangling comma when nothing fits")

	// A member of the application's that is too large is dropped whole, and
	// a hostile header copied from an incoming request stays within bounds.
	h = http.Header{"Baggage": {"a=1,huge=" + strings.Repeat("v", 9000) + ",b=2", strings.Repeat("c=3,", 1<<18)}}
	p.Inject(ctx, h)
	got = h.Get("Baggage")
	assert.LessOrEqual(t, len(got), tracecontext.MaxBaggageBytes)
	assert.True(t, strings.HasPrefix(got, "a=1,b=2,c=3,c=3,"), got[:20])
	assert.NotContains(t, got, "huge")
	h = http.Header{"Baggage": {"a=1,huge=" + strings.Repeat("v", 1<<20) + ",b=2"}}
	p.Inject(ctx, h)
	got = h.Get("Baggage")
	assert.True(t, strings.HasPrefix(got, "a=1,sentry-trace_id="), "the input past the budget is not read")
}

func TestHeaderValues(t *testing.T) {
	sc := upstreamSpan(t)
	st, bg, tp := tracecontext.HeaderValues(tracecontext.NewContext(context.Background(), sc))
	assert.Equal(t, sc.SentryTrace(), st)
	assert.Equal(t, sc.DSC.Baggage(), bg)
	assert.Equal(t, sc.Traceparent(), tp)
	st, bg, tp = tracecontext.HeaderValues(context.Background())
	assert.Empty(t, st+bg+tp)
}
