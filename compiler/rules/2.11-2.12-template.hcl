# 3scale 2.11 → 2.12, template-based install: the last template release.
#
# No seed guide covers this hop, and the guide's step list was not
# captured. Source: the fact sheet ../shared/guides/template-after-2.10.md,
# section "Template 2.11 → 2.12", which rates it PARTLY GUESSWORK: of
# "Migrating 3scale" 2.12, chapter 2 ("Upgrading 3scale 2.11 to 2.12 using
# templates", zh-cn 2.12 html-single) only the backup section was seen; the
# rest of the sheet is the template diff. Checked here against
# github.com/3scale/3scale-amp-openshift-templates (fetched): amp/amp.yml
# 3scale-2.11.0-GA → 3scale-2.12.0-GA removes AMP_RELEASE (ConfigMap
# system-environment and every system env list), the MESSAGE_BUS_* keys of
# Secret system-redis and the MESSAGE_BUS_REDIS_* env of system-app (and
# its pre-hook), system-sidekiq (and check-svc) and system-sphinx, adds
# mysql-default-authentication-plugin.cnf to ConfigMap mysql-extra-conf,
# moves system-mysql to registry.redhat.io/rhel8/mysql-80:1 (MySQL 5.7 →
# 8.0), the images to 3scale2.12, and raises backend-cron's resources
# (limits 500m/500Mi, requests 100m/100Mi), which the sheet does not name
# and ampc leaves (see guide-check). The 2.12.0-GA amp.yml names the
# backend image registry.redhat.com/3scale-amp2/backend-rhel8:3scale2.12
# (".com", a typo: the registry is registry.redhat.io, as every other
# image and the 2.11 and 2.12 operators have it); ampc does not copy it.
# The 3scale operator's upgrade for the same release
# (/work/.mirror/3scale+3scale-operator, branch 3scale-2.12-stable,
# pkg/3scale/amp/operator/upgrade.go: upgradeSystemAMPRelease,
# upgradeMysqlConfigmap, deleteMessageBusConfigurations) makes the same
# removals and additions, in the order ampc follows: the env before the
# keys it reads. What no source states (the guide's order, its commands,
# whether it redeploys between steps) is left to the manual step
# guide-check, and the checks stop where the site is not as expected.
# Steps run in the order below. See README.md beside this file for the
# words of the rule language.

hop {
  from          = "2.11"
  to            = "2.12"
  deployment    = "template"
  seed          = "guides/template-after-2.10.md"
  title         = "3scale 2.11 to 2.12, template-based, the last template release (Migrating 3scale 2.12, chapter 2; fact sheet: partly guesswork)"
  confidence    = "low: partly guesswork (only the guide's backup section seen); the changes are the 3scale-2.12.0-GA template diff and the 2.12 operator's upgrade code; a manual step asks to confirm them against the guide"
  openshift_min = "3.11"
  openshift_max = "3.11"
}

locals {
  dir          = "$BACKUP_DIR/2.11-2.12"
  trigger_note = <<-EOT
    Inferred from the template diff (the 2.12 guide's image steps were not
    seen; 2.11's move each trigger from STREAM:2.11 to STREAM:2.12 with
    `oc set triggers`): ampc replaces the trigger's image stream tag in one
    JSON patch, pinned by tests of the trigger's type, its container list
    and its old tag. The next step waits for the redeploy.
  EOT
  mb_vars = ["MESSAGE_BUS_REDIS_URL", "MESSAGE_BUS_REDIS_NAMESPACE", "MESSAGE_BUS_REDIS_SENTINEL_HOSTS", "MESSAGE_BUS_REDIS_SENTINEL_ROLE"]
  # refs_to KIND NAME KEY...: the DeploymentConfigs (containers, init
  # containers, hooks) that still read one of the keys of that ConfigMap or
  # Secret, as "dc: key" lines.
  refs_to = <<-EOT
    refs_to() {
      local kind=$1 name=$2
      shift 2
      oc get dc -o json | jq -r --arg kind "$kind" --arg name "$name" --args '
        $ARGS.positional as $keys
        | .items[]? | .metadata.name as $dc
        | [.spec.template.spec.containers[]?, .spec.template.spec.initContainers[]?,
           (.spec.strategy.rollingParams // {} | .pre, .mid, .post | .execNewPod? // empty)]
        | .[] | .env[]? | .valueFrom[$kind]? // empty
        | select(.name == $name and (.key as $k | $keys | index($k)))
        | "\($dc): \(.key)"' "$@" | sort -u
    }
  EOT
}

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.2"
}

step "guide-check" {
  title        = "Confirm this hop's steps against the 2.12 guide's chapter 2"
  kind         = "manual"
  section      = "2.2"
  note         = "The fact sheet rates 2.11 → 2.12 partly guesswork: only the guide's backup section was seen. The steps after this one are the template diff 3scale-2.11.0-GA → 3scale-2.12.0-GA and the 2.12 operator's upgrade, not the guide's commands; a person compares them with the guide before anything changes."
  instructions = <<-EOT
    ampc could not read the 2.12 guide's template procedure: the steps of
    this hop come from the difference between the 3scale-2.11.0-GA and
    3scale-2.12.0-GA templates and from what the 3scale 2.12 operator
    changes. Before continuing, open "Migrating 3scale" for Red Hat 3scale
    API Management 2.12, chapter 2 ("Upgrading 3scale 2.11 to 2.12 using
    templates"), and check that it asks for these changes, in this order:

    1. a backup of the project and a dump of the system database (MySQL);
    2. AMP_RELEASE removed from system-app (its containers and pre-hook),
       system-sidekiq, then from ConfigMap system-environment;
    3. the MESSAGE_BUS_REDIS_* env removed from system-app (and pre-hook),
       system-sidekiq (and check-svc) and system-sphinx, then the
       MESSAGE_BUS_* keys from Secret system-redis;
    4. on MySQL: mysql-default-authentication-plugin.cnf
       ([mysqld] default_authentication_plugin=mysql_native_password) in
       ConfigMap mysql-extra-conf, then system-mysql moved to
       registry.redhat.io/rhel8/mysql-80:1 (MySQL 8.0);
    5. every image stream on a 2.12 tag with the 3scale2.12 images
       (registry.redhat.io, never the registry.redhat.com of the
       3scale-2.12.0-GA amp.yml's backend image).

    The 2.12 template also raises backend-cron's resources (limits 500m CPU
    and 500Mi memory, requests 100m and 100Mi); ampc does not change them.
    If the guide differs (another order, another image, a step missing
    here), stop and apply the guide by hand. Continue when they agree.
  EOT
}

# ---------------------------------------------------------------- 2.2.1 backup

step "backup" {
  title   = "Back up the 3scale project"
  kind    = "backup"
  section = "2.2.1"
  note    = <<-EOT
    The guide's backup section (the one section of chapter 2 the sheet
    saw), as 2.10 → 2.11's. The guide exports with `oc get --export`,
    which oc 4.x clients no longer have and which drops fields a restore
    needs; ampc keeps the full objects.
  EOT
  run = <<-EOT
    dir="${local.dir}"
    mkdir -p "$dir"
    for component in apicast-production apicast-staging backend-cron backend-listener backend-redis backend-worker system-app system-memcache %{ if plan.system_database == "mysql" }system-mysql %{ endif }%{ if plan.system_database == "postgresql" }system-postgresql %{ endif }system-redis system-sidekiq system-sphinx zync zync-database zync-que; do
      if exists dc "$component"; then
        oc get -o yaml dc "$component" > "$dir/$${component}_dc.yml"
      fi
    done
    oc get -o yaml all > "$dir/threescale-project-elements.yaml"
    for object in rolebindings serviceaccounts secrets imagestreamtags cm rolebindingrestrictions limitranges resourcequotas pvc templates cronjobs statefulsets hpa deployments replicasets poddisruptionbudget endpoints; do
      oc get -o yaml "$object" > "$dir/$object.yaml"
    done
    for f in "$dir"/*; do
      [ -s "$f" ] || fail "backup file $f is empty"
    done
    echo "backup written to $dir"
  EOT
}

# The system database before MySQL 8.0 upgrades its data directory in
# place: a dump and its tables' row counts (shared/operator-databases.hcl).
use "mysql-backup" {
  section = "2.2.1"
}

# ------------------------------------------------------------ AMP_RELEASE

step "amp-release-env" {
  title   = "Remove AMP_RELEASE from system-app (containers and pre-hook) and system-sidekiq"
  kind    = "patch"
  section = "2.2"
  note    = <<-EOT
    Template diff and the 2.12 operator (deleteAMPReleaseSystemAppDC,
    deleteAMPReleaseSystemSidekiqDC): the 2.12 system image no longer reads
    AMP_RELEASE. Each entry is removed where the site has it, as a
    reference to system-environment or as the literal an earlier guide's
    `oc set env` left. The env change redeploys both; the image steps wait.
  EOT
  patch "DeploymentConfig" "system-app" {
    env {
      containers = ["system-master", "system-provider", "system-developer"]
      var "AMP_RELEASE" {
        remove     = true
        already_ok = true
      }
    }
    env {
      hook = "pre"
      var "AMP_RELEASE" {
        remove     = true
        already_ok = true
      }
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    env {
      containers = ["system-sidekiq"]
      var "AMP_RELEASE" {
        remove     = true
        already_ok = true
      }
    }
  }
}

step "amp-release-key" {
  title   = "Remove AMP_RELEASE from the system-environment ConfigMap"
  kind    = "patch"
  section = "2.2"
  note    = "Template diff and the 2.12 operator (deleteAMPReleaseConfigMap), after the env that read it: a pod that still referred to the key would not start. The precondition reads the live DeploymentConfigs and refuses while one does."
  precondition = <<-EOT
    ${local.refs_to}
    refs=$(refs_to configMapKeyRef system-environment AMP_RELEASE)
    [ -z "$refs" ] || fail "these DeploymentConfigs still read AMP_RELEASE from configmap/system-environment: $${refs//$'\n'/, }"
  EOT
  patch "ConfigMap" "system-environment" {
    unset "/data/AMP_RELEASE" {
      missing_ok = true
    }
  }
}

# ------------------------------------------------------------ MESSAGE_BUS

step "message-bus-env" {
  title   = "Remove the MESSAGE_BUS_REDIS_* env from system-app, system-sidekiq and system-sphinx"
  kind    = "patch"
  section = "2.2"
  note    = <<-EOT
    Template diff and the 2.12 operator (deleteMessageBusConfigurations:
    every container, init container and hook of system-app, system-sidekiq
    and system-sphinx). Removed where the site has them.
  EOT
  patch "DeploymentConfig" "system-app" {
    env {
      containers = ["system-master", "system-provider", "system-developer"]
      var "MESSAGE_BUS_REDIS_URL" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        remove     = true
        already_ok = true
      }
    }
    env {
      hook = "pre"
      var "MESSAGE_BUS_REDIS_URL" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        remove     = true
        already_ok = true
      }
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    env {
      containers      = ["system-sidekiq"]
      init_containers = ["check-svc"]
      var "MESSAGE_BUS_REDIS_URL" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        remove     = true
        already_ok = true
      }
    }
  }
  patch "DeploymentConfig" "system-sphinx" {
    env {
      containers = ["system-sphinx"]
      var "MESSAGE_BUS_REDIS_URL" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        remove     = true
        already_ok = true
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        remove     = true
        already_ok = true
      }
    }
  }
}

step "message-bus-keys" {
  title   = "Remove the MESSAGE_BUS_* keys from the system-redis Secret"
  kind    = "patch"
  section = "2.2"
  when    = has("Secret", "system-redis")
  note    = "Template diff and the 2.12 operator (deleteSystemRedisMessageBusSecretAttributes), after the env that read them. No test of the values (Secret data). The precondition reads the live DeploymentConfigs and refuses while one still reads a key, which a site modeled without a snapshot may show where the model did not."
  precondition = <<-EOT
    ${local.refs_to}
    refs=$(refs_to secretKeyRef system-redis MESSAGE_BUS_URL MESSAGE_BUS_NAMESPACE MESSAGE_BUS_SENTINEL_HOSTS MESSAGE_BUS_SENTINEL_ROLE)
    [ -z "$refs" ] || fail "these DeploymentConfigs still read MESSAGE_BUS keys of secret/system-redis: $${refs//$'\n'/, }; remove those env vars first"
  EOT
  patch "Secret" "system-redis" {
    unset "/data/MESSAGE_BUS_URL" {
      missing_ok = true
    }
    unset "/data/MESSAGE_BUS_NAMESPACE" {
      missing_ok = true
    }
    unset "/data/MESSAGE_BUS_SENTINEL_HOSTS" {
      missing_ok = true
    }
    unset "/data/MESSAGE_BUS_SENTINEL_ROLE" {
      missing_ok = true
    }
  }
}

# ------------------------------------------------------------ MySQL 8.0

step "mysql-auth-plugin" {
  title   = "Add mysql-default-authentication-plugin.cnf to mysql-extra-conf"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database == "mysql" && has("ConfigMap", "mysql-extra-conf")
  note    = "Template diff and the 2.12 operator (upgradeMysqlConfigmap): MySQL 8.0 defaults to caching_sha2_password, which the system image's client of 2.12 is not set up for; the key keeps mysql_native_password. Before the image change, so that MySQL 8.0 starts with it."
  patch "ConfigMap" "mysql-extra-conf" {
    set "/data/mysql-default-authentication-plugin.cnf" {
      value = "[mysqld]\ndefault_authentication_plugin=mysql_native_password\n"
    }
  }
}

# ---------------------------------------------------------------- images

step "image-amp-system-oracle" {
  title        = "Oracle: build the 2.12 system image and move the system triggers to it"
  kind         = "manual"
  section      = "2.3"
  when         = plan.system_database == "oracle"
  note         = "Guesswork: the sheet has no Oracle section for 2.12. The 3scale-2.12.0-GA templates' amp/system-oracle (README.md, build.yml: amp-system:2.12-oracle from system-rhel7:3scale2.12) give the build; ampc prints it instead of running it, as for 2.11."
  instructions = <<-EOT
    This site runs its system database on Oracle: its system image is built
    on the site. Check the 2.12 guide's Oracle section first (ampc has not
    seen it). Build the 3scale 2.12 system image as amp/system-oracle/README.md
    of https://github.com/3scale/3scale-amp-openshift-templates at tag
    3scale-2.12.0-GA describes (output amp-system:2.12-oracle;
    oc start-build 3scale-amp-system-oracle --from-dir=. ; wait until the
    build is Complete), then move the ImageChange triggers of system-app
    (system-master,system-developer,system-provider), system-sidekiq
    (system-sidekiq,check-svc) and system-sphinx
    (system-sphinx,system-master-svc) from amp-system:2.11-oracle to
    amp-system:2.12-oracle with oc set triggers (--remove, then add),
    waiting after each until the DeploymentConfig has redeployed. Continue
    when the three run the new image.
  EOT
}

step "image-amp-system" {
  title   = "Add the 2.12 tag to amp-system"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database != "oracle"
  patch "ImageStream" "amp-system" {
    tag "2.12" {
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.12"
      display_name = "AMP system 2.12"
    }
  }
}

step "triggers-amp-system" {
  title   = "Point the ImageChange triggers of system-app, system-sidekiq and system-sphinx at amp-system:2.12"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database != "oracle"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-app" {
    trigger "system-master" {
      from   = "amp-system:2.12"
      expect = "amp-system:2.11"
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    trigger "system-sidekiq" {
      from   = "amp-system:2.12"
      expect = "amp-system:2.11"
    }
  }
  patch "DeploymentConfig" "system-sphinx" {
    trigger "system-sphinx" {
      from   = "amp-system:2.12"
      expect = "amp-system:2.11"
    }
  }
}

step "wait-amp-system" {
  title   = "Wait for system-app, system-sidekiq and system-sphinx to redeploy"
  kind    = "wait"
  section = "2.2"
  note    = "Also waits for the rollouts the env removals started."
  rollout = ["system-app", "system-sidekiq", "system-sphinx"]
}

step "image-amp-apicast" {
  title   = "Add the 2.12 tag to amp-apicast"
  kind    = "patch"
  section = "2.2"
  patch "ImageStream" "amp-apicast" {
    tag "2.12" {
      image        = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.12"
      display_name = "AMP APIcast 2.12"
    }
  }
}

step "triggers-amp-apicast" {
  title   = "Point the ImageChange triggers of apicast-staging and apicast-production at amp-apicast:2.12"
  kind    = "patch"
  section = "2.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "apicast-staging" {
    trigger "apicast-staging" {
      from   = "amp-apicast:2.12"
      expect = "amp-apicast:2.11"
    }
  }
  patch "DeploymentConfig" "apicast-production" {
    trigger "apicast-production" {
      from   = "amp-apicast:2.12"
      expect = "amp-apicast:2.11"
    }
  }
}

step "wait-amp-apicast" {
  title   = "Wait for apicast-staging and apicast-production to redeploy on the 2.12 image"
  kind    = "wait"
  section = "2.2"
  rollout = ["apicast-staging", "apicast-production"]
}

step "image-amp-backend" {
  title   = "Add the 2.12 tag to amp-backend (registry.redhat.io)"
  kind    = "patch"
  section = "2.2"
  note    = "The 3scale-2.12.0-GA amp.yml has registry.redhat.com/3scale-amp2/backend-rhel8:3scale2.12, a typo (the sheet): ampc writes registry.redhat.io, the registry of every other 2.12 image."
  patch "ImageStream" "amp-backend" {
    tag "2.12" {
      image        = "registry.redhat.io/3scale-amp2/backend-rhel8:3scale2.12"
      display_name = "AMP Backend 2.12"
    }
  }
}

step "triggers-amp-backend" {
  title   = "Point the ImageChange triggers of backend-listener, backend-worker and backend-cron at amp-backend:2.12"
  kind    = "patch"
  section = "2.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-listener" {
    trigger "backend-listener" {
      from   = "amp-backend:2.12"
      expect = "amp-backend:2.11"
    }
  }
  patch "DeploymentConfig" "backend-worker" {
    trigger "backend-worker" {
      from   = "amp-backend:2.12"
      expect = "amp-backend:2.11"
    }
  }
  patch "DeploymentConfig" "backend-cron" {
    trigger "backend-cron" {
      from   = "amp-backend:2.12"
      expect = "amp-backend:2.11"
    }
  }
}

step "wait-amp-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy on the 2.12 image"
  kind    = "wait"
  section = "2.2"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

step "image-amp-zync" {
  title   = "Add the 2.12 tag to amp-zync"
  kind    = "patch"
  section = "2.2"
  patch "ImageStream" "amp-zync" {
    tag "2.12" {
      image        = "registry.redhat.io/3scale-amp2/zync-rhel8:3scale2.12"
      display_name = "AMP Zync 2.12"
    }
  }
}

step "triggers-amp-zync" {
  title   = "Point the ImageChange triggers of zync and zync-que at amp-zync:2.12"
  kind    = "patch"
  section = "2.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync" {
    trigger "zync" {
      from   = "amp-zync:2.12"
      expect = "amp-zync:2.11"
    }
  }
  patch "DeploymentConfig" "zync-que" {
    trigger "que" {
      from   = "amp-zync:2.12"
      expect = "amp-zync:2.11"
    }
  }
}

step "wait-amp-zync" {
  title   = "Wait for zync and zync-que to redeploy on the 2.12 image"
  kind    = "wait"
  section = "2.2"
  rollout = ["zync", "zync-que"]
}

step "image-system-memcached" {
  title   = "Add the 2.12 tag to system-memcached"
  kind    = "patch"
  section = "2.2"
  patch "ImageStream" "system-memcached" {
    tag "2.12" {
      image        = "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.12"
      display_name = "System 2.12 Memcached"
    }
  }
}

step "triggers-system-memcached" {
  title   = "Point the ImageChange triggers of system-memcache at system-memcached:2.12"
  kind    = "patch"
  section = "2.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-memcache" {
    trigger "memcache" {
      from   = "system-memcached:2.12"
      expect = "system-memcached:2.11"
    }
  }
}

step "wait-system-memcached" {
  title   = "Wait for system-memcache to redeploy on the 2.12 image"
  kind    = "wait"
  section = "2.2"
  rollout = ["system-memcache"]
}

step "image-zync-database-postgresql" {
  title   = "Add the 2.12 tag to zync-database-postgresql (PostgreSQL 10, unchanged)"
  kind    = "patch"
  section = "2.2"
  patch "ImageStream" "zync-database-postgresql" {
    tag "2.12" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "Zync 2.12 PostgreSQL"
    }
  }
}

step "triggers-zync-database-postgresql" {
  title   = "Point the ImageChange triggers of zync-database at zync-database-postgresql:2.12"
  kind    = "patch"
  section = "2.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync-database" {
    trigger "postgresql" {
      from   = "zync-database-postgresql:2.12"
      expect = "zync-database-postgresql:2.11"
    }
  }
}

step "wait-zync-database-postgresql" {
  title   = "Wait for zync-database to follow the 2.12 tag"
  kind    = "wait"
  section = "2.2"
  rollout = ["zync-database"]
}

step "image-backend-redis" {
  title   = "Add the 2.12 tag (Redis 5, unchanged) to backend-redis"
  kind    = "patch"
  section = "2.2"
  when    = has("DeploymentConfig", "backend-redis")
  patch "ImageStream" "backend-redis" {
    tag "2.12" {
      image        = "registry.redhat.io/rhscl/redis-5-rhel7:5"
      display_name = "Backend 2.12 Redis"
    }
  }
}

step "triggers-backend-redis" {
  title   = "Point the ImageChange triggers of backend-redis at backend-redis:2.12"
  kind    = "patch"
  section = "2.2"
  when    = has("DeploymentConfig", "backend-redis")
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-redis" {
    trigger "backend-redis" {
      from   = "backend-redis:2.12"
      expect = "backend-redis:2.11"
    }
  }
}

step "wait-backend-redis" {
  title   = "Wait for backend-redis to follow the 2.12 tag"
  kind    = "wait"
  section = "2.2"
  when    = has("DeploymentConfig", "backend-redis")
  rollout = ["backend-redis"]
}

step "image-system-redis" {
  title   = "Add the 2.12 tag (Redis 5, unchanged) to system-redis"
  kind    = "patch"
  section = "2.2"
  when    = has("DeploymentConfig", "system-redis")
  patch "ImageStream" "system-redis" {
    tag "2.12" {
      image        = "registry.redhat.io/rhscl/redis-5-rhel7:5"
      display_name = "System 2.12 Redis"
    }
  }
}

step "triggers-system-redis" {
  title   = "Point the ImageChange triggers of system-redis at system-redis:2.12"
  kind    = "patch"
  section = "2.2"
  when    = has("DeploymentConfig", "system-redis")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-redis" {
    trigger "system-redis" {
      from   = "system-redis:2.12"
      expect = "system-redis:2.11"
    }
  }
}

step "wait-system-redis" {
  title   = "Wait for system-redis to follow the 2.12 tag"
  kind    = "wait"
  section = "2.2"
  when    = has("DeploymentConfig", "system-redis")
  rollout = ["system-redis"]
}

step "image-system-mysql" {
  title   = "Add the 2.12 tag (MySQL 8.0, rhel8/mysql-80) to system-mysql"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "The 3scale-2.12.0-GA template's SYSTEM_DATABASE_IMAGE and the 2.12 operator's: MySQL 5.7 → 8.0, which upgrades the data directory in place on first start. The dump of mysql-backup is the only way back."
  patch "ImageStream" "system-mysql" {
    tag "2.12" {
      image        = "registry.redhat.io/rhel8/mysql-80:1"
      display_name = "System 2.12 MySQL"
    }
  }
}

step "triggers-system-mysql" {
  title   = "Point the ImageChange triggers of system-mysql at system-mysql:2.12 (MySQL 8.0)"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-mysql" {
    trigger "system-mysql" {
      from   = "system-mysql:2.12"
      expect = "system-mysql:2.11"
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql to redeploy on MySQL 8.0"
  kind    = "wait"
  section = "2.2"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

# MySQL 8.0 with every table of the dump (shared/operator-databases.hcl).
use "mysql-verify-template" {
  section = "2.2"
}

step "image-system-postgresql" {
  title   = "Add the 2.12 tag to system-postgresql (PostgreSQL 10, unchanged)"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  patch "ImageStream" "system-postgresql" {
    tag "2.12" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "System 2.12 PostgreSQL"
    }
  }
}

step "triggers-system-postgresql" {
  title   = "Point the ImageChange triggers of system-postgresql at system-postgresql:2.12"
  kind    = "patch"
  section = "2.2"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-postgresql" {
    trigger "system-postgresql" {
      from   = "system-postgresql:2.12"
      expect = "system-postgresql:2.11"
    }
  }
}

step "wait-system-postgresql" {
  title   = "Wait for system-postgresql to follow the 2.12 tag"
  kind    = "wait"
  section = "2.2"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

use "zync-resync" {
  section = "2.2"
}

use "images-verify" {
  section = "2.2"
}

step "triggers-verify" {
  title   = "Check that every DeploymentConfig follows a 2.12 tag and nothing reads AMP_RELEASE or MESSAGE_BUS any more"
  kind    = "verify"
  section = "2.2"
  note    = "The end state of the 3scale-2.12.0-GA template: every ImageChange trigger on STREAM:2.12 (amp-system:2.12-oracle for the system DeploymentConfigs of an Oracle site), no image from registry.redhat.com, no env var AMP_RELEASE or MESSAGE_BUS_REDIS_* in any DeploymentConfig, and neither key left in system-environment and system-redis."
  run     = <<-EOT
    wrong=$(oc get dc -o json | jq -r '[.items[]? | .metadata.name as $dc | .spec.triggers[]? | select(.type == "ImageChange") | .imageChangeParams.from.name | select(test(":2[.]12(-oracle)?$") | not) | "\($dc) follows \(.)"] | join(", ")')
    [ -z "$wrong" ] || fail "not every ImageChange trigger follows a 2.12 tag: $wrong"
    typo=$(oc get imagestream -o json | jq -r '[.items[]? | .metadata.name as $s | .spec.tags[]? | select(.from.name? // "" | startswith("registry.redhat.com/")) | "\($s):\(.name)"] | join(" ")')
    [ -z "$typo" ] || fail "these image stream tags pull from registry.redhat.com, which is not Red Hat's registry: $typo"
    left=$(oc get dc -o json | jq -r '[.items[]? | .metadata.name as $dc | [.spec.template.spec.containers[]?, .spec.template.spec.initContainers[]?, (.spec.strategy.rollingParams // {} | .pre, .mid, .post | .execNewPod? // empty)] | .[] | .env[]? | select(.name == "AMP_RELEASE" or (.name | startswith("MESSAGE_BUS_REDIS_"))) | "\($dc): \(.name)"] | unique | join(", ")')
    [ -z "$left" ] || fail "these env vars are still set: $left"
    keys=$( { oc get configmap system-environment -o json | jq -r '.data // {} | keys[] | select(. == "AMP_RELEASE")'; if exists secret system-redis; then oc get secret system-redis -o json | jq -r '.data // {} | keys[] | select(startswith("MESSAGE_BUS_"))'; fi; } | tr '\n' ' ')
    [ -z "$${keys// /}" ] || fail "these keys are still there: $keys"
    echo "every ImageChange trigger follows a 2.12 tag; no AMP_RELEASE or MESSAGE_BUS left"
  EOT
}
