package tmsentrygo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

const (
	upstreamTrace = "771a43a4192642f0b136d5159a501700"
	upstreamSpan  = "b0e6f15b45c36b12"
	// upstreamBaggage is the frozen DSC of a trace that another service
	// (another Sentry project: its own public key and release) started.
	upstreamBaggage = "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=upstream-key," +
		"sentry-sample_rate=0.5,sentry-sample_rand=0.123456,sentry-sampled=true,sentry-release=api%401.0," +
		"sentry-environment=prod,sentry-transaction=GET%20%2Forders,sentry-org_id=17," +
		"sentry-replay_id=4a5b6c7d8e9f40a1b2c3d4e5f6a7b8c9,sentry-zeta=z,sentry-flag=on," +
		"other-vendor=kept-out"
)

// upstreamDSC is upstreamBaggage as the page must carry it: unchanged.
var upstreamDSC = tracecontext.DSC{
	TraceID:     upstreamTrace,
	PublicKey:   "upstream-key",
	SampleRate:  "0.5",
	SampleRand:  "0.123456",
	Sampled:     "true",
	Release:     "api@1.0",
	Environment: "prod",
	Transaction: "GET /orders",
	OrgID:       "17",
	ReplayID:    "4a5b6c7d8e9f40a1b2c3d4e5f6a7b8c9",
	// sentry-go keeps unknown entries in a map: the Source sorts them.
	Extra:  []tracecontext.Member{{Key: "flag", Value: "on"}, {Key: "zeta", Value: "z"}},
	Frozen: true,
}

// deferredBaggage is upstreamBaggage from a service that made no sampling
// decision, and deferredDSC what the page carries when sentry-go samples
// it at rate 1.
var (
	deferredBaggage = strings.ReplaceAll(upstreamBaggage, "sentry-sampled=true,", "")
	deferredDSC     = func() tracecontext.DSC {
		d := upstreamDSC
		d.Sampled = ""
		d.SampleRate = "1"
		return d
	}()
)

// dscEntries returns d as the entries of an envelope's trace header, for
// comparison with what the collector received.
func dscEntries(d tracecontext.DSC) map[string]string {
	m := map[string]string{}
	add := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	add("trace_id", d.TraceID)
	add("public_key", d.PublicKey)
	add("sample_rate", d.SampleRate)
	add("sample_rand", d.SampleRand)
	add("sampled", d.Sampled)
	add("release", d.Release)
	add("environment", d.Environment)
	add("transaction", d.Transaction)
	add("org_id", d.OrgID)
	add("replay_id", d.ReplayID)
	for _, e := range d.Extra {
		add(e.Key, e.Value)
	}
	return m
}

// rendering is what a page handler saw when it rendered its tags.
type rendering struct {
	sc         tracecontext.SpanContext
	ok         bool
	activeSpan *sentry.Span
}

// pageTags are the tags of a page, read back the way a browser SDK reads them.
type pageTags struct {
	sentryTrace string
	trace       tracecontext.SpanContext // parsed sentry-trace
	traceparent string
	dsc         tracecontext.DSC // parsed baggage
}

var renderer = render.New(render.WithFormats(render.SentryTrace | render.Baggage | render.Traceparent))

// pageOptions say what a page handler does before it renders its tags.
type pageOptions struct {
	child    bool   // render inside a child span, as a handler that times its template does
	report   bool   // report an error to Sentry
	outgoing string // first GET this URL through sentryhttpclient, as a frontend calls its API
}

// page returns a handler that renders the tags of the request's span the
// way tracemeta's entry points do: src.SpanContext at the moment of
// rendering, through render.
func page(t *testing.T, src tracecontext.Source, opt pageOptions, got *rendering) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if opt.outgoing != "" {
			client := &http.Client{Transport: sentryhttpclient.NewSentryRoundTripper(nil)}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, opt.outgoing, nil)
			require.NoError(t, err)
			resp, err := client.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
		}
		if opt.child {
			span := sentry.StartSpan(ctx, "template.render")
			defer span.Finish()
			ctx = span.Context()
		}
		got.activeSpan = sentry.SpanFromContext(ctx)
		got.sc, got.ok = src.SpanContext(ctx)
		if opt.report {
			sentry.GetHubFromContext(ctx).CaptureMessage("page failed")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		body := []byte("<!doctype html><html><head>")
		body = renderer.AppendMetaTags(body, got.sc)
		body = append(body, "</head><body></body></html>"...)
		_, _ = w.Write(body)
	})
}

// downstream is a service the page's handler calls: it keeps the baggage
// it received.
type downstream struct {
	srv     *httptest.Server
	mu      sync.Mutex
	baggage []string
}

func newDownstream(t *testing.T) *downstream {
	d := &downstream{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.baggage = append(d.baggage, r.Header.Get("baggage"))
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// readTags reads the meta tags of page as the browser SDKs do: the first
// <meta> of each name, its content attribute unescaped.
func readTags(t *testing.T, page string) pageTags {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	content := map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "meta" {
			var name, value string
			for _, a := range n.Attr {
				switch a.Key {
				case "name":
					name = a.Val
				case "content":
					value = a.Val
				}
			}
			if _, seen := content[name]; !seen {
				content[name] = value
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)

	var tags pageTags
	tags.sentryTrace = content["sentry-trace"]
	tags.traceparent = content["traceparent"]
	if tags.sentryTrace != "" {
		tags.trace, err = tracecontext.ParseSentryTrace(tags.sentryTrace)
		require.NoError(t, err)
	}
	bag, err := tracecontext.ParseBaggage(content["baggage"])
	require.NoError(t, err)
	tags.dsc = tracecontext.DSCFromBaggage(bag)
	return tags
}

// serve sends one request with header through sentryhttp to h, on a hub of
// client bound to the request's context, and waits until everything the
// client captured reached the collector. It returns the page's tags.
func serve(t *testing.T, client *sentry.Client, header http.Header, h http.Handler) pageTags {
	t.Helper()
	hub := sentry.NewHub(client, sentry.NewScope())
	handler := sentryhttp.New(sentryhttp.Options{}).Handle(h)
	req := httptest.NewRequest(http.MethodGet, "/products/7", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	req = req.WithContext(sentry.SetHubOnContext(req.Context(), hub))
	rec := httptest.NewRecorder()
	// ServeHTTP returns after sentryhttp has finished the transaction.
	handler.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	flush(t, client)
	return readTags(t, rec.Body.String())
}

func incoming(sentryTrace, baggage string) http.Header {
	h := http.Header{}
	if sentryTrace != "" {
		h.Set("sentry-trace", sentryTrace)
	}
	if baggage != "" {
		h.Set("baggage", baggage)
	}
	return h
}

func TestSourceTracingEnabled(t *testing.T) {
	tests := []struct {
		name       string
		sampleRate float64
		sampler    sentry.TracesSampler
		header     http.Header
		child      bool // render inside a child span
		outgoing   bool // call a downstream service before rendering
		txnSpan    bool // WithTransactionSpan
		routed     bool // served through a ServeMux pattern
		want       tracecontext.Decision
		wantDSC    *tracecontext.DSC // nil: the DSC sentry-go builds at the head
	}{
		{
			name:       "head of trace, sampled",
			sampleRate: 1,
			want:       tracecontext.DecisionSampled,
		},
		{
			name:       "head of trace, not sampled",
			sampleRate: 0,
			want:       tracecontext.DecisionNotSampled,
		},
		{
			// sentryhttp renames the transaction after the route when
			// it finishes, after the page froze the DSC.
			name:       "head of trace, routed",
			sampleRate: 1,
			routed:     true,
			want:       tracecontext.DecisionSampled,
		},
		{
			// sentry-go starts a new trace but keeps the baggage's DSC,
			// which names the other trace: the page describes its own.
			name:       "invalid sentry-trace with baggage",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-x", upstreamBaggage),
			want:       tracecontext.DecisionSampled,
		},
		{
			name:       "head of trace, child span active",
			sampleRate: 1,
			child:      true,
			want:       tracecontext.DecisionSampled,
		},
		{
			name:       "continued, upstream sampled",
			sampleRate: 0, // the upstream decision wins
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage),
			want:       tracecontext.DecisionSampled,
			wantDSC:    &upstreamDSC,
		},
		{
			name:       "continued, child span keeps the upstream DSC",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage),
			child:      true,
			want:       tracecontext.DecisionSampled,
			wantDSC:    &upstreamDSC,
		},
		{
			name:       "continued, child span, transaction named",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage),
			child:      true,
			txnSpan:    true,
			want:       tracecontext.DecisionSampled,
			wantDSC:    &upstreamDSC,
		},
		{
			// sentryhttpclient's child span overwrites the
			// transaction's DSC with a local one; the page keeps the
			// upstream DSC.
			name:       "continued, downstream call before rendering",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage),
			outgoing:   true,
			want:       tracecontext.DecisionSampled,
			wantDSC:    &upstreamDSC,
		},
		{
			// With no upstream decision sentry-go samples and writes
			// its rate into the frozen DSC; the page keeps that rate,
			// whether or not a downstream call overwrote the DSC.
			name:       "continued, deferred decision",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan, deferredBaggage),
			want:       tracecontext.DecisionSampled,
			wantDSC:    &deferredDSC,
		},
		{
			name:       "continued, deferred decision, downstream call before rendering",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan, deferredBaggage),
			outgoing:   true,
			want:       tracecontext.DecisionSampled,
			wantDSC:    &deferredDSC,
		},
		{
			// An upstream sentry-trace without a DSC freezes an empty
			// one: the page has no baggage, downstream call or not.
			name:       "continued without baggage",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-1", ""),
			want:       tracecontext.DecisionSampled,
			wantDSC:    &tracecontext.DSC{},
		},
		{
			name:       "continued without baggage, downstream call before rendering",
			sampleRate: 1,
			header:     incoming(upstreamTrace+"-"+upstreamSpan+"-1", ""),
			outgoing:   true,
			want:       tracecontext.DecisionSampled,
			wantDSC:    &tracecontext.DSC{},
		},
		{
			// A TracesSampler's rate goes into the frozen DSC even
			// when the upstream decided.
			name:     "continued, traces sampler, downstream call before rendering",
			sampler:  func(sentry.SamplingContext) float64 { return 1 },
			header:   incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage),
			outgoing: true,
			want:     tracecontext.DecisionSampled,
			wantDSC: func() *tracecontext.DSC {
				d := upstreamDSC
				d.SampleRate = "1"
				return &d
			}(),
		},
		{
			name:       "continued, upstream not sampled",
			sampleRate: 1,
			header: incoming(upstreamTrace+"-"+upstreamSpan+"-0",
				strings.ReplaceAll(upstreamBaggage, "sampled=true", "sampled=false")),
			want: tracecontext.DecisionNotSampled,
			wantDSC: func() *tracecontext.DSC {
				d := upstreamDSC
				d.Sampled = "false"
				return &d
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := newCollector(t)
			client := col.newClient(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: tt.sampleRate, TracesSampler: tt.sampler})
			var got rendering
			down := newDownstream(t)
			opt := pageOptions{child: tt.child}
			if tt.outgoing {
				opt.outgoing = down.srv.URL
			}
			var h http.Handler = page(t, tmsentrygo.Source(tmsentrygo.WithTransactionSpan(tt.txnSpan)), opt, &got)
			if tt.routed {
				mux := http.NewServeMux()
				mux.Handle("GET /products/{id}", h)
				h = mux
			}
			tags := serve(t, client, tt.header, h)

			require.True(t, got.ok, "no span reported")
			sc := got.sc
			assert.Equal(t, tt.want, sc.Sampled)
			wantFlag := map[tracecontext.Decision]string{tracecontext.DecisionSampled: "-1", tracecontext.DecisionNotSampled: "-0"}[tt.want]
			assert.Equal(t, sc.TraceID.String()+"-"+sc.SpanID.String()+wantFlag, tags.sentryTrace)
			assert.Equal(t, sc.Traceparent(), tags.traceparent)
			assert.Equal(t, sc.DSC, tags.dsc, "the page's baggage is the DSC")

			// The tags name the span active when they were rendered,
			// or the transaction if asked.
			txn := got.activeSpan.GetTransaction()
			wantSpan := got.activeSpan
			if tt.txnSpan {
				wantSpan = txn
			}
			assert.Equal(t, wantSpan.SpanID.String(), sc.SpanID.String())
			assert.Equal(t, wantSpan.ParentSpanID.String(), sc.ParentSpanID.String())

			if tt.wantDSC != nil { // continued
				assert.Equal(t, upstreamTrace, sc.TraceID.String())
				assert.Equal(t, upstreamSpan, txn.ParentSpanID.String())
			}
			if tt.wantDSC != nil {
				assert.Equal(t, *tt.wantDSC, sc.DSC)
			} else {
				assert.Equal(t, sc.TraceID.String(), sc.DSC.TraceID)
				assert.Equal(t, "public-key", sc.DSC.PublicKey)
				assert.Equal(t, "shop@1.2.3", sc.DSC.Release)
				assert.Equal(t, "test", sc.DSC.Environment)
				assert.Equal(t, map[tracecontext.Decision]string{tracecontext.DecisionSampled: "true", tracecontext.DecisionNotSampled: "false"}[tt.want], sc.DSC.Sampled)
				// sentryhttp names the transaction after the URL, which
				// the DSC must not carry.
				assert.Empty(t, sc.DSC.Transaction)
				assert.True(t, sc.DSC.Frozen)
			}

			if tt.outgoing {
				down.mu.Lock()
				sent := down.baggage
				down.mu.Unlock()
				require.Len(t, sent, 1)
				bag, err := tracecontext.ParseBaggage(sent[0])
				require.NoError(t, err)
				require.Equal(t, "public-key", tracecontext.DSCFromBaggage(bag).PublicKey,
					"precondition: sentry-go propagates a rebuilt DSC after a child span's ToBaggage; if it keeps the upstream one now, the restoring in Source is no longer needed")
			}

			txns := col.events(t, "transaction")
			if tt.want != tracecontext.DecisionSampled {
				assert.Empty(t, txns, "a transaction not sampled was reported")
				return
			}
			require.Len(t, txns, 1)
			reported := txns[0]
			assert.Equal(t, reported.Contexts.Trace.TraceID, tags.trace.TraceID.String())
			switch {
			case tt.wantDSC != nil:
				assertRebuiltDSC(t, tags.dsc, reported.DSC)
			case tt.routed:
				// sentry-go rebuilds the reported DSC (see
				// assertRebuiltDSC), now with the route's name; the
				// page keeps the DSC as it was frozen when rendered.
				assert.Equal(t, "GET /products/{id}", reported.Transaction)
				want := dscEntries(tags.dsc)
				want["transaction"] = "GET /products/{id}"
				assert.Equal(t, want, reported.DSC)
			default:
				assert.Equal(t, dscEntries(tags.dsc), reported.DSC, "the page's DSC is the reported transaction's")
			}
			if tt.child && !tt.txnSpan {
				// The pageload's parent is the reported child span.
				require.Len(t, reported.Spans, 1)
				child := reported.Spans[0]
				assert.Equal(t, "template.render", child.Op)
				assert.Equal(t, child.SpanID, tags.trace.SpanID.String())
				assert.Equal(t, reported.Contexts.Trace.SpanID, child.ParentSpanID)
			} else {
				assert.Equal(t, reported.Contexts.Trace.SpanID, tags.trace.SpanID.String())
			}
		})
	}
}

// TestSourceContinueFromRequest continues a trace without sentryhttp, the
// way a handler of another router does it.
func TestSourceContinueFromRequest(t *testing.T) {
	col := newCollector(t)
	client := col.newClient(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	hub := sentry.NewHub(client, sentry.NewScope())

	req := httptest.NewRequest(http.MethodGet, "/checkout", nil)
	req.Header = incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage)
	ctx := sentry.SetHubOnContext(req.Context(), hub)
	txn := sentry.StartTransaction(ctx, "checkout", sentry.ContinueFromRequest(req))

	sc, ok := tmsentrygo.Source().SpanContext(txn.Context())
	txn.Finish()
	flush(t, client)

	require.True(t, ok)
	assert.Equal(t, upstreamTrace+"-"+txn.SpanID.String()+"-1", sc.SentryTrace())
	assert.Equal(t, "00-"+upstreamTrace+"-"+txn.SpanID.String()+"-01", sc.Traceparent())
	assert.Equal(t, upstreamSpan, sc.ParentSpanID.String())
	assert.Equal(t, upstreamDSC, sc.DSC)

	txns := col.events(t, "transaction")
	require.Len(t, txns, 1)
	assert.Equal(t, "checkout", txns[0].Transaction)
	assert.Equal(t, sc.SpanID.String(), txns[0].Contexts.Trace.SpanID)
	assert.Equal(t, upstreamSpan, txns[0].Contexts.Trace.ParentSpanID)
	assertRebuiltDSC(t, sc.DSC, txns[0].DSC)
}

// assertRebuiltDSC checks the DSC that sentry-go v0.50.0 sends with a
// continued transaction. Scope.ApplyToEvent replaces the transaction's DSC
// with one rebuilt from the local client (DynamicSamplingContextFromTransaction)
// whenever the scope holds a span, so the envelope does not carry the
// upstream DSC. The page keeps the frozen upstream DSC, as the DSC spec
// requires and as sentry-go propagates it (Span.ToBaggage on the
// transaction); the two agree on the trace and, when the upstream DSC has
// one, on the decision.
func assertRebuiltDSC(t *testing.T, page tracecontext.DSC, reported map[string]string) {
	t.Helper()
	if page.IsZero() {
		assert.Equal(t, upstreamTrace, reported["trace_id"])
		return
	}
	assert.Equal(t, page.TraceID, reported["trace_id"])
	if page.Sampled != "" {
		assert.Equal(t, page.Sampled, reported["sampled"])
	}
	assert.Equal(t, "public-key", reported["public_key"], "sentry-go kept the upstream DSC: compare it whole")
}

// TestSourceTracingWithoutPerformance: with tracing disabled sentry-go
// reports no transaction, only errors, which carry the hub's propagation
// context. The tags must name that, with the upstream decision.
func TestSourceTracingWithoutPerformance(t *testing.T) {
	tests := []struct {
		name      string
		header    http.Header
		want      tracecontext.Decision
		wantTrace string            // "" for a new trace
		wantDSC   *tracecontext.DSC // nil: the DSC sentry-go builds from the scope
		staleDSC  bool              // sentry-go reports errors with the baggage's DSC of another trace
	}{
		{
			name: "head of trace",
			want: tracecontext.DecisionDeferred,
		},
		{
			name:      "continued, upstream sampled",
			header:    incoming(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage),
			want:      tracecontext.DecisionSampled,
			wantTrace: upstreamTrace,
			wantDSC:   &upstreamDSC,
		},
		{
			name: "continued, upstream not sampled",
			header: incoming(upstreamTrace+"-"+upstreamSpan+"-0",
				strings.ReplaceAll(upstreamBaggage, "sampled=true", "sampled=false")),
			want:      tracecontext.DecisionNotSampled,
			wantTrace: upstreamTrace,
			wantDSC: func() *tracecontext.DSC {
				d := upstreamDSC
				d.Sampled = "false"
				return &d
			}(),
		},
		{
			name:     "baggage without sentry-trace",
			header:   incoming("", upstreamBaggage),
			want:     tracecontext.DecisionDeferred,
			staleDSC: true,
		},
		{
			// sentry-go keeps no decision without a DSC: like its own
			// outgoing requests, the page defers it.
			name:      "continued without baggage",
			header:    incoming(upstreamTrace+"-"+upstreamSpan+"-1", ""),
			want:      tracecontext.DecisionDeferred,
			wantTrace: upstreamTrace,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := newCollector(t)
			client := col.newClient(t, sentry.ClientOptions{EnableTracing: false, TracesSampleRate: 1})
			var got rendering
			tags := serve(t, client, tt.header, page(t, tmsentrygo.Source(), pageOptions{report: true}, &got))

			require.True(t, got.ok, "no span reported")
			sc := got.sc
			assert.Equal(t, tt.want, sc.Sampled)
			assert.Equal(t, tt.want, tags.trace.Sampled)
			assert.Equal(t, sc.DSC, tags.dsc, "the page's baggage is the DSC")
			if tt.want == tracecontext.DecisionSampled {
				// The pitfall: the transaction sentry-go started anyway
				// says not sampled, whatever the upstream decided.
				assert.True(t, strings.HasSuffix(got.activeSpan.ToSentryTrace(), "-0"))
			}
			if tt.wantTrace != "" {
				assert.Equal(t, tt.wantTrace, sc.TraceID.String())
				assert.Equal(t, upstreamSpan, sc.ParentSpanID.String())
			}
			if tt.wantDSC != nil {
				assert.Equal(t, *tt.wantDSC, sc.DSC)
			} else {
				assert.Equal(t, sc.TraceID.String(), sc.DSC.TraceID)
				assert.Equal(t, "public-key", sc.DSC.PublicKey)
				assert.Equal(t, "shop@1.2.3", sc.DSC.Release)
				assert.Empty(t, sc.DSC.Sampled)
				assert.True(t, sc.DSC.Frozen)
			}

			assert.Empty(t, col.events(t, "transaction"))
			errs := col.events(t, "event")
			require.Len(t, errs, 1)
			reported := errs[0]
			assert.Equal(t, "page failed", reported.Message)
			assert.Equal(t, reported.Contexts.Trace.TraceID, tags.trace.TraceID.String())
			assert.Equal(t, reported.Contexts.Trace.SpanID, tags.trace.SpanID.String())
			if tt.staleDSC {
				// sentry-go reports the error with the DSC that came
				// with the request although it names another trace;
				// the page's DSC names the page's trace.
				assert.NotEqual(t, upstreamTrace, tags.trace.TraceID.String())
				return
			}
			assert.Equal(t, dscEntries(tags.dsc), reported.DSC, "the page's DSC is the reported error's")
		})
	}
}

func TestSourceNoSpan(t *testing.T) {
	col := newCollector(t)
	twp := col.newClient(t, sentry.ClientOptions{})

	tests := []struct {
		name string
		ctx  func() context.Context
	}{
		{name: "nil context", ctx: func() context.Context { return nil }},
		{name: "no hub, no span", ctx: context.Background},
		{
			// A span started without a hub reports to the unconfigured
			// current hub: tracing is off and there is no request hub.
			name: "span on the current hub",
			ctx: func() context.Context {
				span := sentry.StartSpan(context.Background(), "job")
				t.Cleanup(span.Finish)
				return span.Context()
			},
		},
		{
			// The process-wide hub has one propagation context for all
			// requests: never rendered.
			name: "current hub only",
			ctx: func() context.Context {
				sentry.CurrentHub().BindClient(twp)
				t.Cleanup(func() { sentry.CurrentHub().BindClient(nil) })
				return context.Background()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, ok := tmsentrygo.Source().SpanContext(tt.ctx())
			assert.False(t, ok)
			assert.Equal(t, tracecontext.SpanContext{}, sc)
		})
	}
}

// TestSourceHubWithoutSpan: a request-scoped hub with tracing enabled but no
// span in the context (a handler that continued the trace with
// sentry.ContinueTrace only) gives the hub's propagation context, and a span
// on the hub's scope is read through its transaction.
func TestSourceHubWithoutSpan(t *testing.T) {
	col := newCollector(t)
	client := col.newClient(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})

	t.Run("propagation context", func(t *testing.T) {
		hub := sentry.NewHub(client, sentry.NewScope())
		sentry.ContinueTrace(hub, upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage)
		sc, ok := tmsentrygo.Source().SpanContext(sentry.SetHubOnContext(context.Background(), hub))
		require.True(t, ok)
		assert.Equal(t, upstreamTrace, sc.TraceID.String())
		assert.Equal(t, strings.Split(hub.GetTraceparent(), "-")[1], sc.SpanID.String())
		assert.Equal(t, tracecontext.DecisionSampled, sc.Sampled)
		assert.Equal(t, upstreamDSC, sc.DSC)
	})
	t.Run("scope span", func(t *testing.T) {
		hub := sentry.NewHub(client, sentry.NewScope())
		ctx := sentry.SetHubOnContext(context.Background(), hub)
		txn := sentry.StartTransaction(ctx, "job",
			sentry.ContinueFromHeaders(upstreamTrace+"-"+upstreamSpan+"-1", upstreamBaggage))
		child := txn.StartChild("step")
		defer txn.Finish()
		defer child.Finish()
		// ctx carries the hub but not the spans.
		sc, ok := tmsentrygo.Source().SpanContext(ctx)
		require.True(t, ok)
		assert.Equal(t, child.SpanID.String(), sc.SpanID.String())
		assert.Equal(t, upstreamDSC, sc.DSC, "the child span's DSC would overwrite the upstream one")
	})
}

// TestSourceNilOption: a nil Option is skipped, as the core's options are,
// whether it comes alone or between others.
func TestSourceNilOption(t *testing.T) {
	col := newCollector(t)
	client := col.newClient(t, sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	hub := sentry.NewHub(client, sentry.NewScope())
	txn := sentry.StartTransaction(sentry.SetHubOnContext(context.Background(), hub), "GET /")
	defer txn.Finish()
	child := txn.StartChild("render")
	defer child.Finish()

	tests := []struct {
		name     string
		opts     []tmsentrygo.Option
		wantSpan *sentry.Span
	}{
		{name: "nil alone", opts: []tmsentrygo.Option{nil}, wantSpan: child},
		{name: "nil before", opts: []tmsentrygo.Option{nil, tmsentrygo.WithTransactionSpan(true)}, wantSpan: txn},
		{name: "nil after", opts: []tmsentrygo.Option{tmsentrygo.WithTransactionSpan(true), nil}, wantSpan: txn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src tracecontext.Source
			require.NotPanics(t, func() { src = tmsentrygo.Source(tt.opts...) })
			sc, ok := src.SpanContext(child.Context())
			require.True(t, ok)
			assert.Equal(t, tt.wantSpan.SpanID.String(), sc.SpanID.String())
			assert.Equal(t, txn.TraceID.String(), sc.TraceID.String())
		})
	}
}
