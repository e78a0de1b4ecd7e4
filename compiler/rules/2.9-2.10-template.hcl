# 3scale 2.9 → 2.10, template-based install.
#
# No seed guide covers this hop. Source: the fact sheet
# ../shared/guides/template-2.9-2.10.md, which gives the procedure of
# "Migrating 3scale" 2.10, chapter 2 ("Upgrading 3scale 2.9 to 2.10 using
# templates"), from the docs.redhat.com section pages it names
# (upgrading-template-installation 2.2 and 2.2.1, upgrading-images 2.2.3
# with its Oracle branch 2.2.3.1.1: verbatim excerpts) and the practitioner
# script github.com/sandersonsa/3scale-update
# scripts-upgrade-3scale-29-210/3_migration.sh. The sheet rates it HIGH for
# MySQL and PostgreSQL sites, MEDIUM for Oracle. Checked here against
# github.com/3scale/3scale-amp-openshift-templates (fetched): amp/amp.yml
# 2.9.1.GA → 3scale-2.10.0-GA changes the images and AMP_RELEASE only;
# amp/system-oracle at 3scale-2.10.0-GA builds amp-system:2.10-oracle
# (build.yml) with the Instant Client 19.6 packages (README.md). The
# section numbers are the sheet's: 2.2.3 for the images but the system
# image's branches, 2.2.3.1.1 (Oracle) and 2.2.3.1.2. Unlike 2.8 → 2.9, the
# guide removes no tag. Steps run in the order below. See README.md beside
# this file for the words of the rule language.

hop {
  from          = "2.9"
  to            = "2.10"
  deployment    = "template"
  seed          = "guides/template-2.9-2.10.md"
  title         = "3scale 2.9 to 2.10, template-based (Migrating 3scale 2.10, chapter 2; fact sheet)"
  confidence    = "high for MySQL and PostgreSQL (section pages, a practitioner script, the templates diff); medium for Oracle (19c only, manual steps)"
  openshift_min = "3.11"
  openshift_max = "3.11"
}

locals {
  trigger_note = <<-EOT
    The guide removes the ImageChange trigger on STREAM:2.9 and adds one on
    STREAM:2.10 for the same containers with two `oc set triggers`
    commands; ampc replaces the trigger's image stream tag in one JSON
    patch, pinned by tests of the trigger's type, its container list (as
    the site holds it) and its old tag. Each switch redeploys the
    DeploymentConfig when the image changes; the next step waits for it.
  EOT
}

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.2"
}

step "oracle-19c" {
  title        = "Oracle: confirm that the system database runs Oracle Database 19c"
  kind         = "manual"
  section      = "2.2"
  when         = plan.system_database == "oracle"
  note         = "The prerequisite of the 2.10 guide and of Installing 3scale 2.10 (\"As of 3scale 2.10, Oracle Database 12c is no longer supported\"), as the fact sheet gives it. The database is outside the project: the runbook cannot read its version, so a person confirms it before anything changes."
  instructions = <<-EOT
    3scale 2.10 supports Oracle Database 19c only; Oracle Database 12c is no
    longer supported. Check the version of the Oracle Database that
    secret/system-database points system at (ask its administrator). If it
    is 12c, stop here: move the database to 19c first (3scale 2.9 runs on
    both), then run this bundle again. Continue when it is 19c.
  EOT
}

# ---------------------------------------------------------------- 2.2.1 backup

step "backup" {
  title   = "Back up the 3scale project"
  kind    = "backup"
  section = "2.2.1"
  note    = <<-EOT
    The same backup as 2.8 → 2.9 (the sheet: identical to its 2.2.1). The
    guide exports with `oc get --export`, which oc 4.x clients no longer
    have and which drops fields a restore needs; ampc keeps the full
    objects. An Oracle site has no system database DeploymentConfig to save.
  EOT
  run = <<-EOT
    dir="$BACKUP_DIR/2.9-2.10"
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

# ------------------------------------------------------------ 2.2.2 AMP_RELEASE

# The shared steps of shared/amp-release.hcl; the trigger switch of 2.2.3.1
# redeploys system-app.
use "amp-release" {
  section = "2.2.2"
}

# ---------------------------------------------------------------- 2.2.3 images

step "image-amp-system-oracle" {
  title        = "Oracle: build the 2.10 system image and move the system triggers to it"
  kind         = "manual"
  section      = "2.2.3.1.1"
  when         = plan.system_database == "oracle"
  note         = <<-EOT
    The trigger commands are the guide's (2.2.3.1.1, verbatim in the sheet);
    the build ("3scale 2.9 to 2.10 with Oracle 19c") was seen only as a
    reference, so ampc prints the procedure of the 3scale-2.10.0-GA
    templates' amp/system-oracle/README.md instead of running a build it
    cannot check (Instant Client 19.6, not the 12.2 packages the earlier
    hops check). Inferred: MEDIUM in the sheet.
  EOT
  instructions = <<-EOT
    This site runs its system database on Oracle: its system image is built
    on the site. Build the 3scale 2.10 system image with Oracle Database 19c
    support as amp/system-oracle/README.md of
    https://github.com/3scale/3scale-amp-openshift-templates at tag
    3scale-2.10.0-GA describes (the Instant Client 19.6 packages in
    oracle-client-files/; bc/3scale-amp-system-oracle as that tag's
    build.yml, output amp-system:2.10-oracle;
    oc start-build 3scale-amp-system-oracle --from-dir=. ; wait until the
    build is Complete). Then, as the guide's 2.2.3.1.1 says:

      oc set triggers dc/system-app --from-image=amp-system:2.9-oracle --containers=system-master,system-developer,system-provider --remove
      oc set triggers dc/system-app --from-image=amp-system:2.10-oracle --containers=system-master,system-developer,system-provider

    and the same for system-sidekiq (system-sidekiq,check-svc) and
    system-sphinx (system-sphinx,system-master-svc), waiting after each
    until the DeploymentConfig has redeployed, its new pods are ready and
    the old ones terminated. Continue when the three run the new image.
  EOT
}

# -------------------- 2.2.3.1.2 amp-system
step "image-amp-system" {
  title   = "Add the 2.10 tag to amp-system"
  kind    = "patch"
  section = "2.2.3.1.2"
  when    = plan.system_database != "oracle"
  patch "ImageStream" "amp-system" {
    tag "2.10" {
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.10"
      display_name = "AMP system 2.10"
    }
  }
}

step "triggers-amp-system" {
  title   = "Point the ImageChange triggers of system-app, system-sidekiq and system-sphinx at amp-system:2.10"
  kind    = "patch"
  section = "2.2.3.1.2"
  when    = plan.system_database != "oracle"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-app" {
    trigger "system-master" {
      from   = "amp-system:2.10"
      expect = "amp-system:2.9"
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    trigger "system-sidekiq" {
      from   = "amp-system:2.10"
      expect = "amp-system:2.9"
    }
  }
  patch "DeploymentConfig" "system-sphinx" {
    trigger "system-sphinx" {
      from   = "amp-system:2.10"
      expect = "amp-system:2.9"
    }
  }
}

step "wait-amp-system" {
  title   = "Wait for system-app, system-sidekiq and system-sphinx to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3.1.2"
  when    = plan.system_database != "oracle"
  rollout = ["system-app", "system-sidekiq", "system-sphinx"]
}

# -------------------- 2.2.3 amp-apicast
step "image-amp-apicast" {
  title   = "Add the 2.10 tag to amp-apicast"
  kind    = "patch"
  section = "2.2.3"
  patch "ImageStream" "amp-apicast" {
    tag "2.10" {
      image        = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.10"
      display_name = "AMP APIcast 2.10"
    }
  }
}

step "triggers-amp-apicast" {
  title   = "Point the ImageChange triggers of apicast-staging and apicast-production at amp-apicast:2.10"
  kind    = "patch"
  section = "2.2.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "apicast-staging" {
    trigger "apicast-staging" {
      from   = "amp-apicast:2.10"
      expect = "amp-apicast:2.9"
    }
  }
  patch "DeploymentConfig" "apicast-production" {
    trigger "apicast-production" {
      from   = "amp-apicast:2.10"
      expect = "amp-apicast:2.9"
    }
  }
}

step "wait-amp-apicast" {
  title   = "Wait for apicast-staging and apicast-production to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  rollout = ["apicast-staging", "apicast-production"]
}

# -------------------- 2.2.3 amp-backend
step "image-amp-backend" {
  title   = "Add the 2.10 tag to amp-backend"
  kind    = "patch"
  section = "2.2.3"
  patch "ImageStream" "amp-backend" {
    tag "2.10" {
      image        = "registry.redhat.io/3scale-amp2/backend-rhel7:3scale2.10"
      display_name = "AMP Backend 2.10"
    }
  }
}

step "triggers-amp-backend" {
  title   = "Point the ImageChange triggers of backend-listener, backend-worker and backend-cron at amp-backend:2.10"
  kind    = "patch"
  section = "2.2.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-listener" {
    trigger "backend-listener" {
      from   = "amp-backend:2.10"
      expect = "amp-backend:2.9"
    }
  }
  patch "DeploymentConfig" "backend-worker" {
    trigger "backend-worker" {
      from   = "amp-backend:2.10"
      expect = "amp-backend:2.9"
    }
  }
  patch "DeploymentConfig" "backend-cron" {
    trigger "backend-cron" {
      from   = "amp-backend:2.10"
      expect = "amp-backend:2.9"
    }
  }
}

step "wait-amp-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

# -------------------- 2.2.3 amp-zync
step "image-amp-zync" {
  title   = "Add the 2.10 tag to amp-zync"
  kind    = "patch"
  section = "2.2.3"
  patch "ImageStream" "amp-zync" {
    tag "2.10" {
      image        = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.10"
      display_name = "AMP Zync 2.10"
    }
  }
}

step "triggers-amp-zync" {
  title   = "Point the ImageChange triggers of zync and zync-que at amp-zync:2.10"
  kind    = "patch"
  section = "2.2.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync" {
    trigger "zync" {
      from   = "amp-zync:2.10"
      expect = "amp-zync:2.9"
    }
  }
  patch "DeploymentConfig" "zync-que" {
    trigger "que" {
      from   = "amp-zync:2.10"
      expect = "amp-zync:2.9"
    }
  }
}

step "wait-amp-zync" {
  title   = "Wait for zync and zync-que to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  rollout = ["zync", "zync-que"]
}

# -------------------- 2.2.3 system-memcached
step "image-system-memcached" {
  title   = "Add the 2.10 tag to system-memcached"
  kind    = "patch"
  section = "2.2.3"
  patch "ImageStream" "system-memcached" {
    tag "2.10" {
      image        = "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.10"
      display_name = "System 2.10 Memcached"
    }
  }
}

step "triggers-system-memcached" {
  title   = "Point the ImageChange triggers of system-memcache at system-memcached:2.10"
  kind    = "patch"
  section = "2.2.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-memcache" {
    trigger "memcache" {
      from   = "system-memcached:2.10"
      expect = "system-memcached:2.9"
    }
  }
}

step "wait-system-memcached" {
  title   = "Wait for system-memcache to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  rollout = ["system-memcache"]
}

# -------------------- 2.2.3 zync-database-postgresql
step "image-zync-database-postgresql" {
  title   = "Add the 2.10 tag to zync-database-postgresql"
  kind    = "patch"
  section = "2.2.3"
  patch "ImageStream" "zync-database-postgresql" {
    tag "2.10" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "Zync 2.10 PostgreSQL"
    }
  }
}

step "triggers-zync-database-postgresql" {
  title   = "Point the ImageChange triggers of zync-database at zync-database-postgresql:2.10"
  kind    = "patch"
  section = "2.2.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync-database" {
    trigger "postgresql" {
      from   = "zync-database-postgresql:2.10"
      expect = "zync-database-postgresql:2.9"
    }
  }
}

step "wait-zync-database-postgresql" {
  title   = "Wait for zync-database to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  rollout = ["zync-database"]
}

# -------------------- 2.2.3 backend-redis
step "image-backend-redis" {
  title   = "Add the 2.10 tag to backend-redis"
  kind    = "patch"
  section = "2.2.3"
  when    = has("DeploymentConfig", "backend-redis")
  note    = "Only when the site runs the backend-redis DeploymentConfig (a site with an external Redis skips it, as the guide says)."
  patch "ImageStream" "backend-redis" {
    tag "2.10" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "Backend 2.10 Redis"
    }
  }
}

step "triggers-backend-redis" {
  title   = "Point the ImageChange triggers of backend-redis at backend-redis:2.10"
  kind    = "patch"
  section = "2.2.3"
  when    = has("DeploymentConfig", "backend-redis")
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-redis" {
    trigger "backend-redis" {
      from   = "backend-redis:2.10"
      expect = "backend-redis:2.9"
    }
  }
}

step "wait-backend-redis" {
  title   = "Wait for backend-redis to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  when    = has("DeploymentConfig", "backend-redis")
  rollout = ["backend-redis"]
}

# -------------------- 2.2.3 system-redis
step "image-system-redis" {
  title   = "Add the 2.10 tag to system-redis"
  kind    = "patch"
  section = "2.2.3"
  when    = has("DeploymentConfig", "system-redis")
  note    = "Only when the site runs the system-redis DeploymentConfig (a site with an external Redis skips it, as the guide says)."
  patch "ImageStream" "system-redis" {
    tag "2.10" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "System 2.10 Redis"
    }
  }
}

step "triggers-system-redis" {
  title   = "Point the ImageChange triggers of system-redis at system-redis:2.10"
  kind    = "patch"
  section = "2.2.3"
  when    = has("DeploymentConfig", "system-redis")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-redis" {
    trigger "system-redis" {
      from   = "system-redis:2.10"
      expect = "system-redis:2.9"
    }
  }
}

step "wait-system-redis" {
  title   = "Wait for system-redis to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  when    = has("DeploymentConfig", "system-redis")
  rollout = ["system-redis"]
}

# -------------------- 2.2.3 system-mysql
step "image-system-mysql" {
  title   = "Add the 2.10 tag to system-mysql"
  kind    = "patch"
  section = "2.2.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "Only when the site runs the system-mysql DeploymentConfig (a site with an external database skips it, as the guide says)."
  patch "ImageStream" "system-mysql" {
    tag "2.10" {
      image        = "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"
      display_name = "System 2.10 MySQL"
    }
  }
}

step "triggers-system-mysql" {
  title   = "Point the ImageChange triggers of system-mysql at system-mysql:2.10"
  kind    = "patch"
  section = "2.2.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-mysql" {
    trigger "system-mysql" {
      from   = "system-mysql:2.10"
      expect = "system-mysql:2.9"
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

# -------------------- 2.2.3 system-postgresql
step "image-system-postgresql" {
  title   = "Add the 2.10 tag to system-postgresql"
  kind    = "patch"
  section = "2.2.3"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = "Only when the site runs the system-postgresql DeploymentConfig (a site with an external database skips it, as the guide says)."
  patch "ImageStream" "system-postgresql" {
    tag "2.10" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "System 2.10 PostgreSQL"
    }
  }
}

step "triggers-system-postgresql" {
  title   = "Point the ImageChange triggers of system-postgresql at system-postgresql:2.10"
  kind    = "patch"
  section = "2.2.3"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-postgresql" {
    trigger "system-postgresql" {
      from   = "system-postgresql:2.10"
      expect = "system-postgresql:2.9"
    }
  }
}

step "wait-system-postgresql" {
  title   = "Wait for system-postgresql to redeploy on the 2.10 image"
  kind    = "wait"
  section = "2.2.3"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

# zync-database restarted on its empty volume (when its image changed):
# zync's routes again (shared/zync-resync.hcl).
use "zync-resync" {
  section = "2.2.3"
}

# --------------------------------------------------------- confirm the images

use "images-verify" {
  section = "2.2.3"
}

step "triggers-verify" {
  title   = "Check that every DeploymentConfig follows a 2.10 tag"
  kind    = "verify"
  section = "2.2.3"
  note    = "The guide's end state: every ImageChange trigger on STREAM:2.10 (amp-system:2.10-oracle for the system DeploymentConfigs of an Oracle site); the image check above reads the images they resolve."
  run     = <<-EOT
    wrong=$(oc get dc -o json | jq -r '[.items[]? | .metadata.name as $dc | .spec.triggers[]? | select(.type == "ImageChange") | .imageChangeParams.from.name | select(test(":2[.]10(-oracle)?$") | not) | "\($dc) follows \(.)"] | join(", ")')
    [ -z "$wrong" ] || fail "not every ImageChange trigger follows a 2.10 tag: $wrong"
    echo "every ImageChange trigger follows a 2.10 tag"
  EOT
}
