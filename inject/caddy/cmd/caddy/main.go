// Command caddy is Caddy with its standard modules and tracemeta's
// http.handlers.tracemeta, what
//
//	xcaddy build --with github.com/tracemeta/tracemeta/inject/caddy
//
// builds. From a clone of the repository:
//
//	go run ./inject/caddy/cmd/caddy run --config examples/caddy/Caddyfile
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/tracemeta/tracemeta/inject/caddy"
)

func main() {
	caddycmd.Main()
}
