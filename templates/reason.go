package templates

import (
	"context"
	"log/slog"
	"strconv"
)

// Reason says why a template entry point rendered no tags; see
// [WithSkipHook]. Its values are those of inject's Reason that a template
// can meet, with the same names and String values.
type Reason uint8

const (
	// ReasonNone: the tags were rendered.
	ReasonNone Reason = iota
	// ReasonNoSpan: the Source found no valid span in the context the
	// template was given (a nil context included).
	ReasonNoSpan
	// ReasonAlreadyRendered: the tags were rendered for the response
	// already, by another template call or by inject's middleware.
	ReasonAlreadyRendered
)

// String returns a short lower-case name for r, the one inject's Reason of
// the same name has ("no-span", "already-rendered"), so that logs and
// metrics of both entry points share one vocabulary; "Reason(N)" for a value
// with no name.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonNoSpan:
		return "no-span"
	case ReasonAlreadyRendered:
		return "already-rendered"
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// report tells the skip hook and the logger why no tags were rendered.
func (c *config) report(ctx context.Context, reason Reason) {
	if c.skipHook != nil {
		c.skipHook(ctx, reason)
	}
	if c.logger == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "tracemeta: template rendered no trace tags",
			slog.String("reason", reason.String()))
	}
}
