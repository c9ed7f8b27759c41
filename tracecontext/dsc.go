package tracecontext

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

// IsZero reports whether d has no entries.
func (d DSC) IsZero() bool {
	return d.TraceID == "" && d.PublicKey == "" && d.SampleRate == "" && d.SampleRand == "" &&
		d.Sampled == "" && d.Release == "" && d.Environment == "" && d.Transaction == "" &&
		d.OrgID == "" && d.ReplayID == "" && len(d.Extra) == 0
}
