package injectechov5_test

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject"
	"github.com/tracemeta/tracemeta/inject/echov5"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

var pageTemplate = template.Must(template.New("page.html").Parse(
	`<!DOCTYPE html><html><head><title>{{.}}</title></head><body><h1>{{.}}</h1></body></html>`))

// htmlErrorHandler is a custom HTTPErrorHandler that renders HTML error
// pages, returning early for a committed response as echo's documentation
// asks.
func htmlErrorHandler(c *echo.Context, err error) {
	if res, _ := echo.UnwrapResponse(c.Response()); res != nil && res.Committed {
		return
	}
	code := http.StatusInternalServerError
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) {
		code = sc.StatusCode()
	}
	_ = c.Render(code, "page.html", http.StatusText(code))
}

func newEcho() *echo.Echo {
	e := echo.New()
	e.Logger = slog.New(slog.DiscardHandler)
	e.Renderer = &echo.TemplateRenderer{Template: pageTemplate}
	return e
}

// TestWritePaths serves the same page through every way echo writes a body:
// each one gets the tags, with the status echo would send and a true
// Content-Length.
func TestWritePaths(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "page.html"), []byte(page), 0o600))
	shop := "<!DOCTYPE html><html><head><title>Shop</title></head><body><h1>Shop</h1></body></html>"

	tests := []struct {
		name    string
		handler echo.HandlerFunc
		status  int
		want    string // the body without the tags
		length  bool   // the response declares its Content-Length
	}{
		{
			name:    "c.Render with an html/template renderer",
			handler: func(c *echo.Context) error { return c.Render(http.StatusOK, "page.html", "Shop") },
			status:  http.StatusOK,
			want:    shop,
		},
		{
			name:    "c.HTML",
			handler: func(c *echo.Context) error { return c.HTML(http.StatusCreated, page) },
			status:  http.StatusCreated,
			want:    page,
		},
		{
			name:    "c.HTMLBlob",
			handler: func(c *echo.Context) error { return c.HTMLBlob(http.StatusOK, []byte(page)) },
			status:  http.StatusOK,
			want:    page,
		},
		{
			name: "c.Blob with a Content-Length",
			handler: func(c *echo.Context) error {
				c.Response().Header().Set(echo.HeaderContentLength, "86")
				return c.Blob(http.StatusAccepted, echo.MIMETextHTMLCharsetUTF8, []byte(page))
			},
			status: http.StatusAccepted,
			want:   page,
			length: true,
		},
		{
			name: "c.String with an HTML Content-Type",
			handler: func(c *echo.Context) error {
				c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTML)
				return c.String(http.StatusOK, page)
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name: "c.Response().Write, Content-Type sniffed",
			handler: func(c *echo.Context) error {
				_, err := c.Response().Write([]byte(page))
				return err
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name: "c.Stream",
			handler: func(c *echo.Context) error {
				return c.Stream(http.StatusOK, echo.MIMETextHTML, strings.NewReader(page))
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name: "c.Response().Flush between chunks",
			handler: func(c *echo.Context) error {
				c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTML)
				for _, s := range strings.SplitAfter(page, ">") {
					if _, err := io.WriteString(c.Response(), s); err != nil {
						return err
					}
					if err := http.NewResponseController(c.Response()).Flush(); err != nil {
						return err
					}
				}
				return nil
			},
			status: http.StatusOK,
			want:   page,
		},
		{
			name:    "c.File",
			handler: func(c *echo.Context) error { return c.File("page.html") },
			status:  http.StatusOK,
			want:    page,
			length:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Len(t, page, 86)
			e := newEcho()
			e.Filesystem = os.DirFS(dir)
			e.Use(traced, injectechov5.Middleware())
			e.GET("/", tt.handler)
			res := get(t, serve(t, e)+"/")

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

// TestErrorPaths checks that echo's error pages keep their status and body
// behind the middleware, and that an HTML one gets the tags.
func TestErrorPaths(t *testing.T) {
	tests := []struct {
		name    string
		custom  bool // htmlErrorHandler instead of echo's default
		setup   func(e *echo.Echo)
		method  string
		path    string
		status  int
		body    string // without the tags
		tags    bool
		headers map[string]string
	}{
		{
			name:   "unknown route, default JSON error handler",
			path:   "/nowhere",
			status: http.StatusNotFound,
			body:   `{"message":"Not Found"}` + "\n",
		},
		{
			name:   "unknown route, custom HTML error handler",
			custom: true,
			path:   "/nowhere",
			status: http.StatusNotFound,
			body:   "<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>",
			tags:   true,
		},
		{
			name:   "wrong method, default JSON error handler",
			method: http.MethodPost,
			status: http.StatusMethodNotAllowed,
			body:   `{"message":"Method Not Allowed"}` + "\n",
		},
		{
			name: "handler error, default JSON error handler",
			setup: func(e *echo.Echo) {
				e.GET("/", func(*echo.Context) error { return errors.New("boom") })
			},
			status: http.StatusInternalServerError,
			body:   `{"message":"Internal Server Error"}` + "\n",
		},
		{
			name:   "handler error, custom HTML error handler",
			custom: true,
			setup: func(e *echo.Echo) {
				e.GET("/", func(*echo.Context) error { return errors.New("boom") })
			},
			status: http.StatusInternalServerError,
			body:   "<!DOCTYPE html><html><head><title>Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
			tags:   true,
		},
		{
			name:   "echo.HTTPError, custom HTML error handler",
			custom: true,
			setup: func(e *echo.Echo) {
				e.GET("/", func(*echo.Context) error { return echo.NewHTTPError(http.StatusForbidden, "") })
			},
			status: http.StatusForbidden,
			body:   "<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>Forbidden</h1></body></html>",
			tags:   true,
		},
		{
			name:   "a page written, then an error: the page stands",
			custom: true,
			setup: func(e *echo.Echo) {
				e.GET("/", func(c *echo.Context) error {
					_ = c.HTML(http.StatusOK, page)
					return errors.New("after the page")
				})
			},
			status: http.StatusOK,
			body:   page,
			tags:   true,
		},
		{
			name:   "HEAD of an unknown route",
			method: http.MethodHead,
			path:   "/nowhere",
			status: http.StatusNotFound,
		},
		{
			name:   "panic, middleware.Recover after it, custom HTML error handler",
			custom: true,
			setup: func(e *echo.Echo) {
				e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
				e.GET("/", func(*echo.Context) error { panic("boom") })
			},
			status: http.StatusInternalServerError,
			body:   "<!DOCTYPE html><html><head><title>Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
			tags:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEcho()
			if tt.custom {
				e.HTTPErrorHandler = htmlErrorHandler
			}
			e.Use(traced, injectechov5.Middleware())
			if tt.setup != nil {
				tt.setup(e)
			} else {
				e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusOK, page) })
			}
			res := do(t, cmp(tt.method, http.MethodGet), serve(t, e)+cmp(tt.path, "/"), nil)
			assert.Equal(t, tt.status, res.status)
			if tt.tags {
				requireTags(t, res.body)
				assert.Equal(t, tt.body, stripTags(t, res.body))
			} else {
				assert.Equal(t, tt.body, res.body)
			}
			if res.length >= 0 {
				assert.Equal(t, int64(len(res.body)), res.length, "Content-Length")
			}
		})
	}
}

// TestRecoverBefore checks a panic with echo's Recover before the
// middleware: the panic crosses it, c.Response() is echo's again, and
// Recover has the error page written.
func TestRecoverBefore(t *testing.T) {
	e := newEcho()
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}), traced, injectechov5.Middleware())
	e.GET("/", func(c *echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTML)
		_, _ = io.WriteString(c.Response(), "<!DOCTYPE html><html>")
		panic("boom")
	})
	res := get(t, serve(t, e)+"/")
	assert.Equal(t, http.StatusInternalServerError, res.status)
	assert.Equal(t, `{"message":"Internal Server Error"}`+"\n", res.body)
}

// TestResponseBookkeeping checks echo's Response on both sides of the
// middleware: inside, what the handler did; outside, what went to the
// client, with the error handled.
func TestResponseBookkeeping(t *testing.T) {
	type seen struct {
		innerFirst     int // the inner Response's Status before the handler
		innerStatus    int
		innerSize      int64
		innerCommitted bool
		outerStatus    int
		outerSize      int64
		outerCommitted bool
		outerErr       error
		sameResponse   bool
	}
	var got seen
	e := newEcho()
	e.HTTPErrorHandler = htmlErrorHandler
	e.Use(traced, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			before := c.Response()
			got.outerErr = next(c)
			res, err := echo.UnwrapResponse(c.Response())
			require.NoError(t, err)
			got.sameResponse = c.Response() == before
			got.outerStatus, got.outerSize, got.outerCommitted = res.Status, res.Size, res.Committed
			return got.outerErr
		}
	}, injectechov5.Middleware(), func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			first, uerr := echo.UnwrapResponse(c.Response())
			require.NoError(t, uerr)
			got.innerFirst = first.Status
			err := next(c)
			res, uerr := echo.UnwrapResponse(c.Response())
			require.NoError(t, uerr)
			got.innerStatus, got.innerSize, got.innerCommitted = res.Status, res.Size, res.Committed
			return err
		}
	})
	e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusAccepted, page) })
	res := get(t, serve(t, e)+"/")
	require.Equal(t, http.StatusAccepted, res.status)
	requireTags(t, res.body)
	assert.Equal(t, seen{
		innerFirst:  http.StatusOK,
		innerStatus: http.StatusAccepted, innerSize: int64(len(page)), innerCommitted: true,
		outerStatus: http.StatusAccepted, outerSize: int64(len(page) + tagLen), outerCommitted: true,
		sameResponse: true,
	}, got)
}

// TestPassThrough checks responses the core leaves alone: echo's Response
// stays in place for a request the core does not rewrite, and the others
// arrive byte for byte.
func TestPassThrough(t *testing.T) {
	tests := []struct {
		name    string
		header  http.Header
		handler echo.HandlerFunc
		body    string
		reason  inject.Reason
	}{
		{
			name:    "c.JSON",
			handler: func(c *echo.Context) error { return c.JSON(http.StatusOK, map[string]int{"a": 1}) },
			body:    `{"a":1}` + "\n",
			reason:  inject.ReasonContentType,
		},
		{
			name:    "htmx request",
			header:  http.Header{"Hx-Request": {"true"}},
			handler: func(c *echo.Context) error { return c.HTML(http.StatusOK, page) },
			body:    page,
			reason:  inject.ReasonPartialRequest,
		},
		{
			name: "c.Attachment",
			handler: func(c *echo.Context) error {
				c.Echo().Filesystem = os.DirFS(filepath.Dir(writeTemp(t, page)))
				return c.Attachment("page.html", "page.html")
			},
			body:   page,
			reason: inject.ReasonAttachment,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reasons reasons
			e := newEcho()
			e.Use(traced, injectechov5.Middleware(reasons.option()))
			e.GET("/", tt.handler)
			res := do(t, http.MethodGet, serve(t, e)+"/", tt.header)
			assert.Equal(t, http.StatusOK, res.status)
			assert.Equal(t, tt.body, res.body)
			assert.Equal(t, []inject.Reason{tt.reason}, reasons.get())
		})
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "page.html")
	require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
	return file
}

// TestNilOption checks that a nil option is skipped, as the core skips it.
func TestNilOption(t *testing.T) {
	e := newEcho()
	e.Use(traced, injectechov5.Middleware(nil, inject.WithLookahead(1024), nil))
	e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusOK, page) })
	requireTags(t, get(t, serve(t, e)+"/").body)
}

// TestBeforeHooks checks the Before hooks of echo's Response on both sides
// of the middleware: each sets its header before the headers go out.
func TestBeforeHooks(t *testing.T) {
	hook := func(name string) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c *echo.Context) error {
				res, err := echo.UnwrapResponse(c.Response())
				require.NoError(t, err)
				res.Before(func() { res.Header().Set(name, "1") })
				return next(c)
			}
		}
	}
	e := newEcho()
	e.Use(traced, hook("X-Outer"), injectechov5.Middleware(), hook("X-Inner"))
	e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusOK, page) })
	res := get(t, serve(t, e)+"/")
	requireTags(t, res.body)
	assert.Equal(t, "1", res.header.Get("X-Outer"))
	assert.Equal(t, "1", res.header.Get("X-Inner"))
}

// TestTemplateFuncMapOnce checks the exactly-once flag across entry points:
// c.Request() carries the request's flag, so a template that renders the
// tags itself with templates.FuncMap keeps its own set, and the middleware
// adds none.
func TestTemplateFuncMapOnce(t *testing.T) {
	e := newEcho()
	e.Renderer = &echo.TemplateRenderer{Template: template.Must(template.New("page.html").Funcs(templates.FuncMap()).Parse(
		`<!DOCTYPE html><html><head><meta charset="utf-8">{{traceMeta .}}<title>Shop</title></head><body></body></html>`))}
	var reasons reasons
	e.Use(traced, injectechov5.Middleware(reasons.option()))
	e.GET("/", func(c *echo.Context) error { return c.Render(http.StatusOK, "page.html", c.Request().Context()) })
	res := get(t, serve(t, e)+"/")
	requireTags(t, res.body)
	assert.Equal(t, []inject.Reason{inject.ReasonAlreadyRendered}, reasons.get())
}

// TestLateHeaders checks headers set after the status went out: echo on
// net/http ignores them, and so does the middleware, though it still holds
// the status while it reads the <head>.
func TestLateHeaders(t *testing.T) {
	e := newEcho()
	e.Use(traced, injectechov5.Middleware())
	e.GET("/", func(c *echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTML)
		c.Response().WriteHeader(http.StatusOK)
		c.Response().Header().Set(echo.HeaderContentLength, "3")
		c.Response().Header().Set("X-Late", "1")
		_, err := io.WriteString(c.Response(), page)
		return err
	})
	res := get(t, serve(t, e)+"/")
	requireTags(t, res.body)
	assert.Equal(t, page, stripTags(t, res.body))
	assert.Empty(t, res.header.Get("X-Late"))
}

// TestConcurrentRequests serves pages and error pages in parallel, each
// request with its own span: every page names its own request's span and
// keeps its own status, whatever state the middleware pools.
func TestConcurrentRequests(t *testing.T) {
	e := newEcho()
	e.HTTPErrorHandler = htmlErrorHandler
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			sc, err := tracecontext.ParseSentryTrace(c.Request().Header.Get("X-Span"))
			if err != nil {
				return echo.ErrBadRequest
			}
			c.SetRequest(c.Request().WithContext(tracecontext.NewContext(c.Request().Context(), sc)))
			return next(c)
		}
	}, injectechov5.Middleware())
	e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusOK, page) })
	e.GET("/fail", func(*echo.Context) error { return errors.New("boom") })
	url := serve(t, e)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 8 {
				span := fmt.Sprintf("%032x-%016x-1", g*100+i+1, g*100+i+1)
				path, want := "/", "Shop"
				switch i % 3 {
				case 1:
					path, want = "/fail", "Internal Server Error"
				case 2:
					path, want = "/nowhere", "Not Found"
				}
				req, err := http.NewRequest(http.MethodGet, url+path, nil)
				if !assert.NoError(t, err) {
					return
				}
				req.Header.Set("X-Span", span)
				res, err := client.Do(req)
				if !assert.NoError(t, err) {
					return
				}
				body, err := io.ReadAll(res.Body)
				res.Body.Close()
				assert.NoError(t, err)
				assert.Equal(t, want, statusTitle(string(body)), "page %s", path)
				tags, err := metaTagsOf(string(body))
				if assert.NoError(t, err) {
					assert.Equal(t, []string{span}, tags["sentry-trace"])
				}
			}
		})
	}
	wg.Wait()
}

// statusTitle returns the text of the page's <title>.
func statusTitle(body string) string {
	_, rest, _ := strings.Cut(body, "<title>")
	title, _, _ := strings.Cut(rest, "</title>")
	return title
}

// TestNewMiddleware checks that invalid options are reported, as the core
// reports them, and that the middleware works either way.
func TestNewMiddleware(t *testing.T) {
	mw, err := injectechov5.NewMiddleware(inject.WithLookahead(-1))
	require.ErrorIs(t, err, inject.ErrInvalidOption)
	e := newEcho()
	e.Use(traced, mw)
	e.GET("/", func(c *echo.Context) error { return c.HTML(http.StatusOK, page) })
	requireTags(t, get(t, serve(t, e)+"/").body)

	_, err = injectechov5.NewMiddleware(inject.WithLookahead(1024))
	require.NoError(t, err)
}
