package tracecontext_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// strictCORS is a CORS layer in the manner of rs/cors: it answers preflights
// itself, allowing one origin and the listed request headers, and refuses
// (answers without CORS headers) a preflight that asks for anything else.
// With passthrough it calls next after setting its headers, as rs/cors's
// OptionsPassthrough does.
func strictCORS(next http.Handler, passthrough bool, allowed ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
			if r.Header.Get("Origin") == "https://app.example" {
				w.Header().Set("Access-Control-Allow-Origin", "https://app.example")
			}
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
		if r.Header.Get("Origin") != "https://app.example" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var requested []string
		for _, v := range r.Header.Values("Access-Control-Request-Headers") {
			for _, h := range strings.Split(v, ",") {
				if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
					requested = append(requested, h)
				}
			}
		}
		for _, h := range requested {
			if !slices.Contains(allowed, h) {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		w.Header().Set("Access-Control-Allow-Origin", "https://app.example")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		if len(requested) > 0 {
			w.Header().Set("Access-Control-Allow-Headers", strings.Join(requested, ", "))
		}
		if passthrough {
			next.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func preflight(origin string, requested ...string) *http.Request {
	r := httptest.NewRequest(http.MethodOptions, "/api", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", "POST")
	for _, h := range requested {
		r.Header.Add("Access-Control-Request-Headers", h)
	}
	return r
}

var app = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte("app"))
})

func TestCORS(t *testing.T) {
	tests := []struct {
		name    string
		handler http.Handler
		req     *http.Request
		allow   string // Access-Control-Allow-Headers wanted
		origin  string // Access-Control-Allow-Origin wanted
	}{
		{
			name:    "cors layer inside",
			handler: tracecontext.CORS()(strictCORS(app, false, "content-type")),
			req:     preflight("https://app.example", "content-type,sentry-trace,baggage"),
			allow:   "content-type, sentry-trace, baggage", origin: "https://app.example",
		},
		{
			name:    "cors layer inside, only trace headers requested",
			handler: tracecontext.CORS()(strictCORS(app, false, "content-type")),
			req:     preflight("https://app.example", "Sentry-Trace", "Baggage"),
			allow:   "sentry-trace, baggage", origin: "https://app.example",
		},
		{
			name:    "cors layer inside refuses the origin",
			handler: tracecontext.CORS()(strictCORS(app, false, "content-type")),
			req:     preflight("https://evil.example", "content-type,sentry-trace,baggage"),
		},
		{
			name:    "cors layer inside refuses another header",
			handler: tracecontext.CORS()(strictCORS(app, false, "content-type")),
			req:     preflight("https://app.example", "x-secret,sentry-trace"),
		},
		{
			name:    "cors layer outside with passthrough, allowing the trace headers",
			handler: strictCORS(tracecontext.CORS()(app), true, "content-type", "sentry-trace", "baggage"),
			req:     preflight("https://app.example", "sentry-trace,baggage"),
			allow:   "sentry-trace, baggage", origin: "https://app.example",
		},
		{
			name:    "cors layer outside with passthrough, allowing no headers",
			handler: strictCORS(tracecontext.CORS()(app), true),
			req:     preflight("https://app.example"),
			allow:   "sentry-trace, baggage", origin: "https://app.example",
		},
		{
			name:    "no cors at all",
			handler: tracecontext.CORS()(app),
			req:     preflight("https://app.example", "sentry-trace,baggage"),
		},
		{
			name:    "traceparent",
			handler: tracecontext.CORS(tracecontext.WithTraceparent(true))(strictCORS(app, false, "content-type")),
			req:     preflight("https://app.example", "content-type, traceparent"),
			allow:   "content-type, sentry-trace, baggage, traceparent", origin: "https://app.example",
		},
		{
			name: "already allowed, any case, two header lines",
			handler: tracecontext.CORS()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", "*")
				w.Header().Add("Access-Control-Allow-Headers", "Sentry-Trace")
				w.Header().Add("Access-Control-Allow-Headers", "BAGGAGE, x-a")
			})),
			req:   preflight("https://app.example", "sentry-trace"),
			allow: "Sentry-Trace, BAGGAGE, x-a", origin: "*",
		},
		{
			name: "wildcard kept, names added for credentialed requests",
			handler: tracecontext.CORS()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Access-Control-Allow-Origin", "https://app.example")
				w.Header().Set("Access-Control-Allow-Headers", "*")
				w.WriteHeader(http.StatusNoContent)
			})),
			req:   preflight("https://app.example", "sentry-trace"),
			allow: "*, sentry-trace, baggage", origin: "https://app.example",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.handler.ServeHTTP(rec, tt.req)
			res := rec.Result()
			assert.Equal(t, tt.origin, res.Header.Get("Access-Control-Allow-Origin"), "never widened")
			assert.Equal(t, tt.allow, strings.Join(res.Header.Values("Access-Control-Allow-Headers"), " | "))
			if tt.origin != "" && res.Header.Get("Access-Control-Allow-Methods") != "" {
				assert.Equal(t, "GET, POST", res.Header.Get("Access-Control-Allow-Methods"), "never widened")
			}
		})
	}
}

func TestCORSLeavesOtherRequestsAlone(t *testing.T) {
	var seen *http.Request
	var seenWriter http.ResponseWriter
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, seenWriter = r, w
		w.Header().Set("Access-Control-Allow-Origin", "*")
	})
	h := tracecontext.CORS()(inner)
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/", nil),
		httptest.NewRequest(http.MethodOptions, "/", nil), // no Access-Control-Request-Method
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		assert.Same(t, r, seen)
		assert.Same(t, rec, seenWriter)
		assert.Empty(t, rec.Header().Get("Access-Control-Allow-Headers"))
	}
}

func TestCORSRequestNotModified(t *testing.T) {
	var seen []string
	h := tracecontext.CORS()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Values("Access-Control-Request-Headers")
	}))
	r := preflight("https://app.example", "x-a, sentry-trace", "baggage")
	h.ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, []string{"x-a"}, seen, "the inner layer judges only the application's headers")
	assert.Equal(t, []string{"x-a, sentry-trace", "baggage"}, r.Header.Values("Access-Control-Request-Headers"), "the caller's request is not modified")
}

func TestCORSWriterFlush(t *testing.T) {
	h := tracecontext.CORS()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "https://app.example")
		w.Header().Set("Access-Control-Allow-Headers", "x-a")
		require.NoError(t, http.NewResponseController(w).Flush())
		w.Header().Set("Access-Control-Allow-Headers", "x-too-late")
		_, err := w.Write([]byte("ok"))
		require.NoError(t, err)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, preflight("https://app.example", "sentry-trace"))
	res := rec.Result()
	assert.Equal(t, "x-a, sentry-trace, baggage", res.Header.Get("Access-Control-Allow-Headers"), "merged before the flush sent the header")
	assert.True(t, rec.Flushed)
	assert.Equal(t, "ok", rec.Body.String())
}

func TestCORSWriterInformational(t *testing.T) {
	srv := httptest.NewServer(tracecontext.CORS()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		w.Header().Set("Access-Control-Allow-Origin", "https://app.example")
		w.Header().Set("Access-Control-Allow-Headers", "x-late")
		w.WriteHeader(http.StatusNoContent)
	})))
	defer srv.Close()
	req := preflight("https://app.example", "sentry-trace")
	req.RequestURI = ""
	u, err := url.Parse(srv.URL + "/api")
	require.NoError(t, err)
	req.URL, req.Host = u, u.Host
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, "x-late, sentry-trace, baggage", res.Header.Get("Access-Control-Allow-Headers"), "merged at the final header, not the 1xx")
}

func TestCORSAllowedHeaders(t *testing.T) {
	assert.Equal(t, []string{"sentry-trace", "baggage"}, tracecontext.CORSAllowedHeaders())
	assert.Equal(t, []string{"sentry-trace", "baggage", "traceparent"}, tracecontext.CORSAllowedHeaders(tracecontext.WithTraceparent(true)))
}
