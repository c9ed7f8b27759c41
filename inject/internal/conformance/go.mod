module github.com/tracemeta/tracemeta/inject/internal/conformance

go 1.26.0

replace github.com/tracemeta/tracemeta => ../../..

require (
	github.com/coder/websocket v1.8.15
	github.com/gorilla/websocket v1.5.3
	github.com/stretchr/testify v1.12.1
	github.com/tracemeta/tracemeta v0.2.0
	github.com/valyala/fasthttp v1.51.0
	golang.org/x/net v0.62.0
)

require (
	github.com/andybalholm/brotli v1.0.5 // indirect
	github.com/klauspost/compress v1.17.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
