package inject

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// requestReason returns why the response to r must not be rewritten, judged
// from the request alone, or ReasonNone.
//
// Only GET and POST are rewritten: they are the only methods a browser
// navigates with (links, the address bar and forms), so only their responses
// become a document whose pageload reads the tags. HEAD has no body, but the
// middleware makes its headers those of the GET: see [response.startHead].
//
// Requests for a piece of a page are not rewritten: its response is swapped
// into a document whose pageload already read its own tags.
//   - htmx sends HX-Request: true with every request it makes, boosted links
//     and forms (HX-Boosted) included: htmx keeps the current <head> apart
//     from the <title>, so tags in a boosted response would never be read.
//   - Hotwire Turbo sends Turbo-Frame for a frame's request. Turbo Drive
//     visits are fetch() requests, caught by the next rule.
//   - Browsers send Sec-Fetch-Dest (Fetch Metadata): only "document" and the
//     nested documents "iframe" and "frame" run a pageload. A prefetch
//     (Sec-Purpose: prefetch) becomes a document later and is rewritten.
//   - X-Requested-With: XMLHttpRequest marks the requests of older Ajax
//     libraries (jQuery, Rails UJS) in browsers without Fetch Metadata.
func requestReason(r *http.Request) Reason {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return ReasonMethod
	}
	return partialReason(r.Header)
}

// partialReason returns [ReasonPartialRequest] when the request with header
// h asks for a piece of a page, or ReasonNone: see [requestReason].
func partialReason(h http.Header) Reason {
	if strings.EqualFold(headerValue(h, "Hx-Request"), "true") || headerValue(h, "Turbo-Frame") != "" {
		return ReasonPartialRequest
	}
	if dest := headerValue(h, "Sec-Fetch-Dest"); dest != "" {
		switch strings.ToLower(dest) {
		case "document", "iframe", "frame":
		default:
			// Sec-Purpose is looked up only here, where it matters:
			// not for the navigations that are most requests.
			if !strings.Contains(headerValue(h, "Sec-Purpose"), "prefetch") {
				return ReasonPartialRequest
			}
		}
	}
	if strings.EqualFold(headerValue(h, "X-Requested-With"), "XMLHttpRequest") {
		return ReasonPartialRequest
	}
	return ReasonNone
}

// statusReason returns why a response with status code must not be
// rewritten, or ReasonNone.
//
// Every 2xx with a body is rewritten, and so are 4xx and 5xx error pages: a
// failed page load is the one most worth following from the browser back to
// the server. 3xx bodies are not rendered (the browser follows Location or
// shows its cache), 204, 205 and 304 have no body, and 206 is a byte range of
// a representation, which must not change.
func statusReason(code int) Reason {
	switch {
	case code == http.StatusPartialContent:
		return ReasonRange
	case code == http.StatusNoContent, code == http.StatusResetContent:
		return ReasonStatus
	case code >= 200 && code < 300, code >= 400 && code < 600:
		return ReasonNone
	}
	return ReasonStatus
}

// responseHeaders is what the eligibility rules read of a response's
// header map, read in one go by readResponseHeaders.
type responseHeaders struct {
	encoding     []string // Content-Encoding
	hasRange     bool     // Content-Range is set
	disposition  []string // Content-Disposition
	contentType  []string // Content-Type
	hasType      bool     // Content-Type is set, maybe to no value
	cacheControl []string // Cache-Control
	cdnControl   []string // CDN-Cache-Control
	surrogate    []string // Surrogate-Control
	expires      []string // Expires
	length       []string // Content-Length
	hasLength    bool     // Content-Length is set, maybe to no value
	// describesBody is false when none of the headers changeBody removes
	// is set, so that it need not look for them.
	describesBody bool
}

// smallHeader is the most headers that readResponseHeaders reads in one
// pass over the map: up to it, the pass costs less than looking up each key
// the rules read (most of them absent); past it, the lookups cost less.
const smallHeader = 8

// readResponseHeaders reads what the eligibility rules read of h. Its keys
// are matched as they are, canonical, as by h[key].
func readResponseHeaders(h http.Header) (f responseHeaders) {
	// The headers of most pages are their Content-Type and Content-Length
	// alone: when those two lookups find every key, nothing else is set.
	f.contentType, f.hasType = h["Content-Type"]
	f.length, f.hasLength = h["Content-Length"]
	found := 0
	if f.hasType {
		found++
	}
	if f.hasLength {
		found++
	}
	if found == len(h) {
		return f
	}
	if len(h) > smallHeader {
		f.encoding = h["Content-Encoding"]
		_, f.hasRange = h["Content-Range"]
		f.disposition = h["Content-Disposition"]
		f.cacheControl = h["Cache-Control"]
		f.cdnControl = h["Cdn-Cache-Control"]
		f.surrogate = h["Surrogate-Control"]
		f.expires = h["Expires"]
		f.describesBody = true // not looked for: changeBody looks
		return f
	}
	for k, v := range h {
		switch k {
		case "Content-Encoding":
			f.encoding = v
		case "Content-Range":
			f.hasRange = true
		case "Content-Disposition":
			f.disposition = v
		case "Cache-Control":
			f.cacheControl = v
		case "Cdn-Cache-Control":
			f.cdnControl = v
		case "Surrogate-Control":
			f.surrogate = v
		case "Expires":
			f.expires = v
		case "Etag", "Last-Modified", "Accept-Ranges", "Content-Digest", "Repr-Digest", "Content-Md5":
			f.describesBody = true
		}
	}
	return f
}

// fieldsReason returns why a response with header h must not be rewritten,
// judged from the headers the handler set before WriteHeader, or ReasonNone;
// and whether the Content-Type is unset, so the body must be sniffed. f is
// what readResponseHeaders read of h. outerEncoding is the Content-Encoding
// the header held when the middleware was entered, which is an outer
// layer's: see [response.outerEncoding]. cacheable is the cache policy, nil
// for the default, [SharedCacheable].
func fieldsReason(h http.Header, f responseHeaders, outerEncoding []string, cacheable func(http.Header) bool) (reason Reason, sniff bool) {
	// Each rule is asked only when its header is set: most responses set
	// none of them.
	if ce := f.encoding; len(ce) > 0 && !(outerEncoding != nil && slices.Equal(ce, outerEncoding)) &&
		eachDirective(ce, func(coding, _ string) bool { return !strings.EqualFold(coding, "identity") }) {
		return ReasonContentEncoding, false
	}
	if f.hasRange {
		return ReasonRange, false
	}
	if len(f.disposition) > 0 && isAttachment(f.disposition[0]) {
		return ReasonAttachment, false
	}
	if f.hasType {
		// A Content-Type key with no value is net/http's way to say "do
		// not sniff": there is no type, so there is no HTML to rewrite.
		if reason := contentTypeReason(firstOrEmpty(f.contentType)); reason != ReasonNone {
			return reason, false
		}
	}
	if len(f.cacheControl) > 0 && hasDirective(f.cacheControl, "no-transform") {
		return ReasonNoTransform, false
	}
	if cacheable == nil {
		if (f.cdnControl != nil || f.surrogate != nil || f.cacheControl != nil || f.expires != nil) && sharedCacheable(f.cdnControl, f.surrogate, f.cacheControl, firstOrEmpty(f.expires)) {
			return ReasonCacheable, false
		}
	} else if cacheable(h) {
		return ReasonCacheable, false
	}
	if firstOrEmpty(f.length) == "0" {
		return ReasonEmpty, false
	}
	return ReasonNone, !f.hasType
}

// commonHTMLTypes are the Content-Type values of nearly every HTML response
// (net/http's sniffer, html/template users, frameworks), which
// contentTypeReason accepts without parsing them.
var commonHTMLTypes = [...]string{
	"text/html; charset=utf-8",
	"text/html; charset=UTF-8",
	"text/html;charset=utf-8",
	"text/html;charset=UTF-8",
	"text/html",
}

// contentTypeReason returns why a body of media type ct must not be
// rewritten, or ReasonNone for HTML in an ASCII-compatible charset.
func contentTypeReason(ct string) Reason {
	for _, common := range commonHTMLTypes {
		if ct == common {
			return ReasonNone
		}
	}
	return parseContentTypeReason(ct)
}

// parseContentTypeReason is contentTypeReason for any value: it parses the
// media type and its charset parameter.
func parseContentTypeReason(ct string) Reason {
	mt, params, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, "text/event-stream"):
		return ReasonEventStream
	case !strings.EqualFold(mt, "text/html"):
		return ReasonContentType
	case !asciiCompatible(param(params, "charset")):
		return ReasonEncoding
	}
	return ReasonNone
}

// namesCharset reports whether the Content-Type ct names a charset, which the
// browser then uses instead of looking for a charset meta in the document.
func namesCharset(ct string) bool {
	switch ct {
	case "text/html":
		return false
	case commonHTMLTypes[0], commonHTMLTypes[1], commonHTMLTypes[2], commonHTMLTypes[3]:
		return true
	}
	_, params, _ := strings.Cut(ct, ";")
	return param(params, "charset") != ""
}

// asciiCompatible reports whether the encoding labelled charset writes ASCII
// as ASCII, so ASCII tags can be inserted into it. The labels that are not
// are those of UTF-16 in the WHATWG Encoding Standard (section 4.2, "Names
// and labels"), and UTF-32 and UCS-4, which browsers do not support but
// servers still declare.
func asciiCompatible(charset string) bool {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch {
	case strings.HasPrefix(cs, "utf-16"), strings.HasPrefix(cs, "utf-32"),
		strings.HasPrefix(cs, "ucs-"), strings.HasPrefix(cs, "iso-10646-ucs"),
		strings.HasPrefix(cs, "unicode"), cs == "csunicode":
		return false
	}
	return true
}

// SharedCacheable reports whether a shared cache (a CDN or a reverse proxy)
// may store a response with header h and serve it to other clients. It is
// the default policy of [WithCachePolicy].
//
// A response is shared-cacheable when its Cache-Control (RFC 9111) says
// public, sets s-maxage, or sets max-age above zero, unless it says private
// or no-store; when a CDN-Cache-Control (RFC 9213) or Surrogate-Control
// (Fastly, Akamai, Varnish) header gives a CDN a lifetime without no-store;
// or when it has no max-age but an Expires date in the future.
func SharedCacheable(h http.Header) bool {
	return sharedCacheable(h["Cdn-Cache-Control"], h["Surrogate-Control"], h["Cache-Control"], headerValue(h, "Expires"))
}

// sharedCacheable is SharedCacheable for the values of the headers it
// reads: CDN-Cache-Control, Surrogate-Control, Cache-Control, and the first
// Expires.
func sharedCacheable(cdnControl, surrogate, cacheControl []string, exp string) bool {
	for _, v := range [...][]string{cdnControl, surrogate} {
		// An absent header, or one with no value, has no directive.
		d := readCacheDirectives(v)
		if d.noStore {
			continue
		}
		if d.public || d.positiveMaxAge || d.sMaxage {
			return true
		}
	}
	cc := readCacheDirectives(cacheControl)
	if cc.noStore || cc.private {
		return false
	}
	if cc.public || cc.sMaxage || cc.positiveMaxAge {
		return true
	}
	if cc.maxAge {
		return false // max-age overrides Expires (RFC 9111, section 5.3)
	}
	if exp != "" {
		t, err := http.ParseTime(exp)
		return err == nil && t.After(time.Now())
	}
	return false
}

// cacheDirectives is what [SharedCacheable] reads of a Cache-Control header
// or one of its kin, in one pass: a header of a megabyte costs one read, not
// one per directive asked for.
type cacheDirectives struct {
	noStore        bool // no-store
	private        bool // private with no argument: private="Set-Cookie" only keeps the named fields out of a shared cache
	public         bool // public
	sMaxage        bool // s-maxage, whatever its value
	maxAge         bool // max-age, whatever its value
	positiveMaxAge bool // max-age above zero
}

func readCacheDirectives(values []string) (d cacheDirectives) {
	eachDirective(values, func(name, value string) bool {
		switch {
		case strings.EqualFold(name, "no-store"):
			d.noStore = true
		case strings.EqualFold(name, "private"):
			d.private = d.private || value == ""
		case strings.EqualFold(name, "public"):
			d.public = true
		case strings.EqualFold(name, "s-maxage"):
			d.sMaxage = true
		case strings.EqualFold(name, "max-age"):
			d.maxAge = true
			d.positiveMaxAge = d.positiveMaxAge || positiveAge(value)
		}
		return false
	})
	return d
}

// eachDirective calls f with the name and value of every directive of a
// comma-separated header (Cache-Control and its kin) until f returns true,
// and reports whether it did.
func eachDirective(values []string, f func(name, value string) bool) bool {
	for _, v := range values {
		for v != "" {
			var d string
			d, v, _ = strings.Cut(v, ",")
			name, value, _ := strings.Cut(d, "=")
			name = strings.TrimSpace(name)
			if name != "" && f(name, strings.Trim(strings.TrimSpace(value), `"`)) {
				return true
			}
		}
	}
	return false
}

// hasDirective reports whether values carry the directive name.
func hasDirective(values []string, name string) bool {
	return eachDirective(values, func(n, _ string) bool { return strings.EqualFold(n, name) })
}

// positiveAge reports whether the delta-seconds value v is above zero.
func positiveAge(v string) bool {
	age, err := strconv.ParseUint(v, 10, 64)
	// An age too large for uint64 is a long lifetime (RFC 9111, section
	// 1.2.2), not an invalid one.
	return (err == nil && age > 0) || (err != nil && strings.Trim(v, "0123456789") == "" && v != "")
}

// isAttachment reports whether the Content-Disposition value v makes the
// browser download the body instead of rendering it (RFC 6266).
func isAttachment(v string) bool {
	t, _, _ := strings.Cut(v, ";")
	return strings.EqualFold(strings.TrimSpace(t), "attachment")
}

// param returns the value of the parameter name in params, the part of a
// media type after its first ";", unquoted.
func param(params, name string) string {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// headerValue returns the first value of the canonical key in h. It indexes
// the map directly, skipping the canonicalisation of [http.Header.Get].
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
