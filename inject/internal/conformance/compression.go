package conformance

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
)

// compressedCases are the cases served through the framework's compression
// middleware: a page above the size every framework compresses at.
func compressedCases() []Case {
	big := strings.Replace(Page, "<h1>Shop</h1>", strings.Repeat("<p>compressible</p>", 100), 1)
	return []Case{
		{Name: "compressed-page", Steps: htmlPage(Step{Kind: Write, Data: big}), Tags: true},
		{Name: "compressed-json", Steps: []Step{{Kind: SetHeader, Key: "Content-Type", Value: "application/json"}, {Kind: Write, Data: `{"rows":"` + strings.Repeat("compressible ", 100) + `"}`}}},
	}
}

// runCompressed checks the order of compression and the adapter that the
// adapters' documentation gives: compression in front of the adapter
// compresses the page with the tags; inside it, the adapter sees
// compressed bytes and passes them through, and its skip hook hears why.
func runCompressed(t *testing.T, target Target) {
	cases := compressedCases()
	app := newApp(cases)
	reasons := &pathReasons{byPath: map[string][]inject.Reason{}}
	opts := []inject.Option{inject.WithSource(Source), reasons.option()}
	base := target.ServeCompressed(t, app, false, false, nil)
	front := target.ServeCompressed(t, app, true, false, opts)
	inside := target.ServeCompressed(t, app, true, true, opts)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			b := fetchGzip(t, app, c, base)
			got := fetchGzip(t, app, c, front)
			want := b.Body
			if c.Tags {
				want = Insert(b.Body, b.Header.Get("Content-Type"))
			}
			assert.Equal(t, b.Status, got.Status)
			assert.Equal(t, b.Header.Get("Content-Type"), got.Header.Get("Content-Type"))
			assert.Equal(t, want, got.Body, "compression in front: the page with the tags")
			got = fetchGzip(t, app, c, inside)
			assert.Equal(t, b.Body, got.Body, "compression inside: the page as it was")
			if c.Tags {
				assert.Contains(t, reasons.get("/"+c.Name), inject.ReasonContentEncoding, "the skip hook")
			}
		})
	}
}

// fetchGzip fetches c's path asking for gzip, and returns the response
// decoded.
func fetchGzip(t *testing.T, app *App, c Case, url string) Response {
	c.Header = http.Header{"Accept-Encoding": {"gzip"}}
	res, err := client.Do(request(t, c, url, app.newID(c.Name, true)))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, "gzip", res.Header.Get("Content-Encoding"), "the framework compresses %s", c.Name)
	zr, err := gzip.NewReader(res.Body)
	require.NoError(t, err)
	body, err := io.ReadAll(zr)
	require.NoError(t, err)
	return Response{Status: res.StatusCode, Header: res.Header, Body: string(body)}
}
