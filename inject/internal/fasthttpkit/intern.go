package fasthttpkit

import (
	"hash/maphash"
	"net"
	"sync/atomic"
	"unsafe"
)

// maxInterned is the length above which bytes are not interned: long
// values are rarely the same twice.
const maxInterned = 256

// internBuckets is the number of buckets of an interner, of two entries
// each.
const internBuckets = 256

// interner turns bytes that come again and again (hosts, request URIs, the
// values of the request headers inject decides from, the response's header
// names and values) into strings that cost no allocation the second time:
// each bucket keeps the last two strings made for it, whole and immutable,
// so that a string handed out never changes, whoever keeps it. A string met
// once costs one allocation, as string(b) does: the string and the length
// the bucket reads it back by are one block of memory (see entry). It is a
// cache, bounded (internBuckets*2 strings of at most maxInterned bytes),
// and safe for concurrent use: an entry read is always a whole string,
// compared by its bytes.
type interner struct {
	seed    maphash.Seed
	entries [2 * internBuckets]atomic.Pointer[byte] // see entry
}

func newInterner() *interner { return &interner{seed: maphash.MakeSeed()} }

// entryString returns the string of the entry p: the memory of a kept
// string is its length less one in a byte, then its bytes, written once
// before the entry is published and never after; the string shares them.
func entryString(p *byte) string {
	n := int(*p) + 1
	return unsafe.String((*byte)(unsafe.Add(unsafe.Pointer(p), 1)), n)
}

// newEntry returns the entry of b, 1 <= len(b) <= maxInterned, and its
// string.
func newEntry(b []byte) (*byte, string) {
	buf := make([]byte, 1+len(b))
	buf[0] = byte(len(b) - 1)
	copy(buf[1:], b)
	return &buf[0], unsafe.String(&buf[1], len(b))
}

// string returns b as a string: the one kept for these bytes, or a new one,
// which is kept. A nil interner always makes a new one.
func (c *interner) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if c == nil || len(b) > maxInterned {
		return string(b)
	}
	i := 2 * (maphash.Bytes(c.seed, b) % internBuckets)
	first, second := &c.entries[i], &c.entries[i+1]
	p1 := first.Load()
	if p1 != nil {
		if s := entryString(p1); s == string(b) {
			return s
		}
	}
	if p2 := second.Load(); p2 != nil {
		if s := entryString(p2); s == string(b) {
			return s
		}
	}
	// The newest first, the one it displaces second: two strings met in
	// turn both stay.
	p, s := newEntry(b)
	second.Store(p1)
	first.Store(p)
	return s
}

// addrBuckets is the number of remote addresses an addrCache keeps.
const addrBuckets = 64

// addrCache keeps the text of the remote addresses of the connections in
// use: fasthttp hands out the same *net.TCPAddr for every request of a
// connection, and its String allocates. Safe for concurrent use.
type addrCache struct {
	entries [addrBuckets]atomic.Pointer[addrText]
}

type addrText struct {
	addr *net.TCPAddr // kept, so that no other address takes its place in memory
	text string
}

// string returns a.String(), formatted once per connection.
func (c *addrCache) string(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if c == nil || !ok || tcp == nil {
		return a.String()
	}
	e := &c.entries[(uintptr(unsafe.Pointer(tcp))>>4)%addrBuckets]
	if t := e.Load(); t != nil && t.addr == tcp {
		return t.text
	}
	t := &addrText{addr: tcp, text: tcp.String()}
	e.Store(t)
	return t.text
}
