package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/examples/internal/browsertest"
	"github.com/tracemeta/tracemeta/tracecontext/datadog/datadogtest"
)

// agent is the fake Datadog agent the tracer of every test reports to.
var agent *datadogtest.Agent

func TestMain(m *testing.M) {
	a, stop, err := datadogtest.StartTracer("shop")
	if err != nil {
		panic(err)
	}
	agent = a
	code := browsertest.Main(m)
	stop()
	os.Exit(code)
}

// rumEvent is what the tests read of a RUM event.
type rumEvent struct {
	Type     string `json:"type"`
	Resource struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"resource"`
	DD struct {
		TraceID string `json:"trace_id"`
		SpanID  string `json:"span_id"`
	} `json:"_dd"`
}

// intake stands for Datadog's RUM intake: the SDK's proxy option sends every
// batch to it as newline-delimited JSON, with the intake's path in the
// ddforward parameter.
type intake struct {
	mu     sync.Mutex
	events []rumEvent
	errs   []error
}

func (in *intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	in.mu.Lock()
	defer in.mu.Unlock()
	if err != nil {
		in.errs = append(in.errs, err)
		return
	}
	if !strings.HasPrefix(r.URL.Query().Get("ddforward"), "/api/v2/rum") {
		w.WriteHeader(http.StatusAccepted) // logs or replay: not read here
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var ev rumEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			in.errs = append(in.errs, err)
			continue
		}
		in.events = append(in.events, ev)
	}
	w.WriteHeader(http.StatusAccepted)
}

// document returns the RUM resource event of the initial document of url.
func (in *intake) document(url string) (rumEvent, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, ev := range in.events {
		if ev.Type == "resource" && ev.Resource.Type == "document" && ev.Resource.URL == url {
			return ev, true
		}
	}
	return rumEvent{}, false
}

// commentTraceID reads the trace id of the Datadog comment among the
// document's children, as the SDK finds it.
var commentTraceID = regexp.MustCompile(`^\s*DATADOG;.*trace-id=([^;]*)`)

// pageTraceID is the script that returns the trace id the page carries: its
// dd-trace-id meta, else its Datadog comment.
const pageTraceID = `(() => {
	const meta = document.querySelector('meta[name=dd-trace-id]');
	if (meta) return meta.content;
	const c = Array.from(document.childNodes).find((n) => n.nodeType === Node.COMMENT_NODE);
	return c ? c.data : '';
})()`

// TestRUMLinksTheInitialDocument loads the example's pages in Chromium with
// the unmodified @datadog/browser-rum, sending its events to a local intake,
// and the server traced by dd-trace-go's net/http integration reporting to a
// fake agent. A fresh page's RUM resource event of the initial document names
// the trace id of the server span the agent received, from the meta tags and
// from the comment; a page rendered more than two minutes before it is read
// is not linked.
func TestRUMLinksTheInitialDocument(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		age    time.Duration // how long before the request the tags say the page was rendered
		linked bool
	}{
		{name: "meta tags from the inject middleware", path: "/", linked: true},
		{name: "comment before the doctype", path: "/comment", linked: true},
		{name: "meta tags a minute old", path: "/", age: time.Minute, linked: true},
		{name: "meta tags three minutes old", path: "/", age: 3 * time.Minute, linked: false},
		{name: "comment three minutes old", path: "/comment", age: 3 * time.Minute, linked: false},
	}
	chromium := browsertest.Require(t)
	bundles := browsertest.Bundles(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &intake{}
			outer := http.NewServeMux()
			srv := httptest.NewServer(outer)
			t.Cleanup(srv.Close)
			var clock func() time.Time
			if tt.age != 0 {
				clock = func() time.Time { return time.Now().Add(-tt.age) }
			}
			outer.Handle("/rum-intake", in)
			outer.Handle("/", newHandler(options{
				rum:    rumConfig{ApplicationID: "app", ClientToken: "pubtoken", Proxy: srv.URL + "/rum-intake"},
				static: http.FileServer(http.Dir(bundles.Dir)),
				clock:  clock,
			}))

			url := srv.URL + tt.path
			browser := browsertest.NewBrowser(t, chromium)
			require.NoError(t, chromedp.Do(browser, chromedp.Navigate(url), chromedp.WaitReady("body")))
			carried, err := chromedp.Run(browser, chromedp.Evaluate[string](pageTraceID))
			require.NoError(t, err)
			if m := commentTraceID.FindStringSubmatch(carried); m != nil {
				carried = m[1]
			}
			pageID, err := strconv.ParseUint(carried, 10, 64)
			require.NoError(t, err, "the page carries a decimal trace id, %q", carried)

			ev := waitDocumentEvent(t, browser, in, url)
			t.Logf("RUM resource event: type=%s resource.type=%s resource.url=%s _dd.trace_id=%q _dd.span_id=%q",
				ev.Type, ev.Resource.Type, ev.Resource.URL, ev.DD.TraceID, ev.DD.SpanID)
			if !tt.linked {
				assert.Empty(t, ev.DD.TraceID, "the SDK links no trace to a stale page")
				return
			}
			assert.Equal(t, carried, ev.DD.TraceID, "the SDK links the page's trace id")

			span := agent.WaitSpan(t, func(s datadogtest.Span) bool { return s.TraceID == pageID && s.Name == "http.request" })
			t.Logf("agent span: name=%s service=%s resource=%q http.url=%s trace_id=%d _dd.p.tid=%s span_id=%d",
				span.Name, span.Service, span.Resource, span.Meta["http.url"], span.TraceID, span.Meta["_dd.p.tid"], span.SpanID)
			assert.Equal(t, "shop", span.Service)
			assert.Equal(t, url, span.Meta["http.url"], "the span of the page's request")
			assert.Equal(t, strconv.FormatUint(span.TraceID, 10), ev.DD.TraceID, "the RUM event and the agent's span name one trace")
		})
	}
}

// waitDocumentEvent makes the SDK send its batch (it leaves at 50 events, so
// the page adds actions until it has) and returns the RUM resource event of
// url's initial document, failing t after 45 seconds.
func waitDocumentEvent(t *testing.T, browser context.Context, in *intake, url string) rumEvent {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		if ev, ok := in.document(url); ok {
			return ev
		}
		_, err := chromedp.Run(browser, chromedp.Evaluate[int](
			`for (let i = 0; i < 50; i++) DD_RUM.addAction('flush'); 50`))
		require.NoError(t, err)
		time.Sleep(500 * time.Millisecond)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	t.Fatalf("no RUM event of the document %s in 45s (%d events, errors %v)", url, len(in.events), in.errs)
	return rumEvent{}
}

// TestPages reads the example's pages without a browser: the page behind the
// inject middleware carries the Datadog, sentry-trace and traceparent tags
// naming one span, and /comment starts with the comment, never cached.
func TestPages(t *testing.T) {
	srv := httptest.NewServer(newHandler(options{rum: rumConfig{ApplicationID: "app", ClientToken: "pubtoken"}}))
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	page := string(body)
	tags := regexp.MustCompile(`<meta name="([a-z-]+)" content="([^"]*)">`).FindAllStringSubmatch(page, -1)
	require.Len(t, tags, 4, page)
	names := []string{tags[0][1], tags[1][1], tags[2][1], tags[3][1]}
	assert.Equal(t, []string{"sentry-trace", "traceparent", "dd-trace-id", "dd-trace-time"}, names)
	traceHex := strings.SplitN(tags[0][2], "-", 2)[0]
	assert.Equal(t, "00-"+tags[0][2][:len(tags[0][2])-2]+"-01", tags[1][2], "traceparent names the sentry-trace span")
	lower, err := strconv.ParseUint(traceHex[16:], 16, 64)
	require.NoError(t, err)
	assert.Equal(t, strconv.FormatUint(lower, 10), tags[2][2], "dd-trace-id is the lower half of the trace id")
	assert.Less(t, strings.Index(page, "<meta charset"), strings.Index(page, "sentry-trace"), "after <meta charset>")
	assert.Less(t, strings.Index(page, "dd-trace-time"), strings.Index(page, "<script"), "before the SDK")

	resp, err = http.Get(srv.URL + "/comment")
	require.NoError(t, err)
	body, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.Regexp(t, `^<!-- DATADOG;trace-id=[1-9][0-9]*;trace-time=[0-9]{13} --><!doctype html>`, string(body))
	assert.NotContains(t, string(body), `<meta name="dd-trace-id"`, "the comment alone")
}
