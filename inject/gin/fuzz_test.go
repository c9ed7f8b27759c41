package injectgin_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
)

// FuzzWriteSequence writes a page through the gin writer in pieces, each
// piece by one of gin's write paths chosen by the fuzzer, with flushes in
// between: the client gets the page byte for byte with one set of tags, and
// Size counts what the handler wrote.
func FuzzWriteSequence(f *testing.F) {
	f.Add(page, []byte{3, 1, 7, 0, 200, 2})
	f.Add("<html><head></head><body>x</body></html>", []byte{1})
	f.Add("<!doctype html><meta charset=utf-8><title>t</title>", []byte{0, 0, 0, 5, 9})
	f.Fuzz(func(t *testing.T, doc string, plan []byte) {
		doc = "<!DOCTYPE html><html><head>" + doc
		var size int
		r := gin.New()
		r.Use(traced, injectgin.Middleware())
		r.GET("/", func(c *gin.Context) {
			c.Header("Content-Type", "text/html; charset=utf-8")
			rest := doc
			for i := 0; len(rest) > 0; i++ {
				op := byte(0)
				if len(plan) > 0 {
					op = plan[i%len(plan)]
				}
				n := min(len(rest), int(op>>2)+1)
				piece := rest[:n]
				rest = rest[n:]
				var err error
				switch op % 4 {
				case 0:
					_, err = c.Writer.Write([]byte(piece))
				case 1:
					_, err = c.Writer.WriteString(piece)
				case 2:
					_, err = io.Copy(c.Writer, strings.NewReader(piece))
				case 3:
					_, err = c.Writer.WriteString(piece)
					c.Writer.Flush()
				}
				require.NoError(t, err)
			}
			size = c.Writer.Size()
		})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		r.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code)
		require.Equal(t, len(doc), size, "Size counts the handler's bytes")
		body := rec.Body.String()
		tags := string(conformance.Tags)
		require.LessOrEqual(t, strings.Count(body, tags), 1, "at most one set of tags")
		require.Equal(t, doc, strings.Replace(body, tags, "", 1), "the page, byte for byte")
	})
}

// TestNested checks two injectgin middlewares, on the engine and on a
// group: the page gets one set of tags.
func TestNested(t *testing.T) {
	r := gin.New()
	r.Use(traced, injectgin.Middleware())
	g := r.Group("/g", injectgin.Middleware())
	g.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) })
	res := conformance.Get(t, conformance.ServeHandler(t, r)+"/g/")
	require.Equal(t, http.StatusOK, res.Status)
	conformance.RequireTags(t, res.Body)
	require.Equal(t, page, conformance.StripTags(t, res.Body))
}
