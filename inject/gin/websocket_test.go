package injectgin_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	gorillaws "github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	injectgin "github.com/tracemeta/tracemeta/inject/gin"
)

// echoServer returns the URL of a real server whose /coder and /gorilla
// routes accept a WebSocket with that library and echo one message, behind
// the middleware when inject is true.
func echoServer(t *testing.T, inject bool) string {
	t.Helper()
	r := gin.New()
	r.Use(traced)
	if inject {
		r.Use(injectgin.Middleware())
	}
	r.GET("/coder", func(c *gin.Context) {
		conn, err := coderws.Accept(c.Writer, c.Request, nil)
		if err != nil {
			return // Accept answered the request
		}
		defer conn.CloseNow()
		ctx, cancel := context.WithTimeout(c.Request.Context(), 5*time.Second)
		defer cancel()
		typ, msg, err := conn.Read(ctx)
		if err != nil {
			return
		}
		_ = conn.Write(ctx, typ, msg)
		_ = conn.Close(coderws.StatusNormalClosure, "")
	})
	upgrader := gorillaws.Upgrader{}
	r.GET("/gorilla", func(c *gin.Context) {
		conn, err := upgrader.Upgrade(c.Writer, c.Request, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		typ, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		_ = conn.WriteMessage(typ, msg)
	})
	return strings.Replace(serve(t, r), "http://", "ws://", 1)
}

// wsClient dials url with one library's client, with header, sends one
// message and returns the echo.
type wsClient func(ctx context.Context, url string, header http.Header) (string, error)

func coderClient(ctx context.Context, url string, header http.Header) (string, error) {
	conn, res, err := coderws.Dial(ctx, url, &coderws.DialOptions{HTTPHeader: header})
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err != nil {
		return "", err
	}
	defer conn.CloseNow()
	if err := conn.Write(ctx, coderws.MessageText, []byte("ping")); err != nil {
		return "", err
	}
	_, msg, err := conn.Read(ctx)
	return string(msg), err
}

func gorillaClient(ctx context.Context, url string, header http.Header) (string, error) {
	conn, res, err := gorillaws.DefaultDialer.DialContext(ctx, url, header)
	if res != nil && res.Body != nil {
		defer res.Body.Close()
	}
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetReadDeadline(deadline)
	}
	if err := conn.WriteMessage(gorillaws.TextMessage, []byte("ping")); err != nil {
		return "", err
	}
	_, msg, err := conn.ReadMessage()
	return string(msg), err
}

// TestWebSocket upgrades a real connection with coder/websocket and
// gorilla/websocket on the server, dialed by both libraries' clients, with
// and without the Sec-Fetch-Dest a browser sends (Go, Node and native
// clients send none): every pair echoes a message, as it does without the
// middleware.
func TestWebSocket(t *testing.T) {
	servers := map[bool]string{false: echoServer(t, false), true: echoServer(t, true)}
	clients := []struct {
		name string
		dial wsClient
	}{
		{"coder client", coderClient},
		{"gorilla client", gorillaClient},
	}
	headers := []struct {
		name   string
		header http.Header
	}{
		{"no Sec-Fetch-Dest", nil},
		{"Sec-Fetch-Dest websocket", http.Header{"Sec-Fetch-Dest": {"websocket"}}},
		{"Sec-Fetch-Dest document", http.Header{"Sec-Fetch-Dest": {"document"}}},
	}
	for _, route := range []string{"/coder", "/gorilla"} {
		for _, cl := range clients {
			for _, h := range headers {
				t.Run(route+" server, "+cl.name+", "+h.name, func(t *testing.T) {
					for _, inject := range []bool{false, true} {
						ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
						echo, err := cl.dial(ctx, servers[inject]+route, h.header)
						cancel()
						require.NoError(t, err, "middleware: %v", inject)
						assert.Equal(t, "ping", echo, "middleware: %v", inject)
					}
				})
			}
		}
	}
}

// rawExchange sends a GET for path to the server at url over a new
// connection and returns all it gets back until the server closes it, less
// the Date header, which differs between two runs.
func rawExchange(t *testing.T, url, path string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), 3*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(3*time.Second)))
	_, err = io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	require.NoError(t, err)
	b, err := io.ReadAll(conn)
	require.NoError(t, err)
	var lines []string
	for _, line := range strings.SplitAfter(string(b), "\r\n") {
		if !strings.HasPrefix(line, "Date: ") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "")
}

// TestHijackAfterStatus sends a status with WriteHeaderNow, then hijacks the
// connection and writes on it, as WebSocket libraries do: the client gets
// what it gets without the middleware, the status line first.
func TestHijackAfterStatus(t *testing.T) {
	hijacker := func(status int) gin.HandlerFunc {
		return func(c *gin.Context) {
			c.Header("Upgrade", "test")
			c.Header("Connection", "Upgrade")
			c.Status(status)
			c.Writer.WriteHeaderNow()
			conn, brw, err := c.Writer.Hijack()
			if !assert.NoError(t, err) {
				return
			}
			defer conn.Close()
			_, _ = brw.WriteString("raw bytes")
			_ = brw.Flush()
		}
	}
	serverOf := func(inject bool) string {
		r := gin.New()
		r.Use(traced)
		if inject {
			r.Use(injectgin.Middleware())
		}
		r.GET("/101", hijacker(http.StatusSwitchingProtocols))
		r.GET("/200", hijacker(http.StatusOK))
		return serve(t, r)
	}
	without, with := serverOf(false), serverOf(true)
	for _, path := range []string{"/101", "/200"} {
		t.Run(path, func(t *testing.T) {
			want := rawExchange(t, without, path)
			require.True(t, strings.HasPrefix(want, "HTTP/1.1 "+path[1:]), "gin alone sends the status: %q", want)
			assert.Equal(t, want, rawExchange(t, with, path))
		})
	}
}
