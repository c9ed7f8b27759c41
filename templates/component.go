package templates

import (
	"context"
	"fmt"
	"io"

	"github.com/a-h/templ"
)

// component returns the templ component that writes the tags.
func (c config) component() templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
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
	})
}
