// Package benchmarks measures what a request pays for tracemeta, and
// tracemeta's response rewriter side by side with the alternatives a Go user
// would otherwise pick, in one run: real handlers (html/template, templ, a
// page in one Write) bare and wrapped, through httptest and on a loopback
// server; inject.NewWriter on published pages; and the peers on the same
// pages, written the same ways, into the same destination.
//
// The package has no API; it holds the benchmarks (go test -bench), the tests
// that keep the comparison fair (every method puts the tags where they belong
// on the pages it is timed on, or fails in the way the README says), and the
// corpus and peers under internal/. run.sh runs the benchmarks and writes the
// results into README.md.
package benchmarks
