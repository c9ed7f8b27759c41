package fasthttpkit

import (
	"io"
	"reflect"
	"sync"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// bodyStreamField locates fasthttp.Response's body stream, which fasthttp
// gives no way to take out of a response without closing it: every setter
// closes the stream it replaces. The replay needs the stream open, to read
// it as fasthttp sends the rewritten one. ok is false when the field is not
// there with the type this code knows, and body streams then pass through
// untouched.
var bodyStreamField = func() (f struct {
	offset uintptr
	ok     bool
}) {
	sf, ok := reflect.TypeFor[fasthttp.Response]().FieldByName("bodyStream")
	f.offset = sf.Offset
	f.ok = ok && sf.Type == reflect.TypeFor[io.Reader]()
	return f
}()

// detachBodyStream takes the body stream out of resp, open, and leaves resp
// without one. ok is false when it cannot (see bodyStreamField).
func detachBodyStream(resp *fasthttp.Response) (src io.Reader, ok bool) {
	if !bodyStreamField.ok {
		return nil, false
	}
	p := (*io.Reader)(unsafe.Add(unsafe.Pointer(resp), bodyStreamField.offset))
	src, *p = *p, nil
	return src, src != nil
}

// bufPool holds the buffers of rewritten bodies.
var bufPool sync.Pool // of *[]byte

// maxPooled is the capacity above which a buffer is left to the garbage
// collector rather than kept for the next page.
const maxPooled = 1 << 20

// getBuf returns an empty buffer from the pool, with room for n bytes, and
// the holder to give back to putBuf.
func getBuf(n int) (*[]byte, []byte) {
	p, _ := bufPool.Get().(*[]byte)
	if p == nil {
		p = new([]byte)
	}
	b := (*p)[:0]
	if cap(b) < n {
		b = make([]byte, 0, n)
	}
	return p, b
}

// putBuf puts b into the pool in holder p.
func putBuf(p *[]byte, b []byte) {
	if cap(b) > maxPooled {
		b = nil
	}
	*p = b[:0]
	bufPool.Put(p)
}
