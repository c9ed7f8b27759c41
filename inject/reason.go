package inject

// Reason says why a response was not rewritten. The zero value, ReasonNone,
// means it was.
type Reason uint8

const (
	ReasonNone Reason = iota

	// Decided by the Writer from the body.

	ReasonFragment        // the body is not a document: its first significant token is not doctype, html, head or head content
	ReasonLookahead       // no insertion point within the lookahead cap
	ReasonEncoding        // the body is not ASCII-compatible (a UTF-16 byte order mark)
	ReasonEmpty           // the body ended before an insertion point
	ReasonAlreadyRendered // the tags were already rendered for this response (a template func or component)
	ReasonNoSpan          // the Source had no valid span context

	// Decided by the Middleware from the request and the response headers.

	ReasonMethod          // HEAD, or another method whose response has no body to rewrite
	ReasonStatus          // 1xx, 204, 205, 304 or another status without a page (206 is ReasonRange)
	ReasonContentType     // not text/html
	ReasonContentEncoding // Content-Encoding other than identity
	ReasonRange           // Content-Range
	ReasonAttachment      // Content-Disposition: attachment
	ReasonEventStream     // text/event-stream
	ReasonPartialRequest  // htmx, Turbo Frame or a Sec-Fetch-Dest other than document/iframe
	ReasonCacheable       // a shared cache may store the response
	ReasonHijacked        // the connection was hijacked or upgraded
	ReasonSkipped         // the configured skip predicate said so
	ReasonFailed          // the injector failed and passed the response through
	ReasonNoTransform     // Cache-Control: no-transform, the handler's way to opt a response out

	// Decided by the Writer from the body, with WithExistingTags.

	ReasonExistingTags // the page's head already has trace meta tags of its own (a proxied page)

	// Decided by a framework adapter.

	ReasonUnsupportedStream // a body stream of a fasthttp whose response layout the adapter does not know passed through untouched
)
