package rewrite

import (
	"io"

	"github.com/tracemeta/tracemeta/inject"
)

// Tracemeta is tracemeta's streaming rewriter, [inject.NewWriter], with its
// default options.
var Tracemeta = Impl{
	Name:    "tracemeta",
	Desc:    "`inject.NewWriter`: a resumable HTML tokenizer over the document prefix, then pass-through",
	Streams: true,
	New: func(dst io.Writer, tags []byte) Rewriter {
		return inject.NewWriter(dst, tags)
	},
}
