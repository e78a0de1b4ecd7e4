package inspect

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ampc/ampc/ir"
)

// ReadPlan reads plan.json of the bundle in dir.
func ReadPlan(dir string) (*ir.PlanDoc, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		return nil, fmt.Errorf("%s is not an ampc bundle: %w", dir, err)
	}
	doc, err := DecodePlan(raw)
	if err != nil {
		return nil, fmt.Errorf("%s/plan.json: %w", dir, err)
	}
	return doc, nil
}

// DecodePlan decodes the bytes of a plan.json.
func DecodePlan(raw []byte) (*ir.PlanDoc, error) {
	var doc ir.PlanDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}
