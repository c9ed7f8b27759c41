package injectecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tracemeta/tracemeta/inject/internal/adapterkit"
)

// withSentryTransaction returns req with the context of the transaction that
// sentryecho (github.com/getsentry/sentry-go/echo up to v0.44.0, the last
// release for echo v4) keeps on c, if any, made readable through req's
// context: the values of req's context come first, then those of the
// transaction's (the span and the hub sentry-go's Source reads). Unlike
// sentrygin, and unlike sentryecho for echo v5, it does not put the
// transaction into the request's context. Without a transaction, req is
// returned as it is.
func withSentryTransaction(c echo.Context, req *http.Request) *http.Request {
	txCtx, ok := adapterkit.TransactionContext(c.Get(adapterkit.SentryTransactionKey))
	if !ok {
		return req
	}
	return req.WithContext(adapterkit.WithValuesOf(req.Context(), txCtx))
}
