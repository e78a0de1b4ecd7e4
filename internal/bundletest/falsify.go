package bundletest

import (
	"slices"
	"sort"
	"testing"

	"github.com/ampc/ampc/compiler"
)

// Where the falsifiers live: the test packages that break, on the
// simulated cluster, the claim of a verify step and show the step failing.
const (
	InPropertyTest    = "emit/propertytest"
	InOperator215Test = "emit/operator215test"
	InRunbookTest     = "emit/runbooktest"
	InLifecycleTest   = "emit/lifecycletest"
	// NotYetFalsified marks a known gap: a verify step that no test has
	// shown failing yet.
	NotYetFalsified = ""
)

// VerifyFalsifiedIn names, for every verify step of the rule modules
// (compiler.VerifySteps, whatever plan selects it), the test package that
// holds its falsifier, or NotYetFalsified. A verify step for which no
// cluster state makes it fail checks nothing: it is a defect, and every
// gap here is one. TestEveryVerifyCanFail (emit/propertytest) checks that
// the table names exactly the rule modules' verify steps; each package
// checks, with CheckFalsifiers, that it holds the falsifiers the table
// gives it and no other.
var VerifyFalsifiedIn = map[string]string{
	"2.4-2.5/oracle-build-context-verify":   InRunbookTest,
	"2.4-2.5/oracle-site-check":             InRunbookTest,
	"2.4-2.5/rolling-updates-verify":        InPropertyTest,
	"2.4-2.5/system-database-secret-verify": InPropertyTest,
	"2.4-2.5/system-mysql-check":            InPropertyTest,
	"2.4-2.5/system-mysql-verify":           InPropertyTest,
	"2.4-2.5/zync-database-cleanup-verify":  InPropertyTest,
	"2.4-2.5/zync-database-tag-verify":      InPropertyTest,
	"2.4-2.5/zync-database-verify":          InPropertyTest,

	"2.5-2.6/amp-service-account-verify":      InPropertyTest,
	"2.5-2.6/backend-redis-env-verify":        InPropertyTest,
	"2.5-2.6/database-image-streams-verify":   InPropertyTest,
	"2.5-2.6/images-verify":                   InPropertyTest,
	"2.5-2.6/new-objects-verify":              InPropertyTest,
	"2.5-2.6/oracle-build-context-verify":     InRunbookTest,
	"2.5-2.6/oracle-site-check":               InRunbookTest,
	"2.5-2.6/registry-auth-secret-verify":     InPropertyTest,
	"2.5-2.6/service-account-verify":          InPropertyTest,
	"2.5-2.6/system-environment-check":        InPropertyTest,
	"2.5-2.6/system-postgresql-version-check": InRunbookTest,
	"2.5-2.6/system-redis-env-verify":         InPropertyTest,
	"2.5-2.6/wildcard-policy-check":           InPropertyTest,

	"2.6-2.7/images-verify":     InRunbookTest,
	"2.6-2.7/oracle-site-check": InRunbookTest,

	// The operator hops 2.8 → 2.15 (issue 15).
	"2.10-2.11/apimanager-verify":      InLifecycleTest,
	"2.10-2.11/backend-route":          InLifecycleTest,
	"2.10-2.11/channel-check":          InLifecycleTest,
	"2.10-2.11/operator-images-verify": InLifecycleTest,
	"2.10-2.11/preflight-openshift":    InLifecycleTest,
	"2.10-2.11/preflight-operator":     InLifecycleTest,
	"2.10-2.11/redis-verify":           InLifecycleTest,
	"2.10-2.11/wait-pods":              InLifecycleTest,
	"2.11-2.12/apimanager-verify":      InLifecycleTest,
	"2.11-2.12/channel-check":          InLifecycleTest,
	"2.11-2.12/operator-images-verify": InLifecycleTest,
	"2.11-2.12/mysql-verify":           InLifecycleTest,
	"2.11-2.12/preflight-openshift":    InLifecycleTest,
	"2.11-2.12/preflight-operator":     InLifecycleTest,
	"2.11-2.12/wait-pods":              InLifecycleTest,
	"2.12-2.13/apimanager-verify":      InLifecycleTest,
	"2.12-2.13/channel-check":          InLifecycleTest,
	"2.12-2.13/operator-images-verify": InLifecycleTest,
	"2.12-2.13/preflight-openshift":    InLifecycleTest,
	"2.12-2.13/preflight-operator":     InLifecycleTest,
	"2.12-2.13/wait-pods":              InLifecycleTest,
	"2.13-2.14/apimanager-verify":      InLifecycleTest,
	"2.13-2.14/channel-check":          InLifecycleTest,
	"2.13-2.14/operator-images-verify": InLifecycleTest,
	"2.13-2.14/oracle-approval":        InLifecycleTest,
	"2.13-2.14/preflight-openshift":    InLifecycleTest,
	"2.13-2.14/preflight-operator":     InLifecycleTest,
	"2.13-2.14/redis-verify":           InLifecycleTest,
	"2.13-2.14/searchd-verify":         InLifecycleTest,
	"2.13-2.14/wait-pods":              InLifecycleTest,
	"2.14-2.15/apimanager-verify":      InLifecycleTest,
	"2.14-2.15/channel-check":          InLifecycleTest,
	"2.14-2.15/deployments-verify":     InLifecycleTest,
	"2.14-2.15/oracle-approval":        InLifecycleTest,
	"2.14-2.15/preflight-openshift":    InLifecycleTest,
	"2.14-2.15/preflight-operator":     InLifecycleTest,
	"2.14-2.15/reindex-wait":           InLifecycleTest,
	"2.14-2.15/wait-pods":              InLifecycleTest,
	"2.8-2.9/apimanager-verify":        InLifecycleTest,
	"2.8-2.9/channel-check":            InLifecycleTest,
	"2.8-2.9/operator-images-verify":   InLifecycleTest,
	"2.8-2.9/operator-cleanup":         InLifecycleTest,
	"2.8-2.9/preflight-openshift":      InLifecycleTest,
	"2.8-2.9/preflight-operator":       InLifecycleTest,
	"2.8-2.9/wait-pods":                InLifecycleTest,
	"2.9-2.10/apimanager-verify":       InLifecycleTest,
	"2.9-2.10/channel-check":           InLifecycleTest,
	"2.9-2.10/operator-images-verify":  InLifecycleTest,
	"2.9-2.10/preflight-openshift":     InLifecycleTest,
	"2.9-2.10/preflight-operator":      InLifecycleTest,
	"2.9-2.10/wait-pods":               InLifecycleTest,

	"2.7-2.8/apimanager-verify":  InRunbookTest,
	"2.7-2.8/channel-check":      InRunbookTest,
	"2.7-2.8/images-verify":      InPropertyTest,
	"2.7-2.8/oracle-site-check":  InRunbookTest,
	"2.7-2.8/prehook-verify":     InPropertyTest,
	"2.7-2.8/s3-env-verify":      InPropertyTest,
	"2.7-2.8/smtp-env-verify":    InPropertyTest,
	"2.7-2.8/smtp-secret-verify": InPropertyTest,
	"2.7-2.8/wait-pods":          InRunbookTest,

	"2.8-2.9/base-url-verify":   InRunbookTest,
	"2.8-2.9/images-verify":     InRunbookTest,
	"2.8-2.9/oracle-site-check": InRunbookTest,
	"2.8-2.9/triggers-verify":   InRunbookTest,

	"2.9-2.10/images-verify":     InRunbookTest,
	"2.9-2.10/oracle-site-check": InRunbookTest,
	"2.9-2.10/triggers-verify":   InRunbookTest,

	// The template hops 2.10 → 2.11 and 2.11 → 2.12 (issue 15).
	"2.10-2.11/oracle-site-check": InRunbookTest,
	"2.10-2.11/redis5-verify":     InRunbookTest,
	"2.10-2.11/triggers-verify":   InRunbookTest,
	"2.10-2.11/images-verify":     InRunbookTest,
	"2.10-2.11/redis-keys-verify": InRunbookTest,
	"2.11-2.12/oracle-site-check": InRunbookTest,
	// Its claim needs AMP_RELEASE gone, and a site cut down without
	// system-app then shows no release to the preflight: it needs a whole
	// 2.11 site (the 2.8-to-2.12-mysql property site runs it).
	"2.11-2.12/triggers-verify":     NotYetFalsified,
	"2.11-2.12/images-verify":       InRunbookTest,
	"2.11-2.12/mysql-tables-verify": InRunbookTest,

	"2.8-2.8/apimanager-verify": InRunbookTest,
	"2.8-2.8/operator-verify":   InRunbookTest,
	"2.8-2.8/redis-verify-keys": InRunbookTest,
	"2.8-2.8/routes-verify":     InRunbookTest,
	"2.8-2.8/source-check":      InRunbookTest,
	"2.8-2.8/target-check":      InRunbookTest,

	"2.15-2.16/apicast-channel-check": InOperator215Test,
	"2.15-2.16/apicast-verify":        InOperator215Test,
	"2.15-2.16/channel-check":         InOperator215Test,
	"2.15-2.16/elasticache-check":     InOperator215Test,
	"2.15-2.16/mysql-rds-check":       InOperator215Test,
	"2.15-2.16/mysql-rds-verify-data": InOperator215Test,
	"2.15-2.16/mysql-verify":          InOperator215Test,
	"2.15-2.16/pg-rds-check":          InOperator215Test,
	"2.15-2.16/pg-rds-verify-data":    InOperator215Test,
	"2.15-2.16/pg-verify-data":        InOperator215Test,
	"2.15-2.16/pg-version":            InOperator215Test,
	"2.15-2.16/preflight-apicast":     InOperator215Test,
	"2.15-2.16/preflight-databases":   InOperator215Test,
	"2.15-2.16/preflight-openshift":   InOperator215Test,
	"2.15-2.16/preflight-operator":    InOperator215Test,
	"2.15-2.16/redis-verify-keys":     InOperator215Test,
	"2.15-2.16/redis-version":         InOperator215Test,
	"2.15-2.16/verify-3scale":         InOperator215Test,
	"2.15-2.16/verify-upgrade":        InOperator215Test,
	"2.15-2.16/wait-upgrade":          InOperator215Test,
}

// CheckVerifyTable fails the test unless VerifyFalsifiedIn names exactly
// the verify steps of the rule modules.
func CheckVerifyTable(t *testing.T) {
	t.Helper()
	ids, err := compiler.VerifySteps()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if _, ok := VerifyFalsifiedIn[id]; !ok {
			t.Errorf("verify step %s is not in bundletest.VerifyFalsifiedIn: write its falsifier (a cluster state that makes it fail) and name its package there", id)
		}
	}
	for id := range VerifyFalsifiedIn {
		if !slices.Contains(ids, id) {
			t.Errorf("bundletest.VerifyFalsifiedIn has %s, which no rule module has as a verify step", id)
		}
	}
}

// CheckFalsifiers fails the test unless the falsifiers of package pkg
// (the ids of the verify steps it makes fail) are those VerifyFalsifiedIn
// gives it.
func CheckFalsifiers(t *testing.T, pkg string, ids []string) {
	t.Helper()
	have := map[string]bool{}
	for _, id := range ids {
		have[id] = true
		switch in, ok := VerifyFalsifiedIn[id]; {
		case !ok:
			t.Errorf("%s has a falsifier of %s, which is not a verify step of the rule modules", pkg, id)
		case in != pkg:
			t.Errorf("%s has a falsifier of %s: name %s in bundletest.VerifyFalsifiedIn (it says %q)", pkg, id, pkg, in)
		}
	}
	var missing []string
	for id, in := range VerifyFalsifiedIn {
		if in == pkg && !have[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		t.Errorf("bundletest.VerifyFalsifiedIn says %s holds the falsifier of %s; it does not", pkg, id)
	}
}
