package render_test

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Test vectors: the trace and span ids of the sentry-trace examples in
// Sentry's developer documentation.
const (
	traceHex = "771a43a4192642f0b136d5159a501700"
	spanHex  = "b7ad6b7169203331"
)

func spanContext(t testing.TB, sampled tracecontext.Decision, dsc tracecontext.DSC) tracecontext.SpanContext {
	t.Helper()
	var sc tracecontext.SpanContext
	_, err := hex.Decode(sc.TraceID[:], []byte(traceHex))
	require.NoError(t, err)
	_, err = hex.Decode(sc.SpanID[:], []byte(spanHex))
	require.NoError(t, err)
	sc.Sampled = sampled
	sc.DSC = dsc
	return sc
}

// fullDSC is a DSC as the head of a trace writes it.
func fullDSC() tracecontext.DSC {
	return tracecontext.DSC{
		TraceID:     traceHex,
		PublicKey:   "49d0f7386ad645858ae85020e393bef3",
		SampleRate:  "0.01337",
		SampleRand:  "0.123456",
		Sampled:     "true",
		Release:     "1.0.0",
		Environment: "production",
		Transaction: "GET /checkout",
	}
}

// metaTag is one <meta> element read back by an HTML5 parser.
type metaTag struct {
	Name, Content string
}

// parsePage parses a whole page the way a browser builds its DOM and returns
// the <meta name> elements of <head>, in order. It fails the test when the
// page holds any element but html, head, title, meta and body, which is what
// an escaping bug would produce.
func parsePage(t testing.TB, page string) []metaTag {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	require.NoError(t, err)
	var metas []metaTag
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html, atom.Head, atom.Title, atom.Body:
			case atom.Meta:
				require.True(t, inHead, "<meta> outside <head> in %q", page)
				var m metaTag
				for _, a := range n.Attr {
					switch a.Key {
					case "name":
						m.Name = a.Val
					case "content":
						m.Content = a.Val
					case "charset":
					default:
						t.Fatalf("unexpected attribute %q=%q in %q", a.Key, a.Val, page)
					}
				}
				if m.Name != "" {
					metas = append(metas, m)
				}
			default:
				t.Fatalf("unexpected element <%s> in %q", n.Data, page)
			}
			inHead = inHead || n.DataAtom == atom.Head
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(doc, false)
	return metas
}

// page puts tags into the <head> of a small document.
func page(tags string) string {
	return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title>" + tags +
		"</head><body></body></html>"
}

// decodeBaggage reads the sentry- members of a baggage value back into a DSC,
// percent-decoding each value as W3C baggage says.
func decodeBaggage(t testing.TB, s string) tracecontext.DSC {
	t.Helper()
	var d tracecontext.DSC
	if s == "" {
		return d
	}
	for member := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(member, "=")
		require.True(t, ok, "member %q has no '='", member)
		v, err := url.PathUnescape(v)
		require.NoError(t, err, "member %q", member)
		k, ok = strings.CutPrefix(k, "sentry-")
		require.True(t, ok, "member %q is not a sentry- member", member)
		switch k {
		case "trace_id":
			d.TraceID = v
		case "public_key":
			d.PublicKey = v
		case "sample_rate":
			d.SampleRate = v
		case "sample_rand":
			d.SampleRand = v
		case "sampled":
			d.Sampled = v
		case "release":
			d.Release = v
		case "environment":
			d.Environment = v
		case "transaction":
			d.Transaction = v
		case "org_id":
			d.OrgID = v
		case "replay_id":
			d.ReplayID = v
		default:
			d.Extra = append(d.Extra, tracecontext.Member{Key: k, Value: v})
		}
	}
	return d
}

// parseServerTiming reads a Server-Timing value as the Server Timing spec
// does (entries separated by commas, parameters by semicolons, quoted-string
// descriptions with quoted-pairs) and returns name -> description, failing
// on anything else.
func parseServerTiming(t testing.TB, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for s != "" {
		name, rest, _ := strings.Cut(s, ";")
		require.NotContains(t, name, ",", "entry without desc in %q", s)
		rest, ok := strings.CutPrefix(rest, `desc="`)
		require.True(t, ok, "no desc in %q", s)
		var desc strings.Builder
		i := 0
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' {
				i++
				require.Less(t, i, len(rest), "dangling quoted-pair in %q", s)
			}
			desc.WriteByte(rest[i])
		}
		require.Less(t, i, len(rest), "unterminated quoted-string in %q", s)
		_, dup := out[name]
		require.False(t, dup, "entry %q twice in %q", name, s)
		out[name] = desc.String()
		s = rest[i+1:]
		if s != "" {
			s, ok = strings.CutPrefix(s, ", ")
			require.True(t, ok, "no separator in %q", s)
		}
	}
	return out
}
