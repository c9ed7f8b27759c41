// Package coreview gives the framework adapters of this repository (through
// their kit, inject/internal/adapterkit) read access to the settings that
// inject's options carry, which package inject keeps to itself: the Source
// given with inject.WithSource, the trace options of inject.WithTraceContext,
// the logger and the skip hook.
package coreview

import (
	"log/slog"
	"net/http"

	"github.com/tracemeta/tracemeta/tracecontext"
)

// Settings is what the adapters read of a list of inject options.
type Settings struct {
	// Source is the Source given with inject.WithSource, or nil when the
	// options give none (the default, tracecontext.ContextSource).
	Source tracecontext.Source
	// TraceContext holds the options of every inject.WithTraceContext,
	// in order.
	TraceContext []tracecontext.Option
	// Logger is the logger of inject.WithLogger, or nil.
	Logger *slog.Logger
	// Skipped calls the skip hook of inject.WithSkipHook with an
	// inject.Reason; nil without a hook.
	Skipped func(r *http.Request, reason uint8)
}

// Read returns the Settings of opts, a []inject.Option. Package inject sets
// it when it is initialised, and never changes it after.
var Read func(opts any) Settings
