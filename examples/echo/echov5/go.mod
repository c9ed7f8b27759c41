module github.com/tracemeta/tracemeta/examples/echo/echov5

go 1.26.0

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/getsentry/sentry-go v0.50.0
	github.com/getsentry/sentry-go/echo v0.49.0
	github.com/labstack/echo/v5 v5.4.4
	github.com/stretchr/testify v1.12.1
	github.com/tracemeta/tracemeta v0.2.0
	github.com/tracemeta/tracemeta/examples v0.2.0
	github.com/tracemeta/tracemeta/inject/echov5 v0.2.0
	github.com/tracemeta/tracemeta/tracecontext/sentrygo v0.2.0
)

require (
	github.com/chromedp/cdproto v0.159.2 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	go.opentelemetry.io/proto/otlp v1.11.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace (
	github.com/tracemeta/tracemeta => ../../..
	github.com/tracemeta/tracemeta/examples => ../..
	github.com/tracemeta/tracemeta/inject/echo => ../../../inject/echo
	github.com/tracemeta/tracemeta/inject/echov5 => ../../../inject/echov5
	github.com/tracemeta/tracemeta/inject/gin => ../../../inject/gin
	github.com/tracemeta/tracemeta/tracecontext/otel => ../../../tracecontext/otel
	github.com/tracemeta/tracemeta/tracecontext/sentrygo => ../../../tracecontext/sentrygo
)

replace github.com/tracemeta/tracemeta/inject/internal/fasthttpkit => ../../../inject/internal/fasthttpkit

replace github.com/tracemeta/tracemeta/inject/internal/conformance => ../../../inject/internal/conformance
