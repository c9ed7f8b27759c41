package rewrite

import (
	"fmt"
	"io"

	"github.com/tracemeta/tracemeta/inject"
)

// Tracemeta is tracemeta's streaming rewriter, [inject.NewWriter].
var Tracemeta = Impl{
	Name:    "tracemeta",
	Desc:    "`inject.NewWriter`: resumable scanner over the document prefix, then pass-through",
	Streams: true,
	New: func(dst io.Writer, tags []byte) Rewriter {
		w := inject.NewWriter(dst, tags)
		rw, ok := any(w).(Rewriter)
		if !ok {
			panic(fmt.Sprintf("%T lacks Write, Flush() error or Close() error", w))
		}
		return rw
	},
}
