package templates_test

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/templates/internal/testpages"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// FuzzPages renders an html/template page and a templ page with arbitrary
// DSC values and checks that an HTML5 parser finds one set of tags, in
// <head>, whose values read back exactly, and nothing the page did not hold.
func FuzzPages(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, h, h)
	}
	f.Add("1.0", "GET /", "production")
	tmpl := template.Must(template.New("page").Funcs(templates.FuncMap()).Parse(pageTemplate))
	f.Fuzz(func(t *testing.T, release, transaction, extra string) {
		for _, s := range []*string{&release, &transaction, &extra} {
			if len(*s) > 512 {
				*s = (*s)[:512]
			}
			// Baggage decodes to text (decodeURIComponent throws on
			// invalid UTF-8); render's own tests cover invalid bytes.
			*s = strings.ToValidUTF8(*s, "\uFFFD")
		}
		dsc := simpleDSC()
		dsc.Release, dsc.Transaction = release, transaction
		if extra != "" {
			dsc.Extra = []tracecontext.Member{{Key: "fuzz", Value: extra}}
		}
		sc := spanContext(t, dsc)

		var viaTemplate bytes.Buffer
		require.NoError(t, tmpl.Execute(&viaTemplate, pageData{Title: "t", Ctx: requestContext(sc)}))
		var viaTempl bytes.Buffer
		require.NoError(t, testpages.Page("t").Render(requestContext(sc), &viaTempl))

		for name, page := range map[string]string{"html/template": viaTemplate.String(), "templ": viaTempl.String()} {
			names, metas, inHead := traceMetas(parsePage(t, page))
			assert.Equal(t, []string{"sentry-trace", "baggage"}, names, name)
			assert.Equal(t, wantMetas(sc), metas, name)
			assert.True(t, inHead, name)
			b, err := tracecontext.ParseBaggage(metas["baggage"][0])
			require.NoError(t, err, name)
			got := tracecontext.DSCFromBaggage(b)
			got.Frozen = false
			assert.Equal(t, dsc, got, "%s: every DSC value reads back", name)
		}
		// html/template escapes the raw values in the author's attributes.
		for _, e := range parsePage(t, viaTemplate.String()) {
			if e.Tag == "div" {
				assert.Equal(t, sc.DSC.Baggage(), e.Attr["data-baggage"])
			}
		}
	})
}
