package conformance

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tracemeta/tracemeta/inject"
)

// Page is the HTML page of the cases: a head with a title, a body.
const Page = "<!DOCTYPE html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>"

// Document is a page as a template writes it, over several lines.
const Document = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>page</title>
</head>
<body><h1>page</h1></body>
</html>
`

// Shell is the start of a progressive page, flushed before the rest.
const Shell = "<!DOCTYPE html><html><head><meta charset=utf-8><title>Shop</title><link rel=stylesheet href=/app.css></head><body><div id=app>"

// OpenHead is the start of Shell up to its <head>, after which a charset
// meta may still come.
const OpenHead = "<!DOCTYPE html><html><head>"

// Rest is what a progressive page writes after its shell.
const Rest = "<p>the slow part</p></div></body></html>"

// Need is a capability a case needs of the framework.
type Need uint8

const (
	// NeedNetHTTP is a framework that hands the handlers an
	// http.ResponseWriter with Hijack: hijacks and WebSocket upgrades.
	NeedNetHTTP Need = 1 << iota
	// NeedWriterState is a framework whose writer reports Written, Size
	// and Status to middlewares (gin, echo).
	NeedWriterState
	// NeedRecovery is a target with the framework's panic recovery in
	// front of the adapter.
	NeedRecovery
)

// Case is one request of the suite, served by the same steps with and
// without the adapter.
type Case struct {
	Name   string
	Method string      // GET when empty
	Header http.Header // the request's, besides a browser navigation's
	Steps  []Step
	// Tags: the page gets the tags behind the adapter.
	Tags bool
	// TagsIfPage: the response gets the tags when the framework alone
	// sends an HTML page with an insertion point (its error page, a
	// Content-Type it lets a late header change), and is left alone
	// otherwise.
	TagsIfPage bool
	Need       Need
	// Reason is what the adapter's skip hook hears for the case, when it
	// is not ReasonNone; a page with the tags hears nothing.
	Reason inject.Reason
	// Stream: the client reads the first flush, then opens the app's gate
	// (AwaitClient), and expects it in time; or leaves (Endless).
	Stream streamKind
	// Mark is what the client waits for of a progressive page before it
	// lets the app go on.
	Mark string
	// Raw: the exchange is compared byte for byte, on a connection of its
	// own (a hijack after a status was sent).
	Raw bool
	// WebSocket: the client dials the path with coder/websocket's or
	// gorilla/websocket's client.
	WebSocket string
}

type streamKind uint8

const (
	noStream     streamKind = iota
	progressive             // the shell arrives before the app goes on
	clientLeaves            // the client reads a little and closes
)

func htmlPage(steps ...Step) []Step {
	return append([]Step{{Kind: SetHeader, Key: "Content-Type", Value: "text/html; charset=utf-8"}}, steps...)
}

// Cases returns the cases of the suite.
func Cases() []Case {
	big := "<!DOCTYPE html><html><head><title>Big</title></head><body>" + strings.Repeat("<p>row</p>", 20000) + "</body></html>"
	noHead := "<!DOCTYPE html><html><!--" + strings.Repeat(" ", 70<<10) + "--><head></head><body></body></html>"
	chunked := make([]Step, 0, 64)
	for i := 0; i < len(Page); i += 7 {
		chunked = append(chunked, Step{Kind: Write, Data: Page[i:min(i+7, len(Page))]})
	}
	raw := rawResponse(Page)
	return []Case{
		// Page kinds and write paths.
		{Name: "page-write", Steps: htmlPage(Step{Kind: Write, Data: Page}), Tags: true},
		{Name: "page-write-string", Steps: htmlPage(Step{Kind: WriteString, Data: Page}), Tags: true},
		{Name: "page-copy", Steps: htmlPage(Step{Kind: Copy, Data: Page}), Tags: true},
		{Name: "page-chunks", Steps: htmlPage(chunked...), Tags: true},
		{Name: "page-status-first", Steps: htmlPage(Step{Kind: Status, Code: http.StatusCreated}, Step{Kind: Write, Data: Page}), Tags: true},
		{Name: "page-content-length", Steps: htmlPage(Step{Kind: SetHeader, Key: "Content-Length", Value: strconv.Itoa(len(Page))}, Step{Kind: Write, Data: Page}), Tags: true},
		{Name: "page-big", Steps: htmlPage(Step{Kind: Copy, Data: big}), Tags: true},
		{Name: "page-past-lookahead", Steps: htmlPage(Step{Kind: Write, Data: noHead})},
		{Name: "page-flushed", Steps: htmlPage(Step{Kind: Write, Data: Shell}, Step{Kind: Flush}, Step{Kind: Write, Data: Rest}), Tags: true},
		{Name: "page-flush-first", Steps: htmlPage(Step{Kind: Flush}, Step{Kind: Write, Data: Page}), Tags: true},
		{Name: "page-progressive", Steps: htmlPage(Step{Kind: Write, Data: Shell}, Step{Kind: Flush}, Step{Kind: AwaitClient}, Step{Kind: Write, Data: Rest}), Tags: true, Stream: progressive, Mark: "<div id=app>"},
		// The flush comes before the insertion point is known (a charset
		// meta may follow <head>): the head so far reaches the client.
		{Name: "page-progressive-undecided", Steps: htmlPage(Step{Kind: Write, Data: OpenHead}, Step{Kind: Flush}, Step{Kind: AwaitClient}, Step{Kind: Write, Data: Shell[len(OpenHead):] + Rest}), Tags: true, Stream: progressive, Mark: OpenHead},
		{Name: "page-empty", Steps: htmlPage()},
		// Responses that are not pages, or not to be rewritten.
		{Name: "json", Steps: []Step{{Kind: SetHeader, Key: "Content-Type", Value: "application/json"}, {Kind: Write, Data: `{"page":"<head>"}`}}, Reason: inject.ReasonContentType},
		{Name: "fragment-htmx", Header: http.Header{"Hx-Request": {"true"}}, Steps: htmlPage(Step{Kind: Write, Data: Page}), Reason: inject.ReasonPartialRequest},
		{Name: "fragment-fetch", Header: http.Header{"Sec-Fetch-Dest": {"empty"}}, Steps: htmlPage(Step{Kind: Write, Data: Page}), Reason: inject.ReasonPartialRequest},
		{Name: "cacheable", Steps: htmlPage(Step{Kind: SetHeader, Key: "Cache-Control", Value: "public, max-age=60"}, Step{Kind: Write, Data: Page}), Reason: inject.ReasonCacheable},
		// The page renders its own tags (a template's traceMeta): it keeps
		// them, and gets no second set.
		{Name: "own-tags", Steps: htmlPage(Step{Kind: OwnTags}), Reason: inject.ReasonAlreadyRendered},
		// A panic reaches the framework's recovery in front as it would
		// without the adapter.
		{Name: "panic-before-write", Steps: htmlPage(Step{Kind: Panic}), Need: NeedRecovery},
		{Name: "encoded", Steps: htmlPage(Step{Kind: SetHeader, Key: "Content-Encoding", Value: "br"}, Step{Kind: Write, Data: "\x1b\x00\x00not really"})},
		{Name: "attachment", Steps: htmlPage(Step{Kind: SetHeader, Key: "Content-Disposition", Value: "attachment; filename=a.html"}, Step{Kind: Write, Data: Page})},
		{Name: "no-content", Steps: htmlPage(Step{Kind: Status, Code: http.StatusNoContent})},
		{Name: "not-modified", Steps: htmlPage(Step{Kind: Status, Code: http.StatusNotModified})},
		{Name: "head", Method: http.MethodHead, Steps: htmlPage(Step{Kind: SetHeader, Key: "Content-Length", Value: strconv.Itoa(len(Page))}, Step{Kind: Write, Data: Page}), Reason: inject.ReasonMethod},
		// Error pages.
		{Name: "error-page", Steps: htmlPage(Step{Kind: Status, Code: http.StatusInternalServerError}, Step{Kind: Write, Data: Page}), Tags: true},
		{Name: "not-found-page", Steps: htmlPage(Step{Kind: Status, Code: http.StatusNotFound}, Step{Kind: Write, Data: Page}), Tags: true},
		{Name: "status-only", Steps: []Step{{Kind: Status, Code: http.StatusServiceUnavailable}}},
		// The framework's error path: its error page gets the tags when it
		// is HTML (an echo HTTPErrorHandler's), and is left alone otherwise.
		{Name: "fail", Steps: []Step{{Kind: Fail, Code: http.StatusServiceUnavailable}}, TagsIfPage: true},
		{Name: "fail-after-header", Steps: htmlPage(Step{Kind: Fail, Code: http.StatusBadGateway}), TagsIfPage: true},
		// Late headers and statuses: as the framework treats them alone.
		{Name: "late-header", Steps: htmlPage(Step{Kind: Write, Data: Shell}, Step{Kind: SetHeader, Key: "X-Late", Value: "1"}, Step{Kind: Write, Data: Rest}), Tags: true},
		{Name: "late-status", Steps: htmlPage(Step{Kind: Write, Data: Shell}, Step{Kind: Status, Code: http.StatusTeapot}, Step{Kind: Write, Data: Rest}), Tags: true},
		{Name: "late-content-type", Steps: []Step{{Kind: Write, Data: Shell}, {Kind: SetHeader, Key: "Content-Type", Value: "text/plain"}, {Kind: Write, Data: Rest}}, TagsIfPage: true},
		// Hostile request headers: the page as any other, within the
		// core's bound (what the server accepts of them is the framework's).
		{Name: "hostile-headers", Header: hostileHeader(), Steps: htmlPage(Step{Kind: Write, Data: Page}), Tags: true},
		// The client leaves an endless stream: the app notices.
		{Name: "client-gone", Steps: htmlPage(Step{Kind: Write, Data: Shell}, Step{Kind: Endless}), Stream: clientLeaves},
		// The same before the insertion point is known: comments after
		// <head>, slowly, each flushed.
		{Name: "client-gone-undecided", Steps: htmlPage(Step{Kind: Write, Data: OpenHead}, Step{Kind: Endless, Data: "<!-- waiting -->\n"}), Stream: clientLeaves},
		// Hijacks and upgrades.
		{Name: "hijack", Steps: []Step{{Kind: Hijack, Data: raw}}, Need: NeedNetHTTP},
		{Name: "hijack-after-header", Steps: htmlPage(Step{Kind: Hijack, Data: raw}), Need: NeedNetHTTP},
		{Name: "hijack-after-status", Steps: []Step{{Kind: SetHeader, Key: "Upgrade", Value: "test"}, {Kind: SetHeader, Key: "Connection", Value: "Upgrade"}, {Kind: Status, Code: http.StatusSwitchingProtocols}, {Kind: Flush}, {Kind: Hijack, Data: "raw bytes"}}, Need: NeedNetHTTP, Raw: true},
		{Name: "hijack-after-ok", Steps: []Step{{Kind: SetHeader, Key: "Upgrade", Value: "test"}, {Kind: SetHeader, Key: "Connection", Value: "Upgrade"}, {Kind: Status, Code: http.StatusOK}, {Kind: Flush}, {Kind: Hijack, Data: "raw bytes"}}, Need: NeedNetHTTP, Raw: true},
		{Name: "websocket-coder", Steps: []Step{{Kind: CoderWebSocket}}, Need: NeedNetHTTP, WebSocket: "coder"},
		{Name: "websocket-coder-browser", Header: http.Header{"Sec-Fetch-Dest": {"websocket"}}, Steps: []Step{{Kind: CoderWebSocket}}, Need: NeedNetHTTP, WebSocket: "coder"},
		{Name: "websocket-gorilla", Steps: []Step{{Kind: GorillaWebSocket}}, Need: NeedNetHTTP, WebSocket: "gorilla"},
		{Name: "websocket-gorilla-browser", Header: http.Header{"Sec-Fetch-Dest": {"websocket"}}, Steps: []Step{{Kind: GorillaWebSocket}}, Need: NeedNetHTTP, WebSocket: "gorilla"},
		{Name: "websocket-coder-by-gorilla", Steps: []Step{{Kind: CoderWebSocket}}, Need: NeedNetHTTP, WebSocket: "gorilla"},
		{Name: "websocket-gorilla-by-coder", Steps: []Step{{Kind: GorillaWebSocket}}, Need: NeedNetHTTP, WebSocket: "coder"},
	}
}

// hostileHeader is a request header built to cost: many trace headers,
// invalid and long, within 3 KiB, which every server accepts by default.
func hostileHeader() http.Header {
	h := http.Header{}
	for i := range 12 {
		h.Add("Baggage", strings.Repeat("sentry-x"+strconv.Itoa(i)+"=%zz,", 12))
	}
	h.Add("Sentry-Trace", strings.Repeat("f", 300))
	h.Add("Sentry-Trace", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1")
	h.Add("Traceparent", strings.Repeat("0", 200))
	h.Add("Accept", strings.Repeat("text/html;q=0.9,", 20))
	return h
}
