package emit_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestPlanJSONSchema validates every example's plan.json, and a snapshot
// compile's, against emit/plan.schema.json, the documented contract.
func TestPlanJSONSchema(t *testing.T) {
	t.Parallel()
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(filepath.Join(testenv.Root(), "emit", "plan.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	for _, ex := range examples {
		files := bundletest.Compile(t, ex, "")
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(files["plan.json"]))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: plan.json does not match the schema: %v", filepath.Base(ex), err)
		}
	}
	// The schema is not vacuous: a plan.json without steps is refused.
	bad, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"format": "ampc.plan/v1"}`)))
	if schema.Validate(bad) == nil {
		t.Error("the schema accepts a plan.json without its required fields")
	}
}
