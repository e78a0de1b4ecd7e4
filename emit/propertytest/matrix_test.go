package propertytest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
)

// templateMatrixSites are template plans of the plan matrix
// (testenv.PlanMatrix) that no example is, each on the fixture of its from
// (the amp or amp-s3 export, turned PostgreSQL by bundletest.
// TemplatePostgreSQL) with its databases holding data: from 2.4 to 2.8
// (the versions with an export, installed at from), on MySQL or
// PostgreSQL (from 2.6: bundletest.TemplatePostgreSQL models the
// amp-postgresql template of 2.6 and later, whose system-postgresql
// follows an image stream that the 2.4 and 2.5 exports lack for their
// database), with or without S3, the routes' wildcard policy None (every
// export's), without a migration. The person makes the registry Secret
// where 2.5 → 2.6 asks for it (manual25).
//
// By default it draws two of those of one or two hops, one on each
// database, under the seed AMPC_MATRIX_SEED (1 when unset; the test log
// names them): one hop from each from, the matrix's sample. They join the
// suite after the examples, so they fail the steps no example runs (the
// PostgreSQL or S3 variants of a hop's steps). AMPC_EXHAUSTIVE=1 runs every
// one, the longer chains to 2.12 too.
func templateMatrixSites() []proptest.Site {
	// The examples' plans, by what the matrix chooses of them.
	examples := map[string]bool{}
	for _, s := range propSites {
		path := filepath.Join(testenv.Root(), "examples", s.Example+".hcl")
		src, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		p, _, diags := plan.Parse(path, src)
		if diags.HasErrors() {
			panic(diags.Error())
		}
		in := p.Install
		examples[planKey(string(in.Deployment), in.From.String(), in.To.String(), string(in.SystemDatabase), in.S3)] = true
	}
	byDB := map[string][]proptest.Site{}
	for _, mp := range proptest.MatrixPlans() {
		c := mp.ChoiceMap()
		from, to := minorOf(c["from"]), minorOf(c["to"])
		switch {
		case c["deployment"] != "template", c["migrate"] != "false", c["installed_at"] != "", c["wildcard_policy"] != "None",
			c["system_database"] == "oracle", from < 4 || from > 8, to <= from, to > 12,
			c["system_database"] == "postgresql" && from < 6,
			!testenv.Exhaustive() && to-from > 2:
			continue
		}
		db, s3 := c["system_database"], c["s3"] == "true"
		if examples[planKey("template", c["from"], c["to"], db, s3)] {
			continue
		}
		name := fmt.Sprintf("matrix/template-%s-to-%s-%s", c["from"], c["to"], db)
		if s3 {
			name += "-s3"
		}
		site := proptest.Site{
			Example: name,
			Plan:    mp.Source, Fixture: fixtureOf(c["from"], s3),
			Databases: true,
		}
		if db == "postgresql" {
			site.Edit = bundletest.TemplatePostgreSQL
		}
		if from <= 5 && to >= 6 {
			site.Manual = manual25
		}
		byDB[db] = append(byDB[db], site)
	}
	return proptest.DrawSites("template\x00", byDB)
}

// planKey is what the matrix chooses of a plan that tells an example.
func planKey(deployment, from, to, db string, s3 bool) string {
	return fmt.Sprintf("%s %s %s %s %v", deployment, from, to, db, s3)
}

// fixtureOf is the template export of a release.
func fixtureOf(release string, s3 bool) string {
	if s3 {
		return fmt.Sprintf("templates/%s-amp-s3.yaml", release)
	}
	return fmt.Sprintf("templates/%s-amp.yaml", release)
}

// minorOf is the minor number of a matrix version (2.6: 6).
func minorOf(release string) int {
	v, ok := plan.ParseVersion(release)
	if !ok {
		panic("propertytest: not a version: " + release)
	}
	return v.Minor
}
