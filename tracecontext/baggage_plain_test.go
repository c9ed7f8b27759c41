package tracecontext

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generalParse is baggageParser.parseValue without the plain-member fast
// path: every member cut, trimmed and kept by keepGeneral, with
// parseMember. The fast path must keep exactly what it keeps.
func generalParse(dsc *DSC, s string) ([]Member, baggageProblems) {
	var p baggageParser
	for s != "" {
		var raw string
		raw, s, _ = strings.Cut(s, ",")
		p.keepGeneral(dsc, trimOWS(raw), s, nil)
	}
	return p.members, p.problems
}

var plainMemberSeeds = []string{
	"sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=0.25,sentry-sample_rand=0.118452,sentry-sampled=true,sentry-release=shop%401.4.2,sentry-environment=production,sentry-transaction=GET%20%2Fproducts%2F%7Bid%7D,sentry-org_id=4505",
	"key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue",
	"SomeKey=%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29",
	"a=1, b=2,\tc=3 ,d=4\t, e = 5",
	"a=,b=%,c=%4,d=%4G,e=%41,f=%e2%82%ac,g=%FF%FE,h=x%",
	"=v,k,k=v=w,k==,k=v\"w,k=v\\w,k=v w,k=é,k=\x00,k=\x7f",
	"sentry-a=1,sentry-trace_id=x,sentry-trace_id=y,sentry-=z,sentry-sampled=true;p=1",
	",,, ,\t,k=v,,",
	"k;=v,k=v;,k=v;;p,k=v; p = q ;r",
	"a=" + strings.Repeat("x", 300) + ",b=" + strings.Repeat("%41", 100),
}

// TestPlainMemberAgreesWithGeneralParse checks, on members of every shape,
// that parsing with the plain-member fast path keeps the members, the DSC
// and the problems that the general parse keeps.
func TestPlainMemberAgreesWithGeneralParse(t *testing.T) {
	for _, s := range plainMemberSeeds {
		checkPlainAgrees(t, s)
	}
	// Past the limits: the members dropped for size are the same ones.
	many := strings.Repeat("k=v,", MaxBaggageMembers+5)
	checkPlainAgrees(t, many)
	big := strings.Repeat("k="+strings.Repeat("v", 1000)+",", 9)
	checkPlainAgrees(t, big)
}

func FuzzPlainMember(f *testing.F) {
	for _, s := range plainMemberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxBaggageInput {
			s = s[:maxBaggageInput]
		}
		checkPlainAgrees(t, s)
	})
}

func checkPlainAgrees(t *testing.T, s string) {
	t.Helper()
	for _, withDSC := range []bool{false, true} {
		var wantDSC, gotDSC DSC
		var wantPtr, gotPtr *DSC
		if withDSC {
			wantPtr, gotPtr = &wantDSC, &gotDSC
		}
		want, wantProblems := generalParse(wantPtr, s)
		var decoded decodedValues
		for range 2 { // the second time through the kept decodings
			p := baggageParser{decoded: &decoded}
			gotDSC = DSC{}
			p.parse(gotPtr, s)
			require.Equal(t, wantProblems, p.problems, "%q", s)
			if len(want) == 0 {
				assert.Empty(t, p.members, "%q", s)
			} else {
				assert.Equal(t, want, p.members, "%q", s)
			}
			assert.Equal(t, wantDSC, gotDSC, "%q", s)
		}
	}
}

// TestAppendEncoded checks appendEncoded, which tests eight bytes at a time,
// against the byte-by-byte encoding, at every length and position of the
// bytes it escapes.
func TestAppendEncoded(t *testing.T) {
	reference := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if c := s[i]; uriUnreserved[c] {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		return b.String()
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := "aZ09-_.!~*'()% /@,;=\"\\\x00\x7f\xc3\xa9\xff"
	for n := range 40 {
		for range 200 {
			b := make([]byte, n)
			for i := range b {
				if rng.IntN(4) == 0 {
					b[i] = alphabet[rng.IntN(len(alphabet))]
				} else {
					b[i] = 'a' + byte(rng.IntN(26))
				}
			}
			s := string(b)
			require.Equal(t, "x"+reference(s), string(appendEncoded([]byte("x"), s)), "%q", s)
			require.Equal(t, len(reference(s)), encodedLen(s), "%q", s)
		}
	}
}

// TestMembersMadeOnce checks that the other vendors' members are kept in
// one slice however the members are spread over the baggage values and
// mixed with sentry- ones: its capacity, counted when the first is kept,
// holds every later one.
func TestMembersMadeOnce(t *testing.T) {
	for _, values := range [][]string{
		{"a=1,b=2,c=3"},
		{"sentry-trace_id=x,a=1,sentry-release=r,b=2,c=3"},
		{"sentry-trace_id=x", "a=1", "b=2,c=3"},
		{"sentry-trace_id=x,a=1", "", "sentry-release=r,b=2", "c=3, d = 4 ;p"},
		{"a=1;p=q,b=2", "c=3"},
	} {
		for _, withDSC := range []bool{false, true} {
			var members []Member
			allocs := testing.AllocsPerRun(20, func() {
				var dsc DSC
				var p baggageParser
				if withDSC {
					p.parse(&dsc, values...)
				} else {
					p.parse(nil, values...)
				}
				members = p.members
			})
			want := 1.0
			for _, m := range members {
				if len(m.Properties) > 0 {
					want++ // a property slice of its own
				}
			}
			assert.Equal(t, want, allocs, "%q, DSC %t", values, withDSC)
		}
	}
}

// TestHashStringSpreads checks that the slots of decodedValues are used
// evenly by values that differ in a few bytes, as releases and
// transactions do.
func TestHashStringSpreads(t *testing.T) {
	var counts [decodedSlots]int
	n := 0
	for i := range 40 {
		for j := range 80 {
			counts[hashString(fmt.Sprintf("shop%%40%d.%d.0", i, j))%decodedSlots]++
			counts[hashString(fmt.Sprintf("GET%%20%%2Fproducts%%2F%d%%2Fitem%%2F%d", i, j))%decodedSlots]++
			n += 2
		}
	}
	for slot, c := range counts {
		assert.InDelta(t, n/decodedSlots, c, float64(n/decodedSlots)/3, "slot %d", slot)
	}
}

// TestByteClass checks the one table of the hot loops against the
// definitions of its classes, for every byte.
func TestByteClass(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		assert.Equal(t, tchar[b], byteClass[b]&classToken != 0, "token %q", b)
		assert.Equal(t, isBaggageOctet(b), byteClass[b]&classOctet != 0, "octet %q", b)
		assert.Equal(t, isBaggageOctet(b) && b != '%', byteClass[b]&classPlain != 0, "plain %q", b)
		assert.Equal(t, uriUnreserved[b], byteClass[b]&classUnreserved != 0, "unreserved %q", b)
	}
}
