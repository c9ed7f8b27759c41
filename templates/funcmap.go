package templates

import (
	"context"
	"html/template"
)

// FuncMap returns the functions that render the trace context from
// html/template, to add with [template.Template.Funcs] before parsing:
//
//   - traceMeta (ctx context.Context) template.HTML: the meta tags, for
//     <head>: {{traceMeta .Ctx}}. It claims the response (see the package
//     documentation), so it renders the tags once per response. It is the
//     only function that returns template.HTML, and its markup comes from the
//     escaping renderer of package render.
//   - sentryTrace, baggage, traceparent (ctx context.Context) string: the raw
//     values (the baggage is the DSC alone, as in the tags), which
//     html/template escapes for the context they are used in, e.g.
//     <body data-trace="{{sentryTrace .Ctx}}">. They do not claim the
//     response.
//
// Every function returns "" when ctx is nil or carries no valid span. The
// span is read with the configured Source each time a function runs, so the
// values describe the span active when the template executes.
func FuncMap(opts ...Option) template.FuncMap {
	c := newConfig(opts)
	return template.FuncMap{
		"traceMeta":   c.traceMeta,
		"sentryTrace": c.sentryTrace,
		"baggage":     c.baggage,
		"traceparent": c.traceparent,
	}
}

// traceMeta renders the meta tags; see [FuncMap].
func (c *config) traceMeta(ctx context.Context) template.HTML {
	// The result is copied into a string, so the bytes can live on the stack.
	var buf [tagsBufferSize]byte
	// The only conversion to template.HTML in tracemeta: the bytes come from
	// render, which escapes every value it writes.
	return template.HTML(c.appendTags(buf[:0], ctx))
}

func (c *config) sentryTrace(ctx context.Context) string {
	sc, ok := c.span(ctx)
	if !ok {
		return ""
	}
	return sc.SentryTrace()
}

func (c *config) baggage(ctx context.Context) string {
	sc, ok := c.span(ctx)
	if !ok {
		return ""
	}
	return sc.DSC.Baggage()
}

func (c *config) traceparent(ctx context.Context) string {
	sc, ok := c.span(ctx)
	if !ok {
		return ""
	}
	return sc.Traceparent()
}
