// Command caddy is Caddy with its standard modules and tracemeta's
// http.handlers.tracemeta, what
//
//	xcaddy build --with github.com/tracemeta/tracemeta/inject/caddy
//
// builds. inject/caddy is a module of its own, so from the root of a clone
// of the repository it runs with go's -C flag, which also makes inject/caddy
// Caddy's working directory:
//
//	go run -C inject/caddy ./cmd/caddy run --config ../../examples/caddy/Caddyfile
//
// or builds bin/caddy:
//
//	go build -C inject/caddy -o ../../bin/caddy ./cmd/caddy
//
// examples/caddy/README.md says what to start before it.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/tracemeta/tracemeta/inject/caddy"
)

func main() {
	caddycmd.Main()
}
