package compiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/compiler"
)

func plan215(db, database, redis string) string {
	return fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  to_release      = "2.16.1"
  system_database = %q
}

operator {
  namespace         = "3scale-operator"
  apicast_namespace = "apicast"
}

externalize {
  system_database = %q
  redis           = %q
  namespace       = "3scale-db"
}
`, db, database, redis)
}

// TestHop215EveryChoice compiles every choice of the externalize block
// against the standard layout: no step breaks a precondition of the layout
// (which would be a bug), each step cites the seed, and the window opens
// exactly when a database moves.
func TestHop215EveryChoice(t *testing.T) {
	for _, db := range []string{"mysql", "postgresql", "oracle"} {
		for _, database := range []string{"on-cluster", "aws", "external"} {
			if db == "oracle" && database != "external" {
				continue
			}
			for _, redis := range []string{"on-cluster", "aws", "external"} {
				name := db + "/" + database + "/" + redis
				b, diags := compiler.Compile(parse(t, plan215(db, database, redis)), nil)
				if diags.HasErrors() {
					t.Errorf("%s: %s", name, diags.Error())
					continue
				}
				ids := stepIDs(b)
				for _, s := range b.Steps {
					if !strings.HasPrefix(s.Source, "004_c69374ff7b8e3f6e.txt ") {
						t.Errorf("%s: step %s cites %q", name, s.ID, s.Source)
					}
				}
				moves := (db != "oracle" && database != "external") || redis != "external"
				if _, ok := ids["2.15-2.16/scale-down"]; ok != moves {
					t.Errorf("%s: scale-down present = %v", name, ok)
				}
				if _, ok := ids["2.15-2.16/channel"]; !ok {
					t.Errorf("%s: no channel change", name)
				}
				if len(b.Rollbacks) == 0 && moves && !(db == "mysql" && database == "on-cluster" && redis == "external") {
					t.Errorf("%s: no rollback section", name)
				}
			}
		}
	}
}

// TestHop215OneAPIManager checks the "*" name: a snapshot with two
// APIManagers cannot say which one the hop patches.
func TestHop215OneAPIManager(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "snap.yaml")
	var docs []string
	for _, name := range []string{"one", "two"} {
		docs = append(docs, fmt.Sprintf("apiVersion: apps.3scale.net/v1alpha1\nkind: APIManager\nmetadata:\n  name: %s\n  namespace: 3scale\nspec: {}\n", name))
	}
	if err := os.WriteFile(snap, []byte(strings.Join(docs, "---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	diags := compileSnapshot(t, plan215("mysql", "external", "external"), snap)
	if len(diags) != 1 {
		t.Errorf("%d diagnostics, want only the one about the APIManagers: %v", len(diags), diags)
	}
	found := false
	for _, d := range diags {
		if d.Summary == "No single APIManager in the project" && d.Subject.Start.Line == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("no diagnostic for two APIManagers: %v", diags)
	}
}
