package inject_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

// upstreamPage is a page as an app behind a proxy sends it: tags of its own
// (or none) in a head that holds a <header> element's name in a script,
// then a body that starts with a <header>.
func upstreamPage(own string) string {
	return "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\">\n<title>Proxied</title>\n" +
		`<script>document.addEventListener("DOMContentLoaded", () => document.querySelector("header"));</script>` + "\n" +
		own + "\n" + strings.Repeat(`<link rel="preload" href="/static/app.js" as="script">`+"\n", 20) +
		"</head>\n<body><header><nav>menu</nav></header><main>" + strings.Repeat("<p>content</p>", 200) + "</main></body></html>\n"
}

// upstreamFraming is how an upstream sends its page.
type upstreamFraming struct {
	name   string
	length bool  // with Content-Length, in one write
	chunks []int // else written in these pieces (the rest in one), each flushed
}

var upstreamFramings = []upstreamFraming{
	{name: "content-length", length: true},
	{name: "chunked, one write"},
	{name: "head in two flushed chunks", chunks: []int{60}},
	{name: "flushed every 7 bytes", chunks: repeatInts(7, 200)},
	{name: "flushed every byte of the head", chunks: repeatInts(1, 1200)},
}

func repeatInts(n, count int) []int {
	s := make([]int, count)
	for i := range s {
		s[i] = n
	}
	return s
}

// upstreamHandler serves body with framing f.
func upstreamHandler(body string, f upstreamFraming) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if f.length {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write([]byte(body))
			return
		}
		rest := body
		for _, n := range f.chunks {
			n = min(n, len(rest))
			_, _ = w.Write([]byte(rest[:n]))
			w.(http.Flusher).Flush()
			rest = rest[n:]
		}
		_, _ = w.Write([]byte(rest))
	})
}

// TestReverseProxyExistingTags puts httputil.ReverseProxy behind the
// Middleware with WithExistingTags, in front of an upstream that sends its
// page with or without tags of its own, whole or streamed in flushed
// chunks, through a proxy that flushes at once or not: the client gets
// exactly one set of tags, the upstream's when it rendered them, and the
// page otherwise as the upstream sent it.
func TestReverseProxyExistingTags(t *testing.T) {
	upstreamSC := testSpan(7)
	owns := []struct {
		name string
		tags string
		want string // the sentry-trace the page must carry; "" for the proxy's
	}{
		{"no own tags", "", ""},
		{"own sentry-trace and baggage", tagsFor(upstreamSC), upstreamSC.SentryTrace()},
		{"own traceparent", `<meta name="traceparent" content="` + upstreamSC.Traceparent() + `">`, "-"},
	}
	for _, own := range owns {
		for _, f := range upstreamFramings {
			body := upstreamPage(own.tags)
			up := httptest.NewServer(upstreamHandler(body, f))
			t.Cleanup(up.Close)
			target, err := url.Parse(up.URL)
			require.NoError(t, err)
			for _, interval := range []time.Duration{0, -1} {
				proxy := httputil.NewSingleHostReverseProxy(target)
				proxy.FlushInterval = interval
				for _, srv := range startServers(t, inject.Middleware(inject.WithExistingTags())(proxy)) {
					name := fmt.Sprintf("%s/%s/flush interval %v/%s", own.name, f.name, interval, srv.proto)
					resp, got := get(t, srv, http.MethodGet, "/", map[string]string{"Accept": "text/html"})
					require.Equal(t, http.StatusOK, resp.StatusCode, name)
					metas, _ := metaContents(t, got)
					switch own.want {
					case "":
						require.Equal(t, []string{testSpan(1).SentryTrace()}, metas["sentry-trace"], name)
						require.Equal(t, strings.Replace(body, "<title>", tagsFor(testSpan(1))+"<title>", 1), got, name)
					default:
						require.Equal(t, body, got, name)
						require.LessOrEqual(t, len(metas["sentry-trace"]), 1, name)
						if own.want != "-" {
							require.Equal(t, []string{own.want}, metas["sentry-trace"], name)
						}
					}
				}
			}
		}
	}
}

// TestMiddlewareExistingTagsFlush checks that a Flush of the handler while
// the head is read sends the bytes before the insertion point at once, and
// the rest of the head as soon as it is decided, without waiting for the
// handler to return.
func TestMiddlewareExistingTagsFlush(t *testing.T) {
	decided := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>t</title>"))
		w.(http.Flusher).Flush()
		// No Flush: the one before is owed until the head is decided.
		_, _ = w.Write([]byte("</head><body><header>"))
		close(decided)
		<-release
		_, _ = w.Write([]byte("</header></body></html>"))
	})
	srv := httptest.NewServer(withSpan(testSpan(1), inject.Middleware(inject.WithExistingTags())(h)))
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	<-decided
	want := "<!DOCTYPE html><html><head>" + tagsFor(testSpan(1)) + "<title>t</title></head><body><header>"
	buf := make([]byte, len(want))
	read := make(chan error, 1)
	go func() {
		_, err := io.ReadFull(resp.Body, buf)
		read <- err
	}()
	select {
	case err := <-read:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("the head did not reach the client before the handler returned")
	}
	require.Equal(t, want, string(buf))
	close(release)
}
