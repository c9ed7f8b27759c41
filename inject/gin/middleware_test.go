package injectgin_test

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	ginrender "github.com/gin-gonic/gin/render"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	injectgin "github.com/tracemeta/tracemeta/inject/gin"
	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
)

// TestWritePaths serves the same page through every way gin writes a body:
// each one gets the tags, with the status gin would send and a
// Content-Length that counts them when the handler declared one.
func TestWritePaths(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o600))
	tmpl := template.Must(template.New("page.html").Parse(
		`<!DOCTYPE html><html><head><title>{{.}}</title></head><body><h1>{{.}}</h1></body></html>`))

	tests := []struct {
		name    string
		handler gin.HandlerFunc
		status  int
		want    string // the body without the tags
		length  bool   // the response declares its Content-Length
	}{
		{
			name:    "c.HTML",
			handler: func(c *gin.Context) { c.HTML(http.StatusOK, "page.html", "Shop") },
			status:  http.StatusOK,
			want:    "<!DOCTYPE html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>",
		},
		{
			name:    "c.HTML with an error status",
			handler: func(c *gin.Context) { c.HTML(http.StatusServiceUnavailable, "page.html", "Shop") },
			status:  http.StatusServiceUnavailable,
			want:    "<!DOCTYPE html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>",
		},
		{
			// render.Data sets Content-Length after c.Render set the
			// status: gin's deferred status makes it part of the
			// response, and the core raises it by the tags.
			name:    "c.Data sets Content-Length after the status",
			handler: func(c *gin.Context) { c.Data(http.StatusCreated, "text/html; charset=utf-8", []byte(page)) },
			status:  http.StatusCreated,
			want:    page,
			length:  true,
		},
		{
			name: "c.String with an HTML Content-Type",
			handler: func(c *gin.Context) {
				c.Header("Content-Type", "text/html; charset=utf-8")
				c.String(http.StatusOK, "%s", page)
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name: "c.Render",
			handler: func(c *gin.Context) {
				c.Render(http.StatusAccepted, ginrender.Data{ContentType: "text/html", Data: []byte(page)})
			},
			status: http.StatusAccepted,
			want:   page,
			length: true,
		},
		{
			name:    "c.Writer.Write, Content-Type sniffed",
			handler: func(c *gin.Context) { _, _ = c.Writer.Write([]byte(page)) },
			status:  http.StatusOK,
			want:    page,
		},
		{
			name: "c.Writer.WriteString in pieces",
			handler: func(c *gin.Context) {
				c.Header("Content-Type", "text/html")
				for _, s := range strings.SplitAfter(page, "<") {
					_, _ = c.Writer.WriteString(s)
				}
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name: "c.Writer.WriteHeader then io.Copy (ReadFrom)",
			handler: func(c *gin.Context) {
				c.Header("Content-Type", "text/html")
				c.Header("Content-Length", strconv.Itoa(len(page)))
				c.Writer.WriteHeader(http.StatusTeapot)
				_, _ = io.Copy(c.Writer, strings.NewReader(page))
			},
			status: http.StatusTeapot,
			want:   page,
			length: true,
		},
		{
			name:    "c.File",
			handler: func(c *gin.Context) { c.File(file) },
			status:  http.StatusOK,
			want:    page,
			length:  true,
		},
		{
			name:    "c.FileFromFS",
			handler: func(c *gin.Context) { c.FileFromFS("page.html", gin.Dir(dir, false)) },
			status:  http.StatusOK,
			want:    page,
			length:  true,
		},
		{
			name: "c.Stream, flushed after each chunk",
			handler: func(c *gin.Context) {
				c.Header("Content-Type", "text/html; charset=utf-8")
				chunks := strings.SplitAfter(page, ">")
				c.Stream(func(w io.Writer) bool {
					_, _ = io.WriteString(w, chunks[0])
					chunks = chunks[1:]
					return len(chunks) > 0
				})
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name: "c.Writer.Flush before the <head>",
			handler: func(c *gin.Context) {
				c.Header("Content-Type", "text/html")
				_, _ = c.Writer.WriteString("<!DOCTYPE html>")
				c.Writer.Flush()
				_, _ = c.Writer.WriteString(page[len("<!DOCTYPE html>"):])
			},
			status: http.StatusOK,
			want:   page,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			r.SetHTMLTemplate(tmpl)
			r.Use(traced, injectgin.Middleware())
			r.GET("/", tt.handler)
			res := get(t, serve(t, r)+"/")

			assert.Equal(t, tt.status, res.status)
			requireTags(t, res.body)
			assert.Equal(t, tt.want, stripTags(t, res.body), "the page is kept byte for byte")
			if tt.length {
				assert.Equal(t, int64(len(tt.want)+tagLen), res.length, "the declared Content-Length counts the tags")
			} else if res.length >= 0 {
				assert.Equal(t, int64(len(res.body)), res.length, "net/http's Content-Length")
			}
			assert.Empty(t, res.header.Get("Last-Modified"), "an injected page keeps no validator")
		})
	}
}

// stripTags returns body without the tags inserted for the test span.
func stripTags(t *testing.T, body string) string {
	t.Helper()
	tags := string(renderTestTags())
	require.Equal(t, 1, strings.Count(body, tags), "one set of tags in %q", body)
	return strings.Replace(body, tags, "", 1)
}

// TestPassThrough checks the responses the core leaves alone: gin's own
// writer stays in place for a request the core does not rewrite, and the
// others arrive byte for byte, with their status and Content-Length.
func TestPassThrough(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		header  http.Header
		handler gin.HandlerFunc
		status  int
		body    string
		reason  inject.Reason
	}{
		{
			name:    "c.String is text/plain",
			handler: func(c *gin.Context) { c.String(http.StatusOK, "%s", page) },
			status:  http.StatusOK,
			body:    page,
			reason:  inject.ReasonContentType,
		},
		{
			name:    "c.JSON",
			handler: func(c *gin.Context) { c.JSON(http.StatusBadRequest, gin.H{"error": "bad"}) },
			status:  http.StatusBadRequest,
			body:    `{"error":"bad"}`,
			reason:  inject.ReasonContentType,
		},
		{
			name:    "htmx request",
			header:  http.Header{"Hx-Request": {"true"}},
			handler: func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) },
			status:  http.StatusOK,
			body:    page,
			reason:  inject.ReasonPartialRequest,
		},
		{
			name:    "HEAD",
			method:  http.MethodHead,
			handler: func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) },
			status:  http.StatusOK,
			reason:  inject.ReasonMethod,
		},
		{
			name: "shared-cacheable page",
			handler: func(c *gin.Context) {
				c.Header("Cache-Control", "public, max-age=60")
				c.Data(http.StatusOK, "text/html", []byte(page))
			},
			status: http.StatusOK,
			body:   page,
			reason: inject.ReasonCacheable,
		},
		{
			name:    "redirect",
			handler: func(c *gin.Context) { c.Redirect(http.StatusFound, "/elsewhere") },
			status:  http.StatusFound,
			body:    "<a href=\"/elsewhere\">Found</a>.\n\n",
			reason:  inject.ReasonStatus,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reasons reasons
			r := gin.New()
			r.Use(traced, injectgin.Middleware(reasons.option()))
			var writer string
			r.Handle(cmp(tt.method, http.MethodGet), "/", func(c *gin.Context) {
				writer = typeString(c.Writer)
				tt.handler(c)
			})
			res := do(t, cmp(tt.method, http.MethodGet), serve(t, r)+"/", tt.header)

			assert.Equal(t, tt.status, res.status)
			assert.Equal(t, tt.body, res.body)
			if tt.reason == inject.ReasonPartialRequest {
				assert.Equal(t, "*gin.responseWriter", writer, "gin's own writer for a request the core does not rewrite")
			}
			if tt.method == http.MethodHead {
				assert.Equal(t, int64(-1), res.length, "HEAD has no length: the GET's page gets the tags")
			}
			assert.Equal(t, []inject.Reason{tt.reason}, reasons.get())
		})
	}
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func typeString(v any) string { return fmt.Sprintf("%T", v) }

func renderTestTags() []byte { return render.AppendMetaTags(nil, testSpan()) }

// TestErrorAndAbortPaths checks gin's error and abort paths: a status set
// and never written is sent, an HTML error page gets the tags, and gin's own
// 404 and 405 pages are sent as gin sends them.
func TestErrorAndAbortPaths(t *testing.T) {
	htmlPage := func(status int) gin.HandlerFunc {
		return func(c *gin.Context) { c.Data(status, "text/html; charset=utf-8", []byte(page)) }
	}
	tests := []struct {
		name   string
		setup  func(r *gin.Engine)
		method string
		path   string
		status int
		body   string // "" with tags: page
		tags   bool
	}{
		{
			name: "c.AbortWithStatus in a middleware after it",
			setup: func(r *gin.Engine) {
				r.GET("/", func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) }, htmlPage(200))
			},
			status: http.StatusUnauthorized,
		},
		{
			name: "c.Status with no body",
			setup: func(r *gin.Engine) {
				r.GET("/", func(c *gin.Context) { c.Status(http.StatusTeapot) })
			},
			status: http.StatusTeapot,
		},
		{
			name: "an HTML page and c.Abort in a middleware after it",
			setup: func(r *gin.Engine) {
				r.GET("/", func(c *gin.Context) { htmlPage(http.StatusForbidden)(c); c.Abort() }, htmlPage(200))
			},
			status: http.StatusForbidden,
			body:   page,
			tags:   true,
		},
		{
			name: "c.AbortWithStatusJSON",
			setup: func(r *gin.Engine) {
				r.GET("/", func(c *gin.Context) { c.AbortWithStatusJSON(http.StatusPaymentRequired, gin.H{"a": 1}) })
			},
			status: http.StatusPaymentRequired,
			body:   `{"a":1}`,
		},
		{
			name: "c.Error and an HTML error-page middleware after it",
			setup: func(r *gin.Engine) {
				r.Use(func(c *gin.Context) {
					c.Next()
					if len(c.Errors) > 0 && !c.Writer.Written() {
						htmlPage(c.Writer.Status())(c)
					}
				})
				r.GET("/", func(c *gin.Context) {
					_ = c.Error(io.ErrUnexpectedEOF)
					c.Status(http.StatusBadGateway)
				})
			},
			status: http.StatusBadGateway,
			body:   page,
			tags:   true,
		},
		{
			name:   "unknown route, gin's 404",
			setup:  func(r *gin.Engine) {},
			path:   "/nowhere",
			status: http.StatusNotFound,
			body:   "404 page not found",
		},
		{
			name:   "unknown route, an HTML NoRoute page",
			setup:  func(r *gin.Engine) { r.NoRoute(htmlPage(http.StatusNotFound)) },
			path:   "/nowhere",
			status: http.StatusNotFound,
			body:   page,
			tags:   true,
		},
		{
			name: "wrong method, gin's 405",
			setup: func(r *gin.Engine) {
				r.HandleMethodNotAllowed = true
				r.POST("/", htmlPage(200))
			},
			status: http.StatusMethodNotAllowed,
			body:   "405 method not allowed",
		},
		{
			name: "wrong method, an HTML NoMethod page",
			setup: func(r *gin.Engine) {
				r.HandleMethodNotAllowed = true
				r.NoMethod(htmlPage(http.StatusMethodNotAllowed))
				r.POST("/", htmlPage(200))
			},
			status: http.StatusMethodNotAllowed,
			body:   page,
			tags:   true,
		},
		{
			name: "panic, gin.CustomRecovery after it writes an HTML page",
			setup: func(r *gin.Engine) {
				r.Use(gin.CustomRecovery(func(c *gin.Context, _ any) { htmlPage(http.StatusInternalServerError)(c); c.Abort() }))
				r.GET("/", func(*gin.Context) { panic("boom") })
			},
			status: http.StatusInternalServerError,
			body:   page,
			tags:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			r.Use(traced, injectgin.Middleware())
			tt.setup(r)
			res := do(t, cmp(tt.method, http.MethodGet), serve(t, r)+cmp(tt.path, "/"), nil)
			assert.Equal(t, tt.status, res.status)
			if tt.tags {
				requireTags(t, res.body)
				assert.Equal(t, tt.body, stripTags(t, res.body))
				return
			}
			assert.Equal(t, tt.body, res.body)
		})
	}
}

// TestRecoveryBefore checks a panic with gin.Recovery before the middleware:
// the panic crosses it, c.Writer is gin's again, and Recovery sends its 500.
func TestRecoveryBefore(t *testing.T) {
	r := gin.New()
	r.Use(gin.RecoveryWithWriter(io.Discard), traced, injectgin.Middleware())
	r.GET("/", func(c *gin.Context) {
		c.Header("Content-Type", "text/html")
		_, _ = c.Writer.WriteString("<!DOCTYPE html><html>")
		panic("boom")
	})
	res := get(t, serve(t, r)+"/")
	assert.Equal(t, http.StatusInternalServerError, res.status)
	assert.Empty(t, res.body, "the bytes held before the panic are dropped, as net/http drops a panicking handler's")
}

// TestWriterBookkeeping checks that gin.ResponseWriter tells the truth on
// both sides of the middleware: inside, what the handler did, as gin's own
// writer counts it; outside, what went to the client.
func TestWriterBookkeeping(t *testing.T) {
	type seen struct {
		status        int
		written       bool
		size          int
		afterStatus   int
		afterWritten  bool
		afterSize     int
		outerStatus   int
		outerSize     int
		outerWriterIs string
	}
	var got seen
	r := gin.New()
	r.Use(traced, func(c *gin.Context) {
		c.Next()
		got.outerStatus, got.outerSize = c.Writer.Status(), c.Writer.Size()
		got.outerWriterIs = typeString(c.Writer)
	}, injectgin.Middleware())
	r.GET("/", func(c *gin.Context) {
		c.Status(http.StatusCreated)
		got.status, got.written, got.size = c.Writer.Status(), c.Writer.Written(), c.Writer.Size()
		c.Header("Content-Type", "text/html")
		c.Writer.WriteHeaderNow()
		c.Writer.WriteHeader(http.StatusTeapot) // too late, as with gin's writer
		_, _ = c.Writer.WriteString(page)
		got.afterStatus, got.afterWritten, got.afterSize = c.Writer.Status(), c.Writer.Written(), c.Writer.Size()
	})
	res := get(t, serve(t, r)+"/")
	require.Equal(t, http.StatusCreated, res.status)
	requireTags(t, res.body)
	assert.Equal(t, seen{
		status: http.StatusCreated, written: false, size: -1,
		afterStatus: http.StatusCreated, afterWritten: true, afterSize: len(page),
		outerStatus: http.StatusCreated, outerSize: len(page) + tagLen,
		outerWriterIs: "*gin.responseWriter",
	}, got)
}

// TestStreamsBeforeTheEnd checks that a streamed page reaches the client,
// tags included, while the handler is still writing.
func TestStreamsBeforeTheEnd(t *testing.T) {
	release := make(chan struct{})
	r := gin.New()
	r.Use(traced, injectgin.Middleware())
	r.GET("/", func(c *gin.Context) {
		c.Header("Content-Type", "text/html")
		first := true
		c.Stream(func(w io.Writer) bool {
			if first {
				_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Shop</title></head><body>")
				first = false
				return true
			}
			<-release
			_, _ = io.WriteString(w, "</body></html>")
			return false
		})
	})
	res, err := http.Get(serve(t, r) + "/")
	require.NoError(t, err)
	defer res.Body.Close()
	buf := make([]byte, 4096)
	var head bytes.Buffer
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(head.String(), "<body>") && time.Now().Before(deadline) {
		n, err := res.Body.Read(buf)
		head.Write(buf[:n])
		require.NoError(t, err)
	}
	assert.Contains(t, head.String(), `<meta name="sentry-trace" content="`+sentryTrace+`">`, "the tags came with the first flush")
	close(release)
	rest, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	requireTags(t, head.String()+string(rest))
}

// TestTemplateFuncMapOnce checks the exactly-once flag across entry points:
// c.Request carries the request's flag, so a gin template that renders the
// tags itself with templates.FuncMap keeps its own set, and the middleware
// adds none.
func TestTemplateFuncMapOnce(t *testing.T) {
	r := gin.New()
	r.SetHTMLTemplate(template.Must(template.New("page.html").Funcs(templates.FuncMap()).Parse(
		`<!DOCTYPE html><html><head><meta charset="utf-8">{{traceMeta .}}<title>Shop</title></head><body></body></html>`)))
	var reasons reasons
	r.Use(traced, injectgin.Middleware(reasons.option()))
	r.GET("/", func(c *gin.Context) { c.HTML(http.StatusOK, "page.html", c.Request.Context()) })
	res := get(t, serve(t, r)+"/")
	requireTags(t, res.body)
	assert.Equal(t, []inject.Reason{inject.ReasonAlreadyRendered}, reasons.get())
}

// TestNilOption checks that a nil option is skipped, as the core skips it.
func TestNilOption(t *testing.T) {
	r := gin.New()
	r.Use(traced, injectgin.Middleware(nil, inject.WithLookahead(1024), nil))
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) })
	requireTags(t, get(t, serve(t, r)+"/").body)
}

// TestNoSpan checks that without a tracing middleware in front the page
// passes through, and says why.
func TestNoSpan(t *testing.T) {
	var reasons reasons
	r := gin.New()
	r.Use(injectgin.Middleware(reasons.option()))
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) })
	res := get(t, serve(t, r)+"/")
	assert.Equal(t, page, res.body)
	assert.Equal(t, int64(len(page)), res.length)
	assert.Equal(t, []inject.Reason{inject.ReasonNoSpan}, reasons.get())
}

// TestNewMiddleware checks that invalid options are reported, as the core
// reports them, and that the middleware works either way.
func TestNewMiddleware(t *testing.T) {
	mw, err := injectgin.NewMiddleware(inject.WithLookahead(-1))
	require.ErrorIs(t, err, inject.ErrInvalidOption)
	r := gin.New()
	r.Use(traced, mw)
	r.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "text/html", []byte(page)) })
	requireTags(t, get(t, serve(t, r)+"/").body)

	_, err = injectgin.NewMiddleware(inject.WithLookahead(1024))
	require.NoError(t, err)
}
