package injectcaddy_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/require"
)

// BenchmarkProxy serves one 12 KB page from a loopback upstream through two
// sites of one Caddy, without and with tracemeta. Run it with -count to
// interleave the two:
//
//	go test -run '^$' -bench Proxy -count 6 ./inject/caddy
func BenchmarkProxy(b *testing.B) {
	var page strings.Builder
	page.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Shop</title>\n</head>\n<body>\n")
	for i := range 200 {
		fmt.Fprintf(&page, "<p>Item %d: lorem ipsum dolor sit amet.</p>\n", i)
	}
	page.WriteString("</body>\n</html>\n")
	body := page.String()
	up := httpUpstream(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = io.WriteString(w, body)
	})
	plain, traced := freePort(b), freePort(b)
	cfg, err := adapt(b, fmt.Sprintf(`{
	admin off
	auto_https off
	persist_config off
	default_bind 127.0.0.1
	storage file_system %s
	log {
		level ERROR
	}
}
http://127.0.0.1:%d {
	reverse_proxy %s
}
http://127.0.0.1:%d {
	tracemeta
	reverse_proxy %s
}
`, caddyStorage, plain, up, traced, up))
	require.NoError(b, err)
	require.NoError(b, caddy.Load(cfg, true))
	b.Cleanup(func() { _ = caddy.Stop() })

	for _, site := range []struct {
		name string
		port int
	}{{"plain", plain}, {"tracemeta", traced}} {
		b.Run(site.name, func(b *testing.B) {
			url := fmt.Sprintf("http://127.0.0.1:%d/", site.port)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			defer client.CloseIdleConnections()
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodGet, url, nil)
					req.Header.Set("Accept", "text/html")
					req.Header.Set("Sec-Fetch-Dest", "document")
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if n < int64(len(body)) {
						b.Errorf("short body: %d bytes", n)
						return
					}
				}
			})
		})
	}
}
