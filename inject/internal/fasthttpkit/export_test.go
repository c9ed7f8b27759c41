package fasthttpkit

// SetStreamDetach makes detachBodyStream fail, as with a fasthttp whose
// Response it does not know, until restore is called.
func SetStreamDetach(ok bool) (restore func()) {
	old := bodyStreamField.ok
	bodyStreamField.ok = ok
	return func() { bodyStreamField.ok = old }
}
