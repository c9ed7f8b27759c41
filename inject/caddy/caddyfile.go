package injectcaddy

import (
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// parseCaddyfile builds a Handler from the tracemeta directive.
func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	if err := m.UnmarshalCaddyfile(h.Dispenser); err != nil {
		return nil, err
	}
	return m, nil
}

// UnmarshalCaddyfile implements caddyfile.Unmarshaler. Syntax:
//
//	tracemeta [<matcher>] {
//		release        <release>
//		environment    <environment>
//		public_key     <32 hex digits>
//		sample_rate    <0..1>
//		org_id         <digits>
//		strict_trace_continuation
//		formats        <sentry-trace|baggage|traceparent|datadog>...
//	}
//
// Every subdirective is optional; without sample_rate the browser SDK makes
// the sampling decision. A value that is not valid is an error that names
// its line.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive's name
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for d.NextBlock(0) {
		name := d.Val()
		if seen[name] {
			return d.Errf("tracemeta: %s set twice", name)
		}
		seen[name] = true
		switch name {
		case "release", "environment", "public_key", "org_id":
			v, err := oneArg(d)
			if err != nil {
				return err
			}
			check, dst := checkText, &h.Release
			switch name {
			case "environment":
				dst = &h.Environment
			case "public_key":
				check, dst = checkPublicKey, &h.PublicKey
			case "org_id":
				check, dst = checkOrgID, &h.OrgID
			}
			if err := check(v); err != nil {
				return d.Errf("tracemeta: %s: %v", name, err)
			}
			*dst = v
		case "sample_rate":
			v, err := oneArg(d)
			if err != nil {
				return err
			}
			f, err := parseSampleRate(v)
			if err != nil {
				return d.Errf("tracemeta: sample_rate: %v", err)
			}
			h.SampleRate = &f
		case "strict_trace_continuation":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.StrictTraceContinuation = true
		case "formats":
			names := d.RemainingArgs()
			if len(names) == 0 {
				return d.ArgErr()
			}
			if _, err := parseFormats(names); err != nil {
				return d.Errf("tracemeta: formats: %v", err)
			}
			h.Formats = names
		default:
			return d.Errf("tracemeta: unknown subdirective %q", name)
		}
	}
	return nil
}

// oneArg returns the one argument of the current subdirective.
func oneArg(d *caddyfile.Dispenser) (string, error) {
	if !d.NextArg() {
		return "", d.ArgErr()
	}
	v := d.Val()
	if d.NextArg() {
		return "", d.ArgErr()
	}
	return v, nil
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
