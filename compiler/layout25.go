package compiler

import "github.com/ampc/ampc/plan"

// layoutEnv25 is the env of every system container of the 2.5 templates
// (system-app's system-master, system-provider and system-developer, the
// system-app pre-hook pod, and system-sidekiq), in template order (amp.yml
// and amp-s3.yml at 2.5.0.GA). amp-s3.yml appends layoutEnvS3. Entries are
// written as in layoutEnv27.
var layoutEnv25 = []string{
	"AMP_RELEASE cm system-environment AMP_RELEASE",
	"APICAST_REGISTRY_URL cm system-environment APICAST_REGISTRY_URL",
	"FORCE_SSL cm system-environment FORCE_SSL",
	"PROVIDER_PLAN cm system-environment PROVIDER_PLAN",
	"RAILS_ENV cm system-environment RAILS_ENV",
	"RAILS_LOG_LEVEL cm system-environment RAILS_LOG_LEVEL",
	"RAILS_LOG_TO_STDOUT cm system-environment RAILS_LOG_TO_STDOUT",
	"SSL_CERT_DIR cm system-environment SSL_CERT_DIR",
	"THINKING_SPHINX_PORT cm system-environment THINKING_SPHINX_PORT",
	"THREESCALE_SANDBOX_PROXY_OPENSSL_VERIFY_MODE cm system-environment THREESCALE_SANDBOX_PROXY_OPENSSL_VERIFY_MODE",
	"THREESCALE_SUPERDOMAIN cm system-environment THREESCALE_SUPERDOMAIN",
	"DATABASE_URL secret system-database URL",
	"MASTER_DOMAIN secret system-seed MASTER_DOMAIN",
	"MASTER_USER secret system-seed MASTER_USER",
	"MASTER_PASSWORD secret system-seed MASTER_PASSWORD",
	"ADMIN_ACCESS_TOKEN secret system-seed ADMIN_ACCESS_TOKEN",
	"USER_LOGIN secret system-seed ADMIN_USER",
	"USER_PASSWORD secret system-seed ADMIN_PASSWORD",
	"USER_EMAIL secret system-seed ADMIN_EMAIL",
	"TENANT_NAME secret system-seed TENANT_NAME",
	"THINKING_SPHINX_ADDRESS = system-sphinx",
	"THINKING_SPHINX_CONFIGURATION_FILE = /tmp/sphinx.conf",
	"EVENTS_SHARED_SECRET secret system-events-hook PASSWORD",
	"RECAPTCHA_PUBLIC_KEY secret system-recaptcha PUBLIC_KEY",
	"RECAPTCHA_PRIVATE_KEY secret system-recaptcha PRIVATE_KEY",
	"SECRET_KEY_BASE secret system-app SECRET_KEY_BASE",
	"REDIS_URL secret system-redis URL",
	"MEMCACHE_SERVERS secret system-memcache SERVERS",
	"BACKEND_REDIS_URL secret backend-redis REDIS_STORAGE_URL",
	"APICAST_BACKEND_ROOT_ENDPOINT secret backend-listener route_endpoint",
	"BACKEND_ROUTE secret backend-listener route_endpoint",
	"SMTP_ADDRESS cm smtp address",
	"SMTP_USER_NAME cm smtp username",
	"SMTP_PASSWORD cm smtp password",
	"SMTP_DOMAIN cm smtp domain",
	"SMTP_PORT cm smtp port",
	"SMTP_AUTHENTICATION cm smtp authentication",
	"SMTP_OPENSSL_VERIFY_MODE cm smtp openssl.verify.mode",
	"APICAST_ACCESS_TOKEN secret system-master-apicast ACCESS_TOKEN",
	"ZYNC_AUTHENTICATION_TOKEN secret zync ZYNC_AUTHENTICATION_TOKEN",
	"CONFIG_INTERNAL_API_USER secret backend-internal-api username",
	"CONFIG_INTERNAL_API_PASSWORD secret backend-internal-api password",
}

// layoutContainer25 is one container of a 2.5 DeploymentConfig, with the
// env the rule modules read or change (nil where they touch none). A system
// container has the system env: layoutEnv25, plus layoutEnvS3 on S3 sites.
type layoutContainer25 struct {
	name   string
	env    []string
	system bool
}

// layoutDeploymentConfig25 is one DeploymentConfig of the 2.5 templates:
// its init containers and containers in template order, and for the
// database DeploymentConfigs, which 2.5 → 2.6 moves to image streams, the
// triggers.
type layoutDeploymentConfig25 struct {
	init, containers []layoutContainer25
	triggers         []any
}

func configChange() any { return map[string]any{"type": "ConfigChange"} }

func imageChange(tag string, containers ...string) any {
	names := make([]any, len(containers))
	for i, c := range containers {
		names[i] = c
	}
	return map[string]any{
		"type": "ImageChange",
		"imageChangeParams": map[string]any{
			"automatic":      true,
			"containerNames": names,
			"from":           map[string]any{"kind": "ImageStreamTag", "name": tag},
		},
	}
}

// layoutDeploymentConfigs25 is every DeploymentConfig of the 2.5 amp and
// amp-s3 templates but the system database, which depends on the plan.
var layoutDeploymentConfigs25 = map[string]layoutDeploymentConfig25{
	"apicast-production": {
		init:       []layoutContainer25{{name: "system-master-svc"}},
		containers: []layoutContainer25{{name: "apicast-production"}},
	},
	"apicast-staging":         {containers: []layoutContainer25{{name: "apicast-staging"}}},
	"apicast-wildcard-router": {containers: []layoutContainer25{{name: "apicast-wildcard-router"}}},
	"backend-cron": {
		init: []layoutContainer25{{name: "backend-redis-svc", env: []string{
			"SLEEP_SECONDS = 1",
			"CONFIG_QUEUES_MASTER_NAME secret backend-redis REDIS_QUEUES_URL",
		}}},
		containers: []layoutContainer25{{name: "backend-cron"}},
	},
	"backend-listener": {containers: []layoutContainer25{{name: "backend-listener"}}},
	"backend-redis": {
		containers: []layoutContainer25{{name: "backend-redis"}},
		triggers:   []any{configChange()},
	},
	"backend-worker": {
		init: []layoutContainer25{{name: "backend-redis-svc", env: []string{
			"SLEEP_SECONDS = 1",
			"CONFIG_QUEUES_MASTER_NAME secret backend-redis REDIS_QUEUES_URL",
		}}},
		containers: []layoutContainer25{{name: "backend-worker"}},
	},
	"system-app": {containers: []layoutContainer25{
		{name: "system-master", system: true},
		{name: "system-provider", system: true},
		{name: "system-developer", system: true},
	}},
	"system-memcache": {
		containers: []layoutContainer25{{name: "memcache"}},
		triggers:   []any{configChange()},
	},
	"system-redis": {
		containers: []layoutContainer25{{name: "system-redis"}},
		triggers:   []any{configChange()},
	},
	"system-sidekiq": {
		init: []layoutContainer25{{name: "check-svc", env: []string{
			"SLEEP_SECONDS = 1",
			"REDIS_URL secret system-redis URL",
		}}},
		containers: []layoutContainer25{{name: "system-sidekiq", system: true}},
	},
	"system-sphinx": {
		init: []layoutContainer25{{name: "system-master-svc", env: []string{"SLEEP_SECONDS = 1"}}},
		containers: []layoutContainer25{{name: "system-sphinx", env: []string{
			"RAILS_ENV cm system-environment RAILS_ENV",
			"DATABASE_URL secret system-database URL",
			"THINKING_SPHINX_ADDRESS = 0.0.0.0",
			"THINKING_SPHINX_CONFIGURATION_FILE = db/sphinx/production.conf",
			"THINKING_SPHINX_PID_FILE = db/sphinx/searchd.pid",
			"DELTA_INDEX_INTERVAL = 5",
			"FULL_REINDEX_INTERVAL = 60",
		}}},
	},
	"zync": {
		init: []layoutContainer25{{name: "zync-db-svc"}},
		containers: []layoutContainer25{{name: "zync", env: []string{
			"RAILS_LOG_TO_STDOUT = true",
			"RAILS_ENV = production",
			"DATABASE_URL secret zync DATABASE_URL",
			"SECRET_KEY_BASE secret zync SECRET_KEY_BASE",
			"ZYNC_AUTHENTICATION_TOKEN secret zync ZYNC_AUTHENTICATION_TOKEN",
		}}},
	},
	"zync-database": {
		containers: []layoutContainer25{{name: "postgresql"}},
		triggers:   []any{configChange(), imageChange("postgresql:10", "postgresql")},
	},
}

// layoutImageStreams25 is every image stream of the 2.5 templates that
// follows the release (tags latest and 2.5.0); the templates also hold the
// postgresql stream of zync-database, tagged 10.
var layoutImageStreams25 = []string{"amp-apicast", "amp-backend", "amp-system", "amp-wildcard-router", "amp-zync"}

// layoutRoutes25 is every route of the 2.5 templates that the upgrade
// deletes, with the service it leads to: the defaults that Zync replaces,
// and the WildcardRouter's.
var layoutRoutes25 = map[string]string{
	"api-apicast-production":  "apicast-production",
	"api-apicast-staging":     "apicast-staging",
	"system-developer":        "system-developer",
	"system-master":           "system-master",
	"system-provider-admin":   "system-provider",
	"apicast-wildcard-router": "apicast-wildcard-router",
}

// fresh25 builds the model of a fresh 2.5 install from amp.yml or
// amp-s3.yml. The 2.5 templates write the micro release: AMP_RELEASE is
// 2.5.0 and so are the image stream tags.
func fresh25(in plan.Install, version string) *model {
	m := newModel(false)
	ns := in.Namespace
	release := version + ".0"
	env := append([]string(nil), layoutEnv25...)
	if in.S3 {
		env = append(env, layoutEnvS3...)
	}
	dcs := map[string]layoutDeploymentConfig25{}
	for name, dc := range layoutDeploymentConfigs25 {
		dcs[name] = dc
	}
	switch in.SystemDatabase {
	case plan.MySQL:
		dcs["system-mysql"] = layoutDeploymentConfig25{containers: []layoutContainer25{{name: "system-mysql"}}, triggers: []any{configChange()}}
	case plan.PostgreSQL:
		dcs["system-postgresql"] = layoutDeploymentConfig25{containers: []layoutContainer25{{name: "system-postgresql"}}, triggers: []any{configChange()}}
	}
	containers := func(cs []layoutContainer25) []any {
		out := make([]any, len(cs))
		for i, c := range cs {
			obj := map[string]any{"name": c.name}
			switch {
			case c.system:
				obj["env"] = envList(env)
			case c.env != nil:
				obj["env"] = envList(c.env)
			}
			out[i] = obj
		}
		return out
	}
	for name, l := range dcs {
		podSpec := map[string]any{"containers": containers(l.containers)}
		if len(l.init) > 0 {
			podSpec["initContainers"] = containers(l.init)
		}
		spec := map[string]any{"template": map[string]any{"spec": podSpec}}
		if l.triggers != nil {
			spec["triggers"] = l.triggers
		}
		switch name {
		case "system-app":
			spec["strategy"] = map[string]any{
				"type": "Rolling",
				"rollingParams": map[string]any{"pre": map[string]any{
					"failurePolicy": "Retry",
					"execNewPod": map[string]any{
						"containerName": "system-master",
						// The template embeds MASTER_ACCESS_TOKEN here; the layout does not know it.
						"command": []any{"bash", "-c", "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"${MASTER_ACCESS_TOKEN}\""},
						"env":     envList(env),
					},
				}},
			}
		case "backend-listener":
			spec["template"].(map[string]any)["metadata"] = map[string]any{
				"labels": map[string]any{"app": "3scale-api-management", "deploymentConfig": name},
			}
		}
		m.put(newObject("apps.openshift.io/v1", "DeploymentConfig", ns, name, map[string]any{"spec": spec}), nil)
	}
	for _, name := range layoutImageStreams25 {
		m.put(imageStream(ns, name, release), nil)
	}
	m.put(newObject("image.openshift.io/v1", "ImageStream", ns, "postgresql", map[string]any{
		"spec": map[string]any{"tags": []any{
			map[string]any{"name": "10", "from": map[string]any{"kind": "DockerImage", "name": ""}},
		}},
	}), nil)
	for name, service := range layoutRoutes25 {
		spec := map[string]any{"to": map[string]any{"kind": "Service", "name": service}}
		if name == "apicast-wildcard-router" {
			spec["wildcardPolicy"] = string(in.WildcardPolicy)
		}
		m.put(newObject("route.openshift.io/v1", "Route", ns, name, map[string]any{"spec": spec}), nil)
	}
	m.put(newObject("v1", "Service", ns, "apicast-wildcard-router", map[string]any{
		"spec": map[string]any{"selector": map[string]any{"deploymentConfig": "apicast-wildcard-router"}},
	}), nil)
	data := map[string]any{}
	for _, k := range layoutSystemEnvironment27 {
		data[k] = ""
	}
	data["AMP_RELEASE"] = release
	if in.S3 {
		for _, k := range []string{"AWS_BUCKET", "AWS_REGION"} {
			data[k] = ""
		}
		data["FILE_UPLOAD_STORAGE"] = "s3"
		m.put(newObject("v1", "Secret", ns, "aws-auth", map[string]any{"data": map[string]any{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, "type": "Opaque"}), nil)
	}
	m.put(newObject("v1", "ConfigMap", ns, "system-environment", map[string]any{"data": data}), nil)
	m.put(newObject("v1", "Secret", ns, "system-redis", map[string]any{"data": map[string]any{"URL": ""}, "type": "Opaque"}), nil)
	smtp := map[string]any{}
	for _, k := range []string{"address", "authentication", "domain", "openssl.verify.mode", "password", "port", "username"} {
		smtp[k] = ""
	}
	m.put(newObject("v1", "ConfigMap", ns, "smtp", map[string]any{"data": smtp}), nil)
	return m
}
