package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	gorillaws "github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Target is an adapter under test.
type Target struct {
	// Serve starts a server whose every path is served by app (with
	// [App.ServeHTTP], or fastapp.Serve), behind the adapter built with
	// opts when adapter is true, and returns its base URL. A Fail step
	// goes to the framework's error path. With NeedWriterState, a
	// middleware in front of the adapter and one behind it (between it and
	// the handler) file the writer's state once the rest of the chain
	// returned, with [App.RecordState] ("front", "behind") under the
	// request's [RequestIDHeader].
	Serve func(t *testing.T, app *App, adapter bool, opts []inject.Option) string
	// Has is what the framework can do; the cases that need more are
	// left out (and named in the test's log).
	Has Need
	// ServeCompressed, when set, is Serve with the framework's gzip
	// middleware in front of the adapter, or, with inside, between the
	// adapter and the handler; compression is not asked of the
	// middleware without the adapter.
	ServeCompressed func(t *testing.T, app *App, adapter, inside bool, opts []inject.Option) string
	// NewMiddleware builds the adapter's validating constructor with opts
	// and returns its error.
	NewMiddleware func(opts ...inject.Option) error
}

// Span is the span the tags of every case name, from the Source the suite
// gives the adapter with inject.WithSource.
var Span = func() tracecontext.SpanContext {
	sc, err := tracecontext.ParseSentryTrace("0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
	if err != nil {
		panic(err)
	}
	return sc
}()

// Source reads Span whatever the context.
var Source = tracecontext.SourceFunc(func(context.Context) (tracecontext.SpanContext, bool) { return Span, true })

// OwnSpan is the span of the tags a page renders itself (OwnTags).
var OwnSpan = func() tracecontext.SpanContext {
	sc, err := tracecontext.ParseSentryTrace("4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")
	if err != nil {
		panic(err)
	}
	return sc
}()

// Tags are the tags rendered for Span.
var Tags = render.AppendMetaTags(nil, Span)

// Run runs every case the target can serve: each against a server with the
// adapter and one without, with the same app; the response with the
// adapter must be the one without, plus the tags where the case is a page
// (the body as inject.Writer rewrites it, Content-Length adjusted or
// dropped, the rest of the headers equal), and where the framework keeps
// writer state, the middlewares in front and behind must see what they see
// without the adapter (in front, the tags counted in Size).
func Run(t *testing.T, target Target) {
	cases := Cases()
	app := newApp(cases)
	reasons := &pathReasons{byPath: map[string][]inject.Reason{}}
	opts := []inject.Option{inject.WithSource(Source), reasons.option()}
	base := target.Serve(t, app, false, nil)
	got := target.Serve(t, app, true, opts)
	t.Run("options", func(t *testing.T) { checkOptions(t, target) })
	t.Run("hostile-headers-memory", func(t *testing.T) { checkHostileMemory(t, app, cases, base, got) })
	if target.ServeCompressed != nil {
		t.Run("compression", func(t *testing.T) { runCompressed(t, target) })
	}
	var notFor []string
	for _, c := range cases {
		if c.Need&^target.Has != 0 {
			notFor = append(notFor, c.Name)
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			wantTags := runCase(t, app, target, c, base, got)
			if c.WebSocket == "" && c.Stream != clientLeaves && !c.Raw {
				checkReason(t, c, wantTags, reasons.get("/"+c.Name))
			}
		})
	}
	if len(notFor) > 0 {
		t.Logf("cases for what the target does not have (hijack, WebSocket, a recovery in front), not run: %s", strings.Join(notFor, ", "))
	}
}

// newID returns an id for a request of case name, unique in the app.
func (a *App) newID(name string, adapter bool) string {
	return fmt.Sprintf("%s-%v-%d", name, adapter, a.ids.Add(1))
}

// runCase runs c and reports whether the page got the tags.
func runCase(t *testing.T, app *App, target Target, c Case, baseURL, gotURL string) (wantTags bool) {
	switch {
	case c.WebSocket != "":
		b := dialWebSocket(t, c, baseURL)
		g := dialWebSocket(t, c, gotURL)
		assert.Equal(t, b, g, "the WebSocket echo, with the adapter and without")
		assert.Equal(t, "ping", g)
		return false
	case c.Raw:
		want := rawExchange(t, c, baseURL)
		require.True(t, strings.HasPrefix(want, "HTTP/1.1 "), "the framework alone sends a status: %q", want)
		assert.Equal(t, want, rawExchange(t, c, gotURL))
		return false
	case c.Stream == clientLeaves:
		for _, u := range []string{baseURL, gotURL} {
			id := app.newID(c.Name, u == gotURL)
			leave(t, c, u, id)
			var ran time.Duration
			require.Eventually(t, func() bool {
				var ok bool
				ran, ok = app.endlessRan(id)
				return ok
			}, 12*time.Second, 20*time.Millisecond, "the app never stopped writing")
			assert.Less(t, ran, 5*time.Second, "%s: the app wrote on %v after the client left", u, ran)
		}
		return false
	}
	baseID, gotID := app.newID(c.Name, false), app.newID(c.Name, true)
	b := fetch(t, app, c, baseURL, baseID)
	g := fetch(t, app, c, gotURL, gotID)
	wantTags = c.Tags || c.TagsIfPage && strings.HasPrefix(b.Header.Get("Content-Type"), "text/html") &&
		Insert(b.Body, b.Header.Get("Content-Type")) != b.Body
	compare(t, b, g, wantTags, c.Method == http.MethodHead)
	if target.Has&NeedWriterState != 0 && c.Need&NeedNetHTTP == 0 {
		bs, gs := app.stateOf(baseID), app.stateOf(gotID)
		require.Contains(t, gs, "front", "the target files no state in front")
		assert.Equal(t, bs["behind"], gs["behind"], "the state behind the adapter")
		want := bs["front"]
		if wantTags && want.Size >= 0 {
			want.Size += len(Tags)
		}
		if c.Method == http.MethodHead {
			// The core drops a HEAD's body, as net/http would: the
			// framework's writer in front counts none of it.
			want.Size = gs["front"].Size
		}
		assert.Equal(t, want, gs["front"], "the state in front of the adapter")
	}
	return wantTags
}

// Response is what a client received.
type Response struct {
	Status int
	Header http.Header
	Body   string
	Length int64 // the Content-Length, -1 without one
}

func request(t *testing.T, c Case, url, id string) *http.Request {
	method := c.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, url+"/"+c.Name, nil)
	require.NoError(t, err)
	req.Header = Navigation()
	for k, v := range c.Header {
		req.Header[k] = v
	}
	req.Header.Set(RequestIDHeader, id)
	return req
}

// Navigation returns the request headers of a browser navigation.
func Navigation() http.Header {
	return http.Header{
		"Accept":         {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		"Sec-Fetch-Dest": {"document"},
		"Sec-Fetch-Mode": {"navigate"},
	}
}

// client is the suite's: it follows no redirect and asks for no
// compression, so that responses arrive as the servers sent them.
var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}

func fetch(t *testing.T, app *App, c Case, url, id string) Response {
	res, err := client.Do(request(t, c, url, id))
	require.NoError(t, err)
	defer res.Body.Close()
	var body []byte
	if c.Stream == progressive {
		body = readProgressive(t, app, res.Body, id, c.Mark)
	} else {
		body, err = io.ReadAll(res.Body)
		require.NoError(t, err, "the body must arrive whole")
	}
	h := res.Header.Clone()
	h.Del("Date")
	if res.ContentLength >= 0 && h.Get("Content-Length") == "" && c.Method != http.MethodHead {
		h.Set("Content-Length", strconv.FormatInt(res.ContentLength, 10))
	}
	return Response{Status: res.StatusCode, Header: h, Body: string(body), Length: res.ContentLength}
}

// readProgressive reads until the page's shell has arrived, then lets the
// app go on, and reads the rest.
func readProgressive(t *testing.T, app *App, body io.Reader, id, mark string) []byte {
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(got, []byte(mark)) {
		n, err := body.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	close(app.gate(id))
	require.False(t, app.waitedInVain(id), "the app waited 5 s for the client to see %q: it got it only with the rest of the page", mark)
	rest, err := io.ReadAll(body)
	require.NoError(t, err)
	return append(got, rest...)
}

// compare checks got against base: equal, but for the tags where wantTags.
// The Content-Length of a HEAD describes the GET's page, which gets the
// tags: it may be gone.
func compare(t *testing.T, base, got Response, wantTags, head bool) {
	t.Helper()
	assert.Equal(t, base.Status, got.Status, "status")
	want := base.Body
	if wantTags {
		want = Insert(base.Body, base.Header.Get("Content-Type"))
		require.NotEqual(t, base.Body, want, "the page has no insertion point")
	}
	assert.Equal(t, want, got.Body, "body")
	bh, gh := base.Header.Clone(), got.Header.Clone()
	if head && gh.Get("Content-Length") == "" {
		bh.Del("Content-Length")
	}
	if wantTags {
		if cl := bh.Get("Content-Length"); cl != "" {
			n, _ := strconv.Atoi(cl)
			if v := gh.Get("Content-Length"); v != "" {
				assert.Equal(t, strconv.Itoa(n+len(Tags)), v, "Content-Length")
			}
		}
		bh.Del("Content-Length")
		gh.Del("Content-Length")
	}
	assert.Equal(t, bh, gh, "headers")
}

// Insert returns page with Tags inserted as inject.Writer inserts them.
func Insert(page, contentType string) string {
	var out strings.Builder
	w := inject.NewWriter(&out, Tags, inject.WithContentType(contentType))
	_, _ = io.WriteString(w, page)
	_ = w.Close()
	return out.String()
}

// leave reads the start of an endless page and closes the connection.
func leave(t *testing.T, c Case, url, id string) {
	res, err := client.Do(request(t, c, url, id))
	require.NoError(t, err)
	buf := make([]byte, 1024)
	_, err = io.ReadFull(res.Body, buf)
	require.NoError(t, err)
	// Close without draining: the transport drops the connection.
	require.NoError(t, res.Body.Close())
}

func dialWebSocket(t *testing.T, c Case, url string) string {
	url = strings.Replace(url, "http://", "ws://", 1) + "/" + c.Name
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var msg string
	var err error
	if c.WebSocket == "coder" {
		msg, err = coderClient(ctx, url, c.Header)
	} else {
		msg, err = gorillaClient(ctx, url, c.Header)
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return msg
}

func coderClient(ctx context.Context, url string, header http.Header) (string, error) {
	conn, res, err := coderws.Dial(ctx, url, &coderws.DialOptions{HTTPHeader: header})
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err != nil {
		return "", err
	}
	defer conn.CloseNow()
	if err := conn.Write(ctx, coderws.MessageText, []byte("ping")); err != nil {
		return "", err
	}
	_, msg, err := conn.Read(ctx)
	return string(msg), err
}

func gorillaClient(ctx context.Context, url string, header http.Header) (string, error) {
	conn, res, err := gorillaws.DefaultDialer.DialContext(ctx, url, header)
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(deadline)
	}
	if err := conn.WriteMessage(gorillaws.TextMessage, []byte("ping")); err != nil {
		return "", err
	}
	_, msg, err := conn.ReadMessage()
	return string(msg), err
}

// rawExchange sends the case's GET over a connection of its own and returns
// all it gets back until the server closes it, less the Date header.
func rawExchange(t *testing.T, c Case, url string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), 3*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(3*time.Second)))
	_, err = io.WriteString(conn, "GET /"+c.Name+" HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	require.NoError(t, err)
	b, err := io.ReadAll(conn)
	require.NoError(t, err)
	var lines []string
	for _, line := range strings.SplitAfter(string(b), "\r\n") {
		if !strings.HasPrefix(line, "Date: ") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "")
}

// pathReasons records what the adapter's skip hook hears, by path.
type pathReasons struct {
	mu     sync.Mutex
	byPath map[string][]inject.Reason
}

func (p *pathReasons) option() inject.Option {
	return inject.WithSkipHook(func(r *http.Request, reason inject.Reason) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.byPath[r.URL.Path] = append(p.byPath[r.URL.Path], reason)
	})
}

func (p *pathReasons) get(path string) []inject.Reason {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]inject.Reason(nil), p.byPath[path]...)
}

// checkReason checks that the skip hook heard the case's reason, once, or
// nothing for a page with the tags.
func checkReason(t *testing.T, c Case, wantTags bool, heard []inject.Reason) {
	switch {
	case wantTags:
		assert.Empty(t, heard, "the skip hook of a page with the tags")
	case c.Reason != inject.ReasonNone:
		assert.Equal(t, []inject.Reason{c.Reason}, heard, "the skip hook")
	}
}

// checkOptions checks the adapter's validating constructor: nil options
// are skipped, an option out of range is reported as inject reports it.
func checkOptions(t *testing.T, target Target) {
	require.NotNil(t, target.NewMiddleware, "the adapter has a validating NewMiddleware")
	assert.NoError(t, target.NewMiddleware())
	assert.NoError(t, target.NewMiddleware(nil, inject.WithSource(nil), nil))
	err := target.NewMiddleware(inject.WithLookahead(-1))
	require.ErrorIs(t, err, inject.ErrInvalidOption)
	_, want := inject.NewMiddleware(inject.WithLookahead(-1))
	assert.Equal(t, want.Error(), err.Error(), "the error inject's NewMiddleware reports")
}

// hostileBound is what hostile request headers may cost the adapter per
// request beyond ordinary ones: the core's bound on what parsing incoming
// trace headers keeps (16 KiB), and under -race room for the pooled buffers
// the race detector's sync.Pool drops.
func hostileBound() uint64 {
	if RaceEnabled {
		return 64 << 10
	}
	return 16 << 10
}

// checkHostileMemory checks the core's promise through the adapter: a
// request with hostile trace headers costs, beyond the same request to the
// app without the adapter, at most hostileBound more than an ordinary
// navigation does. It runs alone (before the parallel cases), and measures
// the whole process: client, server and app, the same on both sides.
func checkHostileMemory(t *testing.T, app *App, cases []Case, baseURL, gotURL string) {
	var hostile, plain Case
	for _, c := range cases {
		switch c.Name {
		case "hostile-headers":
			hostile = c
		case "page-write":
			plain = c
		}
	}
	require.NotEmpty(t, hostile.Name)
	require.NotEmpty(t, plain.Name)
	const n = 40
	perRequest := func(c Case, url string, adapter bool) uint64 {
		get := func() {
			res, err := client.Do(request(t, c, url, app.newID(c.Name, adapter)))
			require.NoError(t, err)
			_, err = io.Copy(io.Discard, res.Body)
			require.NoError(t, err)
			require.NoError(t, res.Body.Close())
		}
		for range 5 {
			get() // connections, pools
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			get()
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / n
	}
	hostileCost := int64(perRequest(hostile, gotURL, true)) - int64(perRequest(hostile, baseURL, false))
	plainCost := int64(perRequest(plain, gotURL, true)) - int64(perRequest(plain, baseURL, false))
	t.Logf("the adapter's bytes per request: %d with hostile headers, %d with a navigation's", hostileCost, plainCost)
	assert.LessOrEqual(t, hostileCost-plainCost, int64(hostileBound()),
		"hostile request headers cost the adapter at most the core's bound more than ordinary ones")
}
