package injectcaddy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	"github.com/tracemeta/tracemeta/tracecontext"

	_ "github.com/tracemeta/tracemeta/inject/caddy"
)

func TestMain(m *testing.M) {
	// Caddy keeps its data and autosaved config under these; a test run
	// must not touch the user's. Caddy's tracing exports nowhere unless a
	// test sets up a receiver.
	dir, err := os.MkdirTemp("", "tracemeta-caddy-test")
	if err != nil {
		panic(err)
	}
	for k, v := range map[string]string{
		"XDG_DATA_HOME":         dir,
		"XDG_CONFIG_HOME":       dir,
		"HOME":                  dir,
		"OTEL_TRACES_EXPORTER":  "none",
		"OTEL_METRICS_EXPORTER": "none",
	} {
		os.Setenv(k, v)
	}
	caddyStorage = filepath.Join(dir, "caddy")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// caddyStorage is where the Caddy of the tests keeps its data: Caddy reads
// its default from the environment before TestMain runs.
var caddyStorage string

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// adapt turns a Caddyfile into Caddy's JSON config.
func adapt(t testing.TB, caddyfile string) ([]byte, error) {
	t.Helper()
	cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": "Caddyfile"})
	return cfg, err
}

// startCaddy runs Caddy in-process with the site block site (the part inside
// the braces) on a free loopback port, and returns the site's URL. Caddy is
// one per process: tests that start it do not run in parallel.
func startCaddy(t testing.TB, site string) string {
	t.Helper()
	return startCaddySites(t, site)[0]
}

// startCaddySites runs Caddy in-process with one site per block of sites,
// each on a free loopback port, and returns their URLs in order, until the
// end of t.
func startCaddySites(t testing.TB, sites ...string) []string {
	t.Helper()
	var caddyfile strings.Builder
	fmt.Fprintf(&caddyfile, `{
	admin off
	auto_https off
	persist_config off
	skip_install_trust
	default_bind 127.0.0.1
	storage file_system %s
	log {
		level ERROR
	}
}
`, caddyStorage)
	urls := make([]string, len(sites))
	for i, site := range sites {
		urls[i] = fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
		fmt.Fprintf(&caddyfile, "\n%s {\n%s\n}\n", urls[i], site)
	}
	cfg, err := adapt(t, caddyfile.String())
	require.NoError(t, err, "adapting:\n%s", caddyfile.String())
	require.NoError(t, caddy.Load(cfg, true), "loading:\n%s", cfg)
	t.Cleanup(func() { _ = caddy.Stop() })
	return urls
}

// withTracing returns the site block site, with Caddy's tracing directive
// first when tracing.
func withTracing(tracing bool, site string) string {
	if tracing {
		return "\ttracing\n" + site
	}
	return site
}

// navigate GETs url as a browser navigation would, with acceptEncoding, and
// returns the response and its decoded body.
func navigate(t testing.TB, url, acceptEncoding string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Sec-Fetch-Dest", "document")
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return do(t, req)
}

// do sends req with a transport that decodes nothing itself, and returns the
// response with its body decoded by Content-Encoding.
func do(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, raw := fetchRaw(t, req)
	if cl := res.Header.Get("Content-Length"); cl != "" && req.Method != http.MethodHead {
		require.Equal(t, cl, fmt.Sprint(len(raw)), "Content-Length must be true")
	}
	return res, decode(t, res.Header.Get("Content-Encoding"), raw)
}

// fetchRaw sends req as is, with a transport that decodes nothing and adds
// no Accept-Encoding of its own, and returns the response and its body as
// sent.
func fetchRaw(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), 20*time.Second)
	defer cancel()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req.WithContext(ctx))
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, raw
}

// exchanged is what a request made of the proxy: the headers the upstream
// got, and the response the client got, body as sent.
type exchanged struct {
	upstream http.Header
	status   int
	header   http.Header // without Date
	body     []byte
}

// exchange sends req as is to a proxy of the upstream whose requests up
// records, and returns what it made.
func exchange(t testing.TB, req *http.Request, up *headerLog) exchanged {
	t.Helper()
	res, body := fetchRaw(t, req)
	header := res.Header.Clone()
	delete(header, "Date")
	return exchanged{upstream: up.last(t).Clone(), status: res.StatusCode, header: header, body: body}
}

// gzipped returns b compressed with gzip at level.
func gzipped(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		panic(err) // only for a level out of range
	}
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func decode(t testing.TB, coding string, raw []byte) string {
	t.Helper()
	switch coding {
	case "":
		return string(raw)
	case "gzip":
		zr, err := gzip.NewReader(strings.NewReader(string(raw)))
		require.NoError(t, err)
		b, err := io.ReadAll(zr)
		require.NoError(t, err)
		return string(b)
	case "zstd":
		zr, err := zstd.NewReader(strings.NewReader(string(raw)))
		require.NoError(t, err)
		defer zr.Close()
		b, err := io.ReadAll(zr)
		require.NoError(t, err)
		return string(b)
	}
	t.Fatalf("unexpected Content-Encoding %q", coding)
	return ""
}

// metas returns the content of every <meta name=...> of the page, by name,
// in document order.
func metas(t testing.TB, page string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data != "meta" {
			continue
		}
		var name, content string
		for _, a := range tok.Attr {
			switch a.Key {
			case "name":
				name = a.Val
			case "content":
				content = a.Val
			}
		}
		if name != "" {
			out[name] = append(out[name], content)
		}
	}
}

// pageSpan returns the span the page's one sentry-trace tag names.
func pageSpan(t testing.TB, page string) tracecontext.SpanContext {
	t.Helper()
	m := metas(t, page)
	require.Len(t, m["sentry-trace"], 1, "one sentry-trace tag in:\n%s", page)
	sc, err := tracecontext.ParseSentryTrace(m["sentry-trace"][0])
	require.NoError(t, err)
	return sc
}

// httpUpstream serves h on loopback and returns its host:port.
func httpUpstream(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

// headerLog records the headers of each request an upstream gets.
type headerLog struct {
	mu   sync.Mutex
	seen []http.Header
}

// record adds the headers of r.
func (l *headerLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, r.Header.Clone())
}

// last returns the headers of the last request the upstream got.
func (l *headerLog) last(t testing.TB) http.Header {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotEmpty(t, l.seen, "the upstream got no request")
	return l.seen[len(l.seen)-1]
}
