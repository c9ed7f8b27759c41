package injectfiberv3_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// serve runs app on a loopback listener until the test ends, and returns
// its base URL.
func serve(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	t.Cleanup(func() {
		// Keep-alive connections the client holds would keep Shutdown
		// waiting.
		client.CloseIdleConnections()
		require.NoError(t, app.ShutdownWithTimeout(5*time.Second))
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
	status        int
	header        http.Header
	contentLength int64 // -1 when chunked
	body          string
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
	return response{status: resp.StatusCode, header: resp.Header, contentLength: resp.ContentLength, body: string(body)}
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

// repeat returns s repeated until it is at least n bytes long.
func repeat(s string, n int) string {
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(s)
	}
	return b.String()
}
