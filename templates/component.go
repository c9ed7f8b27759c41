package templates

import (
	"context"
	"fmt"
	"io"

	"github.com/a-h/templ"
)

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
