package compiler

import (
	"github.com/ampc/ampc/plan"
)

// The layouts of this file serve the operator chapters of seed 000: an
// operator-based 2.7 install (chapter 2) and the template-based 2.8 site
// that chapter 3 migrates to the operator. Like layout.go, they hold only
// what the rule modules read or change.

// freshLayoutOf returns the builder of the model of a fresh install of the
// plan's kind at its installed_at version, or nil when ampc has none:
// operator-based installs have their own layouts; template-based ones are
// freshLayout's, plus the 2.8 site of a migration.
func freshLayoutOf(p *plan.Plan) func(in plan.Install, version string) *model {
	in := p.Install
	version := in.InstalledAt.String()
	switch {
	case in.Deployment == plan.Operated && version == "2.15":
		return fresh215(p)
	case in.Deployment == plan.Operated && version == "2.7":
		return func(in plan.Install, version string) *model { return freshOperator27(in, *p.Operator, version) }
	case in.Deployment == plan.Operated:
		return nil
	case version == "2.8" && in.MigrateTo != "":
		return freshTemplate28Migration
	}
	return freshLayout(version)
}

// operatorDeploymentConfigs gives the DeploymentConfigs a 2.7 or 2.8 install
// runs, with their containers. The 3scale operator of those releases (0.4
// and 0.5) deploys the objects of the amp template, under the same names;
// the system database is system-mysql or system-postgresql, or none for
// Oracle (external).
func operatorDeploymentConfigs(db plan.Database) map[string][]string {
	dcs := map[string][]string{}
	for name, containers := range layoutDeploymentConfigs27 {
		dcs[name] = containers
	}
	switch db {
	case plan.MySQL:
		dcs["system-mysql"] = []string{"system-mysql"}
	case plan.PostgreSQL:
		dcs["system-postgresql"] = []string{"system-postgresql"}
	}
	return dcs
}

// freshOperator27 models an operator-based 2.7 install: the 3scale
// operator's Subscription in the operator's project, on the threescale-2.7
// channel as OperatorHub installs it (shape of the 2.15 fixture's
// Subscription, 2.7 values); the APIManager with the annotations the 0.4
// operator writes; and the DeploymentConfigs it deploys, which the
// 2.7 → 2.8 rules wait for. The rules find the APIManager at run time (one
// per project), so its name here is only the model's.
func freshOperator27(in plan.Install, op plan.Operator, version string) *model {
	m := newModel(false)
	m.put(newObject("operators.coreos.com/v1alpha1", "Subscription", op.Namespace, op.Subscription, map[string]any{
		"spec": map[string]any{
			"channel":             "threescale-" + version,
			"installPlanApproval": "Automatic",
			"name":                "3scale-operator",
			"source":              "redhat-operators",
			"sourceNamespace":     "openshift-marketplace",
		},
	}), nil)
	apimanager := newObject("apps.3scale.net/v1alpha1", "APIManager", in.Namespace, "apimanager", map[string]any{
		"spec": map[string]any{"wildcardDomain": ""},
	})
	apimanager["metadata"].(map[string]any)["annotations"] = map[string]any{
		"apps.3scale.net/apimanager-threescale-version": version,
		"apps.3scale.net/threescale-operator-version":   "0.4.0",
	}
	m.put(apimanager, nil)
	for name, containers := range operatorDeploymentConfigs(in.SystemDatabase) {
		m.put(deploymentConfig(in.Namespace, name, containers), nil)
	}
	return m
}

// freshTemplate28Migration models a template-based 2.8 site as the
// template-to-operator migration reads it: the DeploymentConfigs it backs
// up and scales, and the system-environment ConfigMap at release 2.8. The
// migration patches nothing of the site, so this is not a layout another
// hop could patch; a 2.8 → 2.9 template hop would need the full one.
func freshTemplate28Migration(in plan.Install, version string) *model {
	m := newModel(false)
	for name, containers := range operatorDeploymentConfigs(in.SystemDatabase) {
		m.put(deploymentConfig(in.Namespace, name, containers), nil)
	}
	data := map[string]any{}
	for _, k := range layoutSystemEnvironment27 {
		data[k] = ""
	}
	data["AMP_RELEASE"] = version
	m.put(newObject("v1", "ConfigMap", in.Namespace, "system-environment", map[string]any{"data": data}), nil)
	if in.S3 {
		// The amp-s3 template's Secret, holding the bucket and region since
		// the 2.7 → 2.8 guide's section 1.2.7.
		keys := map[string]any{}
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_BUCKET", "AWS_REGION"} {
			keys[k] = ""
		}
		m.put(newObject("v1", "Secret", in.Namespace, "aws-auth", map[string]any{"data": keys, "type": "Opaque"}), nil)
	}
	return m
}
