package tracecontext

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// Limits of W3C baggage (https://www.w3.org/TR/baggage/#limits): a platform
// MUST propagate at least 64 list-members and 8192 bytes, and MAY drop
// list-members beyond, but never a part of one.
const (
	// MaxBaggageMembers is the number of list-members kept by
	// [ParseBaggage] and written by [Baggage.AppendTo]: the 180 that W3C
	// baggage first specified and that OpenTelemetry and sentry-go keep,
	// above the 64 that the current specification requires.
	MaxBaggageMembers = 180
	// MaxBaggageBytes is the size of a baggage value, in bytes: what
	// [ParseBaggage] keeps of a received one (members counted as received,
	// without the whitespace around them) and what [Baggage.AppendTo] and
	// [DSC.AppendBaggage] never exceed.
	MaxBaggageBytes = 8192
)

// Member is one list-member of W3C baggage: a key, its decoded value and its
// properties.
type Member struct {
	Key        string
	Value      string
	Properties []Property
}

// Property is one property of a baggage [Member]: "key" or "key=value".
type Property struct {
	Key      string
	Value    string
	HasValue bool
}

// Baggage is a parsed W3C baggage header: an ordered list of members.
// The zero value is empty baggage. A Baggage is immutable: its methods never
// change it and never hand out its internal slices.
type Baggage struct {
	members []Member
}

// NewBaggage returns baggage holding members, in order. It returns an error
// wrapping [ErrInvalidBaggage] if a key (of a member or a property) is not an
// RFC 9110 token. Values may hold any bytes: [Baggage.AppendTo]
// percent-encodes them.
func NewBaggage(members ...Member) (Baggage, error) {
	for _, m := range members {
		if !isToken(m.Key) {
			return Baggage{}, fmt.Errorf("%w: key %q", ErrInvalidBaggage, m.Key)
		}
		for _, p := range m.Properties {
			if !isToken(p.Key) {
				return Baggage{}, fmt.Errorf("%w: property key %q of %q", ErrInvalidBaggage, p.Key, m.Key)
			}
		}
	}
	b := Baggage{members: make([]Member, len(members))}
	for i, m := range members {
		m.Properties = append([]Property(nil), m.Properties...)
		b.members[i] = m
	}
	return b, nil
}

// ParseBaggage parses a W3C baggage header value
// (https://www.w3.org/TR/baggage/#header-content):
//
//	list-member *( OWS "," OWS list-member )
//	list-member = key OWS "=" OWS value *( OWS ";" OWS property )
//	property    = key OWS "=" OWS value / key OWS
//
// Keys are tokens and kept as they are; values are percent-decoded, and
// percent-encoded octets that are not UTF-8 become U+FFFD, as the
// specification says. Empty list-members (",,") are skipped, as RFC 9110
// lists allow.
//
// Empty properties ("k=v;") are skipped too, as sentry-python's test baggage
// has them.
//
// Invalid list-members (a key that is not a token, no '=', a value octet
// outside baggage-octet, a '%' not followed by two hex digits, a property key
// that is not a token) are dropped whole and the others kept: the Sentry JavaScript SDK,
// which reads what this package writes, drops a member it cannot decode in
// the same way. Members beyond [MaxBaggageMembers], or that would take the
// value past [MaxBaggageBytes], are dropped whole too. In both cases the
// error wraps [ErrInvalidBaggage] or [ErrBaggageTooLarge] (both, joined,
// when both happened), and the returned Baggage still holds every member that
// was kept. Callers that only propagate can ignore the error.
//
// Parsing costs what is kept, not what was sent: input past twice
// [MaxBaggageBytes] is dropped unread, a member is measured before it is
// decoded, and at most 64 properties are kept over all members (a member
// that would take more is dropped whole). So a hostile header of any size
// or shape takes a small, bounded amount of memory and time.
func ParseBaggage(s string) (Baggage, error) {
	var p baggageParser
	p.parse(nil, s)
	return p.result()
}

// maxBaggageInput bounds the baggage input read per request, over all of its
// baggage headers: twice what can be kept, for the whitespace, empty and
// invalid members a sender may mix in. What lies past it could only be kept
// in place of members read before it, so it is dropped unread
// ([ErrBaggageTooLarge]), and a hostile header costs what is kept, not what
// was sent.
const maxBaggageInput = 2 * MaxBaggageBytes

// maxBaggageProperties bounds the properties kept over all members, so that
// the memory of a parse is small whatever the shape of what is kept: W3C
// baggage sets no limit, and no SDK writes properties at all. A member whose
// properties would go past it is dropped whole ([ErrBaggageTooLarge]).
const maxBaggageProperties = 64

// baggageParser parses one or more baggage header values into one list, so
// that the limits apply to the request as a whole.
type baggageParser struct {
	kept     int // members kept, in members or in the DSC given to parse
	members  []Member
	size     int             // serialized bytes of members, commas included
	read     int             // input bytes read, over every value; at most maxBaggageInput
	props    int             // properties kept, over every member
	problems baggageProblems // what was dropped; never reset
	decoded  *decodedValues  // the values decoded before, reused; nil: none
}

// baggageProblems records what a parse dropped. It is a value apart from the
// parser so that formatting it, which makes its strings escape, leaves the
// parser (and the DSC it fills) on the stack.
type baggageProblems struct {
	invalid  string // the first invalid member
	tooLarge string // the first member dropped for the limits
	failed   uint8  // which of invalid and tooLarge are set (failedInvalid, failedTooLarge)
}

const (
	failedInvalid uint8 = 1 << iota
	failedTooLarge
)

// parse parses the baggage header values of one request, in order. When dsc
// is not nil, it receives the sentry- members, as [DSCFromBaggage] reads
// them, instead of p.members: continuing a request needs the DSC and the
// other vendors' members apart, and the usual baggage, all sentry-, then
// costs no slice. (A parameter rather than a field, so that formatting p's
// problems does not move the DSC to the heap.)
func (p *baggageParser) parse(dsc *DSC, values ...string) {
	for i, v := range values {
		if !p.parseValue(dsc, v, values[i+1:]) {
			for _, v := range values[i+1:] {
				if v != "" {
					dropped, _, _ := strings.Cut(v[:min(len(v), maxQuoted+1)], ",")
					p.dropTooLarge(trimOWS(dropped))
					break
				}
			}
			return
		}
	}
}

// parseValue parses one baggage header value, within what is left of the
// input budget. It returns false when the budget is spent: the members that
// end within it are kept, the one it cuts and everything after it are
// dropped unread.
//
// later are the values to parse after s, which the first member kept in
// p.members counts for its capacity.
func (p *baggageParser) parseValue(dsc *DSC, s string, later []string) bool {
	if left := maxBaggageInput - p.read; len(s) > left {
		cut := max(strings.LastIndexByte(s[:left], ','), 0)
		dropped := s[cut:min(len(s), cut+1+maxQuoted+1)] // enough to quote
		dropped, _, _ = strings.Cut(strings.TrimPrefix(dropped, ","), ",")
		p.dropTooLarge(trimOWS(dropped))
		s = s[:cut]
		p.read = maxBaggageInput
	} else {
		p.read += len(s)
	}
	for s != "" {
		for s != "" && (s[0] == ' ' || s[0] == '\t') {
			s = s[1:] // the OWS before a member, which trimOWS would drop
		}
		if key, value, escapes, ok := plainMember(s); ok {
			n := len(key) + 1 + len(value)
			raw := s[:n]
			s = s[min(n+1, len(s)):] // and its comma
			// What keepGeneral would keep of it, without parseMember.
			if n, ok := p.room(raw); ok {
				if escapes > 0 {
					value = p.decoded.decodeEscaped(value, escapes)
				}
				p.keep(dsc, &Member{Key: key, Value: value}, n, s, later)
			}
			continue
		}
		var raw string
		raw, s, _ = strings.Cut(s, ",")
		p.keepGeneral(dsc, trimOWS(raw), s, later)
	}
	return p.read < maxBaggageInput
}

// memberRoom returns the capacity to make p.members with, when the first
// member is kept, rest being what is left of the current value after it
// and later the values after that:
// the members the input from there on may hold, the one kept included, so
// that the slice is made once. It is counted then rather than before the
// parse, so that baggage whose members all go into a DSC costs no count.
func (p *baggageParser) memberRoom(rest string, later []string) int {
	n := 1
	if rest != "" {
		n += strings.Count(rest, ",") + 1
	}
	left := maxBaggageInput - p.read
	for _, v := range later {
		if v = v[:min(len(v), left)]; v != "" {
			n += strings.Count(v, ",") + 1
			left -= len(v)
		}
	}
	return min(n, MaxBaggageMembers)
}

// keepGeneral is the rest of parseValue for any member raw (OWS trimmed,
// maybe empty): it parses it with parseMember and keeps what may be kept;
// rest and later are what follows it (see memberRoom).
func (p *baggageParser) keepGeneral(dsc *DSC, raw, rest string, later []string) {
	if raw == "" {
		return
	}
	// The limits are checked before the member is parsed, so that a member
	// that cannot be kept costs nothing to drop.
	n, ok := p.room(raw)
	if !ok {
		return
	}
	m, res := parseMember(raw, maxBaggageProperties-p.props, p.decoded)
	switch res {
	case memberInvalid:
		if p.problems.failed&failedInvalid == 0 {
			p.problems.failed |= failedInvalid
			p.problems.invalid = raw
		}
		return
	case memberTooLarge:
		p.dropTooLarge(raw)
		return
	}
	p.props += len(m.Properties)
	p.keep(dsc, &m, n, rest, later)
}

// room returns the bytes the member raw adds to what is kept, its comma
// included, and whether the limits leave room for them; a member they do
// not is recorded as dropped.
func (p *baggageParser) room(raw string) (int, bool) {
	n := len(raw)
	if p.kept > 0 {
		n++ // the comma
	}
	if p.kept == MaxBaggageMembers || p.size+n > MaxBaggageBytes {
		p.dropTooLarge(raw)
		return 0, false
	}
	return n, true
}

// keep keeps *m, n bytes of the baggage (a pointer: a Member is seven
// words, and this runs for every member): a sentry- member in dsc when there
// is one, any other in p.members.
func (p *baggageParser) keep(dsc *DSC, m *Member, n int, rest string, later []string) {
	p.size += n
	p.kept++
	if dsc != nil {
		if key, ok := strings.CutPrefix(m.Key, sentryPrefix); ok {
			dsc.set(key, m.Value)
			return
		}
	}
	if p.members == nil {
		p.members = make([]Member, 0, p.memberRoom(rest, later))
	}
	p.members = append(p.members, *m)
}

// plainMember reads the list-member at the start of s when it is plain, as
// the SDKs write every member: a token key, '=', and a valid value, with no
// whitespace and no properties, ended by ',' or the end of s. It returns the
// key, the raw value and the number of percent-escapes in it. For any other
// member ok is false, and the general parse reads it; the one pass here
// stands for its cuts, token check and value validation.
func plainMember(s string) (key, value string, escapes int, ok bool) {
	i := 0
	if strings.HasPrefix(s, sentryPrefix) {
		i = len(sentryPrefix) // token characters: most keys start so
	}
	for i < len(s) && byteClass[s[i]]&classToken != 0 {
		i++
	}
	if i == 0 || i == len(s) || s[i] != '=' {
		return "", "", 0, false
	}
	j := i + 1
	for j < len(s) {
		c := s[j]
		if byteClass[c]&classPlain != 0 {
			j++ // almost every byte: one branch, predictable (see appendEncoded)
			continue
		}
		if c == ',' {
			break
		}
		if byteClass[c]&classOctet == 0 {
			return "", "", 0, false
		}
		if c == '%' {
			// The two hex digits are never ',', so they are the value's.
			if j+2 >= len(s) || unhex(s[j+1]) > 0xf || unhex(s[j+2]) > 0xf {
				return "", "", 0, false
			}
			escapes++
			j += 2
		}
		j++
	}
	return s[:i], s[i+1 : j], escapes, true
}

// dropTooLarge records raw as the first member dropped for the limits.
func (p *baggageParser) dropTooLarge(raw string) {
	if p.problems.failed&failedTooLarge == 0 && raw != "" {
		p.problems.failed |= failedTooLarge
		p.problems.tooLarge = raw
	}
}

func (p *baggageParser) result() (Baggage, error) {
	return Baggage{members: p.members}, p.problems.err()
}

// err formats what went wrong, or returns nil.
func (e baggageProblems) err() error {
	var invalid, tooLarge error
	if e.failed&failedInvalid != 0 {
		invalid = fmt.Errorf("%w: %q", ErrInvalidBaggage, truncate(e.invalid, maxQuoted))
	}
	if e.failed&failedTooLarge != 0 {
		tooLarge = fmt.Errorf("%w: dropped %q", ErrBaggageTooLarge, truncate(e.tooLarge, maxQuoted))
	}
	if invalid != nil && tooLarge != nil {
		return errors.Join(invalid, tooLarge)
	}
	if invalid != nil {
		return invalid
	}
	return tooLarge
}

// memberResult is the outcome of parsing one list-member.
type memberResult uint8

const (
	memberOK       memberResult = iota
	memberInvalid               // against the grammar
	memberTooLarge              // more properties than may be kept
)

// parseMember parses one trimmed, non-empty list-member that may have at
// most maxProps properties.
func parseMember(raw string, maxProps int, decoded *decodedValues) (Member, memberResult) {
	kv, props, hasProps := strings.Cut(raw, ";")
	k, v, ok := strings.Cut(kv, "=")
	if !ok {
		return Member{}, memberInvalid
	}
	m := Member{Key: trimOWS(k)}
	if !isToken(m.Key) {
		return Member{}, memberInvalid
	}
	if m.Value, ok = decoded.decode(trimOWS(v)); !ok {
		return Member{}, memberInvalid
	}
	if !hasProps {
		return m, memberOK
	}
	// The slice is sized by what may be kept, never by what was sent.
	capProps := min(strings.Count(props, ";")+1, maxProps)
	n := 0
	for more := true; more; {
		var rawProp string
		rawProp, props, more = strings.Cut(props, ";")
		if trimOWS(rawProp) == "" {
			// "k=v;" and "k=v;;p": tolerated like empty list-members (the
			// sentry-python test baggage ends in "foo;bar;").
			continue
		}
		k, v, hasValue := strings.Cut(rawProp, "=")
		p := Property{Key: trimOWS(k), HasValue: hasValue}
		if !isToken(p.Key) {
			return Member{}, memberInvalid
		}
		if hasValue {
			if p.Value, ok = decodeValue(trimOWS(v)); !ok {
				return Member{}, memberInvalid
			}
		}
		if n++; n <= maxProps {
			if m.Properties == nil {
				m.Properties = make([]Property, 0, capProps)
			}
			m.Properties = append(m.Properties, p)
		}
	}
	if n > maxProps {
		return Member{}, memberTooLarge // validated to the end, as documented
	}
	return m, memberOK
}

// isToken reports whether s is a non-empty RFC 9110 token, the grammar of a
// baggage key.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// tchar is the RFC 9110 token character set.
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// isBaggageOctet reports whether c may appear in a raw baggage value:
// %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (no space, '"', ',', ';',
// '\\', controls or non-ASCII).
func isBaggageOctet(c byte) bool {
	return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\'
}

// The classes of byteClass, one bit each.
const (
	classToken      = 1 << iota // an RFC 9110 token character (tchar)
	classOctet                  // a baggage octet (isBaggageOctet)
	classPlain                  // a baggage octet other than '%': a value holds it as it is
	classUnreserved             // a byte encodeURIComponent keeps (uriUnreserved)
)

// byteClass holds the classes of every byte in one table, so that the hot
// loops over baggage, parsed and written, read one table rather than one
// per class.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		if tchar[c] {
			t[c] |= classToken
		}
		if isBaggageOctet(byte(c)) {
			t[c] |= classOctet
			if c != '%' {
				t[c] |= classPlain
			}
		}
		if uriUnreserved[c] {
			t[c] |= classUnreserved
		}
	}
	return t
}()

// decodeValue validates a raw baggage value and percent-decodes it. It
// returns v itself, without allocating, when there is nothing to decode.
func decodeValue(v string) (string, bool) {
	escapes := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if byteClass[c]&classOctet == 0 {
			return "", false
		}
		if c == '%' {
			if i+2 >= len(v) {
				return "", false
			}
			if unhex(v[i+1]) > 0xf || unhex(v[i+2]) > 0xf {
				return "", false
			}
			escapes++
			i += 2
		}
	}
	if escapes == 0 {
		return v, true
	}
	return unescape(v, escapes), true
}

// unescape percent-decodes v, a valid raw value with escapes (> 0)
// percent-escapes; octets that are not UTF-8 become U+FFFD.
func unescape(v string, escapes int) string {
	b := make([]byte, 0, len(v)-2*escapes)
	for i := 0; i < len(v); i++ {
		if v[i] == '%' {
			b = append(b, unhex(v[i+1])<<4|unhex(v[i+2]))
			i += 2
			continue
		}
		b = append(b, v[i])
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// decodedValues remembers percent-encoded baggage values and their
// decoding, so that a service whose requests carry the same encoded values
// (a release such as shop%401.4.0, a transaction such as GET%20%2Fcart)
// decodes each once rather than allocating its decoding on every request.
// It is a small table of slots chosen by a hash of the encoded value, each
// holding the last value decoded there; safe for concurrent use. A nil
// *decodedValues decodes every time.
type decodedValues struct {
	slots [decodedSlots]atomic.Pointer[decodedValue]
}

// decodedSlots is the number of values a decodedValues keeps: enough for
// the release, the environment and the transactions of a service's pages.
const (
	decodedSlots  = 32
	maxDecodedLen = 256 // longer values are decoded every time, never kept
)

type decodedValue struct{ encoded, value string }

// decode is decodeValue, reusing the decoding of v when it is kept.
func (d *decodedValues) decode(v string) (string, bool) {
	if d == nil || len(v) > maxDecodedLen || strings.IndexByte(v, '%') < 0 {
		return decodeValue(v)
	}
	slot := &d.slots[hashString(v)%decodedSlots]
	if kept := slot.Load(); kept != nil && kept.encoded == v {
		return kept.value, true
	}
	value, ok := decodeValue(v)
	if ok {
		// v is part of the request's header: the copy keeps no more of
		// it than the value.
		slot.Store(&decodedValue{encoded: strings.Clone(v), value: value})
	}
	return value, ok
}

// decodeEscaped is decode for v known valid, with escapes (> 0)
// percent-escapes.
func (d *decodedValues) decodeEscaped(v string, escapes int) string {
	if d == nil || len(v) > maxDecodedLen {
		return unescape(v, escapes)
	}
	slot := &d.slots[hashString(v)%decodedSlots]
	if kept := slot.Load(); kept != nil && kept.encoded == v {
		return kept.value
	}
	value := unescape(v, escapes)
	slot.Store(&decodedValue{encoded: strings.Clone(v), value: value})
	return value
}

// hashString hashes s for a decodedValues slot, eight bytes at a time (a
// byte-at-a-time hash waits on a multiply per byte). It is the same in
// every process, so which values share a slot never varies from run to run.
func hashString(s string) uint32 {
	const k1, k2 = 0x9e3779b97f4a7c15, 0xc2b2ae3d27d4eb4f
	h := uint64(len(s)) * k1
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = bits.RotateLeft64(h^(w*k2), 31) * k1
		s = s[8:]
	}
	var w uint64
	for i := range len(s) {
		w |= uint64(s[i]) << (8 * i)
	}
	h = bits.RotateLeft64(h^(w*k2), 31) * k1
	return uint32(h ^ h>>32)
}

// unhex returns the value of a hex digit of either case, or 0xff.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 0xff
}

// Len returns the number of members of b.
func (b Baggage) Len() int { return len(b.members) }

// At returns the i-th member of b. It panics if i is out of range, like an
// index expression. Its Properties must not be modified.
func (b Baggage) At(i int) Member { return b.members[i] }

// Members returns a copy of the members of b, in order.
func (b Baggage) Members() []Member {
	if len(b.members) == 0 {
		return nil
	}
	out := make([]Member, len(b.members))
	for i, m := range b.members {
		m.Properties = append([]Property(nil), m.Properties...)
		out[i] = m
	}
	return out
}

// Member returns the member of b with the key, and whether there is one.
// When a key is repeated the last one wins, as in the Sentry SDKs, which read
// baggage into a map.
func (b Baggage) Member(key string) (Member, bool) {
	for i := len(b.members) - 1; i >= 0; i-- {
		if b.members[i].Key == key {
			return b.members[i], true
		}
	}
	return Member{}, false
}

// ThirdParty returns the members of b whose key does not start with
// "sentry-": what other vendors put into the baggage.
func (b Baggage) ThirdParty() Baggage {
	n := 0
	for _, m := range b.members {
		if !strings.HasPrefix(m.Key, sentryPrefix) {
			n++
		}
	}
	if n == len(b.members) {
		return b
	}
	out := Baggage{members: make([]Member, 0, n)}
	for _, m := range b.members {
		if !strings.HasPrefix(m.Key, sentryPrefix) {
			out.members = append(out.members, m)
		}
	}
	return out
}

// String returns b as a baggage header value; see [Baggage.AppendTo].
func (b Baggage) String() string { return string(b.AppendTo(nil)) }

// AppendTo appends b to dst as a baggage header value: members joined by
// ",", values and property values percent-encoded as JavaScript's
// encodeURIComponent does (everything but A-Z a-z 0-9 - _ . ! ~ * ' ( )).
// Whole members only: a member that would take the appended value past
// [MaxBaggageBytes] is left out, and so is every member after the first
// [MaxBaggageMembers].
func (b Baggage) AppendTo(dst []byte) []byte {
	start, written := len(dst), 0
	for _, m := range b.members {
		if written == MaxBaggageMembers {
			break
		}
		n := len(m.Key) + 1 + encodedLen(m.Value)
		for _, p := range m.Properties {
			n += 1 + len(p.Key)
			if p.HasValue {
				n += 1 + encodedLen(p.Value)
			}
		}
		if written > 0 {
			n++
		}
		if len(dst)-start+n > MaxBaggageBytes {
			continue
		}
		if written > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, m.Key...)
		dst = append(dst, '=')
		dst = appendEncoded(dst, m.Value)
		for _, p := range m.Properties {
			dst = append(dst, ';')
			dst = append(dst, p.Key...)
			if p.HasValue {
				dst = append(dst, '=')
				dst = appendEncoded(dst, p.Value)
			}
		}
		written++
	}
	return dst
}

// uriUnreserved is the set that encodeURIComponent leaves as it is.
var uriUnreserved = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-_.!~*'()" {
		t[c] = true
	}
	return t
}()

// encodedLen returns len(appendEncoded(nil, s)).
func encodedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !uriUnreserved[s[i]] {
			n += 2
		}
	}
	return n
}

// appendEncoded appends s percent-encoded like encodeURIComponent, with
// upper-case hex digits, copying the runs between escaped bytes at once.
func appendEncoded(dst []byte, s string) []byte {
	const upperHex = "0123456789ABCDEF"
	last := 0
	// One branch per byte, almost always taken the same way: on a server,
	// where the rest of the request leaves the branch predictor no memory of
	// this loop, that costs less than testing eight bytes at a time.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if byteClass[c]&classUnreserved != 0 {
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0xf])
		last = i + 1
	}
	return append(dst, s[last:]...)
}
