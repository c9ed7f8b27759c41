package injectcaddy_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handlerConfig adapts a Caddyfile with one site whose block is site and
// returns the JSON of its tracemeta handler.
func handlerConfig(t *testing.T, site string) (map[string]any, error) {
	t.Helper()
	cfg, err := adapt(t, "http://localhost {\n"+site+"\n}\n")
	if err != nil {
		return nil, err
	}
	var v struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []struct {
						Handle []struct {
							Routes []struct {
								Handle []map[string]any `json:"handle"`
							} `json:"routes"`
						} `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	require.NoError(t, json.Unmarshal(cfg, &v))
	var handlers []map[string]any
	for _, s := range v.Apps.HTTP.Servers {
		for _, r := range s.Routes {
			for _, h := range r.Handle {
				for _, r := range h.Routes {
					handlers = append(handlers, r.Handle...)
				}
			}
		}
	}
	for _, h := range handlers {
		if h["handler"] == "tracemeta" {
			return h, nil
		}
	}
	t.Fatalf("no tracemeta handler in %s", cfg)
	return nil, nil
}

func TestCaddyfile(t *testing.T) {
	t.Run("full", func(t *testing.T) {
		// In another order, with other values than the example's.
		h, err := handlerConfig(t, `tracemeta {
	formats        traceparent sentry-trace
	strict_trace_continuation
	org_id         17
	sample_rate    0.5
	public_key     aaaabbbbccccddddeeeeffff00001111
	environment    staging
	release        web@2.0.1
}`)
		require.NoError(t, err)
		assert.Equal(t, map[string]any{
			"handler":                   "tracemeta",
			"release":                   "web@2.0.1",
			"environment":               "staging",
			"public_key":                "aaaabbbbccccddddeeeeffff00001111",
			"sample_rate":               0.5,
			"org_id":                    "17",
			"strict_trace_continuation": true,
			"formats":                   []any{"traceparent", "sentry-trace"},
		}, h)
	})
	t.Run("bare", func(t *testing.T) {
		h, err := handlerConfig(t, "tracemeta")
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"handler": "tracemeta"}, h)
	})
	t.Run("order without an order line", func(t *testing.T) {
		cfg, err := adapt(t, "http://localhost {\n\treverse_proxy 127.0.0.1:9\n\ttemplates\n\ttracemeta\n\tencode gzip\n\ttracing\n}\n")
		require.NoError(t, err)
		var names []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if h, ok := v["handler"].(string); ok && h != "subroute" {
					names = append(names, h)
				}
				for _, k := range []string{"routes", "handle"} {
					walk(v[k])
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		var root map[string]any
		require.NoError(t, json.Unmarshal(cfg, &root))
		walk(root["apps"].(map[string]any)["http"].(map[string]any)["servers"].(map[string]any)["srv0"])
		assert.Equal(t, []string{"tracing", "encode", "tracemeta", "templates", "reverse_proxy"}, names)
	})
	for _, tc := range []struct{ name, site, want, line string }{
		// Out of range or not a number: one wording.
		{"sample rate above 1", "tracemeta {\n\tsample_rate 1.5\n}", "tracemeta: sample_rate: invalid value: 1.5 (a number in [0, 1])", "Caddyfile:3"},
		{"sample rate below 0", "tracemeta {\n\tsample_rate -0.25\n}", "tracemeta: sample_rate: invalid value: -0.25 (a number in [0, 1])", "Caddyfile:3"},
		{"sample rate not a number", "tracemeta {\n\tsample_rate lots\n}", "tracemeta: sample_rate: invalid value: lots (a number in [0, 1])", "Caddyfile:3"},
		{"sample rate percent", "tracemeta {\n\tsample_rate 25%\n}", "tracemeta: sample_rate: invalid value: 25% (a number in [0, 1])", "Caddyfile:3"},
		{"sample rate NaN", "tracemeta {\n\tsample_rate NaN\n}", "tracemeta: sample_rate: invalid value: NaN (a number in [0, 1])", "Caddyfile:3"},
		{"public key", "tracemeta {\n\n\tpublic_key ABC\n}", `tracemeta: public_key: invalid value: "ABC"`, "Caddyfile:4"},
		{"org id", "tracemeta {\n\torg_id o-1\n}", "tracemeta: org_id", "Caddyfile:3"},
		{"format", "tracemeta {\n\tformats sentry-trace w3c\n}", `tracemeta: formats: invalid value: "w3c"`, "Caddyfile:3"},
		{"format twice", "tracemeta {\n\tformats baggage baggage\n}", "named twice", "Caddyfile:3"},
		{"no formats", "tracemeta {\n\tformats\n}", "wrong argument count", "Caddyfile:3"},
		{"unknown", "tracemeta {\n\tsample 1\n}", `tracemeta: unknown subdirective "sample"`, "Caddyfile:3"},
		{"twice", "tracemeta {\n\trelease a\n\trelease b\n}", "tracemeta: release set twice", "Caddyfile:4"},
		{"two values", "tracemeta {\n\trelease a b\n}", "wrong argument count", "Caddyfile:3"},
		{"argument", "tracemeta on", "wrong argument count", "Caddyfile:2"},
		{"flag with a value", "tracemeta {\n\tstrict_trace_continuation yes\n}", "wrong argument count", "Caddyfile:3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := handlerConfig(t, tc.site)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasSuffix(err.Error(), "at "+tc.line), "the error names the line: %v", err)
		})
	}
}

// TestJSONConfig loads the handler from Caddy's JSON config: invalid values
// fail the load.
func TestJSONConfig(t *testing.T) {
	port := freePort(t)
	load := func(handler string) error {
		cfg := `{"admin":{"disabled":true},"storage":{"module":"file_system","root":"` + caddyStorage + `"},"logging":{"logs":{"default":{"level":"ERROR"}}},"apps":{"http":{"servers":{"s":{"listen":["127.0.0.1:` +
			jsonInt(port) + `"],"automatic_https":{"disable":true},"routes":[{"handle":[` + handler + `,{"handler":"static_response","body":"<!doctype html><title>x</title>","headers":{"Content-Type":["text/html"]}}]}]}}}}}`
		err := caddy.Load([]byte(cfg), true)
		if err == nil {
			_ = caddy.Stop()
		}
		return err
	}
	require.NoError(t, load(`{"handler":"tracemeta","sample_rate":0.5,"formats":["traceparent"]}`))
	for _, tc := range []struct{ name, handler, want string }{
		{"sample rate", `{"handler":"tracemeta","sample_rate":-0.1}`, "sample_rate: invalid value: -0.1"},
		{"format", `{"handler":"tracemeta","formats":["b3"]}`, `formats: invalid value: "b3"`},
		{"public key", `{"handler":"tracemeta","public_key":"xyz"}`, `public_key: invalid value: "xyz"`},
		{"release", `{"handler":"tracemeta","release":"a\nb"}`, `release: invalid value`},
		{"unknown field", `{"handler":"tracemeta","sample":1}`, `unknown field "sample"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := load(tc.handler)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func jsonInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestExampleCaddyfile adapts the Caddyfile of examples/caddy.
func TestExampleCaddyfile(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "caddy", "Caddyfile"))
	require.NoError(t, err)
	cfg, err := adapt(t, string(src))
	require.NoError(t, err)
	assert.Contains(t, string(cfg), `"handler":"tracemeta"`)
	assert.Contains(t, string(cfg), `"public_key":"49d0f7386ad645858ae85020e393bef3"`)
}
