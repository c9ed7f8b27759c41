//go:build !unix

package browserbundle

// lockProject does not lock where flock is missing: run one `go test` or demo
// at a time until node_modules is installed.
func lockProject(string) (func(), error) { return func() {}, nil }
