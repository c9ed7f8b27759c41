package rewrite

import (
	"context"
	"net/http"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// Span returns the span context of every benchmark request: a sampled
// trace continued from upstream, with the DSC a Sentry SDK sends.
func Span() tracecontext.SpanContext {
	return tracecontext.SpanContext{
		TraceID: tracecontext.TraceID{0x77, 0x1a, 0x43, 0xa4, 0x19, 0x26, 0x42, 0xf0, 0xb1, 0x36, 0xd5, 0x15, 0x9a, 0x50, 0x17, 0x00},
		SpanID:  tracecontext.SpanID{0xb8, 0xd9, 0xa4, 0x7e, 0x5d, 0x1b, 0x4d, 0x2a},
		Sampled: tracecontext.DecisionSampled,
		DSC: tracecontext.DSC{
			TraceID:     "771a43a4192642f0b136d5159a501700",
			PublicKey:   "49d0f7386ad645858ae85020e393bef3",
			SampleRate:  "0.25",
			SampleRand:  "0.118452",
			Sampled:     "true",
			Release:     "shop@1.4.2",
			Environment: "production",
			Transaction: "GET /products/{id}",
			Frozen:      true,
		},
	}
}

// Tags returns the tags of [Span] as tracemeta renders them. Every method
// inserts these bytes, so that all of them write the same output.
func Tags() []byte { return render.AppendMetaTags(nil, Span()) }

// IncomingBaggage is the baggage header of every benchmark request: the DSC
// of [Span] as a Sentry SDK upstream sends it, with its organization, about
// 300 bytes.
func IncomingBaggage() string {
	_, baggage, _ := tracecontext.HeaderValues(tracecontext.NewContext(context.Background(), Span()))
	return baggage + ",sentry-org_id=4505"
}

// Incoming sets the headers a browser navigation carries, with the
// sentry-trace and baggage of an upstream Sentry SDK.
func Incoming(h http.Header) {
	sentryTrace, _, _ := tracecontext.HeaderValues(tracecontext.NewContext(context.Background(), Span()))
	h.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	h.Set("Accept-Language", "en-GB,en;q=0.9")
	h.Set("Sec-Fetch-Dest", "document")
	h.Set("Sec-Fetch-Mode", "navigate")
	h.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36")
	h.Set("Sentry-Trace", sentryTrace)
	h.Set("Baggage", IncomingBaggage())
}
