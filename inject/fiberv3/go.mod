module github.com/tracemeta/tracemeta/inject/fiberv3

go 1.26.0

replace github.com/tracemeta/tracemeta => ../..

require (
	github.com/gofiber/fiber/v3 v3.1.0
	github.com/stretchr/testify v1.12.1
	github.com/tracemeta/tracemeta v0.2.0
	github.com/valyala/fasthttp v1.69.0
)

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	golang.org/x/net v0.62.0 // indirect
)

require (
	github.com/andybalholm/brotli v1.2.0 // indirect
	github.com/gofiber/schema v1.7.0 // indirect
	github.com/gofiber/utils/v2 v2.0.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/klauspost/compress v1.18.4 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/tinylib/msgp v1.6.3 // indirect
	github.com/tracemeta/tracemeta/inject/fasthttp v0.2.0
	github.com/tracemeta/tracemeta/inject/internal/conformance v0.2.0
	github.com/tracemeta/tracemeta/inject/internal/fasthttpkit v0.2.0
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/tracemeta/tracemeta/inject/fasthttp => ../fasthttp

replace github.com/tracemeta/tracemeta/inject/internal/fasthttpkit => ../internal/fasthttpkit

replace github.com/tracemeta/tracemeta/inject/internal/conformance => ../internal/conformance
