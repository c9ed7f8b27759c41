package tracecontext_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Vectors: sentry-javascript packages/core/test/lib/utils/baggage.test.ts
// (baggageHeaderToDynamicSamplingContext, dynamicSamplingContextToSentryBaggageHeader)
// and sentry-python tests/test_baggage.py (test_mixed_baggage).
func TestDSCFromBaggage(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want tracecontext.DSC
	}{
		{name: "empty", in: ""},
		{name: "third party only", in: "userId=alice,serverNode=DF%2028,isProduction=false"},
		{
			name: "javascript environment and release", in: "sentry-environment=production,sentry-release=10.0.2",
			want: tracecontext.DSC{Environment: "production", Release: "10.0.2", Frozen: true},
		},
		{
			name: "javascript mixed", in: "userId=alice,serverNode=DF%2028,isProduction=false,sentry-environment=production,sentry-release=10.0.2",
			want: tracecontext.DSC{Environment: "production", Release: "10.0.2", Frozen: true},
		},
		{
			name: "python mixed",
			in: "other-vendor-value-1=foo;bar;baz, sentry-trace_id=771a43a4192642f0b136d5159a501700, " +
				"sentry-public_key=49d0f7386ad645858ae85020e393bef3, sentry-sample_rate=0.01337, " +
				"sentry-user_id=Am%C3%A9lie, sentry-foo=bar, other-vendor-value-2=foo;bar;",
			want: tracecontext.DSC{
				TraceID: "771a43a4192642f0b136d5159a501700", PublicKey: "49d0f7386ad645858ae85020e393bef3",
				SampleRate: "0.01337", Extra: []tracecontext.Member{{Key: "user_id", Value: "Amélie"}, {Key: "foo", Value: "bar"}},
				Frozen: true,
			},
		},
		{
			name: "every known key",
			in: "sentry-trace_id=t,sentry-public_key=p,sentry-sample_rate=0.5,sentry-sample_rand=0.123456,sentry-sampled=true," +
				"sentry-release=r,sentry-environment=e,sentry-transaction=GET%20%2Fx,sentry-org_id=1,sentry-replay_id=rp",
			want: tracecontext.DSC{
				TraceID: "t", PublicKey: "p", SampleRate: "0.5", SampleRand: "0.123456", Sampled: "true",
				Release: "r", Environment: "e", Transaction: "GET /x", OrgID: "1", ReplayID: "rp", Frozen: true,
			},
		},
		{
			name: "repeated keys, last wins", in: "sentry-release=1,sentry-x=a,sentry-release=2,sentry-x=b",
			want: tracecontext.DSC{Release: "2", Extra: []tracecontext.Member{{Key: "x", Value: "b"}}, Frozen: true},
		},
		{name: "prefix is case-sensitive", in: "Sentry-release=1,SENTRY-environment=e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := tracecontext.ParseBaggage(tt.in)
			got := tracecontext.DSCFromBaggage(b)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want.IsZero(), got.IsZero())
		})
	}
}

func TestDSCAppendBaggage(t *testing.T) {
	tests := []struct {
		name string
		dsc  tracecontext.DSC
		want string
	}{
		{name: "empty", want: ""},
		{name: "javascript release", dsc: tracecontext.DSC{Release: "abcdf"}, want: "sentry-release=abcdf"},
		{name: "javascript release and environment", dsc: tracecontext.DSC{Release: "abcdf", Environment: "1234"}, want: "sentry-release=abcdf,sentry-environment=1234"},
		{
			name: "javascript extra key", dsc: tracecontext.DSC{Release: "abcdf", Environment: "1234", Extra: []tracecontext.Member{{Key: "someRandomKey", Value: "foo"}}},
			want: "sentry-release=abcdf,sentry-environment=1234,sentry-someRandomKey=foo",
		},
		{
			name: "order of keys",
			dsc: tracecontext.DSC{
				ReplayID: "rp", OrgID: "1", Transaction: "t", Environment: "e", Release: "r", Sampled: "true",
				SampleRand: "0.5", SampleRate: "1", PublicKey: "pk", TraceID: "tid",
			},
			want: "sentry-trace_id=tid,sentry-public_key=pk,sentry-sample_rate=1,sentry-sample_rand=0.5,sentry-sampled=true," +
				"sentry-release=r,sentry-environment=e,sentry-transaction=t,sentry-org_id=1,sentry-replay_id=rp",
		},
		{
			name: "encodeURIComponent", dsc: tracecontext.DSC{Release: "r<&>'\"x", Transaction: "GET /users/{id}?a=b,c;d é", Environment: "-_.!~*'()"},
			want: "sentry-release=r%3C%26%3E'%22x,sentry-environment=-_.!~*'(),sentry-transaction=GET%20%2Fusers%2F%7Bid%7D%3Fa%3Db%2Cc%3Bd%20%C3%A9",
		},
		{name: "sentry-go probe", dsc: tracecontext.DSC{Release: "r<&>'%22x"}, want: "sentry-release=r%3C%26%3E'%2522x"},
		{
			name: "extra keys that cannot be written are left out",
			dsc: tracecontext.DSC{Extra: []tracecontext.Member{
				{Key: "ok", Value: "1"}, {Key: "a b", Value: "2"}, {Key: "", Value: "3"}, {Key: "x(y)", Value: "4"},
				{Key: "<p>", Value: "5"}, {Key: "empty", Value: ""}, {Key: "a%20b", Value: "6"},
			}},
			want: "sentry-ok=1,sentry-a%20b=6",
		},
		{
			name: "extra keys that are known keys are not written twice",
			dsc:  tracecontext.DSC{Release: "1", Extra: []tracecontext.Member{{Key: "release", Value: "2"}, {Key: "trace_id", Value: "x"}}},
			want: "sentry-release=1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.dsc.AppendBaggage([]byte("prefix:"))
			assert.Equal(t, "prefix:"+tt.want, string(got))
			assert.Equal(t, tt.want, tt.dsc.Baggage())
			assertDSCCharset(t, tt.want)
		})
	}
}

func assertDSCCharset(t *testing.T, s string) {
	t.Helper()
	const allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()%=,"
	for i := 0; i < len(s); i++ {
		require.True(t, strings.IndexByte(allowed, s[i]) >= 0, "byte %q at %d in %q", s[i], i, s)
	}
}

func TestDSCAppendBaggageRoundTrip(t *testing.T) {
	dsc := tracecontext.DSC{
		TraceID: "771a43a4192642f0b136d5159a501700", PublicKey: "49d0f7386ad645858ae85020e393bef3",
		SampleRate: "0.25", SampleRand: "0.012345", Sampled: "true", Release: "my app@1.0+build",
		Environment: "prod", Transaction: "GET /ü", OrgID: "42", ReplayID: "r",
		Extra: []tracecontext.Member{{Key: "user_segment", Value: "a,b;c=d"}}, Frozen: true,
	}
	b, err := tracecontext.ParseBaggage(dsc.Baggage())
	require.NoError(t, err)
	assert.Equal(t, dsc, tracecontext.DSCFromBaggage(b))
}

func TestDSCAppendBaggageLimit(t *testing.T) {
	dsc := tracecontext.DSC{
		TraceID:     "771a43a4192642f0b136d5159a501700",
		Release:     strings.Repeat("é", 2000), // 4000 bytes, 12000 encoded
		Environment: "prod",
		Extra: []tracecontext.Member{
			{Key: "a", Value: strings.Repeat("x", 5000)},
			{Key: "b", Value: strings.Repeat("y", 5000)},
			{Key: "c", Value: "z"},
		},
	}
	got := string(dsc.AppendBaggage([]byte("untouched prefix longer than anything,")))
	require.True(t, strings.HasPrefix(got, "untouched prefix longer than anything,"))
	got = strings.TrimPrefix(got, "untouched prefix longer than anything,")
	assert.LessOrEqual(t, len(got), tracecontext.MaxBaggageBytes)
	b, err := tracecontext.ParseBaggage(got)
	require.NoError(t, err)
	keys := []string{}
	for _, m := range b.Members() {
		keys = append(keys, m.Key)
	}
	assert.Equal(t, []string{"sentry-trace_id", "sentry-environment", "sentry-a", "sentry-c"}, keys, "whole members only")
}

func TestDSCAppendBaggageAllocs(t *testing.T) {
	dsc := tracecontext.DSC{
		TraceID: "771a43a4192642f0b136d5159a501700", PublicKey: "49d0f7386ad645858ae85020e393bef3",
		SampleRate: "0.25", SampleRand: "0.012345", Sampled: "true", Release: "my app@1.0",
		Environment: "prod", Transaction: "GET /x", Extra: []tracecontext.Member{{Key: "k", Value: "v w"}},
	}
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(100, func() {
		buf = dsc.AppendBaggage(buf[:0])
	})
	assert.Zero(t, allocs)
}

func FuzzDSCAppendBaggage(f *testing.F) {
	f.Add("771a43a4192642f0b136d5159a501700", "r<&>'%22x", "GET /x", "k", "v")
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, traceID, release, transaction, extraKey, extraValue string) {
		dsc := tracecontext.DSC{
			TraceID: traceID, Release: release, Transaction: transaction,
			Extra: []tracecontext.Member{{Key: extraKey, Value: extraValue}},
		}
		out := dsc.Baggage()
		assertDSCCharset(t, out)
		require.LessOrEqual(t, len(out), tracecontext.MaxBaggageBytes)
		b, err := tracecontext.ParseBaggage(out)
		require.NoError(t, err)
		back := tracecontext.DSCFromBaggage(b)
		// Every value that was written comes back decoded, byte for byte
		// (invalid UTF-8 excepted: baggage values are UTF-8).
		for _, m := range b.Members() {
			switch m.Key {
			case "sentry-trace_id":
				assertSameText(t, traceID, back.TraceID)
			case "sentry-release":
				assertSameText(t, release, back.Release)
			case "sentry-transaction":
				assertSameText(t, transaction, back.Transaction)
			}
		}
	})
}

func assertSameText(t *testing.T, want, got string) {
	t.Helper()
	assert.Equal(t, strings.ToValidUTF8(want, "\uFFFD"), strings.ToValidUTF8(got, "\uFFFD"))
}
