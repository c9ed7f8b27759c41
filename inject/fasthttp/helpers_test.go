package injectfasthttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// page is the document the handlers write.
const page = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>page</title>
</head>
<body><h1>page</h1></body>
</html>
`

// serve runs h in a fasthttp server on a loopback listener until the test
// ends, and returns its base URL.
func serve(t testing.TB, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &fasthttp.Server{Handler: h}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		// Keep-alive connections the client holds would keep Shutdown
		// waiting.
		client.CloseIdleConnections()
		require.NoError(t, srv.Shutdown())
		require.NoError(t, <-done)
	})
	return "http://" + ln.Addr().String()
}

// client does not ask for compression, so that bodies arrive as sent.
var client = &http.Client{
	Transport: &http.Transport{DisableCompression: true},
	Timeout:   20 * time.Second,
}

// response is what a client received.
type response struct {
	status int
	header http.Header
	body   string
}

func do(t testing.TB, method, url string, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "reading the body of %s %s", method, url)
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// metaTags returns the content of every <meta name=...> of page, by name,
// as an HTML parser sees them.
func metaTags(t testing.TB, page string) map[string][]string {
	t.Helper()
	tags := map[string][]string{}
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			require.ErrorIs(t, z.Err(), io.EOF)
			return tags
		case html.StartTagToken, html.SelfClosingTagToken:
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
				tags[name] = append(tags[name], content)
			}
		}
	}
}

// tagSpan returns the span the one set of tags in body names.
func tagSpan(t testing.TB, body string) tracecontext.SpanContext {
	t.Helper()
	tags := metaTags(t, body)
	require.Len(t, tags["sentry-trace"], 1, "one sentry-trace tag in %s", body)
	require.Len(t, tags["baggage"], 1, "one baggage tag in %s", body)
	sc, err := tracecontext.ParseSentryTrace(tags["sentry-trace"][0])
	require.NoError(t, err)
	return sc
}

// withoutTags returns page without the sentry-trace and baggage tags the
// middleware inserted, one after the other, and whether it found them.
func withoutTags(page string) (string, bool) {
	start := strings.Index(page, `<meta name="sentry-trace"`)
	if start < 0 {
		return page, false
	}
	rest := page[start:]
	i := strings.Index(rest, `<meta name="baggage"`)
	if i < 0 {
		return page, false
	}
	end := strings.IndexByte(rest[i:], '>')
	if end < 0 {
		return page, false
	}
	return page[:start] + rest[i+end+1:], true
}

// chunkedReader yields its data in pieces of n bytes, and then err.
type chunkedReader struct {
	data   []byte
	n      int
	err    error
	closed bool
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := min(len(p), r.n, len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func (r *chunkedReader) Close() error {
	r.closed = true
	return nil
}

var _ io.ReadCloser = (*chunkedReader)(nil)

// bufioReader reads s.
func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
