package injectfasthttp

import (
	"bytes"
	"net/http"
	"net/url"
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
	r := &http.Request{
		Method:     string(fctx.Method()),
		Proto:      string(fctx.Request.Header.Protocol()),
		Body:       http.NoBody,
		Host:       string(fctx.Host()),
		RequestURI: string(fctx.RequestURI()),
		RemoteAddr: fctx.RemoteAddr().String(),
	}
	var ok bool
	if r.ProtoMajor, r.ProtoMinor, ok = http.ParseHTTPVersion(r.Proto); !ok {
		r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		u = &url.URL{Path: string(fctx.Path())}
	}
	r.URL = u
	r.Header = copyRequestHeader(&fctx.Request.Header)
	return r
}

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

// requestScratch collects the values of one copyRequestHeader call; pooled.
type requestScratch struct {
	buf    []byte                   // the values, one after the other
	vals   []keptValue              // each value's header and length
	values [len(requestHeaders)]int // values kept per header
	bytes  [len(requestHeaders)]int // bytes kept per header
}

type keptValue struct{ header, n int }

var requestScratchPool = sync.Pool{New: func() any { return new(requestScratch) }}

// copyRequestHeader returns the headers of requestHeaders that h holds,
// within their limits, in three allocations: the bytes in one string, the
// values in one array, the map.
func copyRequestHeader(h *fasthttp.RequestHeader) http.Header {
	sc := requestScratchPool.Get().(*requestScratch)
	sc.buf, sc.vals = sc.buf[:0], sc.vals[:0]
	sc.values, sc.bytes = [len(requestHeaders)]int{}, [len(requestHeaders)]int{}
	h.VisitAll(func(k, v []byte) {
		i := requestHeaderIndex(k)
		if i < 0 {
			return
		}
		rh := &requestHeaders[i]
		if sc.values[i] == rh.maxValues {
			return
		}
		left := rh.maxBytes - sc.bytes[i]
		if left <= 0 && len(v) > 0 {
			return
		}
		start := len(sc.buf)
		if len(v) > left {
			sc.buf = append(sc.buf, v[:left]...)
			sc.buf[len(sc.buf)-1] = cutMark
		} else {
			sc.buf = append(sc.buf, v...)
		}
		n := len(sc.buf) - start
		sc.values[i]++
		sc.bytes[i] += n
		sc.vals = append(sc.vals, keptValue{header: i, n: n})
	})
	header := make(http.Header, len(sc.vals))
	if len(sc.vals) > 0 {
		all := string(sc.buf)
		vals := make([]string, len(sc.vals))
		off := 0
		for j, kv := range sc.vals {
			vals[j] = all[off : off+kv.n]
			off += kv.n
			key := requestHeaders[kv.header].key
			if old, ok := header[key]; ok {
				header[key] = append(old, vals[j]) // a repeated header: rare
			} else {
				header[key] = vals[j : j+1 : j+1]
			}
		}
	}
	requestScratchPool.Put(sc) // bounded by the limits above
	return header
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
