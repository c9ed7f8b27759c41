package injectecho

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// sentryTransactionKey is the echo context key under which sentryecho
// (github.com/getsentry/sentry-go/echo up to v0.44.0, the last release for
// echo v4) keeps the request's transaction, read by its
// GetSpanFromContext. Unlike sentrygin, and unlike sentryecho for echo v5,
// it does not put the transaction into the request's context.
const sentryTransactionKey = "sentry_transaction"

// withSentryTransaction returns req with the context of the transaction that
// sentryecho keeps on c, if any, made readable through req's context:
// the values of req's context come first, then those of the transaction's
// (the span and the hub sentry-go's Source reads). Deadline, cancellation
// and every other value stay req's. Without a transaction, req is returned
// as it is.
//
// The transaction is found by its method, Context() context.Context, which
// *sentry.Span has, so that this module does not depend on sentry-go.
func withSentryTransaction(c echo.Context, req *http.Request) *http.Request {
	tx, ok := c.Get(sentryTransactionKey).(interface{ Context() context.Context })
	if !ok {
		return req
	}
	txCtx := tx.Context()
	if txCtx == nil {
		return req
	}
	return req.WithContext(&mergedContext{Context: req.Context(), tx: txCtx})
}

// mergedContext is a request's context that also answers with the values
// of a transaction's context.
type mergedContext struct {
	context.Context                 // the request's: deadline, cancellation, and its values first
	tx              context.Context // the transaction's, for the values the request's lacks
}

// Value returns the request context's value for key, or else the
// transaction context's.
func (c *mergedContext) Value(key any) any {
	if v := c.Context.Value(key); v != nil {
		return v
	}
	return c.tx.Value(key)
}
