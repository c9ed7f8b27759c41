package injectcaddy_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
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
	sites := startCaddySites(b, "\treverse_proxy "+up, "\ttracemeta\n\treverse_proxy "+up)

	for _, site := range []struct {
		name, url string
	}{{"plain", sites[0]}, {"tracemeta", sites[1]}} {
		b.Run(site.name, func(b *testing.B) {
			url := site.url + "/"
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			defer client.CloseIdleConnections()
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := benchNavigate(b, client, url, "")
					if n < 0 {
						return
					}
					if n < int64(len(body)) {
						b.Errorf("short body: %d bytes", n)
						return
					}
				}
			})
		})
	}
}

// benchNavigate sends client's navigation to url, with acceptEncoding unless
// it is empty, reads the body to its end and returns its length; a failed
// request is reported to b and returns -1.
func benchNavigate(b *testing.B, client *http.Client, url, acceptEncoding string) int64 {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Dest", "document")
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	res, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return -1
	}
	defer res.Body.Close()
	n, _ := io.Copy(io.Discard, res.Body)
	return n
}
