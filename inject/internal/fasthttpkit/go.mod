module github.com/tracemeta/tracemeta/inject/internal/fasthttpkit

go 1.26.0

replace github.com/tracemeta/tracemeta => ../../..

require (
	github.com/stretchr/testify v1.12.1
	github.com/tracemeta/tracemeta v0.2.0
	github.com/valyala/fasthttp v1.51.0
)

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	golang.org/x/net v0.62.0 // indirect
)

require (
	github.com/andybalholm/brotli v1.0.5 // indirect
	github.com/klauspost/compress v1.17.0 // indirect
	github.com/tracemeta/tracemeta/inject/internal/conformance v0.2.0
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

replace github.com/tracemeta/tracemeta/inject/internal/conformance => ../conformance
