module github.com/tracemeta/tracemeta/inject/fiber

go 1.26.0

replace github.com/tracemeta/tracemeta => ../..

require (
	github.com/gofiber/fiber/v2 v2.52.15
	github.com/tracemeta/tracemeta v0.2.0
	github.com/valyala/fasthttp v1.51.0
)

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/net v0.62.0 // indirect
)

require (
	github.com/andybalholm/brotli v1.1.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/klauspost/compress v1.17.9 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/mattn/go-runewidth v0.0.16 // indirect
	github.com/rivo/uniseg v0.2.0 // indirect
	github.com/tracemeta/tracemeta/inject/fasthttp v0.2.0
	github.com/tracemeta/tracemeta/inject/internal/conformance v0.2.0
	github.com/tracemeta/tracemeta/inject/internal/fasthttpkit v0.2.0
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/valyala/tcplisten v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/tracemeta/tracemeta/inject/fasthttp => ../fasthttp

replace github.com/tracemeta/tracemeta/inject/internal/fasthttpkit => ../internal/fasthttpkit

replace github.com/tracemeta/tracemeta/inject/internal/conformance => ../internal/conformance
