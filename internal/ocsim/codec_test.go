package ocsim

import (
	"bytes"
	"testing"
)

// TestEqualJSONIsJSONEquality checks the direct comparison against its
// definition: the same JSON encoding.
func TestEqualJSONIsJSONEquality(t *testing.T) {
	values := []any{
		nil, "", "a", true, false, int64(1), int64(2), float64(1), 1, 1.5,
		map[string]any(nil), map[string]any{}, map[string]any{"a": nil}, map[string]any{"a": int64(1)},
		map[string]any{"a": 1}, map[string]any{"b": int64(1)}, map[string]any{"a": int64(1), "b": "x"},
		[]any(nil), []any{}, []any{nil}, []any{int64(1)}, []any{1}, []any{int64(1), "x"}, []any{"x", int64(1)},
		[]string{"x"}, map[string]string{"a": "x"}, map[string]any{"a": []any{map[string]any{"b": nil}}},
		map[string]any{"a": []any{map[string]any{}}},
	}
	for _, a := range values {
		for _, b := range values {
			want := bytes.Equal(marshal(a), marshal(b))
			if got := equalJSON(a, b); got != want {
				t.Errorf("equalJSON(%#v, %#v) = %v, want %v", a, b, got, want)
			}
			if got := equalJSON(deepCopy(a), b); got != want {
				t.Errorf("equalJSON(deepCopy(%#v), %#v) = %v, want %v", a, b, got, want)
			}
		}
	}
}
