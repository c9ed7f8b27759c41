module github.com/tracemeta/tracemeta/benchmarks

go 1.26.0

replace github.com/tracemeta/tracemeta => ..

tool golang.org/x/perf/cmd/benchstat

require (
	github.com/PuerkitoBio/goquery v1.13.0
	github.com/stretchr/testify v1.12.1
	github.com/tdewolff/parse/v2 v2.8.20
	github.com/tracemeta/tracemeta v0.1.0
	golang.org/x/net v0.62.0
)

require (
	github.com/a-h/templ v0.3.977 // indirect
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	github.com/andybalholm/cascadia v1.3.4 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/perf v0.0.0-20260908200009-22c9c6c9d4da // indirect
)
