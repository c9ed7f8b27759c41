package injectcaddy_test

import (
	"encoding/json"
	"fmt"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	injectcaddy "github.com/tracemeta/tracemeta/inject/caddy"
)

// The tracemeta directive of a Caddyfile, and the JSON config it becomes.
func ExampleHandler_UnmarshalCaddyfile() {
	d := caddyfile.NewTestDispenser(`tracemeta {
		release        shop@1.4.0
		environment    production
		public_key     49d0f7386ad645858ae85020e393bef3
		sample_rate    0.25
		org_id         4505
		strict_trace_continuation
		formats        sentry-trace baggage traceparent
	}`)
	var h injectcaddy.Handler
	if err := h.UnmarshalCaddyfile(d); err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(h)
	fmt.Println(string(out))
	// Output:
	// {"release":"shop@1.4.0","environment":"production","public_key":"49d0f7386ad645858ae85020e393bef3","sample_rate":0.25,"org_id":"4505","strict_trace_continuation":true,"formats":["sentry-trace","baggage","traceparent"]}
}

// A value that means nothing fails the config at load, naming the field.
func ExampleHandler_Validate() {
	var h injectcaddy.Handler
	_ = json.Unmarshal([]byte(`{"sample_rate": 4, "formats": ["b3"]}`), &h)
	fmt.Println(h.Validate())
	// Output:
	// tracemeta: sample_rate: invalid value: 4 (a number in [0, 1])
	// formats: invalid value: "b3" (want sentry-trace, baggage, traceparent or datadog)
}
