package tracecontext

import "strings"

// sentryPrefix starts the baggage keys of the Dynamic Sampling Context.
const sentryPrefix = "sentry-"

// DSC is the Dynamic Sampling Context of a trace: the sentry- entries of
// W3C baggage (sentry-trace_id, sentry-public_key, ...). Values are held
// decoded, exactly as they arrived, so that a frozen upstream DSC is
// propagated byte for byte.
//
// The head of a trace creates the DSC; every service after it propagates it
// unchanged (it is frozen), even when its own settings differ.
type DSC struct {
	TraceID     string // sentry-trace_id
	PublicKey   string // sentry-public_key
	SampleRate  string // sentry-sample_rate
	SampleRand  string // sentry-sample_rand, six decimals in [0, 1)
	Sampled     string // sentry-sampled: "true", "false" or ""
	Release     string // sentry-release
	Environment string // sentry-environment
	Transaction string // sentry-transaction, only when its source is not a URL
	OrgID       string // sentry-org_id
	ReplayID    string // sentry-replay_id

	// Extra holds the sentry- entries this version does not know, in the
	// order they arrived, with the "sentry-" prefix removed from the key.
	Extra []Member

	// Frozen reports that the DSC came from upstream (or was already
	// propagated) and must not be changed.
	Frozen bool
}

// dscKeys is the one list of the keys the DSC knows (without the prefix), in
// the order [DSC.AppendBaggage] writes them: it drives parsing
// ([DSCFromBaggage]), writing and [DSC.IsZero] through [DSC.known], so that a
// key Sentry adds is a field, a line here and a case in known and in field
// (TestDSCKeys checks that they agree).
var dscKeys = [...]string{
	"trace_id", "public_key", "sample_rate", "sample_rand", "sampled",
	"release", "environment", "transaction", "org_id", "replay_id",
}

// known returns the field of dscKeys[i]. A switch rather than a table of
// funcs: d stays on the caller's stack.
func (d *DSC) known(i int) *string {
	switch i {
	case 0:
		return &d.TraceID
	case 1:
		return &d.PublicKey
	case 2:
		return &d.SampleRate
	case 3:
		return &d.SampleRand
	case 4:
		return &d.Sampled
	case 5:
		return &d.Release
	case 6:
		return &d.Environment
	case 7:
		return &d.Transaction
	case 8:
		return &d.OrgID
	case 9:
		return &d.ReplayID
	}
	panic("tracecontext: no DSC key " + dscKeys[i])
}

// IsZero reports whether d has no entries.
func (d DSC) IsZero() bool { return d.isZero() }

// isZero is IsZero without copying d.
func (d *DSC) isZero() bool {
	for i := range dscKeys {
		if *d.known(i) != "" {
			return false
		}
	}
	return len(d.Extra) == 0
}

// DSCFromBaggage returns the Dynamic Sampling Context held in b: every
// member whose key starts with "sentry-" (case-sensitive, as in the Sentry
// SDKs), the known keys into their fields and the others into Extra.
// Properties are ignored. When a key is repeated the last one wins, as in the
// Sentry SDKs, which read baggage into a map. The DSC is Frozen when it has
// any entry: it came from upstream. [Baggage.ThirdParty] returns the rest of
// b.
func DSCFromBaggage(b Baggage) DSC {
	var d DSC
	for _, m := range b.members {
		key, ok := strings.CutPrefix(m.Key, sentryPrefix)
		if !ok {
			continue
		}
		d.set(key, m.Value)
	}
	d.Frozen = !d.isZero()
	return d
}

// set sets the entry key (without the prefix): its field, or in Extra.
func (d *DSC) set(key, value string) {
	if f := d.field(key); f != nil {
		*f = value
		return
	}
	d.setExtra(key, value)
}

func (d *DSC) setExtra(key, value string) {
	for i := range d.Extra {
		if d.Extra[i].Key == key {
			d.Extra[i].Value = value
			return
		}
	}
	d.Extra = append(d.Extra, Member{Key: key, Value: value})
}

// field returns the field of a known DSC key (without the prefix), or nil.
// A switch on the key rather than a search of dscKeys: it runs for every
// sentry- member of every request (TestDSCKeys checks that it agrees).
func (d *DSC) field(key string) *string {
	switch key {
	case "trace_id":
		return &d.TraceID
	case "public_key":
		return &d.PublicKey
	case "sample_rate":
		return &d.SampleRate
	case "sample_rand":
		return &d.SampleRand
	case "sampled":
		return &d.Sampled
	case "release":
		return &d.Release
	case "environment":
		return &d.Environment
	case "transaction":
		return &d.Transaction
	case "org_id":
		return &d.OrgID
	case "replay_id":
		return &d.ReplayID
	}
	return nil
}

// Baggage returns d as a baggage header value; see [DSC.AppendBaggage].
func (d DSC) Baggage() string {
	var buf [512]byte
	return string(d.AppendBaggage(buf[:0]))
}

// AppendBaggage appends d to dst as a baggage header value:
// sentry-trace_id, sentry-public_key, sentry-sample_rate, sentry-sample_rand,
// sentry-sampled, sentry-release, sentry-environment, sentry-transaction,
// sentry-org_id, sentry-replay_id, then the Extra entries, joined by ",".
// Entries with an empty value are left out.
//
// Values are percent-encoded as JavaScript's encodeURIComponent does, so the
// appended bytes are only A-Z a-z 0-9 - _ . ! ~ * ' ( ) % = and ",": the
// Sentry browser SDK decodes them with decodeURIComponent, and nothing in
// them needs HTML escaping but ' (which HTML attribute escaping handles). An
// Extra key with a byte outside A-Z a-z 0-9 - _ . ! ~ * ' % is left out, since
// a key cannot be encoded, and so is one that is a known key (its field is
// written instead). Whole entries only: one that would take the
// appended value past [MaxBaggageBytes] is left out.
//
// It does not allocate beyond growing dst: render calls it for every page.
func (d DSC) AppendBaggage(dst []byte) []byte {
	return d.appendBaggageWithin(dst, MaxBaggageBytes)
}

// appendBaggageWithin is AppendBaggage with at most limit bytes appended.
// A pointer receiver: a DSC is a dozen words, copied by every value call.
func (d *DSC) appendBaggageWithin(dst []byte, limit int) []byte {
	start := len(dst)
	for i, key := range dscKeys {
		dst = appendDSCMember(dst, start, limit, key, *d.known(i))
	}
	for _, m := range d.Extra {
		if !isDSCKey(m.Key) || d.field(m.Key) != nil {
			continue // not writable, or a known key, written from its field
		}
		dst = appendDSCMember(dst, start, limit, m.Key, m.Value)
	}
	return dst
}

// appendDSCMember appends ",sentry-{key}={encoded value}" (no comma first)
// if value is not empty and the member fits in limit bytes counted from
// start.
//
// It encodes the value once, straight into dst, and takes the member back
// when it went past limit, rather than measure the encoding first: a member
// almost always fits, and measuring doubles the scan of every value. A value
// already longer than the room left is refused before it is encoded (the
// encoding is never shorter), so a hostile value costs no scan.
func appendDSCMember(dst []byte, start, limit int, key, value string) []byte {
	if value == "" {
		return dst
	}
	mark := len(dst)
	if mark > start {
		dst = append(dst, ',')
	}
	dst = append(dst, sentryPrefix...)
	dst = append(dst, key...)
	dst = append(dst, '=')
	if len(dst)-start+len(value) > limit {
		return dst[:mark]
	}
	dst = appendEncoded(dst, value)
	if len(dst)-start > limit {
		return dst[:mark]
	}
	return dst
}

// isDSCKey reports whether an Extra key can be written as it is: non-empty
// and made of bytes that encodeURIComponent keeps, or '%' (a key that
// arrived percent-encoded). Parentheses are left out because they are not
// token characters.
func isDSCKey(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == '(' || c == ')' || (!uriUnreserved[c] && c != '%') {
			return false
		}
	}
	return true
}
