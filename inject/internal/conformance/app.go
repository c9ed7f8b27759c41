// Package conformance is the one test suite every framework adapter of
// inject runs, net/http's inject.Middleware included: the same pages, write
// paths, flushes, error pages, HEAD, late headers, hijacks and WebSocket
// upgrades, writer state, a client that leaves and hostile request headers,
// each served by the same app with and without the adapter and compared
// (see [Run]). It also holds the helpers the adapters' own tests share.
package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	coderws "github.com/coder/websocket"
	gorillaws "github.com/gorilla/websocket"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Kind is what a Step of an app does.
type Kind uint8

// The steps an app is made of. A framework serves them with its own API:
// net/http's family with [App.ServeHTTP], fasthttp's with fastapp.Serve.
const (
	SetHeader        Kind = iota // set header Key to Value
	Status                       // set the status Code (net/http: WriteHeader)
	Write                        // write Data (fasthttp: the body set whole)
	WriteString                  // write Data as a string (fasthttp: SetBodyString)
	Copy                         // io.Copy from a reader of Data (fasthttp: a body stream)
	Flush                        // flush (fasthttp: the stream writer's Flush)
	AwaitClient                  // wait until the client has read what was flushed
	Endless                      // write and flush until a write fails, or 10 s (Data, if set, slowly)
	Fail                         // the framework's error path with Code (gin: AbortWithStatus, echo: an HTTPError)
	Hijack                       // take the connection and write Data on it (net/http's family)
	CoderWebSocket               // accept a WebSocket with coder/websocket and echo a message
	GorillaWebSocket             // accept a WebSocket with gorilla/websocket and echo a message
	RecordSpan                   // file the span the request's context holds (App.RecordContext)
	OwnTags                      // write Page with the tags it renders itself, if it may claim them
	Panic                        // panic, for a recovery middleware in front of the adapter
)

// Step is one thing an app does.
type Step struct {
	Kind       Kind
	Key, Value string // SetHeader
	Code       int    // Status, Fail
	Data       string // Write, WriteString, Copy, Hijack
}

// App is the application of one [Run]: each case's steps, under the path
// /{case name}, and what the app saw. Adapters serve every path with
// [App.Steps]; the same App is served with and without the adapter.
type App struct {
	steps map[string][]Step

	ids atomic.Int64 // the last request id given

	mu      sync.Mutex
	gates   map[string]chan struct{}            // AwaitClient: opened by the client, by request id
	endless map[string]time.Duration            // Endless: how long it ran, by request id
	late    map[string]bool                     // AwaitClient: the client did not come in time, by request id
	spans   map[string]tracecontext.SpanContext // RecordSpan: by request id
	states  map[string]map[string]State         // writer state by request id and where
}

// RequestIDHeader carries the id the suite gives each request, by which the
// app files what it saw.
const RequestIDHeader = "X-Conformance-Request"

func newApp(cases []Case) *App {
	a := &App{
		steps:   map[string][]Step{},
		gates:   map[string]chan struct{}{},
		endless: map[string]time.Duration{},
		late:    map[string]bool{},
		states:  map[string]map[string]State{},
	}
	for _, c := range cases {
		a.steps["/"+c.Name] = c.Steps
	}
	return a
}

// Steps returns the steps of the case served at path.
func (a *App) Steps(path string) []Step { return a.steps[path] }

// State is a framework writer's bookkeeping, as a middleware reads it.
type State struct {
	Written bool
	Size    int
	Status  int
}

// RecordState files the writer state a middleware saw at where ("front"
// of the adapter, or "behind" it) for the request with id.
func (a *App) RecordState(id, where string, s State) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.states[id] == nil {
		a.states[id] = map[string]State{}
	}
	a.states[id][where] = s
}

func (a *App) stateOf(id string) map[string]State {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.states[id]
}

// Await blocks until the client of request id has read what was flushed,
// or 5 s; it reports whether the client did.
func (a *App) Await(id string) bool {
	select {
	case <-a.gate(id):
		return true
	case <-time.After(5 * time.Second):
		a.mu.Lock()
		a.late[id] = true
		a.mu.Unlock()
		return false
	}
}

func (a *App) waitedInVain(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.late[id]
}

func (a *App) gate(id string) chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	g, ok := a.gates[id]
	if !ok {
		g = make(chan struct{})
		a.gates[id] = g
	}
	return g
}

// EndlessChunk is what an Endless step writes each time.
var EndlessChunk = "<p>" + strings.Repeat("more ", 800) + "</p>\n"

// RunEndless writes chunk (EndlessChunk when empty, every millisecond;
// else every 10 ms) with write and flushes with flush until either fails,
// or 10 s, and files how long it ran for request id.
func (a *App) RunEndless(id, chunk string, write func(string) error, flush func() error) {
	pause := 10 * time.Millisecond
	if chunk == "" {
		chunk, pause = EndlessChunk, time.Millisecond
	}
	start := time.Now()
	for time.Since(start) < 10*time.Second {
		if write(chunk) != nil || flush() != nil {
			break
		}
		time.Sleep(pause)
	}
	a.mu.Lock()
	a.endless[id] = time.Since(start)
	a.mu.Unlock()
}

func (a *App) endlessRan(id string) (time.Duration, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d, ok := a.endless[id]
	return d, ok
}

// ServeHTTP serves the steps of r's path on w, for net/http and the
// frameworks whose writer is an http.ResponseWriter. It returns the status
// of a Fail step, for the framework's error path, or 0.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) (fail int) {
	id := r.Header.Get(RequestIDHeader)
	for _, s := range a.Steps(r.URL.Path) {
		switch s.Kind {
		case SetHeader:
			w.Header().Set(s.Key, s.Value)
		case Status:
			w.WriteHeader(s.Code)
		case Write:
			_, _ = w.Write([]byte(s.Data))
		case WriteString:
			_, _ = io.WriteString(w, s.Data)
		case Copy:
			_, _ = io.Copy(w, strings.NewReader(s.Data))
		case Flush:
			_ = http.NewResponseController(w).Flush()
		case AwaitClient:
			a.Await(id)
		case Endless:
			rc := http.NewResponseController(w)
			a.RunEndless(id, s.Data, func(s string) error { _, err := io.WriteString(w, s); return err }, rc.Flush)
		case Fail:
			return s.Code
		case RecordSpan:
			a.RecordContext(id, r.Context())
		case OwnTags:
			_, _ = io.WriteString(w, PageWithOwnTags(r.Context()))
		case Panic:
			panic("conformance: the handler panics")
		case Hijack:
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return 0
			}
			_, _ = buf.WriteString(s.Data)
			_ = buf.Flush()
			_ = conn.Close()
			return 0
		case CoderWebSocket:
			conn, err := coderws.Accept(w, r, nil)
			if err != nil {
				return 0 // Accept answered
			}
			defer conn.CloseNow()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			typ, msg, err := conn.Read(ctx)
			if err == nil {
				_ = conn.Write(ctx, typ, msg)
				_ = conn.Close(coderws.StatusNormalClosure, "")
			}
			return 0
		case GorillaWebSocket:
			var up gorillaws.Upgrader
			conn, err := up.Upgrade(w, r, nil)
			if err != nil {
				return 0
			}
			defer conn.Close()
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			typ, msg, err := conn.ReadMessage()
			if err == nil {
				_ = conn.WriteMessage(typ, msg)
			}
			return 0
		default:
			panic(fmt.Sprintf("conformance: step %d", s.Kind))
		}
	}
	return 0
}

// PageWithOwnTags is Page with the tags the app renders itself for ctx,
// when it may claim them (render.Claim): a template's traceMeta.
func PageWithOwnTags(ctx context.Context) string {
	if !render.Claim(ctx) {
		return Page
	}
	return strings.Replace(Page, "<head>", "<head>"+string(render.AppendMetaTags(nil, OwnSpan)), 1)
}

// rawResponse is what a Hijack step writes: a whole HTTP/1.1 response.
func rawResponse(body string) string {
	return "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
		fmt.Sprint(len(body)) + "\r\nConnection: close\r\n\r\n" + body
}
