package compiler

import (
	"strings"

	"github.com/ampc/ampc/plan"
)

// The standard layout of a fresh 2.4 install: amp.yml and amp-s3.yml at
// 2.4.0.GA with default parameters, written from the templates' facts. It
// holds every object the 2.4 → 2.5 rules touch and the ones the later hops'
// guides name (every DeploymentConfig, the routes and the wildcard router),
// so that a plan from 2.4 can chain on the model this hop leaves.

// layoutEnv24 is the env of every system container of the 2.4 templates
// (system-app's system-master, system-provider and system-developer, the
// system-app pre-hook pod, and system-sidekiq), in template order. Each entry
// is "NAME cm CONFIGMAP KEY", "NAME secret SECRET KEY", "NAME = VALUE", or
// "NAME =" for a literal the template generates (a password).
var layoutEnv24 = []string{
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

// layoutBackendEnv24 is the env the backend containers share, in template
// order; each container appends its own entries.
var layoutBackendEnv24 = []string{
	"CONFIG_REDIS_PROXY secret backend-redis REDIS_STORAGE_URL",
	"CONFIG_REDIS_SENTINEL_HOSTS secret backend-redis REDIS_STORAGE_SENTINEL_HOSTS",
	"CONFIG_REDIS_SENTINEL_ROLE secret backend-redis REDIS_STORAGE_SENTINEL_ROLE",
	"CONFIG_QUEUES_MASTER_NAME secret backend-redis REDIS_QUEUES_URL",
	"CONFIG_QUEUES_SENTINEL_HOSTS secret backend-redis REDIS_QUEUES_SENTINEL_HOSTS",
	"CONFIG_QUEUES_SENTINEL_ROLE secret backend-redis REDIS_QUEUES_SENTINEL_ROLE",
	"RACK_ENV cm backend-environment RACK_ENV",
}

// layoutApicastEnv24 is the env of apicast-staging and apicast-production
// before their own entries.
var layoutApicastEnv24 = []string{
	"THREESCALE_PORTAL_ENDPOINT secret system-master-apicast PROXY_CONFIGS_ENDPOINT",
	"BACKEND_ENDPOINT_OVERRIDE secret backend-listener service_endpoint",
	"APICAST_MANAGEMENT_API cm apicast-environment APICAST_MANAGEMENT_API",
	"OPENSSL_VERIFY cm apicast-environment OPENSSL_VERIFY",
	"APICAST_RESPONSE_CODES cm apicast-environment APICAST_RESPONSE_CODES",
}

// layoutContainer24 is one container of a 2.4 pod template.
type layoutContainer24 struct {
	name, image string
	env         []string
}

// layoutDeploymentConfig24 is one DeploymentConfig of the 2.4 templates.
// trigger is the image stream tag its ImageChange trigger follows, for the
// containers listed in triggered ("" when it has only a ConfigChange trigger).
type layoutDeploymentConfig24 struct {
	name           string
	initContainers []layoutContainer24
	containers     []layoutContainer24
	trigger        string
	triggered      []string
}

func joinEnv(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// layoutDeploymentConfigs24 is every DeploymentConfig of amp.yml at 2.4, in
// template order, without the system database (added per plan below).
// Container env of the system containers is filled in by fresh24.
var layoutDeploymentConfigs24 = []layoutDeploymentConfig24{
	{name: "backend-redis", containers: []layoutContainer24{{"backend-redis", "registry.access.redhat.com/rhscl/redis-32-rhel7:3.2", nil}}},
	{name: "system-redis", containers: []layoutContainer24{{"system-redis", "registry.access.redhat.com/rhscl/redis-32-rhel7:3.2", nil}}},
	{
		name:           "backend-cron",
		initContainers: []layoutContainer24{{"backend-redis-svc", "amp-backend:latest", []string{"SLEEP_SECONDS = 1", "CONFIG_QUEUES_MASTER_NAME secret backend-redis REDIS_QUEUES_URL"}}},
		containers:     []layoutContainer24{{"backend-cron", "amp-backend:latest", layoutBackendEnv24}},
		trigger:        "amp-backend:latest", triggered: []string{"backend-redis-svc", "backend-cron"},
	},
	{
		name: "backend-listener",
		containers: []layoutContainer24{{"backend-listener", "amp-backend:latest", joinEnv(layoutBackendEnv24, []string{
			"PUMA_WORKERS = 16",
			"CONFIG_INTERNAL_API_USER secret backend-internal-api username",
			"CONFIG_INTERNAL_API_PASSWORD secret backend-internal-api password",
		})}},
		trigger: "amp-backend:latest", triggered: []string{"backend-listener"},
	},
	{
		name:           "backend-worker",
		initContainers: []layoutContainer24{{"backend-redis-svc", "amp-backend:latest", []string{"SLEEP_SECONDS = 1", "CONFIG_QUEUES_MASTER_NAME secret backend-redis REDIS_QUEUES_URL"}}},
		containers: []layoutContainer24{{"backend-worker", "amp-backend:latest", joinEnv(layoutBackendEnv24, []string{
			"CONFIG_EVENTS_HOOK secret system-events-hook URL",
			"CONFIG_EVENTS_HOOK_SHARED_SECRET secret system-events-hook PASSWORD",
		})}},
		trigger: "amp-backend:latest", triggered: []string{"backend-redis-svc", "backend-worker"},
	},
	{name: "system-memcache", containers: []layoutContainer24{{"memcache", "registry.access.redhat.com/3scale-amp20/memcached", nil}}},
	{
		name:       "system-app",
		containers: []layoutContainer24{{"system-master", "amp-system:latest", nil}, {"system-provider", "amp-system:latest", nil}, {"system-developer", "amp-system:latest", nil}},
		trigger:    "amp-system:latest", triggered: []string{"system-provider", "system-developer", "system-master"},
	},
	{
		name:           "system-sidekiq",
		initContainers: []layoutContainer24{{"check-svc", "amp-system:latest", []string{"SLEEP_SECONDS = 1", "REDIS_URL secret system-redis URL"}}},
		containers:     []layoutContainer24{{"system-sidekiq", "amp-system:latest", nil}},
		trigger:        "amp-system:latest", triggered: []string{"check-svc", "system-sidekiq"},
	},
	{
		name:           "system-sphinx",
		initContainers: []layoutContainer24{{"system-master-svc", "amp-system:latest", []string{"SLEEP_SECONDS = 1"}}},
		containers: []layoutContainer24{{"system-sphinx", "amp-system:latest", []string{
			"RAILS_ENV cm system-environment RAILS_ENV",
			"DATABASE_URL secret system-database URL",
			"THINKING_SPHINX_ADDRESS = 0.0.0.0",
			"THINKING_SPHINX_CONFIGURATION_FILE = db/sphinx/production.conf",
			"THINKING_SPHINX_PID_FILE = db/sphinx/searchd.pid",
			"DELTA_INDEX_INTERVAL = 5",
			"FULL_REINDEX_INTERVAL = 60",
		}}},
		trigger: "amp-system:latest", triggered: []string{"system-master-svc", "system-sphinx"},
	},
	{
		name:           "zync",
		initContainers: []layoutContainer24{{"zync-db-svc", "amp-zync:latest", []string{"SLEEP_SECONDS = 1", "DATABASE_URL secret zync DATABASE_URL"}}},
		containers: []layoutContainer24{{"zync", "amp-zync:latest", []string{
			"RAILS_LOG_TO_STDOUT = true",
			"RAILS_ENV = production",
			"DATABASE_URL secret zync DATABASE_URL",
			"SECRET_KEY_BASE secret zync SECRET_KEY_BASE",
			"ZYNC_AUTHENTICATION_TOKEN secret zync ZYNC_AUTHENTICATION_TOKEN",
		}}},
		trigger: "amp-zync:latest", triggered: []string{"zync-db-svc", "zync"},
	},
	{
		// The image is left to the trigger, which the template writes as " ".
		name: "zync-database",
		containers: []layoutContainer24{{"postgresql", " ", []string{
			"POSTGRESQL_USER = zync",
			"POSTGRESQL_PASSWORD secret zync ZYNC_DATABASE_PASSWORD",
			"POSTGRESQL_DATABASE = zync_production",
		}}},
		trigger: "postgresql:9.5", triggered: []string{"postgresql"},
	},
	{
		name: "apicast-staging",
		containers: []layoutContainer24{{"apicast-staging", "amp-apicast:latest", joinEnv(layoutApicastEnv24, []string{
			"APICAST_CONFIGURATION_LOADER = lazy",
			"APICAST_CONFIGURATION_CACHE = 0",
			"THREESCALE_DEPLOYMENT_ENV = staging",
			"REDIS_URL secret apicast-redis STAGING_URL",
		})}},
		trigger: "amp-apicast:latest", triggered: []string{"apicast-staging"},
	},
	{
		name:           "apicast-production",
		initContainers: []layoutContainer24{{"system-master-svc", "amp-apicast:latest", []string{"SLEEP_SECONDS = 1"}}},
		containers: []layoutContainer24{{"apicast-production", "amp-apicast:latest", joinEnv(layoutApicastEnv24, []string{
			"APICAST_CONFIGURATION_LOADER = boot",
			"APICAST_CONFIGURATION_CACHE = 300",
			"THREESCALE_DEPLOYMENT_ENV = production",
			"REDIS_URL secret apicast-redis PRODUCTION_URL",
		})}},
		trigger: "amp-apicast:latest", triggered: []string{"system-master-svc", "apicast-production"},
	},
	{
		name:       "apicast-wildcard-router",
		containers: []layoutContainer24{{"apicast-wildcard-router", "amp-wildcard-router:latest", []string{"API_HOST secret system-master-apicast BASE_URL"}}},
		trigger:    "amp-wildcard-router:latest", triggered: []string{"apicast-wildcard-router"},
	},
}

// layoutSystemMySQL24 is the system-mysql DeploymentConfig of amp.yml at 2.4:
// the user and passwords are literals the template generates.
var layoutSystemMySQL24 = layoutDeploymentConfig24{
	name: "system-mysql",
	containers: []layoutContainer24{{"system-mysql", "registry.access.redhat.com/rhscl/mysql-57-rhel7:5.7", []string{
		"MYSQL_USER =",
		"MYSQL_PASSWORD =",
		"MYSQL_DATABASE = system",
		"MYSQL_ROOT_PASSWORD =",
		"MYSQL_LOWER_CASE_TABLE_NAMES = 1",
		"MYSQL_DEFAULTS_FILE = /etc/my-extra/my.cnf",
	}}},
}

// layoutImageStreams24 is every image stream of amp.yml at 2.4 with the
// source of its release tag; each also has latest pointing at 2.4.0.
var layoutImageStreams24 = []struct{ name, image string }{
	{"amp-backend", "registry.access.redhat.com/3scale-amp24/backend"},
	{"amp-zync", "registry.access.redhat.com/3scale-amp24/zync"},
	{"amp-apicast", "registry.access.redhat.com/3scale-amp24/apicast-gateway"},
	{"amp-wildcard-router", "registry.access.redhat.com/3scale-amp22/wildcard-router"},
	{"amp-system", "registry.access.redhat.com/3scale-amp24/system"},
}

// layoutSecrets24 is every Secret of amp.yml at 2.4 with its keys.
var layoutSecrets24 = map[string][]string{
	"backend-internal-api":  {"password", "username"},
	"backend-redis":         {"REDIS_QUEUES_SENTINEL_HOSTS", "REDIS_QUEUES_SENTINEL_ROLE", "REDIS_QUEUES_URL", "REDIS_STORAGE_SENTINEL_HOSTS", "REDIS_STORAGE_SENTINEL_ROLE", "REDIS_STORAGE_URL"},
	"backend-listener":      {"route_endpoint", "service_endpoint"},
	"system-events-hook":    {"PASSWORD", "URL"},
	"system-redis":          {"URL"},
	"system-master-apicast": {"ACCESS_TOKEN", "BASE_URL", "PROXY_CONFIGS_ENDPOINT"},
	"system-database":       {"URL"},
	"system-seed":           {"ADMIN_ACCESS_TOKEN", "ADMIN_PASSWORD", "ADMIN_USER", "MASTER_DOMAIN", "MASTER_PASSWORD", "MASTER_USER", "TENANT_NAME"},
	"system-recaptcha":      {"PRIVATE_KEY", "PUBLIC_KEY"},
	"system-app":            {"SECRET_KEY_BASE"},
	"system-memcache":       {"SERVERS"},
	"zync":                  {"DATABASE_URL", "SECRET_KEY_BASE", "ZYNC_AUTHENTICATION_TOKEN", "ZYNC_DATABASE_PASSWORD"},
	"apicast-redis":         {"PRODUCTION_URL", "STAGING_URL"},
}

// layoutConfigMaps24 is every ConfigMap of amp.yml at 2.4 with its keys;
// values are empty except those set in fresh24.
var layoutConfigMaps24 = map[string][]string{
	"redis-config":        {"redis.conf"},
	"backend-environment": {"RACK_ENV"},
	"mysql-main-conf":     {"my.cnf"},
	"mysql-extra-conf":    {"mysql-charset.cnf"},
	"system":              {"rolling_updates.yml", "service_discovery.yml", "zync.yml"},
	"smtp":                {"address", "authentication", "domain", "openssl.verify.mode", "password", "port", "username"},
	"system-environment":  layoutSystemEnvironment27,
	"apicast-environment": {"APICAST_MANAGEMENT_API", "APICAST_RESPONSE_CODES", "OPENSSL_VERIFY"},
}

// layoutRoutes24 is every Route of amp.yml at 2.4 with its service.
var layoutRoutes24 = []struct{ name, service string }{
	{"backend", "backend-listener"},
	{"system-provider-admin", "system-provider"},
	{"system-master", "system-master"},
	{"system-developer", "system-developer"},
	{"api-apicast-staging", "apicast-staging"},
	{"api-apicast-production", "apicast-production"},
	{"apicast-wildcard-router", "apicast-wildcard-router"},
}

// layoutServices24 is every Service of amp.yml at 2.4.
var layoutServices24 = []string{
	"backend-redis", "backend-listener", "system-provider", "system-master", "system-developer",
	"system-mysql", "system-redis", "system-sphinx", "system-memcache", "zync", "zync-database",
	"apicast-staging", "apicast-production", "apicast-wildcard-router",
}

// fresh24 builds the model of a fresh 2.4 install. The system database is
// system-mysql for MySQL; a 2.4 site on Oracle or PostgreSQL has it outside
// the project, and an Oracle site has the 3scale-amp-system-oracle
// BuildConfig of amp/system-oracle/build.yml, which builds amp-system:latest.
func fresh24(in plan.Install, version string) *model {
	m := newModel(false)
	ns := in.Namespace
	system := append([]string(nil), layoutEnv24...)
	if in.S3 {
		system = append(system, layoutEnvS3...)
	}
	dcs := append([]layoutDeploymentConfig24(nil), layoutDeploymentConfigs24...)
	if in.SystemDatabase == plan.MySQL {
		dcs = append(dcs, layoutSystemMySQL24)
	}
	for _, d := range dcs {
		containers := func(list []layoutContainer24, system []string) []any {
			out := make([]any, len(list))
			for i, c := range list {
				env := c.env
				if system != nil {
					env = system
				}
				ct := map[string]any{"name": c.name, "image": c.image}
				if len(env) > 0 {
					ct["env"] = envList24(env)
				}
				out[i] = ct
			}
			return out
		}
		var systemEnv []string // the env of every system container
		if d.name == "system-app" || d.name == "system-sidekiq" {
			systemEnv = system
		}
		podSpec := map[string]any{"containers": containers(d.containers, systemEnv)}
		if len(d.initContainers) > 0 {
			podSpec["initContainers"] = containers(d.initContainers, nil)
		}
		triggers := []any{map[string]any{"type": "ConfigChange"}}
		if d.trigger != "" {
			names := make([]any, len(d.triggered))
			for i, n := range d.triggered {
				names[i] = n
			}
			triggers = append(triggers, map[string]any{
				"type": "ImageChange",
				"imageChangeParams": map[string]any{
					"automatic":      true,
					"containerNames": names,
					"from":           map[string]any{"kind": "ImageStreamTag", "name": d.trigger},
				},
			})
		}
		spec := map[string]any{
			"selector": map[string]any{"deploymentConfig": d.name},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "3scale-api-management", "deploymentConfig": d.name}},
				"spec":     podSpec,
			},
			"triggers": triggers,
		}
		if d.name == "system-app" {
			spec["strategy"] = map[string]any{
				"type": "Rolling",
				"rollingParams": map[string]any{
					"pre": map[string]any{
						"failurePolicy": "Retry",
						"execNewPod": map[string]any{
							"containerName": "system-master",
							// The template embeds MASTER_ACCESS_TOKEN here; the layout does not know it.
							"command": []any{"bash", "-c", "bundle exec rake boot openshift:deploy MASTER_ACCESS_TOKEN=\"${MASTER_ACCESS_TOKEN}\""},
							"env":     envList24(system),
						},
					},
					"post": map[string]any{
						"failurePolicy": "Abort",
						"execNewPod": map[string]any{
							"containerName": "system-master",
							"command":       []any{"bash", "-c", "bundle exec rake boot openshift:post_deploy"},
						},
					},
				},
			}
		}
		m.put(newObject("apps.openshift.io/v1", "DeploymentConfig", ns, d.name, map[string]any{"spec": spec}), nil)
	}
	for _, is := range layoutImageStreams24 {
		m.put(newObject("image.openshift.io/v1", "ImageStream", ns, is.name, map[string]any{
			"spec": map[string]any{"tags": []any{
				map[string]any{"name": "latest", "from": map[string]any{"kind": "ImageStreamTag", "name": "2.4.0"}},
				map[string]any{"name": "2.4.0", "from": map[string]any{"kind": "DockerImage", "name": is.image}},
			}},
		}), nil)
	}
	m.put(newObject("image.openshift.io/v1", "ImageStream", ns, "postgresql", map[string]any{
		"spec": map[string]any{"tags": []any{
			map[string]any{"name": "9.5", "from": map[string]any{"kind": "DockerImage", "name": "registry.access.redhat.com/rhscl/postgresql-95-rhel7:9.5"}},
		}},
	}), nil)
	for name, keys := range layoutConfigMaps24 {
		data := map[string]any{}
		for _, k := range keys {
			data[k] = ""
		}
		if name == "system-environment" {
			data["AMP_RELEASE"] = "2.4.0"
			if in.S3 {
				for _, k := range []string{"FILE_UPLOAD_STORAGE", "AWS_BUCKET", "AWS_REGION"} {
					data[k] = ""
				}
			}
		}
		m.put(newObject("v1", "ConfigMap", ns, name, map[string]any{"data": data}), nil)
	}
	secrets := map[string][]string{}
	for name, keys := range layoutSecrets24 {
		secrets[name] = keys
	}
	if in.S3 {
		secrets["aws-auth"] = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
	}
	for name, keys := range secrets {
		data := map[string]any{}
		for _, k := range keys {
			data[k] = ""
		}
		m.put(newObject("v1", "Secret", ns, name, map[string]any{"data": data, "type": "Opaque"}), nil)
	}
	for _, name := range layoutServices24 {
		if name == "system-mysql" && in.SystemDatabase != plan.MySQL {
			continue
		}
		m.put(newObject("v1", "Service", ns, name, map[string]any{"spec": map[string]any{"selector": map[string]any{"deploymentConfig": name}}}), nil)
	}
	for _, r := range layoutRoutes24 {
		spec := map[string]any{"to": map[string]any{"kind": "Service", "name": r.service}}
		if r.name == "apicast-wildcard-router" {
			spec["wildcardPolicy"] = string(in.WildcardPolicy)
		}
		m.put(newObject("route.openshift.io/v1", "Route", ns, r.name, map[string]any{"spec": spec}), nil)
	}
	if in.SystemDatabase == plan.Oracle {
		m.put(newObject("build.openshift.io/v1", "BuildConfig", ns, "3scale-amp-system-oracle", map[string]any{
			"spec": map[string]any{
				"source": map[string]any{"type": "Binary"},
				"output": map[string]any{"to": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:latest"}},
				"strategy": map[string]any{
					"type":           "Docker",
					"dockerStrategy": map[string]any{"from": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:2.4.0"}},
				},
			},
		}), nil)
	}
	return m
}

// envList24 is envList with one more form: "NAME =", a literal the layout
// cannot know (a generated password), modeled as an empty value.
func envList24(entries []string) []any {
	out := make([]any, len(entries))
	for i, e := range entries {
		if name, ok := strings.CutSuffix(e, " ="); ok {
			out[i] = map[string]any{"name": name, "value": ""}
			continue
		}
		out[i] = envList([]string{e})[0]
	}
	return out
}
