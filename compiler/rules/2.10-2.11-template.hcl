# 3scale 2.10 → 2.11, template-based install.
#
# No seed guide covers this hop. Source: the fact sheet
# ../shared/guides/template-after-2.10.md, section "Template 2.10 → 2.11",
# which lists the sections of "Migrating 3scale" 2.11, chapter 2
# ("Upgrading 3scale 2.10 to 2.11 using templates",
# docs.redhat.com/en/documentation/red_hat_3scale_api_management/2.11/html/migrating_3scale/upgrade-template,
# zh-cn and en seen): 2.2.1 backup, 2.2.2 AMP_RELEASE, 2.2.3 BACKEND_ROUTE,
# 2.2.4 zync's prometheus annotations, 2.2.5 backend-cron's resources,
# 2.2.6 images (2.2.6.7 Redis 3.2 → 5 with the command change, 2.2.6.8
# confirm), 2.3 Oracle. The sheet rates it "specifiable"; it gives the
# sections, not every command. Checked here against
# github.com/3scale/3scale-amp-openshift-templates (fetched): amp/amp.yml
# 3scale-2.10.0-GA → 3scale-2.11.0-GA changes the Redis command
# (/opt/rh/rh-redis32 → rh-redis5) and image (rhscl/redis-5-rhel7:5),
# backend-cron's memory limit (80Mi → 150Mi), BACKEND_ROUTE (from the
# backend-listener Secret's route_endpoint to the literal
# http://backend-listener:3000/internal/, in system-app, its pre-hook and
# system-sidekiq), zync's prometheus.io annotations (from the
# DeploymentConfig to its pod template), the images (backend-rhel8 and
# zync-rhel8 from 2.11 on) and AMP_RELEASE; it also adds USER_SESSION_TTL
# (Secret system-app) to system-app, which the sheet's sections do not
# name: ampc does not add it (a site upgraded with the guide has none; the
# 2.11 system image reads it as optional in the operator's 0.8 code). And
# against the 3scale operator's upgrade for the same release
# (/work/.mirror/3scale+3scale-operator, branch 3scale-2.11-stable,
# pkg/3scale/amp/operator/upgrade.go: upgradeBackendRouteEnv,
# upgradeZyncPodTemplateAnnotations, upgradeBackendCronDeploymentConfig-
# MemoryLimits, ensureRedisCommand), which makes the same changes. The
# Redis move also takes the dumps and checks of shared/operator-databases.hcl
# (Redis 3.2 cannot read what Redis 5 saves: the dump is the way back).
# Steps run in the order below. See README.md beside this file for the
# words of the rule language.

hop {
  from          = "2.10"
  to            = "2.11"
  deployment    = "template"
  seed          = "guides/template-after-2.10.md"
  title         = "3scale 2.10 to 2.11, template-based (Migrating 3scale 2.11, chapter 2; fact sheet)"
  confidence    = "medium: the guide's sections seen (specifiable), commands from the 3scale-2.11.0-GA templates and the 2.11 operator's upgrade code; Oracle manual (build steps not seen in full)"
  openshift_min = "3.11"
  openshift_max = "3.11"
}

locals {
  dir          = "$BACKUP_DIR/2.10-2.11"
  trigger_note = <<-EOT
    The guide removes the ImageChange trigger on STREAM:2.10 and adds one on
    STREAM:2.11 for the same containers with two `oc set triggers`
    commands; ampc replaces the trigger's image stream tag in one JSON
    patch, pinned by tests of the trigger's type, its container list (as
    the site holds it) and its old tag. Each switch redeploys the
    DeploymentConfig when the image changes; the next step waits for it.
  EOT
  redis_note = <<-EOT
    The guide (2.2.6.7, as the sheet gives it) removes the trigger on
    STREAM:2.10, patches the container's command to
    /opt/rh/rh-redis5/root/usr/bin/redis-server, which leaves the
    DeploymentConfig in error while it still runs the Redis 3.2 image (whose
    software collection is rh-redis32), then adds the trigger on
    STREAM:2.11. ampc changes the command and the trigger in one JSON patch
    (the 3scale-2.11.0-GA template's command, as the 2.11 operator's
    ensureRedisCommand sets it), so that the DeploymentConfig is never left
    with a command its image lacks by the runbook; a deployment that starts
    before the trigger resolves the Redis 5 image fails and is rolled back
    by OpenShift, and the wait that follows waits for the one that runs
    Redis 5. No test of the old command: a site may have its own.
  EOT
  wait_redis_note = <<-EOT
    wait_rollout waits for the tag's import, for the container to run the
    Redis 5 image and for that deployment to complete; a deployment of the
    old image with the new command, if OpenShift started one, has failed
    by then and does not count. On a timeout the Redis pods of the last
    complete deployment still run Redis 3.2 on the same data: the rollback
    redis-5 puts the 2.10 trigger and command back.
  EOT
}

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.2"
}

# ---------------------------------------------------------------- 2.2.1 backup

step "backup" {
  title   = "Back up the 3scale project"
  kind    = "backup"
  section = "2.2.1"
  note    = <<-EOT
    The sheet: the same backup as 2.10 (2.9 → 2.10's 2.2.1). The guide
    exports with `oc get --export`, which oc 4.x clients no longer have and
    which drops fields a restore needs; ampc keeps the full objects. An
    Oracle site has no system database DeploymentConfig to save.
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

# The Redis instances the image steps move to Redis 5: dumps before
# anything changes (shared/operator-databases.hcl).
use "redis-backup" {
  section = "2.2.6.7"
}

# ------------------------------------------------------------ 2.2.2 AMP_RELEASE

# The shared steps of shared/amp-release.hcl; the trigger switch of 2.2.6.1
# redeploys system-app.
use "amp-release" {
  section = "2.2.2"
}

# ------------------------------------------------------------ 2.2.3 BACKEND_ROUTE

step "backend-route-env" {
  title   = "Set BACKEND_ROUTE to http://backend-listener:3000/internal/ in system-app, its pre-hook and system-sidekiq"
  kind    = "patch"
  section = "2.2.3"
  note    = <<-EOT
    The guide adds the env to system-app's pre-hook pod and runs `oc set
    env` on dc/system-app and dc/system-sidekiq (the sheet); the
    3scale-2.11.0-GA template and the 2.11 operator
    (upgradeSystemAppBackendRouteEnv, upgradeSidekiqBackendRouteEnv) give
    the value literally in every system-app container, the pre-hook and
    system-sidekiq. ampc replaces the entry where it stands (the 2.10
    template reads the backend-listener Secret's route_endpoint). The
    patches start the rollouts that the image steps below wait for.
  EOT
  patch "DeploymentConfig" "system-app" {
    env {
      hook = "pre"
      var "BACKEND_ROUTE" {
        value = "http://backend-listener:3000/internal/"
      }
    }
    env {
      containers = ["system-master", "system-provider", "system-developer"]
      var "BACKEND_ROUTE" {
        value = "http://backend-listener:3000/internal/"
      }
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    env {
      containers = ["system-sidekiq"]
      var "BACKEND_ROUTE" {
        value = "http://backend-listener:3000/internal/"
      }
    }
  }
}

# ------------------------------------------------------- 2.2.4 zync annotations

step "zync-annotations" {
  title   = "Move zync's prometheus.io annotations to its pod template"
  kind    = "patch"
  section = "2.2.4"
  when    = field("DeploymentConfig", "zync", "/spec/template/metadata") != null
  note    = <<-EOT
    The 3scale-2.11.0-GA template has prometheus.io/port 9393 and
    prometheus.io/scrape true on zync's pod template, not on the
    DeploymentConfig; the 2.11 operator (upgradeZyncPodTemplateAnnotations)
    sets them there and deletes them from the DeploymentConfig, as ampc
    does (the DeploymentConfig's are removed only where the site has them).
  EOT
  patch "DeploymentConfig" "zync" {
    set "/spec/template/metadata/annotations/prometheus.io~1port" {
      value = "9393"
    }
    set "/spec/template/metadata/annotations/prometheus.io~1scrape" {
      value = "true"
    }
    unset "/metadata/annotations/prometheus.io~1port" {
      missing_ok = true
    }
    unset "/metadata/annotations/prometheus.io~1scrape" {
      missing_ok = true
    }
  }
}

step "zync-annotations-merge" {
  title   = "Move zync's prometheus.io annotations to its pod template (merge patch)"
  kind    = "shell"
  section = "2.2.4"
  when    = field("DeploymentConfig", "zync", "/spec/template/metadata") == null
  note    = <<-EOT
    The same change as zync-annotations, for a model that does not hold
    zync's pod template metadata (a site modeled from an older standard
    layout, without a snapshot): a JSON patch computed from it would
    replace the site's pod template labels. A JSON merge patch sets the two
    annotations on the pod template and removes them from the
    DeploymentConfig, and leaves everything else, on any site.
  EOT
  run = "oc patch dc zync --type=merge -p '{\"metadata\":{\"annotations\":{\"prometheus.io/port\":null,\"prometheus.io/scrape\":null}},\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"prometheus.io/port\":\"9393\",\"prometheus.io/scrape\":\"true\"}}}}}'"
}

# ------------------------------------------------------ 2.2.5 backend-cron

step "backend-cron-resources" {
  title   = "Raise backend-cron's memory limit to 150Mi"
  kind    = "patch"
  section = "2.2.5"
  when    = field("DeploymentConfig", "backend-cron", "/spec/template/spec/containers/name=backend-cron/resources/limits") != null
  note    = <<-EOT
    The 3scale-2.11.0-GA template raises backend-cron's memory limit from
    80Mi to 150Mi and leaves its CPU limit and requests (150m; 50m, 40Mi);
    the 2.11 operator (upgradeBackendCronDeploymentConfigMemoryLimits)
    changes the memory limit alone, as ampc does. No test of the old
    value: a site that set its own limit gets the template's.
  EOT
  patch "DeploymentConfig" "backend-cron" {
    set "/spec/template/spec/containers/name=backend-cron/resources/limits/memory" {
      value = "150Mi"
    }
  }
}

step "backend-cron-resources-merge" {
  title   = "Raise backend-cron's memory limit to 150Mi (strategic merge patch)"
  kind    = "shell"
  section = "2.2.5"
  when    = field("DeploymentConfig", "backend-cron", "/spec/template/spec/containers/name=backend-cron/resources/limits") == null
  note    = <<-EOT
    The same change as backend-cron-resources, for a model that does not
    hold backend-cron's resources (a site modeled from an older standard
    layout, without a snapshot): a JSON patch computed from it would
    replace the container's CPU limit and requests. A strategic merge
    patch, which finds the container by name, sets the memory limit alone
    on any site.
  EOT
  run = "oc patch dc backend-cron --type=strategic -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"backend-cron\",\"resources\":{\"limits\":{\"memory\":\"150Mi\"}}}]}}}}'"
}

# ---------------------------------------------------------------- 2.2.6 images

step "image-amp-system-oracle" {
  title        = "Oracle: build the 2.11 system image and move the system triggers to it"
  kind         = "manual"
  section      = "2.3"
  when         = plan.system_database == "oracle"
  note         = <<-EOT
    The sheet names the Oracle section (2.3: build steps 1, 2, 4 and 8 of
    "Building the system image", triggers amp-system:2.10-oracle →
    amp-system:2.11-oracle) without its commands; ampc prints the
    procedure of the 3scale-2.11.0-GA templates' amp/system-oracle
    (README.md, build.yml: output amp-system:2.11-oracle, built from
    system-rhel7:3scale2.11) instead of running a build it cannot check.
    Inferred, as 2.9 → 2.10's.
  EOT
  instructions = <<-EOT
    This site runs its system database on Oracle (19c): its system image is
    built on the site. Build the 3scale 2.11 system image with Oracle
    support as amp/system-oracle/README.md of
    https://github.com/3scale/3scale-amp-openshift-templates at tag
    3scale-2.11.0-GA describes (the Instant Client packages in
    oracle-client-files/; bc/3scale-amp-system-oracle as that tag's
    build.yml, output amp-system:2.11-oracle;
    oc start-build 3scale-amp-system-oracle --from-dir=. ; wait until the
    build is Complete). Then move the ImageChange triggers:

      oc set triggers dc/system-app --from-image=amp-system:2.10-oracle --containers=system-master,system-developer,system-provider --remove
      oc set triggers dc/system-app --from-image=amp-system:2.11-oracle --containers=system-master,system-developer,system-provider

    and the same for system-sidekiq (system-sidekiq,check-svc) and
    system-sphinx (system-sphinx,system-master-svc), waiting after each
    until the DeploymentConfig has redeployed, its new pods are ready and
    the old ones terminated. Continue when the three run the new image.
  EOT
}

# -------------------- 2.2.6.1 amp-system
step "image-amp-system" {
  title   = "Add the 2.11 tag to amp-system"
  kind    = "patch"
  section = "2.2.6.1"
  when    = plan.system_database != "oracle"
  patch "ImageStream" "amp-system" {
    tag "2.11" {
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.11"
      display_name = "AMP system 2.11"
    }
  }
}

step "triggers-amp-system" {
  title   = "Point the ImageChange triggers of system-app, system-sidekiq and system-sphinx at amp-system:2.11"
  kind    = "patch"
  section = "2.2.6.1"
  when    = plan.system_database != "oracle"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-app" {
    trigger "system-master" {
      from   = "amp-system:2.11"
      expect = "amp-system:2.10"
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    trigger "system-sidekiq" {
      from   = "amp-system:2.11"
      expect = "amp-system:2.10"
    }
  }
  patch "DeploymentConfig" "system-sphinx" {
    trigger "system-sphinx" {
      from   = "amp-system:2.11"
      expect = "amp-system:2.10"
    }
  }
}

step "wait-amp-system" {
  title   = "Wait for system-app, system-sidekiq and system-sphinx to redeploy on the 2.11 image"
  kind    = "wait"
  section = "2.2.6.1"
  rollout = ["system-app", "system-sidekiq", "system-sphinx"]
  note    = "On an Oracle site the manual step above moved the triggers; the wait also covers the rollouts the BACKEND_ROUTE patch started."
}

# -------------------- 2.2.6.2 amp-apicast
step "image-amp-apicast" {
  title   = "Add the 2.11 tag to amp-apicast"
  kind    = "patch"
  section = "2.2.6.2"
  patch "ImageStream" "amp-apicast" {
    tag "2.11" {
      image        = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.11"
      display_name = "AMP APIcast 2.11"
    }
  }
}

step "triggers-amp-apicast" {
  title   = "Point the ImageChange triggers of apicast-staging and apicast-production at amp-apicast:2.11"
  kind    = "patch"
  section = "2.2.6.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "apicast-staging" {
    trigger "apicast-staging" {
      from   = "amp-apicast:2.11"
      expect = "amp-apicast:2.10"
    }
  }
  patch "DeploymentConfig" "apicast-production" {
    trigger "apicast-production" {
      from   = "amp-apicast:2.11"
      expect = "amp-apicast:2.10"
    }
  }
}

step "wait-amp-apicast" {
  title   = "Wait for apicast-staging and apicast-production to redeploy on the 2.11 image"
  kind    = "wait"
  section = "2.2.6.2"
  rollout = ["apicast-staging", "apicast-production"]
}

# -------------------- 2.2.6.3 amp-backend
step "image-amp-backend" {
  title   = "Add the 2.11 tag to amp-backend (backend-rhel8)"
  kind    = "patch"
  section = "2.2.6.3"
  note    = "From 2.11 the backend image is backend-rhel8 (the sheet; the 3scale-2.11.0-GA template's AMP_BACKEND_IMAGE)."
  patch "ImageStream" "amp-backend" {
    tag "2.11" {
      image        = "registry.redhat.io/3scale-amp2/backend-rhel8:3scale2.11"
      display_name = "AMP Backend 2.11"
    }
  }
}

step "triggers-amp-backend" {
  title   = "Point the ImageChange triggers of backend-listener, backend-worker and backend-cron at amp-backend:2.11"
  kind    = "patch"
  section = "2.2.6.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-listener" {
    trigger "backend-listener" {
      from   = "amp-backend:2.11"
      expect = "amp-backend:2.10"
    }
  }
  patch "DeploymentConfig" "backend-worker" {
    trigger "backend-worker" {
      from   = "amp-backend:2.11"
      expect = "amp-backend:2.10"
    }
  }
  patch "DeploymentConfig" "backend-cron" {
    trigger "backend-cron" {
      from   = "amp-backend:2.11"
      expect = "amp-backend:2.10"
    }
  }
}

step "wait-amp-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy on the 2.11 image"
  kind    = "wait"
  section = "2.2.6.3"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

# -------------------- 2.2.6.4 amp-zync
step "image-amp-zync" {
  title   = "Add the 2.11 tag to amp-zync (zync-rhel8)"
  kind    = "patch"
  section = "2.2.6.4"
  note    = "From 2.11 the zync image is zync-rhel8 (the sheet; the 3scale-2.11.0-GA template's AMP_ZYNC_IMAGE)."
  patch "ImageStream" "amp-zync" {
    tag "2.11" {
      image        = "registry.redhat.io/3scale-amp2/zync-rhel8:3scale2.11"
      display_name = "AMP Zync 2.11"
    }
  }
}

step "triggers-amp-zync" {
  title   = "Point the ImageChange triggers of zync and zync-que at amp-zync:2.11"
  kind    = "patch"
  section = "2.2.6.4"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync" {
    trigger "zync" {
      from   = "amp-zync:2.11"
      expect = "amp-zync:2.10"
    }
  }
  patch "DeploymentConfig" "zync-que" {
    trigger "que" {
      from   = "amp-zync:2.11"
      expect = "amp-zync:2.10"
    }
  }
}

step "wait-amp-zync" {
  title   = "Wait for zync and zync-que to redeploy on the 2.11 image"
  kind    = "wait"
  section = "2.2.6.4"
  rollout = ["zync", "zync-que"]
}

# -------------------- 2.2.6.5 system-memcached
step "image-system-memcached" {
  title   = "Add the 2.11 tag to system-memcached"
  kind    = "patch"
  section = "2.2.6.5"
  patch "ImageStream" "system-memcached" {
    tag "2.11" {
      image        = "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.11"
      display_name = "System 2.11 Memcached"
    }
  }
}

step "triggers-system-memcached" {
  title   = "Point the ImageChange triggers of system-memcache at system-memcached:2.11"
  kind    = "patch"
  section = "2.2.6.5"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-memcache" {
    trigger "memcache" {
      from   = "system-memcached:2.11"
      expect = "system-memcached:2.10"
    }
  }
}

step "wait-system-memcached" {
  title   = "Wait for system-memcache to redeploy on the 2.11 image"
  kind    = "wait"
  section = "2.2.6.5"
  rollout = ["system-memcache"]
}

# -------------------- 2.2.6.6 zync-database-postgresql
step "image-zync-database-postgresql" {
  title   = "Add the 2.11 tag to zync-database-postgresql"
  kind    = "patch"
  section = "2.2.6.6"
  note    = "The image stays PostgreSQL 10 (the sheet: zync-database pg10; the 3scale-2.11.0-GA template's ZYNC_DATABASE_IMAGE)."
  patch "ImageStream" "zync-database-postgresql" {
    tag "2.11" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "Zync 2.11 PostgreSQL"
    }
  }
}

step "triggers-zync-database-postgresql" {
  title   = "Point the ImageChange triggers of zync-database at zync-database-postgresql:2.11"
  kind    = "patch"
  section = "2.2.6.6"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync-database" {
    trigger "postgresql" {
      from   = "zync-database-postgresql:2.11"
      expect = "zync-database-postgresql:2.10"
    }
  }
}

step "wait-zync-database-postgresql" {
  title   = "Wait for zync-database to redeploy on the 2.11 image"
  kind    = "wait"
  section = "2.2.6.6"
  rollout = ["zync-database"]
}

# -------------------- 2.2.6.7 backend-redis: Redis 3.2 → 5
step "image-backend-redis" {
  title   = "Add the 2.11 tag (Redis 5) to backend-redis"
  kind    = "patch"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "backend-redis")
  note    = "Only when the site runs the backend-redis DeploymentConfig (a site with an external Redis skips it). The image is the 3scale-2.11.0-GA template's REDIS_IMAGE, rhscl/redis-5-rhel7:5."
  patch "ImageStream" "backend-redis" {
    tag "2.11" {
      image        = "registry.redhat.io/rhscl/redis-5-rhel7:5"
      display_name = "Backend 2.11 Redis"
    }
  }
}

step "redis5-backend-redis" {
  title   = "Point backend-redis at backend-redis:2.11 and Redis 5's redis-server in one change"
  kind    = "patch"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "backend-redis")
  note    = local.redis_note
  patch "DeploymentConfig" "backend-redis" {
    set "/spec/template/spec/containers/name=backend-redis/command" {
      value = ["/opt/rh/rh-redis5/root/usr/bin/redis-server"]
    }
    trigger "backend-redis" {
      from   = "backend-redis:2.11"
      expect = "backend-redis:2.10"
    }
  }
}

step "wait-backend-redis" {
  title   = "Wait for backend-redis to redeploy on Redis 5"
  kind    = "wait"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "backend-redis")
  note    = local.wait_redis_note
  rollout = ["backend-redis"]
}

# -------------------- 2.2.6.7 system-redis: Redis 3.2 → 5
step "image-system-redis" {
  title   = "Add the 2.11 tag (Redis 5) to system-redis"
  kind    = "patch"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "system-redis")
  note    = "Only when the site runs the system-redis DeploymentConfig (a site with an external Redis skips it). The image is the 3scale-2.11.0-GA template's REDIS_IMAGE, rhscl/redis-5-rhel7:5."
  patch "ImageStream" "system-redis" {
    tag "2.11" {
      image        = "registry.redhat.io/rhscl/redis-5-rhel7:5"
      display_name = "System 2.11 Redis"
    }
  }
}

step "redis5-system-redis" {
  title   = "Point system-redis at system-redis:2.11 and Redis 5's redis-server in one change"
  kind    = "patch"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "system-redis")
  note    = local.redis_note
  patch "DeploymentConfig" "system-redis" {
    set "/spec/template/spec/containers/name=system-redis/command" {
      value = ["/opt/rh/rh-redis5/root/usr/bin/redis-server"]
    }
    trigger "system-redis" {
      from   = "system-redis:2.11"
      expect = "system-redis:2.10"
    }
  }
}

step "wait-system-redis" {
  title   = "Wait for system-redis to redeploy on Redis 5"
  kind    = "wait"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "system-redis")
  note    = local.wait_redis_note
  rollout = ["system-redis"]
}

# The keys of the dumps, in the Redis 5 instances (shared/operator-databases.hcl).
use "redis-verify-template" {
  section = "2.2.6.7"
}

step "redis5-verify" {
  title   = "Check that every Redis of the project runs Redis 5 with Redis 5's redis-server"
  kind    = "verify"
  section = "2.2.6.7"
  when    = has("DeploymentConfig", "backend-redis") || has("DeploymentConfig", "system-redis")
  note    = "The end state of 2.2.6.7: the running server reports redis_version 5 (INFO server) and the DeploymentConfig's command is rh-redis5's, as the 3scale-2.11.0-GA template has it."
  run     = <<-EOT
    for redis in %{ if has("DeploymentConfig", "backend-redis") }backend-redis %{ endif }%{ if has("DeploymentConfig", "system-redis") }system-redis %{ endif }; do
      command=$(oc get dc "$redis" -o json | jq -r --arg c "$redis" '.spec.template.spec.containers[] | select(.name == $c) | (.command // [])[0] // ""')
      [ "$command" = /opt/rh/rh-redis5/root/usr/bin/redis-server ] || fail "dc/$redis runs '$command', not Redis 5's redis-server"
      pod=$(pod_of "$redis")
      [ -n "$pod" ] || fail "no running $redis pod to check"
      version=$(oc exec "$pod" -- redis-cli INFO server | tr -d '\r' | sed -n 's/^redis_version:\([0-9]*\)\..*/\1/p')
      [ "$version" = 5 ] || fail "$redis runs Redis '$version', not 5"
      echo "$redis runs Redis 5"
    done
  EOT
}

# -------------------- system database streams
step "image-system-mysql" {
  title   = "Add the 2.11 tag to system-mysql (MySQL 5.7, unchanged)"
  kind    = "patch"
  section = "2.2.6"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "Inferred: the sheet's image list does not name the system database; the 3scale-2.11.0-GA template has system-mysql follow system-mysql:2.11 with the same image as 2.10 (rhscl/mysql-57-rhel7:5.7), so the switch moves the trigger without a new image or a redeploy."
  patch "ImageStream" "system-mysql" {
    tag "2.11" {
      image        = "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"
      display_name = "System 2.11 MySQL"
    }
  }
}

step "triggers-system-mysql" {
  title   = "Point the ImageChange triggers of system-mysql at system-mysql:2.11"
  kind    = "patch"
  section = "2.2.6"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-mysql" {
    trigger "system-mysql" {
      from   = "system-mysql:2.11"
      expect = "system-mysql:2.10"
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql to follow the 2.11 tag"
  kind    = "wait"
  section = "2.2.6"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

step "image-system-postgresql" {
  title   = "Add the 2.11 tag to system-postgresql (PostgreSQL 10, unchanged)"
  kind    = "patch"
  section = "2.2.6"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = "Inferred: the sheet's image list does not name the system database; the 3scale-2.11.0-GA templates (amp-postgresql.yml) have system-postgresql follow system-postgresql:2.11 with the same image as 2.10 (rhscl/postgresql-10-rhel7)."
  patch "ImageStream" "system-postgresql" {
    tag "2.11" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "System 2.11 PostgreSQL"
    }
  }
}

step "triggers-system-postgresql" {
  title   = "Point the ImageChange triggers of system-postgresql at system-postgresql:2.11"
  kind    = "patch"
  section = "2.2.6"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-postgresql" {
    trigger "system-postgresql" {
      from   = "system-postgresql:2.11"
      expect = "system-postgresql:2.10"
    }
  }
}

step "wait-system-postgresql" {
  title   = "Wait for system-postgresql to follow the 2.11 tag"
  kind    = "wait"
  section = "2.2.6"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

# zync-database restarted on its empty volume (when its image changed):
# zync's routes again (shared/zync-resync.hcl).
use "zync-resync" {
  section = "2.2.6.6"
}

# --------------------------------------------------- 2.2.6.8 confirm the images

use "images-verify" {
  section = "2.2.6.8"
}

step "triggers-verify" {
  title   = "Check that every DeploymentConfig follows a 2.11 tag and system runs BACKEND_ROUTE's new value"
  kind    = "verify"
  section = "2.2.6.8"
  note    = "The guide's end state (2.2.6.8 confirms the image URLs): every ImageChange trigger on STREAM:2.11 (amp-system:2.11-oracle for the system DeploymentConfigs of an Oracle site); the image check above reads the images they resolve. BACKEND_ROUTE (2.2.3) is checked in system-app's containers and pre-hook and in system-sidekiq."
  run     = <<-EOT
    wrong=$(oc get dc -o json | jq -r '[.items[]? | .metadata.name as $dc | .spec.triggers[]? | select(.type == "ImageChange") | .imageChangeParams.from.name | select(test(":2[.]11(-oracle)?$") | not) | "\($dc) follows \(.)"] | join(", ")')
    [ -z "$wrong" ] || fail "not every ImageChange trigger follows a 2.11 tag: $wrong"
    route=$(oc get dc -o json | jq -r '[.items[]? | select(.metadata.name == "system-app" or .metadata.name == "system-sidekiq") | (.spec.template.spec.containers[]?.env[]?, .spec.strategy.rollingParams.pre.execNewPod.env[]?) | select(.name == "BACKEND_ROUTE") | .value // "a reference"] | unique | join(" ")')
    [ -z "$route" ] || [ "$route" = "http://backend-listener:3000/internal/" ] || fail "BACKEND_ROUTE in system-app and system-sidekiq is $route, not http://backend-listener:3000/internal/ only"
    echo "every ImageChange trigger follows a 2.11 tag; BACKEND_ROUTE is http://backend-listener:3000/internal/"
  EOT
}

# ------------------------------------------------------------------ rollbacks

rollback "redis-5" {
  title       = "Put the Redis DeploymentConfigs back on Redis 3.2 (the 2.10 trigger and command) while Redis 5 has not run"
  section     = "2.2.6.7"
  offer_from  = "redis5-backend-redis"
  offer_until = "redis-keys-verify"
  run         = <<-EOT
    # A Redis 5 that ran has saved its data in a format Redis 3.2 cannot
    # read: then the way back is the dump of redis-backup, restored as
    # "Operating 3scale" (backup and restore) describes, not this rollback.
    for redis in %{ if has("DeploymentConfig", "backend-redis") }backend-redis %{ endif }%{ if has("DeploymentConfig", "system-redis") }system-redis %{ endif }; do
      dc=$(oc get dc "$redis" -o json)
      # Every deployment of the DeploymentConfig is a ReplicationController
      # that keeps its pod template: one with the Redis 5 image, complete or
      # failed, may have started Redis 5 on the data.
      ran=$(oc get rc -l "openshift.io/deployment-config.name=$redis" -o json | jq -r '[.items[]? | .metadata.name as $rc | .spec.template.spec.containers[]? | select(.image | test("redis-5")) | $rc] | unique | join(" ")')
      [ -z "$ran" ] || fail "$redis already ran the Redis 5 image ($ran), which saves a file Redis 3.2 cannot read: restore ${local.dir}/$redis-dump.rdb as Operating 3scale (backup and restore) describes instead"
      patch=$(printf "%s" "$dc" | jq -c --arg c "$redis" '
        (.spec.template.spec.containers | map(.name) | index($c)) as $i
        | ([.spec.triggers[] | .type == "ImageChange" and (.imageChangeParams.containerNames | index($c)) != null] | index(true)) as $t
        | if $i == null or $t == null then error("no container or trigger \($c)") else
          [{op: "test", path: "/spec/template/spec/containers/\($i)/name", value: $c},
           {op: "add", path: "/spec/template/spec/containers/\($i)/command", value: ["/opt/rh/rh-redis32/root/usr/bin/redis-server"]},
           {op: "replace", path: "/spec/triggers/\($t)/imageChangeParams/from/name", value: "\($c):2.10"}] end')
      oc patch dc "$redis" --type=json -p "$patch"
      wait_rollout "$redis"
      echo "$redis is back on $redis:2.10 and Redis 3.2's redis-server"
    done
  EOT
}
