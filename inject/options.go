package inject

// Option configures a [Writer] or the [Middleware]. Options that only one of
// them reads say so; the other ignores them.
type Option func(*config)

// config holds every setting. The Writer's live in writerConfig
// (writer_options.go), the Middleware's in middlewareConfig
// (middleware_options.go).
type config struct {
	writerConfig
	middlewareConfig
}

// newConfig returns the defaults with opts applied.
func newConfig(opts []Option) config {
	var c config
	c.writerConfig.setDefaults()
	c.middlewareConfig.setDefaults()
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}
