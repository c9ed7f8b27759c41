package tracecontext

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDSCKeys checks that dscKeys, DSC.known and the string fields of DSC
// agree: every field is one key, written and parsed under it.
func TestDSCKeys(t *testing.T) {
	var d DSC
	fields := map[uintptr]string{}
	rt := reflect.TypeOf(d)
	for i := range rt.NumField() {
		if f := rt.Field(i); f.Type.Kind() == reflect.String {
			fields[f.Offset] = f.Name
		}
	}
	require.Len(t, dscKeys, len(fields), "one key per string field of DSC")
	seen := map[string]bool{}
	base := reflect.ValueOf(&d).Pointer()
	for i, key := range dscKeys {
		p := d.known(i)
		name, ok := fields[reflect.ValueOf(p).Pointer()-base]
		require.True(t, ok, "key %s maps to no string field", key)
		require.False(t, seen[name], "field %s mapped twice", name)
		seen[name] = true
		*p = "v" + key
		assert.Same(t, p, d.field(key), "field of %s", key)
	}
	assert.Nil(t, d.field("trace"), "an unknown key has no field")
	assert.Nil(t, d.field("sentry-trace_id"), "keys are without the prefix")
	b, err := ParseBaggage(d.Baggage())
	require.NoError(t, err)
	back := DSCFromBaggage(b)
	back.Frozen = false
	assert.Equal(t, d, back)
	for _, key := range dscKeys {
		assert.True(t, strings.Contains(d.Baggage(), "sentry-"+key+"=v"+key), key)
	}
}
