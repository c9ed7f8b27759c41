package injectgin_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/inject/internal/conformance"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestHijack checks the connection handed over by Hijack: before any body
// byte it works and the response is the handler's alone; after a body byte
// it is refused, as gin refuses it.
func TestHijack(t *testing.T) {
	var reasons conformance.Reasons
	var lateErr error
	r := gin.New()
	r.Use(traced, injectgin.Middleware(reasons.Option()))
	r.GET("/raw", func(c *gin.Context) {
		conn, rw, err := c.Writer.Hijack()
		if !assert.NoError(t, err) {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(page), page)
		_ = rw.Flush()
	})
	r.GET("/late", func(c *gin.Context) {
		c.Header("Content-Type", "text/html")
		_, _ = c.Writer.WriteString(page)
		_, _, lateErr = c.Writer.Hijack()
	})
	url := conformance.ServeHandler(t, r)

	res := conformance.Get(t, url+"/raw")
	assert.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, page, res.Body, "the hijacked connection's bytes, untouched")
	assert.Equal(t, []inject.Reason{inject.ReasonHijacked}, reasons.Get())

	res = conformance.Get(t, url+"/late")
	conformance.RequireTags(t, res.Body)
	assert.Error(t, lateErr)
}

// TestResponseController checks that http.ResponseController reaches the
// connection through the writer the handlers get.
func TestResponseController(t *testing.T) {
	var deadlineErr, flushErr error
	r := gin.New()
	r.Use(traced, injectgin.Middleware())
	r.GET("/", func(c *gin.Context) {
		rc := http.NewResponseController(c.Writer)
		deadlineErr = rc.SetWriteDeadline(time.Now().Add(time.Minute))
		c.Header("Content-Type", "text/html")
		_, _ = c.Writer.WriteString(page[:20])
		flushErr = rc.Flush()
		_, _ = c.Writer.WriteString(page[20:])
	})
	res := conformance.Get(t, conformance.ServeHandler(t, r)+"/")
	require.NoError(t, deadlineErr)
	require.NoError(t, flushErr)
	conformance.RequireTags(t, res.Body)
}

// TestSSEvent checks that an event stream passes through untouched.
func TestSSEvent(t *testing.T) {
	var reasons conformance.Reasons
	r := gin.New()
	r.Use(traced, injectgin.Middleware(reasons.Option()))
	r.GET("/", func(c *gin.Context) { c.SSEvent("page", "<html><head></head></html>") })
	res := conformance.Get(t, conformance.ServeHandler(t, r)+"/")
	assert.Equal(t, "event:page\ndata:<html><head></head></html>\n\n", res.Body)
	assert.Equal(t, []inject.Reason{inject.ReasonEventStream}, reasons.Get())
}

// TestLateHeaders checks headers set after the status went out: gin on
// net/http ignores them, and so does the middleware, though it still holds
// the status while it reads the <head>.
func TestLateHeaders(t *testing.T) {
	r := gin.New()
	r.Use(traced, injectgin.Middleware())
	r.GET("/", func(c *gin.Context) {
		c.Header("Content-Type", "text/html")
		c.Writer.WriteHeaderNow()
		c.Header("Content-Length", "3")
		c.Header("X-Late", "1")
		_, _ = c.Writer.WriteString(page)
	})
	res := conformance.Get(t, conformance.ServeHandler(t, r)+"/")
	conformance.RequireTags(t, res.Body)
	assert.Equal(t, page, conformance.StripTags(t, res.Body))
	assert.Empty(t, res.Header.Get("X-Late"))
}

// TestConcurrentRequests serves requests in parallel, each with its own
// span: every page names its own request's span, whatever state the
// middleware pools.
func TestConcurrentRequests(t *testing.T) {
	r := gin.New()
	r.Use(func(c *gin.Context) {
		sc, err := tracecontext.ParseSentryTrace(c.GetHeader("X-Span"))
		if err != nil {
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		c.Request = c.Request.WithContext(tracecontext.NewContext(c.Request.Context(), sc))
	}, injectgin.Middleware())
	r.GET("/", func(c *gin.Context) {
		if c.Query("stream") != "" {
			c.Header("Content-Type", "text/html")
			_, _ = c.Writer.WriteString(page[:30])
			c.Writer.Flush()
			_, _ = c.Writer.WriteString(page[30:])
			return
		}
		c.Data(http.StatusOK, "text/html", []byte(page))
	})
	url := conformance.ServeHandler(t, r)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 8 {
				span := fmt.Sprintf("%032x-%016x-1", g*100+i+1, g*100+i+1)
				path := "/"
				if i%2 == 1 {
					path = "/?stream=1"
				}
				tags, err := conformance.FetchTags(url+path, http.Header{"X-Span": {span}})
				if assert.NoError(t, err) {
					assert.Equal(t, []string{span}, tags["sentry-trace"])
				}
			}
		})
	}
	wg.Wait()
}
