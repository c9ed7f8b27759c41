package benchmarks_test

import (
	"testing"

	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// BenchmarkRewrite writes every page of the corpus, in every write pattern,
// through every method into the same [rewrite.Sink]. The copy floor and the
// methods of one page and pattern run next to each other, so their ratios
// come from the same minute of the same machine.
func BenchmarkRewrite(b *testing.B) {
	tags := rewrite.Tags()
	for _, page := range corpus.Pages() {
		for _, pat := range corpus.Patterns() {
			for _, impl := range rewrite.Impls() {
				b.Run("page="+page.Name+"/write="+pat.Name+"/impl="+impl.Name, func(b *testing.B) {
					var sink rewrite.Sink
					b.SetBytes(int64(len(page.HTML)))
					b.ReportAllocs()
					for b.Loop() {
						if err := rewrite.Run(impl, &sink, tags, page.HTML, pat); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}
