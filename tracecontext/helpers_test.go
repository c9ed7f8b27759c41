package tracecontext_test

import "context"

func contextWithValueAndCancel(key, value any) (context.Context, context.CancelFunc) {
	return context.WithCancel(context.WithValue(context.Background(), key, value))
}

func errCanceled() error { return context.Canceled }
