package tmsentrygo_test

import (
	"context"
	"fmt"

	"github.com/getsentry/sentry-go"

	"github.com/tracemeta/tracemeta/tracecontext"
	tmsentrygo "github.com/tracemeta/tracemeta/tracecontext/sentrygo"
)

// A request that arrived with the sentry-trace and baggage headers of an
// upstream service: the page continues the trace under the request's
// transaction, with the upstream DSC unchanged.
func Example() {
	client, err := sentry.NewClient(sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	if err != nil {
		panic(err)
	}
	// sentryhttp does this for every request.
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	txn := sentry.StartTransaction(ctx, "GET /orders", sentry.ContinueFromHeaders(
		"771a43a4192642f0b136d5159a501700-b0e6f15b45c36b12-1",
		"sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=upstream,sentry-sample_rand=0.123456,sentry-sampled=true",
	))
	defer txn.Finish()

	sc, ok := tmsentrygo.Source().SpanContext(txn.Context())
	fmt.Println(ok, sc.TraceID, sc.Sampled)
	fmt.Println("parent is the transaction:", sc.SpanID == tracecontext.SpanID(txn.SpanID))
	fmt.Println("upstream DSC:", sc.DSC.PublicKey, sc.DSC.SampleRand, sc.DSC.Frozen)
	// Output:
	// true 771a43a4192642f0b136d5159a501700 sampled
	// parent is the transaction: true
	// upstream DSC: upstream 0.123456 true
}

// A page rendered inside a child span names that span as the pageload's
// parent, unless WithTransactionSpan asks for the transaction.
func ExampleWithTransactionSpan() {
	client, err := sentry.NewClient(sentry.ClientOptions{EnableTracing: true, TracesSampleRate: 1})
	if err != nil {
		panic(err)
	}
	ctx := sentry.SetHubOnContext(context.Background(), sentry.NewHub(client, sentry.NewScope()))
	txn := sentry.StartTransaction(ctx, "GET /orders")
	defer txn.Finish()
	render := txn.StartChild("template.render")
	defer render.Finish()

	active, _ := tmsentrygo.Source().SpanContext(render.Context())
	server, _ := tmsentrygo.Source(tmsentrygo.WithTransactionSpan(true)).SpanContext(render.Context())
	fmt.Println("default names the child span:", active.SpanID == tracecontext.SpanID(render.SpanID))
	fmt.Println("option names the transaction:", server.SpanID == tracecontext.SpanID(txn.SpanID))
	// Output:
	// default names the child span: true
	// option names the transaction: true
}
