package tmdatadog_test

import (
	"os"
	"testing"

	"github.com/tracemeta/tracemeta/tracecontext/datadog/datadogtest"
)

// agent is the fake agent every test's tracer reports to.
var agent *datadogtest.Agent

func TestMain(m *testing.M) {
	a, stop, err := datadogtest.StartTracer("tracemeta-test")
	if err != nil {
		panic(err)
	}
	agent = a
	code := m.Run()
	stop()
	os.Exit(code)
}
