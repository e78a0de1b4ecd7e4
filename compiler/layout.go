package compiler

import (
	"strings"

	"github.com/ampc/ampc/plan"
)

// The standard layout is ampc's compact model of a namespace installed from
// the 3scale OpenShift templates: the names, order and sources of what the
// rule modules touch, written from the templates' facts (amp.yml and
// amp-s3.yml at each version's GA tag). It is used when a plan is compiled
// without --snapshot. Objects carry only the fields rules read or change.

// layoutEnv27 is the env of every system container of the 2.6 and 2.7 templates
// (system-app's system-master, system-provider and system-developer, the
// system-app pre-hook pod, and system-sidekiq), in template order. Each entry
// is "NAME cm CONFIGMAP KEY", "NAME secret SECRET KEY" or "NAME = VALUE".
var layoutEnv27 = []string{
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
	"MEMCACHE_SERVERS secret system-memcache SERVERS",
	"REDIS_URL secret system-redis URL",
	"MESSAGE_BUS_REDIS_URL secret system-redis MESSAGE_BUS_URL",
	"REDIS_NAMESPACE secret system-redis NAMESPACE",
	"MESSAGE_BUS_REDIS_NAMESPACE secret system-redis MESSAGE_BUS_NAMESPACE",
	"REDIS_SENTINEL_HOSTS secret system-redis SENTINEL_HOSTS",
	"REDIS_SENTINEL_ROLE secret system-redis SENTINEL_ROLE",
	"MESSAGE_BUS_REDIS_SENTINEL_HOSTS secret system-redis MESSAGE_BUS_SENTINEL_HOSTS",
	"MESSAGE_BUS_REDIS_SENTINEL_ROLE secret system-redis MESSAGE_BUS_SENTINEL_ROLE",
	"BACKEND_REDIS_URL secret backend-redis REDIS_STORAGE_URL",
	"BACKEND_REDIS_SENTINEL_HOSTS secret backend-redis REDIS_STORAGE_SENTINEL_HOSTS",
	"BACKEND_REDIS_SENTINEL_ROLE secret backend-redis REDIS_STORAGE_SENTINEL_ROLE",
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

// layoutEnvS3 is what amp-s3.yml appends to every system env list (2.2 and later).
var layoutEnvS3 = []string{
	"FILE_UPLOAD_STORAGE cm system-environment FILE_UPLOAD_STORAGE",
	"AWS_ACCESS_KEY_ID secret aws-auth AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY secret aws-auth AWS_SECRET_ACCESS_KEY",
	"AWS_BUCKET cm system-environment AWS_BUCKET",
	"AWS_REGION cm system-environment AWS_REGION",
}

// layoutSystemEnvironment27 is the data keys of the system-environment
// ConfigMap; values the layout cannot know are left empty.
var layoutSystemEnvironment27 = []string{
	"AMP_RELEASE", "APICAST_REGISTRY_URL", "FORCE_SSL", "PROVIDER_PLAN", "RAILS_ENV",
	"RAILS_LOG_LEVEL", "RAILS_LOG_TO_STDOUT", "SSL_CERT_DIR", "THINKING_SPHINX_PORT",
	"THREESCALE_SANDBOX_PROXY_OPENSSL_VERIFY_MODE", "THREESCALE_SUPERDOMAIN",
}

// layoutDeploymentConfigs27 is every DeploymentConfig of the 2.7 template
// with its containers; system-mysql stands for the system database.
var layoutDeploymentConfigs27 = map[string][]string{
	"apicast-production": {"apicast-production"},
	"apicast-staging":    {"apicast-staging"},
	"backend-cron":       {"backend-cron"},
	"backend-listener":   {"backend-listener"},
	"backend-redis":      {"backend-redis"},
	"backend-worker":     {"backend-worker"},
	"system-app":         {"system-master", "system-provider", "system-developer"},
	"system-memcache":    {"memcache"},
	"system-redis":       {"system-redis"},
	"system-sidekiq":     {"system-sidekiq"},
	"system-sphinx":      {"system-sphinx"},
	"zync":               {"zync"},
	"zync-database":      {"postgresql"},
	"zync-que":           {"que"},
}

// layoutImageStreams27 is every image stream of the 2.7 template, each with
// its tags in template order: latest, then the release tag.
var layoutImageStreams27 = []string{
	"amp-backend", "amp-zync", "amp-apicast", "amp-system", "zync-database-postgresql",
	"system-memcached", "backend-redis", "system-redis",
}

// freshLayout returns the builder of the model of a fresh install at a
// version, or nil when ampc has none.
func freshLayout(version string) func(in plan.Install, version string) *model {
	switch version {
	case "2.4":
		return fresh24
	case "2.5":
		return fresh25
	case "2.6", "2.7":
		// 2.6 and 2.7 share their env lists and ConfigMap keys (amp.yml and
		// amp-s3.yml at 2.6.0.GA and 2.7.0.GA); they differ in image tags
		// and AMP_RELEASE, which follow the version.
		return fresh2627
	}
	return nil
}

func fresh2627(in plan.Install, version string) *model {
	m := newModel(false)
	ns := in.Namespace
	env := append([]string(nil), layoutEnv27...)
	if in.S3 {
		env = append(env, layoutEnvS3...)
	}
	dcs := map[string][]string{}
	for name, containers := range layoutDeploymentConfigs27 {
		dcs[name] = containers
	}
	streams := append([]string(nil), layoutImageStreams27...)
	switch in.SystemDatabase {
	case plan.MySQL:
		dcs["system-mysql"] = []string{"system-mysql"}
		streams = append(streams, "system-mysql")
	case plan.PostgreSQL:
		dcs["system-postgresql"] = []string{"system-postgresql"}
		streams = append(streams, "system-postgresql")
	}
	for name, containers := range dcs {
		dc := deploymentConfig(ns, name, containers)
		switch name {
		case "system-app", "system-sidekiq":
			spec := dc["spec"].(map[string]any)
			for _, c := range spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any) {
				c.(map[string]any)["env"] = envList(env)
			}
			if name == "system-app" {
				spec["strategy"] = map[string]any{
					"type": "Rolling",
					"rollingParams": map[string]any{"pre": map[string]any{
						"failurePolicy": "Retry",
						"execNewPod": map[string]any{
							"containerName": "system-master",
							// The template embeds MASTER_ACCESS_TOKEN here; the layout does not know it.
							"command": []any{"bash", "-c", "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"${MASTER_ACCESS_TOKEN}\" && bundle exec rake services:create_backend_apis services:update_metric_owners proxy:update_proxy_rule_owners"},
							"env":     envList(env),
						},
					}},
				}
			}
		case "backend-listener":
			dc["spec"].(map[string]any)["template"].(map[string]any)["metadata"] = map[string]any{
				"labels": map[string]any{"app": "3scale-api-management", "deploymentConfig": name},
			}
		}
		m.put(dc, nil)
	}
	for _, name := range streams {
		m.put(imageStream(ns, name, version), nil)
	}
	data := map[string]any{}
	for _, k := range layoutSystemEnvironment27 {
		data[k] = ""
	}
	data["AMP_RELEASE"] = version
	if in.S3 {
		for _, k := range []string{"FILE_UPLOAD_STORAGE", "AWS_BUCKET", "AWS_REGION"} {
			data[k] = ""
		}
		data["FILE_UPLOAD_STORAGE"] = "s3"
		m.put(newObject("v1", "Secret", ns, "aws-auth", map[string]any{"data": map[string]any{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, "type": "Opaque"}), nil)
	}
	m.put(newObject("v1", "ConfigMap", ns, "system-environment", map[string]any{"data": data}), nil)
	smtp := map[string]any{}
	for _, k := range []string{"address", "authentication", "domain", "openssl.verify.mode", "password", "port", "username"} {
		smtp[k] = ""
	}
	m.put(newObject("v1", "ConfigMap", ns, "smtp", map[string]any{"data": smtp}), nil)
	return m
}

func newObject(apiVersion, kind, ns, name string, fields map[string]any) map[string]any {
	doc := map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": ns},
	}
	for k, v := range fields {
		doc[k] = v
	}
	return doc
}

func deploymentConfig(ns, name string, containers []string) map[string]any {
	cs := make([]any, len(containers))
	for i, c := range containers {
		cs[i] = map[string]any{"name": c}
	}
	return newObject("apps.openshift.io/v1", "DeploymentConfig", ns, name, map[string]any{
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": cs}}},
	})
}

func imageStream(ns, name, version string) map[string]any {
	return newObject("image.openshift.io/v1", "ImageStream", ns, name, map[string]any{
		"spec": map[string]any{"tags": []any{
			map[string]any{"name": "latest", "from": map[string]any{"kind": "ImageStreamTag", "name": version}},
			map[string]any{"name": version, "from": map[string]any{"kind": "DockerImage", "name": ""}},
		}},
	})
}

func envList(entries []string) []any {
	out := make([]any, len(entries))
	for i, e := range entries {
		f := strings.Fields(e)
		switch {
		case len(f) == 3 && f[1] == "=":
			out[i] = map[string]any{"name": f[0], "value": f[2]}
		case len(f) == 4 && f[1] == "cm":
			out[i] = map[string]any{"name": f[0], "valueFrom": map[string]any{"configMapKeyRef": map[string]any{"name": f[2], "key": f[3]}}}
		case len(f) == 4 && f[1] == "secret":
			out[i] = map[string]any{"name": f[0], "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": f[2], "key": f[3]}}}
		default:
			panic("bad layout env entry: " + e)
		}
	}
	return out
}
