package benchmarks_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/benchmarks/internal/check"
	"github.com/tracemeta/tracemeta/benchmarks/internal/corpus"
	"github.com/tracemeta/tracemeta/benchmarks/internal/rewrite"
)

// corpusVerdict is what each method must make of each kind of corpus page:
// the benchmarks time every method on pages it handles as stated here, so
// nobody's figure comes from skipping work.
func corpusVerdict(impl string, page corpus.Page) check.Verdict {
	kind := page.Kind
	switch impl {
	case rewrite.DOM.Name, rewrite.Goquery.Name:
		if kind == corpus.KindFragment {
			return check.FragmentTouched
		}
		return check.Reserialized
	case rewrite.Tracemeta.Name:
		if page.Name == pastCapPage {
			// Bounded by design: past the lookahead, pass through.
			return check.Missed
		}
		return check.OK
	}
	// The string and token matchers need a <head> start tag.
	if kind == corpus.KindImpliedHead {
		return check.Missed
	}
	return check.OK
}

// pastCapPage has its head after inject's default lookahead.
const pastCapPage = "head-past-cap-100K"

func TestCorpus(t *testing.T) {
	tags := rewrite.Tags()
	for _, page := range corpus.Pages() {
		for _, impl := range rewrite.Impls() {
			t.Run(page.Name+"/"+impl.Name, func(t *testing.T) {
				for _, pat := range corpus.Patterns() {
					if !impl.Streams && pat != corpus.Patterns()[0] && len(page.HTML) > corpus.MiB {
						// A buffering method sees the same body whatever the
						// writes; its large pages only cost test time.
						continue
					}
					var out bytes.Buffer
					require.NoError(t, rewrite.Run(impl, &out, tags, page.HTML, pat), pat.Name)
					if impl.New == nil {
						require.Equal(t, page.HTML, out.Bytes(), "the copy is a copy")
						continue
					}
					assert.Equal(t, corpusVerdict(impl.Name, page), check.Judge(page.HTML, out.Bytes(), tags, page.Kind), pat.Name)
				}
			})
		}
	}
}

// caseVerdicts is what each peer makes of each correctness case; the
// README's correctness table is this, generated. tracemeta must get every
// case right.
var caseVerdicts = map[string]map[string]string{
	"plain": {
		"chunk-replace":  "ok (one, 2K-flush); missed (1B)",
		"buffer-replace": "ok", "xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"head-attributes": {
		"chunk-replace": "missed", "buffer-replace": "missed",
		"xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"upper-case": {
		"chunk-replace": "missed", "buffer-replace": "missed",
		"xnet-tokenizer": "ok", "tdewolff-lexer": "page bytes changed",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"head-split": {
		"chunk-replace":  "ok (one); missed (2K-flush, 1B)",
		"buffer-replace": "ok", "xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"comment-before-head": {
		"chunk-replace":  "inside comment/script (one, 2K-flush); missed (1B)",
		"buffer-replace": "inside comment/script",
		"xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"script-before-head": {
		"chunk-replace":  "inside comment/script (one, 2K-flush); missed (1B)",
		"buffer-replace": "inside comment/script",
		"xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"head-text-later": {
		"chunk-replace":  "ok (one); twice (2K-flush); missed (1B)",
		"buffer-replace": "ok", "xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"no-head": {
		"chunk-replace": "missed", "buffer-replace": "missed",
		"xnet-tokenizer": "missed", "tdewolff-lexer": "missed",
		"xnet-dom": "ok, page re-serialized", "goquery": "ok, page re-serialized",
	},
	"bom": {
		"chunk-replace":  "ok (one, 2K-flush); missed (1B)",
		"buffer-replace": "ok", "xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "doctype lost", "goquery": "doctype lost",
	},
	"charset-near-1024": {
		"chunk-replace":  "charset pushed past 1024 B (one, 2K-flush); missed (1B)",
		"buffer-replace": "charset pushed past 1024 B", "xnet-tokenizer": "charset pushed past 1024 B",
		"tdewolff-lexer": "charset pushed past 1024 B", "xnet-dom": "charset pushed past 1024 B",
		"goquery": "charset pushed past 1024 B",
	},
	"fragment": {
		"chunk-replace": "ok", "buffer-replace": "ok", "xnet-tokenizer": "ok", "tdewolff-lexer": "ok",
		"xnet-dom": "fragment turned into a document", "goquery": "fragment turned into a document",
	},
}

func TestCases(t *testing.T) {
	tags := rewrite.Tags()
	require.Len(t, caseVerdicts, len(check.Cases()), "every case has its expected verdicts")
	for _, c := range check.Cases() {
		for _, impl := range rewrite.Impls()[1:] {
			t.Run(c.Name+"/"+impl.Name, func(t *testing.T) {
				want := caseVerdicts[c.Name][impl.Name]
				if impl.Name == rewrite.Tracemeta.Name {
					want = string(check.OK)
				}
				require.NotEmpty(t, want, "expected verdict")
				got, err := check.Run(c, impl, tags)
				require.NoError(t, err)
				assert.Equal(t, want, got)
			})
		}
	}
}
