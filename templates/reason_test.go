package templates_test

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tracemeta/tracemeta/render"
	"github.com/tracemeta/tracemeta/templates"
	"github.com/tracemeta/tracemeta/tracecontext"
)

// TestSkipReasons checks that traceMeta and MetaTags say why they rendered
// nothing, through the hook and the logger.
func TestSkipReasons(t *testing.T) {
	sc := spanContext(t, simpleDSC())
	var once render.Once
	withSpan := render.ContextWithOnce(tracecontext.NewContext(context.Background(), sc), &once)
	tests := []struct {
		name   string
		ctx    context.Context
		reason templates.Reason
	}{
		{"no span", context.Background(), templates.ReasonNoSpan},
		{"nil context", nil, templates.ReasonNoSpan},
		{"already rendered", withSpan, templates.ReasonAlreadyRendered},
	}
	require.True(t, render.Claim(withSpan), "claimed before the templates run")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []templates.Reason
			var logs bytes.Buffer
			opts := []templates.Option{
				templates.WithSkipHook(func(_ context.Context, r templates.Reason) { got = append(got, r) }),
				templates.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
			}
			page := template.Must(template.New("p").Funcs(templates.FuncMap(opts...)).Parse(`{{traceMeta .}}`))
			var out bytes.Buffer
			require.NoError(t, page.Execute(&out, tt.ctx))
			assert.Empty(t, out.String())
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			require.NoError(t, templates.MetaTags(opts...).Render(ctx, &out))
			assert.Empty(t, out.String())
			assert.Equal(t, []templates.Reason{tt.reason, tt.reason}, got)
			assert.Equal(t, 2, strings.Count(logs.String(), "reason="+tt.reason.String()+"\n"), logs.String())
		})
	}
	assert.Equal(t, "none", templates.ReasonNone.String())
	assert.Equal(t, "Reason(9)", templates.Reason(9).String())
}
