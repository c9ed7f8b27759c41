module github.com/tracemeta/tracemeta/inject/echov5

go 1.26.0

require github.com/tracemeta/tracemeta v0.2.0

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/net v0.62.0 // indirect
)

require (
	github.com/labstack/echo/v5 v5.4.4
	github.com/tracemeta/tracemeta/inject/internal/conformance v0.2.0
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace github.com/tracemeta/tracemeta => ../..

replace github.com/tracemeta/tracemeta/inject/internal/conformance => ../internal/conformance
