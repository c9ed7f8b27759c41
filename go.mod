module github.com/tracemeta/tracemeta

go 1.26.0

require (
	github.com/a-h/templ v0.3.977 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/net v0.62.0 // indirect
)
