package inject

// SetTagsFunc sets the hook through which the Middleware renders the tags
// at the insertion point, for the tests of package inject_test.
func SetTagsFunc(w *Writer, f func(dst []byte) ([]byte, Reason)) { w.tagsFunc = f }
