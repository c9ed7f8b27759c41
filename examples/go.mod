module github.com/tracemeta/tracemeta/examples

go 1.26.0

replace github.com/tracemeta/tracemeta => ..

require (
	github.com/a-h/templ v0.3.977
	github.com/chromedp/cdproto v0.159.2
	github.com/chromedp/chromedp v0.23.0
	github.com/getsentry/sentry-go v0.50.0
	github.com/stretchr/testify v1.12.1
	github.com/tracemeta/tracemeta v0.1.0
	github.com/tracemeta/tracemeta/tracecontext/otel v0.1.0
	github.com/tracemeta/tracemeta/tracecontext/sentrygo v0.1.0
	go.opentelemetry.io/otel v1.47.0
	go.opentelemetry.io/otel/sdk v1.47.0
	go.opentelemetry.io/otel/trace v1.47.0
	golang.org/x/net v0.62.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/tracemeta/tracemeta/tracecontext/sentrygo => ../tracecontext/sentrygo

replace github.com/tracemeta/tracemeta/tracecontext/otel => ../tracecontext/otel
