package ocsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	kjson "sigs.k8s.io/json"
)

// Object is an object in its JSON form, as the server stores and returns it.
type Object = map[string]any

// validate decodes an object's JSON form strictly into its kind's type: an
// unknown or duplicate field, or a value of the wrong type, is refused with
// the message the API server gives.
func validate(k *Kind, obj Object) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return validateJSON(k, raw)
}

func validateJSON(k *Kind, raw []byte) error {
	typed := k.New()
	strict, err := kjson.UnmarshalStrict(raw, typed)
	if err != nil {
		return fmt.Errorf("%s in version %q cannot be handled as a %s: %v", k.Kind, k.Version, k.Kind, cleanDecodeError(err))
	}
	if len(strict) > 0 {
		var msgs []string
		for _, e := range strict {
			msgs = append(msgs, e.Error())
		}
		return fmt.Errorf("%s in version %q cannot be handled as a %s: strict decoding error: %s", k.Kind, k.Version, k.Kind, strings.Join(msgs, ", "))
	}
	return nil
}

func cleanDecodeError(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("json: cannot unmarshal %s into Go struct field %s of type %s", ute.Value, ute.Field, ute.Type)
	}
	return err.Error()
}

// PatchType is the --type of oc patch.
type PatchType string

// The patch types the server accepts.
const (
	PatchJSON      PatchType = "json"
	PatchMerge     PatchType = "merge"
	PatchStrategic PatchType = "strategic"
)

// errUnsupportedMediaType is what the server answers a strategic merge
// patch of a custom resource.
var errUnsupportedMediaType = errors.New("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")

// applyPatch applies a patch to an object's JSON form with apimachinery's
// implementations, as the API server does.
func applyPatch(k *Kind, current []byte, typ PatchType, patch []byte) ([]byte, error) {
	switch typ {
	case PatchJSON:
		p, err := jsonpatch.DecodePatch(patch)
		if err != nil {
			return nil, err
		}
		return p.Apply(current)
	case PatchMerge:
		return jsonpatch.MergePatch(current, patch)
	case PatchStrategic:
		if k.Custom {
			return nil, errUnsupportedMediaType
		}
		return strategicpatch.StrategicMergePatch(current, patch, k.New())
	}
	return nil, fmt.Errorf("unknown patch type %q", typ)
}

// threeWayApply computes what kubectl's client-side apply sends: a
// three-way patch from the last applied configuration, the new one and the
// live object; strategic for built-in types, a JSON merge patch for custom
// resources.
func threeWayApply(k *Kind, original, modified, current []byte) ([]byte, error) {
	if k.Custom {
		return createThreeWayJSONMergePatch(original, modified, current)
	}
	meta, err := strategicpatch.NewPatchMetaFromStruct(k.New())
	if err != nil {
		return nil, err
	}
	patch, err := strategicpatch.CreateThreeWayMergePatch(original, modified, current, meta, true)
	if err != nil {
		return nil, err
	}
	return strategicpatch.StrategicMergePatch(current, patch, k.New())
}

// createThreeWayJSONMergePatch is the JSON merge patch analogue: deletions
// are the fields of original that modified lacks; additions and changes are
// modified's fields that differ from current.
func createThreeWayJSONMergePatch(original, modified, current []byte) ([]byte, error) {
	if len(original) == 0 {
		original = []byte("{}")
	}
	add, err := jsonpatch.CreateMergePatch(current, modified)
	if err != nil {
		return nil, err
	}
	var addMap, del map[string]any
	if err := json.Unmarshal(add, &addMap); err != nil {
		return nil, err
	}
	delPatch, err := jsonpatch.CreateMergePatch(original, modified)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(delPatch, &del); err != nil {
		return nil, err
	}
	// Keep only the nulls of the deletion patch (fields the user removed),
	// and only the non-null changes of the addition patch (fields the user
	// sets): fields others set on the live object are kept.
	patch := mergeMaps(keepNulls(del), dropNulls(addMap))
	raw, err := json.Marshal(patch)
	if err != nil {
		return nil, err
	}
	return jsonpatch.MergePatch(current, raw)
}

func keepNulls(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			out[k] = nil
		case map[string]any:
			if sub := keepNulls(x); len(sub) > 0 {
				out[k] = sub
			}
		}
	}
	return out
}

func dropNulls(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch x := v.(type) {
		case nil:
		case map[string]any:
			out[k] = dropNulls(x)
		default:
			out[k] = v
		}
	}
	return out
}

func mergeMaps(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if am, ok := out[k].(map[string]any); ok {
			if bm, ok := v.(map[string]any); ok {
				out[k] = mergeMaps(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// decodeObject reads one object's JSON form.
func decodeObject(raw []byte) (Object, error) {
	var obj Object
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&obj); err != nil {
		return nil, err
	}
	return normalize(obj).(Object), nil
}

// normalize turns json.Numbers into int64 or float64.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// clone deep-copies an object into its JSON form (maps, slices, strings,
// int64, float64, bools and nils).
func clone(obj Object) Object {
	return deepCopy(obj).(map[string]any)
}

// deepCopy copies a JSON value; a value of any other Go type is copied
// through its JSON encoding.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		if x == nil {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case string, int64, float64, bool, nil:
		return x
	}
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		panic(err)
	}
	return normalize(out)
}

func marshal(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

// equalJSON tells whether two values have the same JSON form. JSON values
// (maps, slices, strings, numbers, bools, nil) are compared directly;
// anything else through its encoding.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return bytes.Equal(marshal(a), marshal(b))
		}
		if len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok {
			return bytes.Equal(marshal(a), marshal(b))
		}
		if len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case nil:
		if b == nil {
			return true
		}
	case int64:
		if y, ok := b.(int64); ok {
			return x == y
		}
	}
	return bytes.Equal(marshal(a), marshal(b))
}

// DecodeStrict decodes an object (its JSON form) strictly into the real
// API type of its apiVersion and kind, as the API server does: an unknown
// or duplicate field, or a value of the wrong type, is an error with the
// server's message, and so is a kind the simulator has no type for. The
// tests use it on every object a bundle creates or leaves patched, and on
// every kustomize rendering: kubectl patch --local does not check fields.
func DecodeStrict(raw []byte) error {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	for _, k := range kinds {
		if k.Kind == head.Kind && k.APIVersion() == head.APIVersion {
			return validateJSON(k, raw)
		}
	}
	return fmt.Errorf("no API type for %s %s", head.APIVersion, head.Kind)
}
