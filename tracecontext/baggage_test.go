package tracecontext_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

func member(key, value string, props ...tracecontext.Property) tracecontext.Member {
	return tracecontext.Member{Key: key, Value: value, Properties: props}
}

func prop(key string, value ...string) tracecontext.Property {
	if len(value) == 0 {
		return tracecontext.Property{Key: key}
	}
	return tracecontext.Property{Key: key, Value: value[0], HasValue: true}
}

// Vectors: the W3C baggage test suite, w3c/baggage test/baggage/test_baggage.py
// (test_parse_* with SomeKey/SomeValue, OWS " \t ", percent-encoded
// "\t \"';=asdf!@#$%^&*()"), the specification's example
// (https://www.w3.org/TR/baggage/#example), sentry-javascript
// packages/core/test/lib/utils/baggage.test.ts (parseBaggageHeader,
// baggageHeaderToDynamicSamplingContext), and hostile inputs of our own.
func TestParseBaggage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []tracecontext.Member
		err  error
	}{
		{name: "empty", in: ""},
		{name: "blank", in: "     "},
		{name: "w3c simple", in: "SomeKey=SomeValue", want: []tracecontext.Member{member("SomeKey", "SomeValue")}},
		{name: "w3c multiple", in: "SomeKey=SomeValue,SomeKey2=SomeValue2", want: []tracecontext.Member{member("SomeKey", "SomeValue"), member("SomeKey2", "SomeValue2")}},
		{
			name: "w3c multiple ows", in: "SomeKey \t = \t SomeValue \t , \t SomeKey2 \t = \t SomeValue2 \t ",
			want: []tracecontext.Member{member("SomeKey", "SomeValue"), member("SomeKey2", "SomeValue2")},
		},
		{
			name: "w3c multiple property", in: "SomeKey=SomeValue;SomeProp,SomeKey2=SomeValue2;SomeProp2",
			want: []tracecontext.Member{member("SomeKey", "SomeValue", prop("SomeProp")), member("SomeKey2", "SomeValue2", prop("SomeProp2"))},
		},
		{
			name: "w3c multiple property ows", in: "SomeKey \t = \t SomeValue \t ; \t SomeProp \t , \t SomeKey2 \t = \t SomeValue2 \t ; \t SomeProp2",
			want: []tracecontext.Member{member("SomeKey", "SomeValue", prop("SomeProp")), member("SomeKey2", "SomeValue2", prop("SomeProp2"))},
		},
		{
			name: "w3c multiple kv property ows", in: "SomeKey \t = \t SomeValue \t ; \t SomePropKey=SomePropValue \t , \t SomeKey2 \t = \t SomeValue2 \t ; \t SomePropKey2 \t = \t SomePropValue2",
			want: []tracecontext.Member{
				member("SomeKey", "SomeValue", prop("SomePropKey", "SomePropValue")),
				member("SomeKey2", "SomeValue2", prop("SomePropKey2", "SomePropValue2")),
			},
		},
		{name: "w3c multiple equals", in: "SomeKey=SomeValue=equals", want: []tracecontext.Member{member("SomeKey", "SomeValue=equals")}},
		{
			name: "w3c percent-encoded", in: "SomeKey=%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29",
			want: []tracecontext.Member{member("SomeKey", "\t \"';=asdf!@#$%^&*()")},
		},
		{
			name: "w3c spec example", in: "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue",
			want: []tracecontext.Member{
				member("key1", "value1", prop("property1"), prop("property2")),
				member("key2", "value2"),
				member("key3", "value3", prop("propertyKey", "propertyValue")),
			},
		},
		{
			name: "javascript empty members", in: "userId=alice,    serverNode=DF%2028   , isProduction=false,   ,,sentry-environment=production,,sentry-release=10.0.2",
			want: []tracecontext.Member{
				member("userId", "alice"), member("serverNode", "DF 28"), member("isProduction", "false"),
				member("sentry-environment", "production"), member("sentry-release", "10.0.2"),
			},
		},
		{name: "empty value", in: "k=", want: []tracecontext.Member{member("k", "")}},
		{name: "utf-8 value", in: "k=%E2%9C%93", want: []tracecontext.Member{member("k", "✓")}},
		{name: "lower-case escapes", in: "k=%e2%9c%93", want: []tracecontext.Member{member("k", "✓")}},
		{name: "invalid utf-8 becomes U+FFFD", in: "k=a%FFb", want: []tracecontext.Member{member("k", "a\uFFFDb")}},
		{name: "raw markup octets are valid", in: "k=<script>&'", want: []tracecontext.Member{member("k", "<script>&'")}},

		{name: "javascript malformed escape", in: "foo=bar,foo2=%3G", want: []tracecontext.Member{member("foo", "bar")}, err: tracecontext.ErrInvalidBaggage},
		{name: "javascript no equals", in: "foo", err: tracecontext.ErrInvalidBaggage},
		{name: "truncated escape", in: "a=1,k=%4", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "percent at end", in: "k=%,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "empty key", in: "=v,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "key with space", in: "a b=v,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "key with separator", in: "a(b=v,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "value with inner space", in: "k=a b,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "value with quote", in: `k="v",a=1`, want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "value with backslash", in: `k=a\b,a=1`, want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "value with newline", in: "k=a\nb,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "value non-ascii", in: "k=é,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "empty property skipped", in: "k=v;,a=1", want: []tracecontext.Member{member("k", "v"), member("a", "1")}},
		{
			name: "python trailing semicolon", in: "other-vendor-value-1=foo;bar;baz, other-vendor-value-2=foo;bar;",
			want: []tracecontext.Member{member("other-vendor-value-1", "foo", prop("bar"), prop("baz")), member("other-vendor-value-2", "foo", prop("bar"))},
		},
		{name: "empty properties between", in: "k=v; ;;p", want: []tracecontext.Member{member("k", "v", prop("p"))}},
		{name: "property bad key", in: "k=v;p q,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
		{name: "property bad value", in: "k=v;p=%zz,a=1", want: []tracecontext.Member{member("a", "1")}, err: tracecontext.ErrInvalidBaggage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tracecontext.ParseBaggage(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, b.Members())
			assert.Equal(t, len(tt.want), b.Len())
		})
	}
}

func TestParseBaggageLimits(t *testing.T) {
	t.Run("members", func(t *testing.T) {
		var parts []string
		for i := range 200 {
			parts = append(parts, fmt.Sprintf("key%d=value", i))
		}
		b, err := tracecontext.ParseBaggage(strings.Join(parts, ","))
		require.ErrorIs(t, err, tracecontext.ErrBaggageTooLarge)
		require.Equal(t, tracecontext.MaxBaggageMembers, b.Len())
		assert.Equal(t, "key0", b.At(0).Key)
		assert.Equal(t, "key179", b.At(179).Key)
	})
	t.Run("bytes, whole members only", func(t *testing.T) {
		big := strings.Repeat("x", 3000)
		in := "a=" + big + ",b=" + big + ",c=" + big + ",d=1"
		b, err := tracecontext.ParseBaggage(in)
		require.ErrorIs(t, err, tracecontext.ErrBaggageTooLarge)
		keys := []string{}
		for _, m := range b.Members() {
			keys = append(keys, m.Key)
			if m.Key != "d" {
				assert.Len(t, m.Value, 3000, "never a partial member")
			}
		}
		assert.Equal(t, []string{"a", "b", "d"}, keys)
		assert.LessOrEqual(t, len(b.String()), tracecontext.MaxBaggageBytes)
	})
	t.Run("exactly 8192 bytes kept", func(t *testing.T) {
		in := "k=" + strings.Repeat("v", tracecontext.MaxBaggageBytes-2)
		b, err := tracecontext.ParseBaggage(in)
		require.NoError(t, err)
		assert.Equal(t, in, b.String())
	})
	t.Run("64 members of 128 bytes kept", func(t *testing.T) {
		var parts []string
		for i := range 64 {
			parts = append(parts, fmt.Sprintf("k%02d=%s", i, strings.Repeat("v", 123)))
		}
		in := strings.Join(parts, ",")
		require.LessOrEqual(t, len(in), tracecontext.MaxBaggageBytes)
		b, err := tracecontext.ParseBaggage(in)
		require.NoError(t, err)
		assert.Equal(t, 64, b.Len())
		assert.Equal(t, in, b.String())
	})
	t.Run("properties past 64 drop their member whole", func(t *testing.T) {
		in := "a=1;p1;p2,b=2" + strings.Repeat(";q", 63) + ",c=3;r"
		b, err := tracecontext.ParseBaggage(in)
		require.ErrorIs(t, err, tracecontext.ErrBaggageTooLarge)
		keys := []string{}
		for _, m := range b.Members() {
			keys = append(keys, m.Key)
		}
		assert.Equal(t, []string{"a", "c"}, keys, "b would make 65 properties")
		assert.Len(t, b.At(0).Properties, 2)
		assert.Len(t, b.At(1).Properties, 1)
	})
	t.Run("input past twice the kept bytes is not read", func(t *testing.T) {
		junk := strings.Repeat("not a member,", 2*tracecontext.MaxBaggageBytes/13+1)
		b, err := tracecontext.ParseBaggage("a=1," + junk + "sentry-trace_id=x")
		require.ErrorIs(t, err, tracecontext.ErrBaggageTooLarge)
		require.ErrorIs(t, err, tracecontext.ErrInvalidBaggage)
		require.Equal(t, 1, b.Len())
		assert.Equal(t, "a", b.At(0).Key)
		assert.Equal(t, "a=1", b.String(), "the valid member past the budget is not read")
	})
	t.Run("the budget spans repeated headers", func(t *testing.T) {
		v := "k=" + strings.Repeat("v", 6000)
		h := http.Header{"Baggage": {"a=1", v, v, v, "z=1"}}
		var errs []error
		p, err := tracecontext.NewPropagator(
			tracecontext.WithErrorInterval(0),
			tracecontext.WithErrorHandler(func(err error) { errs = append(errs, err) }),
		)
		require.NoError(t, err)
		sc := p.Continue(h)
		assert.Equal(t, "a=1,k="+strings.Repeat("v", 6000), sc.Baggage.String())
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], tracecontext.ErrBaggageTooLarge)
		assert.Equal(t, []string{"a=1", v, v, v, "z=1"}, h["Baggage"], "the request's header is not changed")
	})
	t.Run("invalid and too large together", func(t *testing.T) {
		var parts []string
		for i := range 200 {
			parts = append(parts, fmt.Sprintf("key%d=value", i))
		}
		_, err := tracecontext.ParseBaggage("bad," + strings.Join(parts, ","))
		assert.ErrorIs(t, err, tracecontext.ErrBaggageTooLarge)
		assert.ErrorIs(t, err, tracecontext.ErrInvalidBaggage)
	})
}

func TestBaggageString(t *testing.T) {
	b, err := tracecontext.NewBaggage(
		member("userId", "alice"),
		member("note", "a b,c;d=e%\"<>&'é"),
		member("k", "v", prop("p"), prop("q", "x y")),
	)
	require.NoError(t, err)
	s := b.String()
	assert.Equal(t, "userId=alice,note=a%20b%2Cc%3Bd%3De%25%22%3C%3E%26'%C3%A9,k=v;p;q=x%20y", s)
	back, err := tracecontext.ParseBaggage(s)
	require.NoError(t, err)
	assert.Equal(t, b.Members(), back.Members())
}

func TestBaggageStringLimit(t *testing.T) {
	var members []tracecontext.Member
	for i := range 300 {
		members = append(members, member(fmt.Sprintf("k%d", i), "v"))
	}
	b, err := tracecontext.NewBaggage(members...)
	require.NoError(t, err)
	assert.Len(t, strings.Split(b.String(), ","), tracecontext.MaxBaggageMembers)

	// A value that grows three times when encoded is left out whole.
	b, err = tracecontext.NewBaggage(member("a", "1"), member("big", strings.Repeat(" ", 3000)), member("z", "2"))
	require.NoError(t, err)
	assert.Equal(t, "a=1,z=2", b.String())
}

func TestNewBaggageInvalid(t *testing.T) {
	_, err := tracecontext.NewBaggage(member("a b", "v"))
	require.ErrorIs(t, err, tracecontext.ErrInvalidBaggage)
	_, err = tracecontext.NewBaggage(member("a", "v", prop("")))
	require.ErrorIs(t, err, tracecontext.ErrInvalidBaggage)
}

func TestBaggageIsImmutable(t *testing.T) {
	props := []tracecontext.Property{prop("p")}
	b, err := tracecontext.NewBaggage(tracecontext.Member{Key: "k", Value: "v", Properties: props})
	require.NoError(t, err)
	props[0].Key = "changed"
	ms := b.Members()
	ms[0].Properties[0].Key = "changed too"
	ms[0].Key = "x"
	assert.Equal(t, "k=v;p", b.String())
}

func TestBaggageMember(t *testing.T) {
	b, err := tracecontext.ParseBaggage("a=1,b=2,a=3")
	require.NoError(t, err)
	m, ok := b.Member("a")
	require.True(t, ok)
	assert.Equal(t, "3", m.Value, "last one wins, as in the Sentry SDKs")
	_, ok = b.Member("c")
	assert.False(t, ok)
	assert.Nil(t, tracecontext.Baggage{}.Members())
}

func TestBaggageThirdParty(t *testing.T) {
	b, err := tracecontext.ParseBaggage("userId=alice,sentry-trace_id=abc,isProduction=false,sentry-release=1.0")
	require.NoError(t, err)
	assert.Equal(t, "userId=alice,isProduction=false", b.ThirdParty().String())
	only, err := tracecontext.ParseBaggage("a=1")
	require.NoError(t, err)
	assert.Equal(t, only, only.ThirdParty())
}

func TestParseBaggageAllocs(t *testing.T) {
	in := "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-public_key=49d0f7386ad645858ae85020e393bef3,sentry-sample_rate=0.01337,userId=alice"
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := tracecontext.ParseBaggage(in); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0, "one slice of members, values are substrings")
}

func FuzzParseBaggage(f *testing.F) {
	for _, s := range []string{
		"key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue",
		"SomeKey=%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29",
		"sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rate=0.5,,",
		"foo=bar,foo2=%3G",
		"k=a%FFb",
		"k=<>&'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := tracecontext.ParseBaggage(s)
		if err != nil {
			require.True(t, errors.Is(err, tracecontext.ErrInvalidBaggage) || errors.Is(err, tracecontext.ErrBaggageTooLarge), err)
		}
		require.LessOrEqual(t, b.Len(), tracecontext.MaxBaggageMembers)
		out := b.String()
		require.LessOrEqual(t, len(out), tracecontext.MaxBaggageBytes)
		for _, m := range b.Members() {
			require.True(t, utf8.ValidString(m.Value), "values are decoded to valid UTF-8")
		}
		// Serializing percent-encodes: the output parses back to the same
		// members, less whole ones that encoding made too long for the limit.
		back, err := tracecontext.ParseBaggage(out)
		require.NoError(t, err)
		j := 0
		for _, m := range back.Members() {
			for j < b.Len() && !sameMember(b.At(j), m) {
				j++
			}
			require.Less(t, j, b.Len(), "member %q is not one of the parsed ones, in order", m.Key)
			j++
		}
		if 3*len(s) <= tracecontext.MaxBaggageBytes {
			assert.Equal(t, b.Len(), back.Len(), "nothing dropped far below the limit")
		}
		assert.Equal(t, out, back.String(), "serializing is idempotent")
		for i := 0; i < len(out); i++ {
			c := out[i]
			require.True(t, c > ' ' && c < 0x7f && c != '"' && c != '\\', "byte %q in %q", c, out)
		}
	})
}

func sameMember(a, b tracecontext.Member) bool {
	if a.Key != b.Key || a.Value != b.Value || len(a.Properties) != len(b.Properties) {
		return false
	}
	for i := range a.Properties {
		if a.Properties[i] != b.Properties[i] {
			return false
		}
	}
	return true
}

func TestParseBaggageEmptyPropertiesLeaveNoSlice(t *testing.T) {
	b, err := tracecontext.ParseBaggage("k=v;")
	require.NoError(t, err)
	assert.Nil(t, b.At(0).Properties)
	assert.Equal(t, "k=v", b.String())
}
