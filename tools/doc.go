// Package tools pins the command-line tools the repository generates code
// with, as tool dependencies of this module (see go.mod), so that every
// machine runs the same versions:
//
//	go tool -modfile=tools/go.mod templ generate -include-version=false
package tools
