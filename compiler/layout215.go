package compiler

import "github.com/ampc/ampc/plan"

// The standard layout of an operator-based 3scale 2.15 install: what the
// 3scale operator 0.12 creates in the 3scale project for an APIManager with
// internal databases, and the Subscriptions of the operator projects,
// written from the facts of ../shared/fixtures/operator/2.15-mysql.yaml and
// 2.15-operator-namespaces.yaml (never read at run time). Like layout.go it
// holds only what the 2.15 → 2.16 rules read or change: names, the labels
// and owner references that section 3.3 of the guide removes, Secret keys
// (never values), the Subscriptions' channels.

// layoutAPIManager215 is the APIManager's name in the model. The operator
// docs and the fixture call it apimanager-sample; a site whose APIManager
// has another name must be compiled with --snapshot, and the runbook's
// preflight says so.
const layoutAPIManager215 = "apimanager-sample"

// layoutDeployments215 is every Deployment of the 3scale project apart from
// the databases.
var layoutDeployments215 = []string{
	"apicast-production", "apicast-staging", "backend-cron", "backend-listener", "backend-worker",
	"system-app", "system-memcache", "system-searchd", "system-sidekiq", "zync", "zync-database", "zync-que",
}

// layoutDatabase215 is one internal database of the 2.15 operator: its
// Deployment, PersistentVolumeClaim, Service and ConfigMaps, labeled
// threescale_component COMPONENT and threescale_component_element ELEMENT
// and owned by the APIManager.
type layoutDatabase215 struct {
	deployment, claim, service string
	configMaps                 []string
	component, element         string
}

var (
	layoutMySQL215      = layoutDatabase215{"system-mysql", "mysql-storage", "system-mysql", []string{"mysql-extra-conf", "mysql-main-conf"}, "system", "mysql"}
	layoutPostgreSQL215 = layoutDatabase215{"system-postgresql", "postgresql-data", "system-postgresql", nil, "system", "postgresql"}
	// The two Redis instances share the redis-config ConfigMap, which the
	// operator labels as system's.
	layoutBackendRedis215 = layoutDatabase215{"backend-redis", "backend-redis-storage", "backend-redis", nil, "backend", "redis"}
	layoutSystemRedis215  = layoutDatabase215{"system-redis", "system-redis-storage", "system-redis", []string{"redis-config"}, "system", "redis"}
)

// layoutSecrets215 gives the keys of the Secrets the rules read or rewrite.
var layoutSecrets215 = map[string][]string{
	"system-database": {"DB_PASSWORD", "DB_USER", "URL"},
	"system-redis":    {"SENTINEL_HOSTS", "SENTINEL_ROLE", "URL"},
	"backend-redis": {
		"REDIS_QUEUES_SENTINEL_HOSTS", "REDIS_QUEUES_SENTINEL_ROLE", "REDIS_QUEUES_URL",
		"REDIS_STORAGE_SENTINEL_HOSTS", "REDIS_STORAGE_SENTINEL_ROLE", "REDIS_STORAGE_URL",
	},
}

// fresh215 returns the builder of the model of an operator-based 2.15
// install as the plan describes it: the databases its externalize block
// calls external are left out and marked external in the APIManager, as on
// a site that was installed that way; Oracle is always external.
func fresh215(p *plan.Plan) func(in plan.Install, version string) *model {
	return func(in plan.Install, version string) *model {
		if in.Deployment != plan.Operated || p.Operator == nil {
			return nil
		}
		m := newModel(false)
		ns := in.Namespace
		external := map[string]any{}
		ex := p.Externalize
		if ex == nil {
			ex = &plan.Externalize{}
		}
		database := map[string]any{}
		switch {
		case in.SystemDatabase == plan.Oracle || ex.SystemDatabase == plan.AlreadyExternal:
			external["system"] = map[string]any{"database": true}
		case in.SystemDatabase == plan.MySQL:
			database["mysql"] = map[string]any{}
			putDatabase215(m, ns, layoutMySQL215)
		case in.SystemDatabase == plan.PostgreSQL:
			database["postgresql"] = map[string]any{}
			putDatabase215(m, ns, layoutPostgreSQL215)
		}
		if ex.Redis == plan.AlreadyExternal {
			system, _ := external["system"].(map[string]any)
			if system == nil {
				system = map[string]any{}
				external["system"] = system
			}
			system["redis"] = true
			external["backend"] = map[string]any{"redis": true}
		} else {
			putDatabase215(m, ns, layoutBackendRedis215)
			putDatabase215(m, ns, layoutSystemRedis215)
		}
		spec := map[string]any{"system": map[string]any{}}
		if len(database) > 0 {
			spec["system"] = map[string]any{"database": database}
		}
		if len(external) > 0 {
			spec["externalComponents"] = external
		}
		m.put(newObject("apps.3scale.net/v1alpha1", "APIManager", ns, layoutAPIManager215, map[string]any{"spec": spec}), nil)
		for _, name := range layoutDeployments215 {
			m.put(deployment215(ns, name, nil, nil), nil)
		}
		for name, keys := range layoutSecrets215 {
			data := map[string]any{}
			for _, k := range keys {
				data[k] = ""
			}
			m.put(newObject("v1", "Secret", ns, name, map[string]any{"data": data, "type": "Opaque"}), nil)
		}
		op := p.Operator
		m.put(subscription215(op.Namespace, op.Subscription, "3scale-operator"), nil)
		m.put(deployment215(op.Namespace, "threescale-operator-controller-manager-v2", nil, nil), nil)
		if op.APIcastNamespace != "" {
			m.put(subscription215(op.APIcastNamespace, "apicast-operator", "apicast-operator"), nil)
			m.put(deployment215(op.APIcastNamespace, "apicast-operator-controller-manager-v2", nil, nil), nil)
		}
		return m
	}
}

// putDatabase215 adds one internal database's objects, labeled and owned as
// the operator leaves them.
func putDatabase215(m *model, ns string, db layoutDatabase215) {
	labels := func() map[string]any {
		return map[string]any{
			"app":                          "3scale-api-management",
			"threescale_component":         db.component,
			"threescale_component_element": db.element,
		}
	}
	owned := func(doc map[string]any) map[string]any {
		meta := doc["metadata"].(map[string]any)
		meta["labels"] = labels()
		meta["ownerReferences"] = []any{map[string]any{
			"apiVersion":         "apps.3scale.net/v1alpha1",
			"blockOwnerDeletion": true,
			"controller":         true,
			"kind":               "APIManager",
			"name":               layoutAPIManager215,
		}}
		return doc
	}
	pod := labels()
	for k, v := range map[string]any{
		"com.company":   "Red_Hat",
		"deployment":    db.deployment,
		"rht.comp":      "3scale",
		"rht.comp_ver":  "2.15",
		"rht.prod_name": "Red_Hat_Integration",
		"rht.prod_ver":  "master",
		"rht.subcomp":   db.deployment,
		"rht.subcomp_t": "application",
	} {
		pod[k] = v
	}
	m.put(owned(deployment215(ns, db.deployment, labels(), pod)), nil)
	m.put(owned(newObject("v1", "PersistentVolumeClaim", ns, db.claim, map[string]any{
		"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}},
	})), nil)
	m.put(owned(newObject("v1", "Service", ns, db.service, map[string]any{
		"spec": map[string]any{"selector": map[string]any{"deployment": db.deployment}},
	})), nil)
	for _, cm := range db.configMaps {
		m.put(owned(newObject("v1", "ConfigMap", ns, cm, map[string]any{"data": map[string]any{}})), nil)
	}
}

// deployment215 is a Deployment with its labels and its pod template's
// labels (nil for none). Replica counts are read at run time only.
func deployment215(ns, name string, labels, pod map[string]any) map[string]any {
	spec := map[string]any{
		"selector": map[string]any{"matchLabels": map[string]any{"deployment": name}},
	}
	if pod != nil {
		spec["template"] = map[string]any{"metadata": map[string]any{"labels": pod}}
	}
	doc := newObject("apps/v1", "Deployment", ns, name, map[string]any{"spec": spec})
	if labels != nil {
		doc["metadata"].(map[string]any)["labels"] = labels
	}
	return doc
}

// subscription215 is the OLM Subscription NAME of an operator's PACKAGE on
// the threescale-2.15 channel, as OperatorHub creates it.
func subscription215(ns, name, pkg string) map[string]any {
	return newObject("operators.coreos.com/v1alpha1", "Subscription", ns, name, map[string]any{
		"spec": map[string]any{
			"channel":             "threescale-2.15",
			"installPlanApproval": "Automatic",
			"name":                pkg,
			"source":              "redhat-operators",
			"sourceNamespace":     "openshift-marketplace",
		},
	})
}
