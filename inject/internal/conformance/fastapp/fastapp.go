// Package fastapp serves the conformance suite's app on fasthttp, for the
// adapters on fasthttp (inject/fasthttp, inject/fiber, inject/fiberv3).
package fastapp

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// Serve serves the steps of fctx's path into fctx's response, with ctx
// the request's context as the framework gives it to handlers, with
// fasthttp's API: the headers and status as set, whatever their order; the
// body set whole (Write: SetBody; WriteString: SetBodyString), as a body
// stream (Copy), or, once the steps flush, with SetBodyStreamWriter, whose
// Flush the Flush steps call. It returns the status of a Fail step, for the
// framework's error path, or 0.
func Serve(app *conformance.App, fctx *fasthttp.RequestCtx, ctx context.Context) (fail int) {
	id := string(fctx.Request.Header.Peek(conformance.RequestIDHeader))
	steps := app.Steps(string(fctx.Path()))
	var body []byte
	for i, s := range steps {
		switch s.Kind {
		case conformance.SetHeader:
			fctx.Response.Header.Set(s.Key, s.Value)
		case conformance.Status:
			fctx.SetStatusCode(s.Code)
		case conformance.Write:
			body = append(body, s.Data...)
			fctx.SetBody(body)
		case conformance.WriteString:
			body = append(body, s.Data...)
			fctx.SetBodyString(string(body))
		case conformance.Copy:
			fctx.SetBodyStream(strings.NewReader(string(body)+s.Data), -1)
			body = nil
		case conformance.Flush, conformance.AwaitClient, conformance.Endless:
			stream(app, fctx, id, body, steps[i:])
			return 0
		case conformance.Fail:
			return s.Code
		case conformance.RecordSpan:
			app.RecordContext(id, ctx)
		case conformance.OwnTags:
			body = append(body, conformance.PageWithOwnTags(ctx)...)
			fctx.SetBody(body)
		case conformance.Panic:
			panic("conformance: the handler panics")
		default:
			panic(fmt.Sprintf("fastapp: step %d is not for fasthttp", s.Kind))
		}
	}
	return 0
}

// stream sends head, then serves the rest of the steps from fasthttp's
// stream writer.
func stream(app *conformance.App, fctx *fasthttp.RequestCtx, id string, head []byte, rest []conformance.Step) {
	fctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		_, _ = w.Write(head)
		for _, s := range rest {
			switch s.Kind {
			case conformance.Write, conformance.WriteString, conformance.Copy:
				_, _ = w.WriteString(s.Data)
			case conformance.Flush:
				_ = w.Flush()
			case conformance.AwaitClient:
				app.Await(id)
			case conformance.Endless:
				app.RunEndless(id, s.Data, func(s string) error { _, err := w.WriteString(s); return err }, w.Flush)
			}
		}
	})
}
