package fasthttpkit

import "net"

// SetStreamDetach makes detachBodyStream fail, as with a fasthttp whose
// Response it does not know, until restore is called.
func SetStreamDetach(ok bool) (restore func()) {
	old := bodyStreamField.ok
	bodyStreamField.ok = ok
	return func() { bodyStreamField.ok = old }
}

// ParseRequestURI is parseRequestURI.
var ParseRequestURI = parseRequestURI

// Interner is interner.
type Interner = interner

// NewInterner returns an empty interner.
func NewInterner() *Interner { return newInterner() }

// String is interner.string.
func (c *interner) String(b []byte) string { return c.string(b) }

// AddrCache is addrCache.
type AddrCache = addrCache

// String is addrCache.string.
func (c *addrCache) String(a net.Addr) string { return c.string(a) }
