module github.com/tracemeta/tracemeta/tracecontext/sentrygo

go 1.26.0

replace github.com/tracemeta/tracemeta => ../..

require (
	github.com/getsentry/sentry-go v0.50.0
	github.com/stretchr/testify v1.12.1
	github.com/tracemeta/tracemeta v0.2.0
	golang.org/x/net v0.62.0
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
