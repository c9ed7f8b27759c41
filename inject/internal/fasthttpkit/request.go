package fasthttpkit

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// NewRequest returns the net/http request for fctx's request, with the
// method, URL, protocol, host and remote address, the headers that
// [inject.Middleware] and [tracecontext.Propagator.ContinueRequest] read,
// and no body: what decides whether a response gets the tags, and what the
// trace is continued from. Its context is [context.Background]; give it the
// request's with [http.Request.WithContext]. It copies what it keeps, so
// that it outlives fctx, as the replay of a body stream does after the
// handler returned.
//
// The headers are those of requestHeaders, each within the bytes that are
// read of it, so that a request costs what is kept whatever its headers:
// other headers, such as the ones a skip function of [inject.WithSkip] or a
// sampler of [tracecontext.WithSampler] might read, are not in r.Header;
// read those from fctx.
func NewRequest(fctx *fasthttp.RequestCtx) *http.Request {
	b := builders.Get().(*requestBuilder)
	r := new(http.Request)
	*r = *b.build(fctx, nil, nil)
	u := b.url
	r.URL = &u
	r.Header = b.header.Clone()
	b.reset()
	builders.Put(b)
	return r
}

// builders holds the requestBuilders of NewRequest, whose scratch memory is
// bounded by requestHeaders' limits.
var builders = sync.Pool{New: func() any { return new(requestBuilder) }}

// requestBuilder builds the net/http request of a fasthttp one; a [run]
// keeps one for the requests it serves, reused.
type requestBuilder struct {
	req    http.Request
	url    url.URL
	header http.Header
	vals   []string // the values of header, one after the other
	kept   []keptValue
	buf    []byte // the bytes of the trace headers' values
	values [len(requestHeaders)]int
	bytes  [len(requestHeaders)]int
	intern *interner
	visit  func(k, v []byte) // b.visitHeader, bound once
}

// build fills b's request from fctx's, as NewRequest describes, and
// returns it. Strings that come again (the host, the URI, the values of
// the headers inject decides from) are taken from in; the trace headers'
// values, new for each request, take one string for all of them; addrs
// keeps the remote addresses' text.
func (b *requestBuilder) build(fctx *fasthttp.RequestCtx, in *interner, addrs *addrCache) *http.Request {
	b.intern = in
	r := &b.req
	*r = http.Request{
		Method:     method(fctx.Method(), in),
		Body:       http.NoBody,
		Host:       in.string(fctx.Host()),
		RequestURI: in.string(fctx.RequestURI()),
		RemoteAddr: addrs.string(fctx.RemoteAddr()),
	}
	r.Proto, r.ProtoMajor, r.ProtoMinor = protocol(fctx.Request.Header.Protocol(), in)
	b.url = url.URL{}
	if !parseRequestURI(r.RequestURI, &b.url) {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			b.url = *u
		} else {
			b.url.Path = in.string(fctx.Path())
		}
	}
	r.URL = &b.url
	if b.header == nil {
		b.header = make(http.Header, len(requestHeaders))
	}
	b.copyHeader(&fctx.Request.Header)
	r.Header = b.header
	b.intern = nil
	return r
}

// reset drops everything b holds of its last request, keeping its memory.
func (b *requestBuilder) reset() {
	b.req = http.Request{}
	b.url = url.URL{}
	clear(b.header)
	clear(b.vals)
	b.vals = b.vals[:0]
	clear(b.kept)
	b.kept = b.kept[:0]
	b.buf = b.buf[:0]
	if cap(b.buf) > maxPooled {
		b.buf = nil
	}
}

// method returns m as a string: a constant for the standard methods.
func method(m []byte, in *interner) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodHead:
		return http.MethodHead
	case http.MethodPost:
		return http.MethodPost
	}
	return in.string(m)
}

// protocol returns the protocol p and its version; HTTP/1.1 when p is not
// one.
func protocol(p []byte, in *interner) (string, int, int) {
	switch string(p) {
	case "HTTP/1.1":
		return "HTTP/1.1", 1, 1
	case "HTTP/1.0":
		return "HTTP/1.0", 1, 0
	}
	proto := in.string(p)
	if major, minor, ok := http.ParseHTTPVersion(proto); ok {
		return proto, major, minor
	}
	return "HTTP/1.1", 1, 1
}

// parseRequestURI sets *u to what [url.ParseRequestURI] returns for uri, and
// reports true, when uri has the common form it reads without unescaping
// anything: a path of letters, digits, '/', '-', '.', '_' and '~', then
// maybe a query; otherwise it reports false and leaves u alone. Path and
// RawQuery are parts of uri.
func parseRequestURI(uri string, u *url.URL) bool {
	if uri == "" || uri[0] != '/' {
		return false
	}
	path, query, hasQuery := strings.Cut(uri, "?")
	for i := 0; i < len(path); i++ {
		if !plainPathByte[path[i]] {
			return false
		}
	}
	for i := 0; i < len(query); i++ {
		if c := query[i]; c < 0x20 || c == 0x7f {
			return false // url.Parse refuses control bytes
		}
	}
	*u = url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}
	return true
}

// plainPathByte holds the bytes of a path that url.Parse keeps as they are.
var plainPathByte = func() (t [256]bool) {
	for _, c := range []byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~") {
		t[c] = true
	}
	return t
}()

// requestHeader is a request header that NewRequest keeps: at most
// maxValues values, and maxBytes bytes over all of them.
type requestHeader struct {
	key       string // canonical
	maxValues int
	maxBytes  int
}

// Bytes kept of the trace headers: past what tracecontext reads of them, so
// that it finds what it would find in the whole header.
const (
	// maxBaggageBytes is tracecontext's baggage input budget (twice
	// MaxBaggageBytes), plus enough of what follows it to quote the member
	// it cuts, and to know that there was more.
	maxBaggageBytes = 2*tracecontext.MaxBaggageBytes + 512
	// maxTraceStateBytes is one byte past the 8192 bytes of a tracestate
	// that is carried through: a longer one is dropped whole.
	maxTraceStateBytes = 8192 + 1
	// maxTraceHeaderBytes is past the length of any valid sentry-trace or
	// traceparent, and past what an error quotes of an invalid one.
	maxTraceHeaderBytes = 512
	// maxDecisionBytes is past any value inject compares to.
	maxDecisionBytes = 256
)

// requestHeaders are the headers that NewRequest keeps: those inject
// decides from whether a response may be a page (see inject's eligibility
// rules; Accept and the other Fetch Metadata too, for the rules that read
// them), and those tracecontext continues the trace from.
var requestHeaders = [...]requestHeader{
	{"Sentry-Trace", 2, 2 * maxTraceHeaderBytes}, // a second one makes it invalid, whatever it says
	{"Traceparent", 2, 2 * maxTraceHeaderBytes},
	{"Baggage", tracecontext.MaxBaggageMembers, maxBaggageBytes},
	{"Tracestate", 32, maxTraceStateBytes},
	{"Accept", 1, 4 * maxDecisionBytes},
	{"Hx-Request", 1, maxDecisionBytes},
	{"Turbo-Frame", 1, maxDecisionBytes},
	{"Sec-Fetch-Dest", 1, maxDecisionBytes},
	{"Sec-Fetch-Mode", 1, maxDecisionBytes},
	{"Sec-Fetch-Site", 1, maxDecisionBytes},
	{"Sec-Fetch-User", 1, maxDecisionBytes},
	{"Sec-Purpose", 1, maxDecisionBytes},
	{"X-Requested-With", 1, maxDecisionBytes},
}

// cutMark replaces the last byte kept of a value cut at its header's limit:
// no header that is read accepts it, so a cut value never reads as a valid
// one that the whole value was not. Past the limits lie only values no
// browser or SDK sends; what is decided from a cut one is at worst that the
// response is left alone.
const cutMark = 0x7f

// firstDecisionHeader is the index in requestHeaders of the first header
// inject decides from; those before it are the trace headers.
const firstDecisionHeader = 4

type keptValue struct {
	header int
	n      int    // the length in buf of a trace header's value
	s      string // a decision header's value
}

// copyHeader fills b.header with the headers of requestHeaders that h
// holds, within their limits: the trace headers' values in one string,
// new for each request, for the trace continued from them may keep them;
// the others from b.intern.
func (b *requestBuilder) copyHeader(h *fasthttp.RequestHeader) {
	b.values, b.bytes = [len(requestHeaders)]int{}, [len(requestHeaders)]int{}
	if b.visit == nil {
		b.visit = b.visitHeader
	}
	h.VisitAll(b.visit)
	var all string
	if len(b.buf) > 0 {
		all = string(b.buf)
	}
	// Each header's values side by side in vals, in the order they came,
	// for one map assignment per header.
	off := 0
	for j := range b.kept {
		if kv := &b.kept[j]; kv.header < firstDecisionHeader {
			kv.s = all[off : off+kv.n]
			off += kv.n
		}
	}
	for i := range requestHeaders {
		if b.values[i] == 0 {
			continue
		}
		start := len(b.vals)
		for _, kv := range b.kept {
			if kv.header == i {
				b.vals = append(b.vals, kv.s)
			}
		}
		b.header[requestHeaders[i].key] = b.vals[start:len(b.vals):len(b.vals)]
	}
}

// visitHeader keeps the header k: v when it is one of requestHeaders and
// within its limits.
func (b *requestBuilder) visitHeader(k, v []byte) {
	i := requestHeaderIndex(k)
	if i < 0 {
		return
	}
	rh := &requestHeaders[i]
	if b.values[i] == rh.maxValues {
		return
	}
	left := rh.maxBytes - b.bytes[i]
	if left <= 0 && len(v) > 0 {
		return
	}
	cut := len(v) > left
	if cut {
		v = v[:left]
	}
	b.values[i]++
	b.bytes[i] += len(v)
	if i >= firstDecisionHeader && !cut {
		b.kept = append(b.kept, keptValue{header: i, s: b.intern.string(v)})
		return
	}
	start := len(b.buf)
	b.buf = append(b.buf, v...)
	if cut {
		b.buf[len(b.buf)-1] = cutMark
	}
	if i >= firstDecisionHeader {
		b.kept = append(b.kept, keptValue{header: i, s: string(b.buf[start:])})
		b.buf = b.buf[:start]
		return
	}
	b.kept = append(b.kept, keptValue{header: i, n: len(b.buf) - start})
}

// requestHeaderIndex returns the index of the header named k (in any case)
// in requestHeaders, or -1.
func requestHeaderIndex(k []byte) int {
	for i := range requestHeaders {
		if len(k) == len(requestHeaders[i].key) && bytes.EqualFold(k, []byte(requestHeaders[i].key)) {
			return i
		}
	}
	return -1
}
