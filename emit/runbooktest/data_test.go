package runbooktest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// zyncRows is what a 2.4 site's zync-database holds in the test: zync's
// tenants, integrations and the entries of its queue, with a NULL and
// text that needs quoting in a dump.
func zyncRows() map[string]*ocsim.Database {
	return map[string]*ocsim.Database{"zync_production": {Owner: "zync", Tables: map[string]*ocsim.Table{
		"tenants": {Columns: []string{"id", "endpoint", "access_token"}, Key: "id", Rows: [][]string{
			{"1", "https://3scale-admin.apps.example.com", "token-1"},
			{"2", "https://tenant-2.apps.example.com", ocsim.Null}}},
		"integrations": {Columns: []string{"id", "tenant_id", "configuration", "type", "state"}, Key: "id", Rows: [][]string{
			{"1", "1", `{"url": "https://keycloak.example.com/auth/realms/x"}`, "Integration::Keycloak", "active"},
			{"2", "2", "line one\nline\ttwo \\ back", "Integration::Kubernetes", "disabled"}}},
		"que_jobs": {Columns: []string{"priority", "run_at", "job_id", "job_class", "args"}, Key: "job_id", Rows: [][]string{
			{"100", "2026-11-30 23:59:59.123+00", "41", "ProcessIntegrationEntryJob", `[{"it's": "quoted"}]`}}},
	}}}
}

// manualAcks acknowledges every manual step of a compiled bundle.
func manualAcks(t *testing.T, files map[string][]byte) []string {
	t.Helper()
	var plan struct {
		Steps []struct{ ID, Kind string }
	}
	if err := json.Unmarshal(files["plan.json"], &plan); err != nil {
		t.Fatal(err)
	}
	var acks []string
	for _, s := range plan.Steps {
		if s.Kind == "manual" {
			acks = append(acks, "--ack", s.ID)
		}
	}
	return acks
}

// TestZyncDatabaseMoveKeepsRows runs the whole 2.4 → 2.5 runbook on the
// 2.4 fixture whose zync-database (PostgreSQL 9.5, data on an emptyDir)
// holds zync's rows, on the simulated cluster whose pods run the real
// tools' behaviour: pg_dumpall | gzip in the pod and its completeness
// check, the image change that starts PostgreSQL 10 on a new, empty
// emptyDir, psql -f - restoring the dump while the 10 image's role and
// database exist already. After the run the rows of zync_production are
// the rows before it, zync runs again, and the simulator was asked nothing
// it does not model.
func TestZyncDatabaseMoveKeepsRows(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), "")
	bundle := bundletest.WriteBundle(t, files)
	c := bundletest.NewCluster(t, fixture)
	// The seed TestRunbookProperties runs this site under. (Under seed 1
	// wait-system-mysql reads the DeploymentConfig's latestVersion after
	// the controller observed the env patch and before the config change
	// trigger started deployment #2, and fails on "desired revision (1) is
	// different from the running revision (2)", with or without data.)
	c.Env = append(c.Env, "OCSIM_SEED=2")
	c.Seed(t, ocsim.Seed{Workload: "dc/zync-database", Data: ocsim.Data{PostgreSQL: zyncRows()}})
	work := t.TempDir()
	out, err := c.Run(t, bundle, work, "", manualAcks(t, files)...)
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("the run: %v\n%s", err, out)
	}
	if u := c.Unsupported(t); u != "" {
		t.Errorf("the run asked the simulator for what it does not model:\n%s", u)
	}
	after := c.Data(t, "", "dc/zync-database")
	if !strings.HasPrefix(after.Version, "10.") {
		t.Errorf("zync-database runs PostgreSQL %s after the run", after.Version)
	}
	if got, want := after.PostgreSQL["zync_production"], zyncRows()["zync_production"]; !reflect.DeepEqual(got, want) {
		for name, table := range want.Tables {
			var rows [][]string
			if got != nil && got.Tables[name] != nil {
				rows = got.Tables[name].Rows
			}
			t.Errorf("zync_production.%s after the move: %q, before: %q", name, rows, table.Rows)
		}
	}
	counts, err := os.ReadFile(filepath.Join(work, "backups", "3scale-2.4", "2.4-2.5", "zync-database-backup-for-2.5.counts"))
	if err != nil || !strings.HasPrefix(string(counts), "integrations 2\n") {
		t.Errorf("the dump's row counts: %v %q", err, counts)
	}
	if !strings.Contains(out, "imported: every table of zync_production holds the rows of the dump") {
		t.Error("the import was not checked against the dump's counts")
	}
	// A record changed since the dump step wrote it is refused (its
	// SHA-256 differs).
	countsFile := filepath.Join(work, "backups", "3scale-2.4", "2.4-2.5", "zync-database-backup-for-2.5.counts")
	changed := []byte(strings.Replace(string(counts), "integrations 2\n", "integrations 3\n", 1))
	if err := os.WriteFile(countsFile, changed, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/zync-database-restore"); err == nil || !strings.Contains(out, "zync-database-backup-for-2.5.counts is not what its step wrote") {
		t.Errorf("the import with a record changed since the dump: %v\n%s", err, out)
	}
	// The check fails on a database that does not hold the dump's rows
	// (here a record, sealed, with a row more): the re-run of the import
	// stops.
	bundletest.WriteSealed(t, countsFile, changed)
	if out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/zync-database-restore"); err == nil || !strings.Contains(out, "but not the rows of the dump") {
		t.Errorf("the import's check on a database without a row of the dump: %v\n%s", err, out)
	}
	restored := false
	for _, call := range c.Calls(t) {
		if strings.HasPrefix(call, "exec -i ") && strings.Contains(call, "psql -d postgres -f -") {
			restored = true
		}
	}
	if !restored {
		t.Error("the runbook restored no dump into zync-database")
	}
	// An error the guide does not name fails the import, though psql exits
	// 0: on an empty zync_production (zync stopped), a dump (sealed) whose
	// statement fails.
	c.Act(t, "scale", "dc/zync", "--replicas=0")
	c.Act(t, "sleep", "120")
	c.Act(t, "exec", "dc/zync-database", "--", "psql", "-d", "postgres", "-c", "DROP DATABASE zync_production", "-c", "CREATE DATABASE zync_production OWNER zync")
	var dump bytes.Buffer
	zw := gzip.NewWriter(&dump)
	_, _ = zw.Write([]byte("CREATE ROLE zync;\n\\connect zync_production\nSELECT count(*) FROM public.no_such_table;\n--\n-- PostgreSQL database cluster dump complete\n--\n"))
	_ = zw.Close()
	bundletest.WriteSealed(t, filepath.Join(work, "backups", "3scale-2.4", "2.4-2.5", "zync-database-backup-for-2.5.gz"), dump.Bytes())
	bundletest.WriteSealed(t, countsFile, nil)
	out, err = c.Run(t, bundle, work, "", "--only", "2.4-2.5/zync-database-restore")
	if err == nil || !strings.Contains(out, "psql reported errors the guide does not expect") || !strings.Contains(out, "no_such_table") {
		t.Errorf("the import of a dump with an error the guide does not name: %v\n%s", err, out)
	}
}

// TestZyncDatabaseRollbackChecksImport runs the 2.4 → 2.5 rollback of
// zync-database (2.5.6) on copies of a site the complete run left, its
// zync_production holding rows. The rollback brings PostgreSQL 9.5 back on
// a new, empty database and reimports the dump: the rows must be the
// dump's, checked against the counts recorded with it. A dump cut short
// since its step wrote it is refused before anything changes (before,
// gzip's failure in the pod went unseen, psql imported what came, and the
// rollback said zync-database ran 9.5 "with the dump"). A reimport whose
// connection is lost after the pod ran it is checked by the re-run, not
// imported twice nor taken on trust.
func TestZyncDatabaseRollbackChecksImport(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), "")
	bundle := bundletest.WriteBundle(t, files)
	c := bundletest.NewCluster(t, fixture)
	c.Env = append(c.Env, "OCSIM_SEED=2") // as TestZyncDatabaseMoveKeepsRows
	c.Seed(t, ocsim.Seed{Workload: "dc/zync-database", Data: ocsim.Data{PostgreSQL: zyncRows()}})
	work := t.TempDir()
	if out, err := c.Run(t, bundle, work, "", manualAcks(t, files)...); err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("the run: %v\n%s", err, out)
	}
	const rollback = "2.4-2.5/zync-database"
	dump := filepath.Join("backups", "3scale-2.4", "2.4-2.5", "zync-database-backup-for-2.5.gz")
	rowsBack := func(t *testing.T, c *bundletest.Cluster) {
		t.Helper()
		data := c.Data(t, "", "dc/zync-database")
		if !strings.HasPrefix(data.Version, "9.5") {
			t.Errorf("zync-database runs PostgreSQL %s after the rollback", data.Version)
		}
		if got, want := data.PostgreSQL["zync_production"], zyncRows()["zync_production"]; !reflect.DeepEqual(got, want) {
			t.Errorf("zync_production after the rollback: %+v, want the dump's %+v", got, want)
		}
	}
	t.Run("intact", func(t *testing.T) {
		c, work := c.Copy(t), bundletest.CopiedDir(t, work)
		out, err := c.Run(t, bundle, work, "", "--rollback", rollback)
		if err != nil || !strings.Contains(out, "reimported: every table of zync_production holds the rows of the dump") {
			t.Fatalf("the rollback: %v\n%s", err, bundletest.Tail(out, 20))
		}
		rowsBack(t, c)
	})
	t.Run("dump cut short", func(t *testing.T) {
		c, work := c.Copy(t), bundletest.CopiedDir(t, work)
		raw, err := os.ReadFile(filepath.Join(work, dump))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, dump), raw[:len(raw)/2], 0o600); err != nil {
			t.Fatal(err)
		}
		before := len(c.Calls(t))
		out, err := c.Run(t, bundle, work, "", "--rollback", rollback)
		if err == nil || !strings.Contains(out, "zync-database-backup-for-2.5.gz is not what its step wrote") {
			t.Fatalf("the rollback with a dump cut short: %v\n%s", err, bundletest.Tail(out, 20))
		}
		for _, call := range c.Calls(t)[before:] {
			if strings.HasPrefix(call, "scale ") || strings.HasPrefix(call, "patch ") || strings.HasPrefix(call, "tag ") {
				t.Errorf("the refused rollback changed the cluster: oc %s", call)
			}
		}
	})
	t.Run("connection lost after the import", func(t *testing.T) {
		c, work := c.Copy(t), bundletest.CopiedDir(t, work)
		out, err := c.Exec(t, bundle, work, []string{"FAKEOC_FAIL_AFTER=psql -d postgres -f -"}, "--rollback", rollback)
		if err == nil {
			t.Fatalf("the rollback did not fail at the import:\n%s", bundletest.Tail(out, 20))
		}
		out, err = c.Run(t, bundle, work, "", "--rollback", rollback)
		if err != nil || !strings.Contains(out, "reimported: every table of zync_production holds the rows of the dump") {
			t.Fatalf("the rollback run again: %v\n%s", err, bundletest.Tail(out, 20))
		}
		n := 0
		for _, call := range c.Calls(t) {
			if strings.Contains(call, "psql -d postgres -f -") {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d imports in all, want 2: the run's and one rollback's", n)
		}
		rowsBack(t, c)
	})
}
