package render_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// requireChromium returns the Chromium to run: $CHROMIUM when set, else
// /usr/bin/chromium or chromium on $PATH. Without one it skips t, or fails it
// when TRACEMETA_REQUIRE_BROWSER=1, as CI sets.
func requireChromium(t *testing.T) string {
	t.Helper()
	path, err := chromiumPath()
	if err == nil {
		return path
	}
	if os.Getenv("TRACEMETA_REQUIRE_BROWSER") == "1" {
		t.Fatalf("browser test required (TRACEMETA_REQUIRE_BROWSER=1): %v", err)
	}
	t.Skipf("browser test skipped (set TRACEMETA_REQUIRE_BROWSER=1 to make this a failure): %v", err)
	return ""
}

func chromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$CHROMIUM: %w", err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium: install Debian's chromium package or set $CHROMIUM")
}

// readBack is the page's script: what the browser reads from the meta tags
// (as the Sentry SDK does, with getAttribute) and from the navigation's
// Server-Timing entries (name and description, as the SDK reads them).
const readBack = `<script>
var nav = performance.getEntriesByType('navigation')[0];
document.getElementById('out').textContent = JSON.stringify({
	metas: Array.from(document.head.querySelectorAll('meta[name]'), m => [m.getAttribute('name'), m.getAttribute('content')]),
	timing: nav ? Array.from(nav.serverTiming, e => [e.name, e.description]) : null,
});
</script>`

// TestBrowserReadsBack serves a page whose tags and Server-Timing header
// carry hostile values and checks, in headless Chromium, that the DOM and
// the Performance API hand back exactly what went in.
func TestBrowserReadsBack(t *testing.T) {
	chromium := requireChromium(t)

	dsc := fullDSC()
	dsc.Release = hostile[0].value
	dsc.Transaction = "</title><script>alert(1)</script> é"
	dsc.Extra = []tracecontext.Member{{Key: "custom", Value: "a&b\"c'd\r\n\x00"}}
	sc := spanContext(t, tracecontext.DecisionSampled, dsc)
	r := render.New(render.WithFormats(render.SentryTrace|render.Baggage|render.Traceparent|render.Datadog),
		render.WithClock(fixedClock))

	// Each hostile value also goes through the escapers directly, as a
	// meta tag and a Server-Timing entry of its own.
	var head strings.Builder
	head.Write(r.AppendMetaTags(nil, sc))
	wantMetas := [][2]string{
		{"sentry-trace", sc.SentryTrace()},
		{"baggage", string(dsc.AppendBaggage(nil))},
		{"traceparent", sc.Traceparent()},
		{"dd-trace-id", traceDecimal},
		{"dd-trace-time", renderMillis},
	}
	timing := []string{string(r.AppendServerTiming(nil, sc))}
	wantTiming := [][2]string{
		{"sentry-trace", sc.SentryTrace()},
		{"baggage", string(dsc.AppendBaggage(nil))},
		{"traceparent", sc.Traceparent()},
	}
	for i, h := range hostile {
		name := fmt.Sprintf("case%d", i)
		head.Write(render.EscapeAttrTail(`<meta name="`+name+`" content="`, h.value, 0))
		head.WriteString(`">`)
		wantMetas = append(wantMetas, [2]string{name, htmlModel(h.value)})
	}
	page := "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title>" + head.String() +
		"</head><body><pre id=\"out\"></pre>" + readBack + "</body></html>"

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for _, v := range timing {
			w.Header().Add("Server-Timing", v)
		}
		_, _ = w.Write([]byte(page)) // a failed write shows as a missing result
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // returns http.ErrServerClosed at Close
	t.Cleanup(func() { _ = srv.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "http://"+ln.Addr().String()+"/")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", stderr.String())

	doc, err := html.Parse(strings.NewReader(string(dom)))
	require.NoError(t, err)
	out := findByID(doc, "out")
	require.NotNil(t, out, "no result in the page: %s", dom)
	var got struct {
		Metas  [][2]string `json:"metas"`
		Timing [][2]string `json:"timing"`
	}
	require.NoError(t, json.Unmarshal([]byte(textOf(out)), &got), "result %q", textOf(out))

	assert.Equal(t, wantMetas, got.Metas, "meta[name] of <head>, in order, read by the browser")
	assert.Equal(t, wantTiming, got.Timing, "Server-Timing entries read by the browser")
}

func findByID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				return n
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if found := findByID(c, id); found != nil {
			return found
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
