package inject

import "errors"

// Option configures the [Middleware].
type Option interface{ applyMiddleware(*middlewareConfig) }

// WriterOption configures a [Writer].
type WriterOption interface{ applyWriter(*writerConfig) }

// SharedOption configures the [Middleware] and a [Writer] alike, and means
// the same to both: the Middleware hands it on to the Writers it rewrites
// each response with.
type SharedOption interface {
	Option
	WriterOption
}

// ErrInvalidOption reports an option with a value out of range; see
// [NewMiddleware].
var ErrInvalidOption = errors.New("inject: invalid option")

// middlewareOption is an Option that only the Middleware reads.
type middlewareOption func(*middlewareConfig)

func (f middlewareOption) applyMiddleware(c *middlewareConfig) { f(c) }

// sharedOption sets a Writer's setting, in a Writer or in the writerConfig
// the Middleware builds its Writers from.
type sharedOption func(*writerConfig)

func (f sharedOption) applyWriter(c *writerConfig)         { f(c) }
func (f sharedOption) applyMiddleware(c *middlewareConfig) { f(&c.writer) }
