package injectfiber_test

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cache"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	injectfiber "github.com/tracemeta/tracemeta/inject/fiber"
)

// TestHeaders checks what the middleware changes in the headers of a
// rewritten page, and that the rest stays: the validators go (the tags
// belong to this request), the cookies and the other headers stay.
func TestHeaders(t *testing.T) {
	t.Parallel()
	base := serve(t, newApp(t, injectfiber.New(), fiber.Config{}))
	got := do(t, http.MethodGet, base+"/validators", nil)
	tagSpan(t, got.body)
	assert.Empty(t, got.header.Values("ETag"))
	assert.Empty(t, got.header.Values("Last-Modified"))
	assert.Len(t, got.header.Values("Set-Cookie"), 2)
	assert.Equal(t, "kept", got.header.Get("X-Custom"))
	assert.Equal(t, []string{"1", "2"}, got.header.Values("X-Multi"))
	assert.Equal(t, "text/html", got.header.Get("Content-Type"))
}

// TestCompression checks the order of the middlewares: compression in
// front of the handler sees the rewritten page; behind it, the handler
// sees it compressed and leaves it alone.
func TestCompression(t *testing.T) {
	t.Parallel()
	gz := http.Header{"Accept-Encoding": {"gzip"}}
	for _, tt := range []struct {
		name     string
		handlers []fiber.Handler
		tags     bool
	}{
		{name: "compression in front", handlers: []fiber.Handler{compress.New(), injectfiber.New()}, tags: true},
		{name: "compression behind", handlers: []fiber.Handler{injectfiber.New(), compress.New()}, tags: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := fiber.New(fiber.Config{DisableStartupMessage: true, Views: engine()})
			for _, h := range tt.handlers {
				app.Use(h)
			}
			// A page above the size fasthttp starts compressing at.
			big := strings.Replace(page, "<h1>page</h1>", strings.Repeat("<p>compressible</p>", 100), 1)
			app.Get("/set", func(c *fiber.Ctx) error {
				c.Type("html")
				return c.SendString(big)
			})
			app.Get("/stream", func(c *fiber.Ctx) error {
				c.Type("html")
				return c.SendStream(strings.NewReader(big))
			})
			base := serve(t, app)
			for _, path := range []string{"/set", "/stream"} {
				got := do(t, http.MethodGet, base+path, gz)
				require.Equal(t, "gzip", got.header.Get("Content-Encoding"), path)
				zr, err := gzip.NewReader(strings.NewReader(got.body))
				require.NoError(t, err)
				body, err := io.ReadAll(zr)
				require.NoError(t, err)
				rest, ok := withoutTags(string(body))
				assert.Equal(t, tt.tags, ok, "tags in %s", body)
				assert.Equal(t, big, rest)
			}
		})
	}
}

// TestLargeStream streams a page far larger than any buffer through the
// handler: the tags go in, every byte arrives, and the memory the server
// allocates does not grow with the page.
func TestLargeStream(t *testing.T) {
	const size = 64 << 20
	chunk := strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 1000)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(injectfiber.New())
	app.Get("/large", func(c *fiber.Ctx) error {
		c.Type("html")
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			_, _ = w.WriteString(page[:strings.Index(page, "<body>")])
			for n := 0; n < size; n += len(chunk) {
				if _, err := w.WriteString(chunk); err != nil {
					return
				}
			}
			_, _ = w.WriteString("</body></html>\n")
		})
		return nil
	})
	base := serve(t, app)
	do(t, http.MethodGet, base+"/large", nil) // warm the pools

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := client.Get(base + "/large")
	require.NoError(t, err)
	defer resp.Body.Close()
	head := make([]byte, 512)
	_, err = io.ReadFull(resp.Body, head)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	runtime.ReadMemStats(&after)

	assert.Contains(t, string(head), `<meta name="sentry-trace"`)
	assert.Greater(t, n, int64(size))
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MiB streamed, %d KiB allocated", (n+512)>>20, allocated>>10)
	limit := uint64(4 << 20)
	if raceEnabled {
		limit = size / 2 // pools drop buffers on purpose; still less than the page
	}
	assert.Less(t, allocated, limit, "allocations grow with the page")
}

// TestStreamErrors checks the error paths of a body stream: a stream that
// fails ends the response early, as net/http aborts a handler, and is
// closed; a client that goes away ends the replay, and the stream is closed.
func TestStreamErrors(t *testing.T) {
	t.Parallel()
	broken := &chunkedReader{data: []byte(page[:len(page)/2]), n: 16, err: errors.New("disk gone")}
	endless := &endlessReader{}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(injectfiber.New())
	app.Get("/broken", func(c *fiber.Ctx) error {
		c.Type("html")
		return c.SendStream(broken)
	})
	app.Get("/endless", func(c *fiber.Ctx) error {
		c.Type("html")
		return c.SendStream(endless)
	})
	panicking := &panickingReader{}
	app.Get("/panic", func(c *fiber.Ctx) error {
		c.Type("html")
		return c.SendStream(panicking)
	})
	base := serve(t, app)

	t.Run("a stream that panics", func(t *testing.T) {
		got := do(t, http.MethodGet, base+"/panic", nil)
		assert.Equal(t, http.StatusInternalServerError, got.status, "the error goes to the ErrorHandler")
		assert.Contains(t, got.body, "replaying the body stream: the disk caught fire")
		assert.True(t, panicking.closed.Load(), "the stream was closed")
	})
	t.Run("broken stream", func(t *testing.T) {
		resp, err := client.Get(base + "/broken")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the response ends early")
		assert.Contains(t, string(body), `<meta name="sentry-trace"`)
		assert.True(t, broken.closed, "the stream was closed")
	})
	t.Run("client gone", func(t *testing.T) {
		resp, err := client.Get(base + "/endless")
		require.NoError(t, err)
		head := make([]byte, 4096)
		_, err = io.ReadFull(resp.Body, head)
		require.NoError(t, err)
		assert.Contains(t, string(head), `<meta name="sentry-trace"`)
		require.NoError(t, resp.Body.Close())
		client.CloseIdleConnections()
		assert.Eventually(t, endless.closed.Load, 10*time.Second, 10*time.Millisecond, "the stream was closed")
	})
}

// endlessReader is an HTML page that never ends.
type endlessReader struct {
	started bool
	closed  atomic.Bool
}

func (r *endlessReader) Read(p []byte) (int, error) {
	if r.closed.Load() {
		return 0, errors.New("read after close")
	}
	if !r.started {
		r.started = true
		return copy(p, "<!DOCTYPE html><html><head><title>endless</title></head><body>"), nil
	}
	return copy(p, strings.Repeat("<p>more</p>", len(p)/11+1)), nil
}

func (r *endlessReader) Close() error {
	r.closed.Store(true)
	return nil
}

// TestUnknownFasthttp checks what happens with a fasthttp whose Response
// the handler does not know: body streams pass through untouched, bodies set
// whole are still rewritten.
func TestUnknownFasthttp(t *testing.T) {
	restore := injectfiber.SetStreamDetach(false)
	defer restore()
	app := newApp(t, injectfiber.New(), fiber.Config{})
	for _, tt := range []struct {
		path string
		tags bool
	}{{"/stream", false}, {"/file", false}, {"/string", true}} {
		resp, err := app.Test(httptest.NewRequest(http.MethodGet, tt.path, nil))
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		_, ok := withoutTags(string(body))
		assert.Equal(t, tt.tags, ok, "%s: %s", tt.path, body)
	}
}

// panickingReader panics on its first Read.
type panickingReader struct{ closed atomic.Bool }

func (r *panickingReader) Read([]byte) (int, error) { panic("the disk caught fire") }

func (r *panickingReader) Close() error {
	r.closed.Store(true)
	return nil
}

// TestCacheBehind checks the order the README gives for Fiber's cache
// middleware: behind the handler, a page served from the cache gets fresh
// tags, of its own request.
func TestCacheBehind(t *testing.T) {
	t.Parallel()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(injectfiber.New(), cache.New(cache.Config{Expiration: time.Minute}))
	app.Get("/", func(c *fiber.Ctx) error {
		c.Type("html")
		return c.SendString(page)
	})
	base := serve(t, app)
	first := do(t, http.MethodGet, base+"/", nil)
	second := do(t, http.MethodGet, base+"/", nil)
	assert.Equal(t, "miss", first.header.Get("X-Cache"))
	assert.Equal(t, "hit", second.header.Get("X-Cache"))
	assert.NotEqual(t, tagSpan(t, first.body).SpanID, tagSpan(t, second.body).SpanID, "each request its own tags")
	rest, _ := withoutTags(second.body)
	assert.Equal(t, page, rest)
}
