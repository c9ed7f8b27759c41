package injectgin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	injectgin "github.com/tracemeta/tracemeta/inject/gin"
)

// writerState is what a middleware reads from c.Writer once the handlers
// after it returned.
type writerState struct {
	Written bool
	Size    int
	Status  int
}

func stateOf(w gin.ResponseWriter) writerState {
	return writerState{Written: w.Written(), Size: w.Size(), Status: w.Status()}
}

// TestWriterStateDifferential runs each handler in the same app with and
// without the middleware, and compares what the middlewares in front of it
// and behind it read from c.Writer, and what the client gets: the same,
// but for the tags an HTML page gets, which the writer in front counts. The
// middleware in front answers with a JSON 500 when nothing was written, as
// error handlers commonly do.
func TestWriterStateDifferential(t *testing.T) {
	tests := []struct {
		name    string
		handler gin.HandlerFunc
		tags    bool // the page gets the tags
	}{
		{"c.AbortWithStatus", func(c *gin.Context) { c.AbortWithStatus(http.StatusServiceUnavailable) }, false},
		{"c.AbortWithStatus 200", func(c *gin.Context) { c.AbortWithStatus(http.StatusOK) }, false},
		{"c.Status, then WriteHeaderNow", func(c *gin.Context) {
			c.Status(http.StatusCreated)
			c.Writer.WriteHeaderNow()
		}, false},
		{"c.Status only", func(c *gin.Context) { c.Status(http.StatusNotFound) }, false},
		{"nothing", func(*gin.Context) {}, false},
		{"c.AbortWithStatusJSON", func(c *gin.Context) {
			c.AbortWithStatusJSON(http.StatusPaymentRequired, gin.H{"a": 1})
		}, false},
		{"c.String", func(c *gin.Context) { c.String(http.StatusOK, "plain") }, false},
		{"c.Data HTML page", func(c *gin.Context) {
			c.Data(http.StatusForbidden, "text/html; charset=utf-8", []byte(page))
		}, true},
		{"c.Writer.Flush", func(c *gin.Context) {
			c.Status(http.StatusAccepted)
			c.Writer.Flush()
		}, false},
	}
	type observed struct {
		front, behind writerState
		status        int
		body          string
	}
	run := func(t *testing.T, handler gin.HandlerFunc, inject bool) observed {
		t.Helper()
		var got observed
		r := gin.New()
		r.Use(traced, func(c *gin.Context) {
			c.Next()
			got.front = stateOf(c.Writer)
			if !c.Writer.Written() {
				c.JSON(http.StatusInternalServerError, gin.H{"error": "no response"})
			}
		})
		if inject {
			r.Use(injectgin.Middleware())
		}
		r.Use(func(c *gin.Context) {
			c.Next()
			got.behind = stateOf(c.Writer)
		})
		r.GET("/", handler)
		res := get(t, serve(t, r)+"/")
		got.status, got.body = res.status, res.body
		return got
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := run(t, tt.handler, false)
			got := run(t, tt.handler, true)
			if tt.tags {
				requireTags(t, got.body)
				got.body = stripTags(t, got.body)
				require.True(t, got.front.Written)
				got.front.Size -= tagLen // the writer in front counts the tags sent
			}
			assert.Equal(t, want, got)
		})
	}
}
