package templates

import (
	"context"
	"fmt"
	"io"

	"github.com/a-h/templ"
)

// MetaTags returns a templ component that renders the trace meta tags of the
// span active in the context it is rendered with. Put it inside <head>:
//
//	<head>
//		@templates.MetaTags()
//	</head>
//
// It renders nothing when the context carries no valid span, and claims the
// response before rendering, so the tags appear once per response whatever
// else renders them (see the package documentation). The markup comes from
// the escaping renderer of package render. Like every templ component it must
// be rendered with a non-nil context: the request's, which carries the span.
func MetaTags(opts ...Option) templ.Component {
	return componentFor(opts)
}

// defaultComponent writes the tags of the default configuration: MetaTags()
// without options reuses it rather than allocate a closure per render. It is
// never modified.
var defaultComponent = newConfig(nil).component()

// componentFor returns the component that writes the tags configured by opts.
func componentFor(opts []Option) templ.Component {
	if len(opts) == 0 {
		return defaultComponent
	}
	return newConfig(opts).component()
}

// component returns the templ component that writes the tags.
func (c config) component() templ.ComponentFunc {
	return func(ctx context.Context, w io.Writer) error {
		if err := ctx.Err(); err != nil {
			// As every templ component: a canceled request renders
			// nothing, and so claims nothing.
			return err
		}
		buf := getBuffer()
		defer putBuffer(buf)
		*buf = c.appendTags((*buf)[:0], ctx)
		if len(*buf) == 0 {
			return nil
		}
		if _, err := w.Write(*buf); err != nil {
			return fmt.Errorf("templates: write meta tags: %w", err)
		}
		return nil
	}
}
