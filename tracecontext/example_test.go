package tracecontext_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tracemeta/tracemeta/tracecontext"
)

func ExampleParseSentryTrace() {
	sc, err := tracecontext.ParseSentryTrace(" 771a43a4192642f0b136d5159a501700-b3e2a7d1c8f04e59-1 ")
	if err != nil {
		panic(err)
	}
	fmt.Println(sc.TraceID, sc.SpanID, sc.Sampled)
	fmt.Println(sc.SentryTrace())

	_, err = tracecontext.ParseSentryTrace("771A43A4192642F0B136D5159A501700-B3E2A7D1C8F04E59-1")
	fmt.Println(errors.Is(err, tracecontext.ErrInvalidTraceID))
	// Output:
	// 771a43a4192642f0b136d5159a501700 b3e2a7d1c8f04e59 sampled
	// 771a43a4192642f0b136d5159a501700-b3e2a7d1c8f04e59-1
	// true
}

func ExampleParseTraceparent() {
	// A future version is read by its version 00 prefix; unknown flags are
	// dropped on output.
	sc, err := tracecontext.ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future")
	if err != nil {
		panic(err)
	}
	fmt.Println(sc.Traceparent())
	fmt.Println(sc.SentryTrace())
	// Output:
	// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
	// 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1
}

func ExampleParseBaggage() {
	b, err := tracecontext.ParseBaggage("userId=alice, serverNode=DF%2028;edge, sentry-release=1.0, bad key=x")
	fmt.Println(err)
	for _, m := range b.Members() {
		fmt.Printf("%s=%q %d\n", m.Key, m.Value, len(m.Properties))
	}
	fmt.Println(tracecontext.DSCFromBaggage(b).Release)
	fmt.Println(b.ThirdParty())
	// Output:
	// tracecontext: invalid baggage member: "bad key=x"
	// userId="alice" 0
	// serverNode="DF 28" 1
	// sentry-release="1.0" 0
	// 1.0
	// userId=alice,serverNode=DF%2028;edge
}

func ExampleDSC_AppendBaggage() {
	dsc := tracecontext.DSC{
		TraceID:     "771a43a4192642f0b136d5159a501700",
		PublicKey:   "49d0f7386ad645858ae85020e393bef3",
		SampleRate:  "0.25",
		SampleRand:  "0.118307",
		Sampled:     "true",
		Release:     "web@1.2 <beta>",
		Transaction: "GET /users/{id}",
	}
	var buf [256]byte
	fmt.Println(string(dsc.AppendBaggage(buf[:0])))
	// Output:
	// sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=0.25,sentry-sample_rand=0.118307,sentry-sampled=true,sentry-release=web%401.2%20%3Cbeta%3E,sentry-transaction=GET%20%2Fusers%2F%7Bid%7D
}

func ExampleMiddleware() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc, _ := tracecontext.FromContext(r.Context())
		fmt.Println("trace:", sc.TraceID)
		fmt.Println("parent:", sc.ParentSpanID)
		fmt.Println("sampled:", sc.Sampled)
		fmt.Println("frozen DSC:", sc.DSC.Frozen, sc.DSC.Release)
	})
	mw := tracecontext.Middleware(
		tracecontext.WithSampleRate(0.25),
		tracecontext.WithPublicKey("49d0f7386ad645858ae85020e393bef3"),
		tracecontext.WithRelease("api@2.0"),
	)

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("sentry-trace", "771a43a4192642f0b136d5159a501700-b3e2a7d1c8f04e59-1")
	r.Header.Set("baggage", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rate=1,sentry-release=web@1.0")
	mw(handler).ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// trace: 771a43a4192642f0b136d5159a501700
	// parent: b3e2a7d1c8f04e59
	// sampled: sampled
	// frozen DSC: true web@1.0
}

func ExampleTransport() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Header.Get("Baggage"))
	}))
	defer backend.Close()

	// The default targets are localhost and loopback addresses.
	client := &http.Client{Transport: tracecontext.Transport(nil)}

	h := http.Header{}
	h.Set("sentry-trace", "771a43a4192642f0b136d5159a501700-b3e2a7d1c8f04e59-1")
	h.Set("baggage", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rate=1,sentry-sample_rand=0.5,upstreamVendor=x")
	sc := tracecontext.Continue(h)
	ctx := tracecontext.NewContext(context.Background(), sc)

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, backend.URL, nil)
	req.Header.Set("baggage", "userId=alice,sentry-release=stale")
	res, err := client.Do(req)
	if err != nil {
		panic(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	// Output:
	// userId=alice,sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rate=1,sentry-sample_rand=0.5,sentry-sampled=true
}

func ExampleCORS() {
	// The application's own CORS layer, here a minimal one that allows one
	// origin and the Content-Type header.
	appCORS := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Origin") == "https://app.example" {
				w.Header().Set("Access-Control-Allow-Origin", "https://app.example")
				if r.Method == http.MethodOptions {
					w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
					w.WriteHeader(http.StatusNoContent)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	handler := tracecontext.CORS()(appCORS(api))

	r := httptest.NewRequest(http.MethodOptions, "/api", nil)
	r.Header.Set("Origin", "https://app.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "content-type,sentry-trace,baggage")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	fmt.Println(rec.Header().Get("Access-Control-Allow-Headers"))
	// Output:
	// Content-Type, sentry-trace, baggage
}
