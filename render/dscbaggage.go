package render

import "github.com/tracemeta/tracemeta/tracecontext"

// appendDSCBaggage stands in for tracecontext's DSC.AppendBaggage until it
// lands: sentry- members, percent-encoded, whole members, at most 8192 bytes.
func appendDSCBaggage(dst []byte, d tracecontext.DSC) []byte {
	const max = 8192
	start := len(dst)
	add := func(key, val string) {
		if val == "" {
			return
		}
		mark := len(dst)
		if mark > start {
			dst = append(dst, ',')
		}
		dst = append(dst, "sentry-"...)
		dst = append(dst, key...)
		dst = append(dst, '=')
		for i := 0; i < len(val); i++ {
			c := val[i]
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '\'' {
				dst = append(dst, c)
				continue
			}
			dst = append(dst, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		}
		if len(dst)-start > max {
			dst = dst[:mark]
		}
	}
	add("trace_id", d.TraceID)
	add("public_key", d.PublicKey)
	add("sample_rate", d.SampleRate)
	add("sample_rand", d.SampleRand)
	add("sampled", d.Sampled)
	add("release", d.Release)
	add("environment", d.Environment)
	add("transaction", d.Transaction)
	add("org_id", d.OrgID)
	add("replay_id", d.ReplayID)
	for _, m := range d.Extra {
		add(m.Key, m.Value)
	}
	return dst
}
