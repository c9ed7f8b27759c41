package fasthttpkit_test

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/inject/internal/fasthttpkit"
)

// TestParseRequestURI checks that the request URIs parseRequestURI reads
// come out as url.ParseRequestURI reads them, and that it leaves the rest
// to it.
func TestParseRequestURI(t *testing.T) {
	tests := []struct {
		uri string
		ok  bool
	}{
		{"/", true},
		{"/a/b.html", true},
		{"/a-b_c.d~e/", true},
		{"/a?x=1&y=%20", true},
		{"/a?", true},
		{"/a??", true},
		{"/a?x=1?y", true},
		{"//a/b", true},
		{"/a?x=\x7f", false},
		{"/a?x=\x01", false},
		{"/a%20b", false},
		{"/a b", false},
		{"/a:b", false},
		{"/a#b", false},
		{"/é", false},
		{"*", false},
		{"http://h/a", false},
		{"a/b", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			var got url.URL
			ok := fasthttpkit.ParseRequestURI(tt.uri, &got)
			assert.Equal(t, tt.ok, ok)
			if ok {
				want, err := url.ParseRequestURI(tt.uri)
				require.NoError(t, err)
				assert.Equal(t, *want, got)
			} else {
				assert.Equal(t, url.URL{}, got, "left alone")
			}
		})
	}
}

// FuzzParseRequestURI checks that whatever parseRequestURI reads, it reads
// as url.ParseRequestURI does.
func FuzzParseRequestURI(f *testing.F) {
	for _, s := range []string{"/", "/a/b?x=1", "/a?", "/a??", "//x", "/a%2Fb", "/a?b#c", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		var got url.URL
		if !fasthttpkit.ParseRequestURI(uri, &got) {
			return
		}
		want, err := url.ParseRequestURI(uri)
		require.NoError(t, err)
		assert.Equal(t, *want, got)
	})
}

// TestInterner checks that an interner returns the bytes it is given, the
// same string for the same bytes, strings that stay as they were when the
// bytes change, and one allocation for bytes met once, under concurrent
// use.
func TestInterner(t *testing.T) {
	in := fasthttpkit.NewInterner()
	b := []byte("text/html; charset=utf-8")
	s := in.String(b)
	assert.Equal(t, "text/html; charset=utf-8", s)
	again := in.String([]byte("text/html; charset=utf-8"))
	assert.Equal(t, s, again)
	assert.Equal(t, stringData(s), stringData(again), "the kept string")
	copy(b, "XXXX")
	assert.Equal(t, "text/html; charset=utf-8", s, "a string handed out never changes")
	assert.Equal(t, "XXXX/html; charset=utf-8", in.String(b))
	assert.Equal(t, "", in.String(nil))
	long := []byte(strings.Repeat("x", 1000))
	assert.Equal(t, string(long), in.String(long))
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = in.String([]byte("text/html; charset=utf-8")) }))
	var buf [32]byte
	i := 0
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() {
		i++
		_ = in.String(strconv.AppendInt(append(buf[:0], "/page?id="...), int64(i), 10))
	}), "a string met once costs what string(b) costs")
	for n := 1; n <= 300; n++ { // every length kept, and the ones past it
		v := []byte(strings.Repeat("y", n-1) + "z")
		assert.Equal(t, string(v), in.String(v))
		assert.Equal(t, string(v), in.String(v), "kept")
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				v := strings.Repeat(string(rune('a'+g)), 1+i%600)
				assert.Equal(t, v, in.String([]byte(v)))
			}
		})
	}
	wg.Wait()
}

// TestAddrCache checks that an addrCache returns the text of each address,
// whichever came before.
func TestAddrCache(t *testing.T) {
	var c fasthttpkit.AddrCache
	addrs := []net.Addr{
		&net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4711},
		&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443, Zone: "eth0"},
		&net.TCPAddr{},
		&net.UnixAddr{Name: "/run/app.sock", Net: "unix"},
	}
	for range 3 {
		for _, a := range addrs {
			assert.Equal(t, a.String(), c.String(a))
		}
	}
	a := addrs[0]
	assert.Zero(t, testing.AllocsPerRun(10, func() { _ = c.String(a) }))
}

// stringData is the address of s's bytes.
func stringData(s string) uintptr { return uintptr(unsafe.Pointer(unsafe.StringData(s))) }
