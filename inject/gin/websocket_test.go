package injectgin_test

import (
	"context"
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
