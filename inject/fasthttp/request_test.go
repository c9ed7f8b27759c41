package injectfasthttp_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	injectfasthttp "github.com/tracemeta/tracemeta/inject/fasthttp"
)

// TestNewRequest checks the net/http request built from a fasthttp one.
func TestNewRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		raw        string
		method     string
		proto      string
		host       string
		uri        string
		path       string
		query      string
		header     http.Header
		protoMajor int
	}{
		{
			name:   "navigation",
			raw:    "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: shop.example\r\nAccept: text/html\r\nsec-fetch-dest: document\r\nX-Multi: 1\r\nX-Multi: 2\r\n\r\n",
			method: http.MethodGet, proto: "HTTP/1.1", host: "shop.example", uri: "/a/b?x=1&y=%20", path: "/a/b", query: "x=1&y=%20",
			header:     http.Header{"Accept": {"text/html"}, "Sec-Fetch-Dest": {"document"}, "X-Multi": {"1", "2"}},
			protoMajor: 1,
		},
		{
			name:   "HTTP/1.0 HEAD",
			raw:    "HEAD /x HTTP/1.0\r\nHost: h\r\n\r\n",
			method: http.MethodHead, proto: "HTTP/1.0", host: "h", uri: "/x", path: "/x",
			header: http.Header{"Connection": {"close"}}, protoMajor: 1,
		},
		{
			name:   "absolute URI",
			raw:    "GET http://other.example/p?q HTTP/1.1\r\nHost: h\r\n\r\n",
			method: http.MethodGet, proto: "HTTP/1.1", host: "other.example", path: "/p", query: "q",
			header: http.Header{}, protoMajor: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var req fasthttp.Request
			require.NoError(t, req.Read(bufioReader(tt.raw)))
			var fctx fasthttp.RequestCtx
			fctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711}, nil)
			r := injectfasthttp.NewRequest(&fctx)
			assert.Equal(t, tt.method, r.Method)
			assert.Equal(t, tt.proto, r.Proto)
			assert.Equal(t, tt.protoMajor, r.ProtoMajor)
			assert.Equal(t, tt.host, r.Host)
			if tt.uri != "" {
				assert.Equal(t, tt.uri, r.RequestURI)
			}
			assert.Equal(t, tt.path, r.URL.Path)
			assert.Equal(t, tt.query, r.URL.RawQuery)
			assert.Equal(t, tt.header, r.Header, "Host is r.Host, as net/http has it")
			assert.Equal(t, "192.0.2.1:4711", r.RemoteAddr)
			assert.Equal(t, http.NoBody, r.Body)
			assert.NotNil(t, r.Context())
		})
	}
}

// FuzzNewRequest checks that any request fasthttp accepts becomes a
// net/http request without a panic, with a URL and a protocol.
func FuzzNewRequest(f *testing.F) {
	f.Add("GET /a?b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n")
	f.Add("GET http://x/%zz HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Add("POST * HTTP/9.9\r\nHost: \r\nx: \xff\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		var fctx fasthttp.RequestCtx
		if err := fctx.Request.Read(bufioReader(raw)); err != nil {
			return // not a request fasthttp serves
		}
		r := injectfasthttp.NewRequest(&fctx)
		require.NotNil(t, r.URL)
		require.NotNil(t, r.Header)
		require.GreaterOrEqual(t, r.ProtoMajor, 1)
		r.Header.Get("Accept") // usable
	})
}
