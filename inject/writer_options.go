package inject

// writerConfig holds the settings of a Writer.
type writerConfig struct {
	lookahead int // bytes scanned for the insertion point before giving up
}

func (c *writerConfig) setDefaults() {}
