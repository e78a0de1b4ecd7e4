# 3scale 2.8 → 2.9, template-based install.
#
# No seed guide covers this hop. Source: the fact sheet
# ../shared/guides/template-2.8-2.9.md, which gives the procedure of
# "Migrating 3scale" 2.9, chapter 2 ("Upgrading 3scale 2.8 to 2.9.1 using
# templates"), from the docs.redhat.com section pages it names
# (removing-base-url-field 2.2.2, updating-version-number 2.2.3,
# _patch_the_apicast_image 2.2.4.2, _patch_the_system_memcached_image
# 2.2.4.5, 2.2.4.7.2 to 2.2.4.7.4: verbatim; the other image sections from
# the practitioner script github.com/sandersonsa/3scale-update
# scripts-upgrade-3scale-28-29/3_migration.sh and the template diff). The
# sheet rates it HIGH for MySQL and PostgreSQL sites, MEDIUM for Oracle.
# Checked here against github.com/3scale/3scale-amp-openshift-templates
# (fetched): amp/amp.yml 2.8.0.GA → 2.9.1.GA drops every latest tag, points
# every ImageChange trigger at STREAM:${AMP_RELEASE}, drops BASE_URL from
# system-master-apicast and sets AMP_RELEASE 2.9; amp/system-oracle at
# 2.9.1.GA builds amp-system:2.9-oracle from the 2.9 system image with the
# Instant Client 19.6 packages and moves the system triggers to it
# (README.md steps 7 to 9, build.yml). The hop's seed names the sheet
# (guides/ under ../shared); a step's section is the guide's section as the
# sheet numbers it. Steps run in the order below. See README.md beside this
# file for the words of the rule language.

hop {
  from          = "2.8"
  to            = "2.9"
  deployment    = "template"
  seed          = "guides/template-2.8-2.9.md"
  title         = "3scale 2.8 to 2.9, template-based (Migrating 3scale 2.9, chapter 2; fact sheet)"
  confidence    = "high for MySQL and PostgreSQL (section pages, a practitioner script, the templates diff); medium for Oracle (inferred: manual steps)"
  openshift_min = "3.11"
  openshift_max = "3.11"
}

locals {
  trigger_note = <<-EOT
    The guide removes the ImageChange trigger on STREAM:latest and adds one
    on STREAM:2.9 for the same containers with two `oc set triggers`
    commands; ampc replaces the trigger's image stream tag in one JSON
    patch, pinned by tests of the trigger's type, its container list (as
    the site holds it) and its old tag, so that the patch applies exactly
    as reviewed or not at all. Each switch redeploys the DeploymentConfig
    when the image changes; the next step waits for it.
  EOT
  untag_note = <<-EOT
    The guide's `oc tag -d STREAM:latest`, after the DeploymentConfigs of
    the stream moved to the 2.9 tag. ampc removes the tag from the
    stream's spec with a JSON patch (a test of its name), so that the
    review, the bundle's model and the next hop see it gone; the runbook
    first checks that no DeploymentConfig of the project still follows
    STREAM:latest and refuses otherwise. An update of a stream's spec keeps
    its status (prepareForUpdate in OpenShift origin's
    pkg/image/apiserver/registry/imagestream/strategy.go): the step
    latest-status removes what is left of the tags with the guide's own
    `oc tag -d`.
  EOT
  untag_precondition = <<-EOT
    users=$(oc get dc -o json | jq -r --arg ref "$stream:latest" '[.items[]? | select([.spec.triggers[]? | select(.type == "ImageChange" and .imageChangeParams.from.name == $ref)] | length > 0) | .metadata.name] | join(" ")')
    [ -z "$users" ] || fail "$stream:latest is still followed by $users: the tag is kept"
  EOT
  dir = "$BACKUP_DIR/2.8-2.9"
}

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.2.1"
}

# ---------------------------------------------------------------- 2.2.1 backup

step "backup" {
  title   = "Back up the 3scale project"
  kind    = "backup"
  section = "2.2.1"
  note    = <<-EOT
    The guide exports with `oc get --export`, which oc 4.x clients no longer
    have and which drops fields a restore needs; ampc keeps the full
    objects (as the 2.7 → 2.8 hop does). The Secret system-master-apicast is
    also saved alone, once, as JSON: the base-url rollback puts BASE_URL
    back from it. An Oracle site has no system database DeploymentConfig to
    save.
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
    save_once "$dir/secret-system-master-apicast.json" get secret system-master-apicast -o json
    for f in "$dir"/*; do
      [ -s "$f" ] || fail "backup file $f is empty"
    done
    echo "backup written to $dir"
  EOT
}

# ---------------------------------------------------------- 2.2.2 BASE_URL

step "base-url" {
  title   = "Remove BASE_URL from the system-master-apicast Secret"
  kind    = "patch"
  section = "2.2.2"
  note    = <<-EOT
    The guide's own JSON patch. No test of the old value: BASE_URL holds
    the APIcast access token (http://TOKEN@system-master:3000), which must
    not reach the bundle. A remove of a missing key fails the patch whole,
    and the runbook skips the patch once the key is gone.
  EOT
  patch "Secret" "system-master-apicast" {
    unset "/data/BASE_URL" {}
  }
}

step "base-url-verify" {
  title   = "Check that system-master-apicast has no BASE_URL and keeps its other keys"
  kind    = "verify"
  section = "2.2.2"
  note    = "The guide prints the Secret's data (`jq .data`), values included; the runbook prints its keys only."
  run     = <<-EOT
    keys=$(oc get secret system-master-apicast -o json | jq -r '.data // {} | keys | join(" ")')
    echo "secret/system-master-apicast keys: $keys"
    case " $keys " in
      *" BASE_URL "*) fail "secret/system-master-apicast still has BASE_URL" ;;
    esac
    case " $keys " in
      *" ACCESS_TOKEN "*) ;;
      *) fail "secret/system-master-apicast has no ACCESS_TOKEN: the APIcast gateways read it" ;;
    esac
  EOT
}

# ------------------------------------------------------------ 2.2.3 AMP_RELEASE

# The guide sets AMP_RELEASE in the ConfigMap; the shared steps of
# shared/amp-release.hcl also restore the reference that the earlier guides'
# `oc set env` replaced. The trigger switch of 2.2.4.1 redeploys system-app.
use "amp-release" {
  section = "2.2.3"
}

# ---------------------------------------------------------------- 2.2.4 images
#
# Per image stream: the 2.9 tag (the guide's `add /spec/tags/-`), the
# ImageChange triggers of its DeploymentConfigs moved from STREAM:latest to
# STREAM:2.9, the wait for their rollouts, and `oc tag -d STREAM:latest`.
# The database and Redis streams only where their DeploymentConfig exists.

step "image-amp-system-oracle" {
  title        = "Oracle: build the 2.9 system image and move the system triggers to it"
  kind         = "manual"
  section      = "2.2.4.1"
  when         = plan.system_database == "oracle"
  note         = <<-EOT
    Inferred (the fact sheet rates the Oracle branch MEDIUM: the 2.9
    section text was not seen). The 2.9.1.GA templates build the Oracle
    system image into amp-system:2.9-oracle and move the system triggers to
    it (amp/system-oracle/README.md steps 7 to 9), and the 2.10 guide
    removes triggers on amp-system:2.9-oracle; a 2.8 site's build wrote
    amp-system:latest. ampc prints the procedure instead of running a build
    it cannot check: the 2.9 build needs the Instant Client 19.6 packages,
    not the 12.2 ones the earlier hops check.
  EOT
  instructions = <<-EOT
    This site runs its system database on Oracle: its system image is built
    on the site. Build the 3scale 2.9 system image with Oracle Database
    support as amp/system-oracle/README.md of
    https://github.com/3scale/3scale-amp-openshift-templates at tag 2.9.1.GA
    describes:

    1. Put the Oracle Instant Client 19.6 packages (basic or basic-lite,
       sdk, odbc) into oracle-client-files/ of that directory.
    2. Make bc/3scale-amp-system-oracle the one of that tag's build.yml
       (output amp-system:2.9-oracle, built from
       registry.redhat.io/3scale-amp2/system-rhel7:3scale2.9), then run
         oc start-build 3scale-amp-system-oracle --from-dir=.
       from that directory and wait until the build is Complete.
    3. Move the ImageChange triggers of system-app
       (system-master,system-developer,system-provider), system-sidekiq
       (system-sidekiq,check-svc) and system-sphinx
       (system-sphinx,system-master-svc) from amp-system:latest to
       amp-system:2.9-oracle (README.md step 9, with latest where it says
       $${THREESCALE_RELEASE}), and wait after each until the
       DeploymentConfig has redeployed, its new pods are ready and the old
       ones terminated.

    Keep amp-system:latest. Continue when the three run the new image.
  EOT
}

# -------------------- 2.2.4.1 amp-system
step "image-amp-system" {
  title   = "Add the 2.9 tag to amp-system"
  kind    = "patch"
  section = "2.2.4.1"
  when    = plan.system_database != "oracle"
  patch "ImageStream" "amp-system" {
    tag "2.9" {
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.9"
      display_name = "AMP system 2.9"
    }
  }
}

step "triggers-amp-system" {
  title   = "Point the ImageChange triggers of system-app, system-sidekiq and system-sphinx at amp-system:2.9"
  kind    = "patch"
  section = "2.2.4.1"
  when    = plan.system_database != "oracle"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-app" {
    trigger "system-master" {
      from   = "amp-system:2.9"
      expect = "amp-system:latest"
    }
  }
  patch "DeploymentConfig" "system-sidekiq" {
    trigger "system-sidekiq" {
      from   = "amp-system:2.9"
      expect = "amp-system:latest"
    }
  }
  patch "DeploymentConfig" "system-sphinx" {
    trigger "system-sphinx" {
      from   = "amp-system:2.9"
      expect = "amp-system:latest"
    }
  }
}

step "wait-amp-system" {
  title   = "Wait for system-app, system-sidekiq and system-sphinx to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.1"
  when    = plan.system_database != "oracle"
  rollout = ["system-app", "system-sidekiq", "system-sphinx"]
}

step "untag-amp-system" {
  title   = "Remove the latest tag of amp-system"
  kind    = "patch"
  section = "2.2.4.1"
  when    = plan.system_database != "oracle"
  note    = "${local.untag_note} The section text of 2.2.4.1 was not seen: the practitioner script leaves amp-system:latest, the other sections and the 2.9.1.GA template (no latest tag in any stream) remove it; ampc removes it, as for every other stream."
  precondition = "stream=\"amp-system\"\n${local.untag_precondition}"
  patch "ImageStream" "amp-system" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.2 amp-apicast
step "image-amp-apicast" {
  title   = "Add the 2.9 tag to amp-apicast"
  kind    = "patch"
  section = "2.2.4.2"
  patch "ImageStream" "amp-apicast" {
    tag "2.9" {
      image        = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.9"
      display_name = "AMP APIcast 2.9"
    }
  }
}

step "triggers-amp-apicast" {
  title   = "Point the ImageChange triggers of apicast-staging and apicast-production at amp-apicast:2.9"
  kind    = "patch"
  section = "2.2.4.2"
  note    = local.trigger_note
  patch "DeploymentConfig" "apicast-staging" {
    trigger "apicast-staging" {
      from   = "amp-apicast:2.9"
      expect = "amp-apicast:latest"
    }
  }
  patch "DeploymentConfig" "apicast-production" {
    trigger "apicast-production" {
      from   = "amp-apicast:2.9"
      expect = "amp-apicast:latest"
    }
  }
}

step "wait-amp-apicast" {
  title   = "Wait for apicast-staging and apicast-production to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.2"
  rollout = ["apicast-staging", "apicast-production"]
}

step "untag-amp-apicast" {
  title   = "Remove the latest tag of amp-apicast"
  kind    = "patch"
  section = "2.2.4.2"
  note    = local.untag_note
  precondition = "stream=\"amp-apicast\"\n${local.untag_precondition}"
  patch "ImageStream" "amp-apicast" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.3 amp-backend
step "image-amp-backend" {
  title   = "Add the 2.9 tag to amp-backend"
  kind    = "patch"
  section = "2.2.4.3"
  patch "ImageStream" "amp-backend" {
    tag "2.9" {
      image        = "registry.redhat.io/3scale-amp2/backend-rhel7:3scale2.9"
      display_name = "AMP Backend 2.9"
    }
  }
}

step "triggers-amp-backend" {
  title   = "Point the ImageChange triggers of backend-listener, backend-worker and backend-cron at amp-backend:2.9"
  kind    = "patch"
  section = "2.2.4.3"
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-listener" {
    trigger "backend-listener" {
      from   = "amp-backend:2.9"
      expect = "amp-backend:latest"
    }
  }
  patch "DeploymentConfig" "backend-worker" {
    trigger "backend-worker" {
      from   = "amp-backend:2.9"
      expect = "amp-backend:latest"
    }
  }
  patch "DeploymentConfig" "backend-cron" {
    trigger "backend-cron" {
      from   = "amp-backend:2.9"
      expect = "amp-backend:latest"
    }
  }
}

step "wait-amp-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.3"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

step "untag-amp-backend" {
  title   = "Remove the latest tag of amp-backend"
  kind    = "patch"
  section = "2.2.4.3"
  note    = "${local.untag_note} The guide removes amp-backend:latest after backend-worker, before it moves backend-cron; ampc moves the three, waits for them, then removes the tag, so that no DeploymentConfig follows a tag that is gone."
  precondition = "stream=\"amp-backend\"\n${local.untag_precondition}"
  patch "ImageStream" "amp-backend" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.4 amp-zync
step "image-amp-zync" {
  title   = "Add the 2.9 tag to amp-zync"
  kind    = "patch"
  section = "2.2.4.4"
  patch "ImageStream" "amp-zync" {
    tag "2.9" {
      image        = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.9"
      display_name = "AMP Zync 2.9"
    }
  }
}

step "triggers-amp-zync" {
  title   = "Point the ImageChange triggers of zync and zync-que at amp-zync:2.9"
  kind    = "patch"
  section = "2.2.4.4"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync" {
    trigger "zync" {
      from   = "amp-zync:2.9"
      expect = "amp-zync:latest"
    }
  }
  patch "DeploymentConfig" "zync-que" {
    trigger "que" {
      from   = "amp-zync:2.9"
      expect = "amp-zync:latest"
    }
  }
}

step "wait-amp-zync" {
  title   = "Wait for zync and zync-que to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.4"
  rollout = ["zync", "zync-que"]
}

step "untag-amp-zync" {
  title   = "Remove the latest tag of amp-zync"
  kind    = "patch"
  section = "2.2.4.4"
  note    = local.untag_note
  precondition = "stream=\"amp-zync\"\n${local.untag_precondition}"
  patch "ImageStream" "amp-zync" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.5 system-memcached
step "image-system-memcached" {
  title   = "Add the 2.9 tag to system-memcached"
  kind    = "patch"
  section = "2.2.4.5"
  patch "ImageStream" "system-memcached" {
    tag "2.9" {
      image        = "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.9"
      display_name = "System 2.9 Memcached"
    }
  }
}

step "triggers-system-memcached" {
  title   = "Point the ImageChange triggers of system-memcache at system-memcached:2.9"
  kind    = "patch"
  section = "2.2.4.5"
  note    = local.trigger_note
  patch "DeploymentConfig" "system-memcache" {
    trigger "memcache" {
      from   = "system-memcached:2.9"
      expect = "system-memcached:latest"
    }
  }
}

step "wait-system-memcached" {
  title   = "Wait for system-memcache to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.5"
  rollout = ["system-memcache"]
}

step "untag-system-memcached" {
  title   = "Remove the latest tag of system-memcached"
  kind    = "patch"
  section = "2.2.4.5"
  note    = local.untag_note
  precondition = "stream=\"system-memcached\"\n${local.untag_precondition}"
  patch "ImageStream" "system-memcached" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.6 zync-database-postgresql
step "image-zync-database-postgresql" {
  title   = "Add the 2.9 tag to zync-database-postgresql"
  kind    = "patch"
  section = "2.2.4.6"
  patch "ImageStream" "zync-database-postgresql" {
    tag "2.9" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "Zync 2.9 PostgreSQL"
    }
  }
}

step "triggers-zync-database-postgresql" {
  title   = "Point the ImageChange triggers of zync-database at zync-database-postgresql:2.9"
  kind    = "patch"
  section = "2.2.4.6"
  note    = local.trigger_note
  patch "DeploymentConfig" "zync-database" {
    trigger "postgresql" {
      from   = "zync-database-postgresql:2.9"
      expect = "zync-database-postgresql:latest"
    }
  }
}

step "wait-zync-database-postgresql" {
  title   = "Wait for zync-database to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.6"
  rollout = ["zync-database"]
}

step "untag-zync-database-postgresql" {
  title   = "Remove the latest tag of zync-database-postgresql"
  kind    = "patch"
  section = "2.2.4.6"
  note    = local.untag_note
  precondition = "stream=\"zync-database-postgresql\"\n${local.untag_precondition}"
  patch "ImageStream" "zync-database-postgresql" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.7.1 backend-redis
step "image-backend-redis" {
  title   = "Add the 2.9 tag to backend-redis"
  kind    = "patch"
  section = "2.2.4.7.1"
  when    = has("DeploymentConfig", "backend-redis")
  note    = "Only when the site runs the backend-redis DeploymentConfig (a site with an external Redis skips it, as the guide says)."
  patch "ImageStream" "backend-redis" {
    tag "2.9" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "Backend 2.9 Redis"
    }
  }
}

step "triggers-backend-redis" {
  title   = "Point the ImageChange triggers of backend-redis at backend-redis:2.9"
  kind    = "patch"
  section = "2.2.4.7.1"
  when    = has("DeploymentConfig", "backend-redis")
  note    = local.trigger_note
  patch "DeploymentConfig" "backend-redis" {
    trigger "backend-redis" {
      from   = "backend-redis:2.9"
      expect = "backend-redis:latest"
    }
  }
}

step "wait-backend-redis" {
  title   = "Wait for backend-redis to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.7.1"
  when    = has("DeploymentConfig", "backend-redis")
  rollout = ["backend-redis"]
}

step "untag-backend-redis" {
  title   = "Remove the latest tag of backend-redis"
  kind    = "patch"
  section = "2.2.4.7.1"
  when    = has("DeploymentConfig", "backend-redis")
  note    = local.untag_note
  precondition = "stream=\"backend-redis\"\n${local.untag_precondition}"
  patch "ImageStream" "backend-redis" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.7.2 system-redis
step "image-system-redis" {
  title   = "Add the 2.9 tag to system-redis"
  kind    = "patch"
  section = "2.2.4.7.2"
  when    = has("DeploymentConfig", "system-redis")
  note    = "Only when the site runs the system-redis DeploymentConfig (a site with an external Redis skips it, as the guide says)."
  patch "ImageStream" "system-redis" {
    tag "2.9" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "System 2.9 Redis"
    }
  }
}

step "triggers-system-redis" {
  title   = "Point the ImageChange triggers of system-redis at system-redis:2.9"
  kind    = "patch"
  section = "2.2.4.7.2"
  when    = has("DeploymentConfig", "system-redis")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-redis" {
    trigger "system-redis" {
      from   = "system-redis:2.9"
      expect = "system-redis:latest"
    }
  }
}

step "wait-system-redis" {
  title   = "Wait for system-redis to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.7.2"
  when    = has("DeploymentConfig", "system-redis")
  rollout = ["system-redis"]
}

step "untag-system-redis" {
  title   = "Remove the latest tag of system-redis"
  kind    = "patch"
  section = "2.2.4.7.2"
  when    = has("DeploymentConfig", "system-redis")
  note    = local.untag_note
  precondition = "stream=\"system-redis\"\n${local.untag_precondition}"
  patch "ImageStream" "system-redis" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.7.3 system-mysql
step "image-system-mysql" {
  title   = "Add the 2.9 tag to system-mysql"
  kind    = "patch"
  section = "2.2.4.7.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "Only when the site runs the system-mysql DeploymentConfig (a site with an external database skips it, as the guide says)."
  patch "ImageStream" "system-mysql" {
    tag "2.9" {
      image        = "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"
      display_name = "System 2.9 MySQL"
    }
  }
}

step "triggers-system-mysql" {
  title   = "Point the ImageChange triggers of system-mysql at system-mysql:2.9"
  kind    = "patch"
  section = "2.2.4.7.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-mysql" {
    trigger "system-mysql" {
      from   = "system-mysql:2.9"
      expect = "system-mysql:latest"
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.7.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

step "untag-system-mysql" {
  title   = "Remove the latest tag of system-mysql"
  kind    = "patch"
  section = "2.2.4.7.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = local.untag_note
  precondition = "stream=\"system-mysql\"\n${local.untag_precondition}"
  patch "ImageStream" "system-mysql" {
    tag "latest" {
      remove = true
    }
  }
}

# -------------------- 2.2.4.7.4 system-postgresql
step "image-system-postgresql" {
  title   = "Add the 2.9 tag to system-postgresql"
  kind    = "patch"
  section = "2.2.4.7.4"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = "Only when the site runs the system-postgresql DeploymentConfig (a site with an external database skips it, as the guide says)."
  patch "ImageStream" "system-postgresql" {
    tag "2.9" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "System 2.9 PostgreSQL"
    }
  }
}

step "triggers-system-postgresql" {
  title   = "Point the ImageChange triggers of system-postgresql at system-postgresql:2.9"
  kind    = "patch"
  section = "2.2.4.7.4"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = local.trigger_note
  patch "DeploymentConfig" "system-postgresql" {
    trigger "system-postgresql" {
      from   = "system-postgresql:2.9"
      expect = "system-postgresql:latest"
    }
  }
}

step "wait-system-postgresql" {
  title   = "Wait for system-postgresql to redeploy on the 2.9 image"
  kind    = "wait"
  section = "2.2.4.7.4"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

step "untag-system-postgresql" {
  title   = "Remove the latest tag of system-postgresql"
  kind    = "patch"
  section = "2.2.4.7.4"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = local.untag_note
  precondition = "stream=\"system-postgresql\"\n${local.untag_precondition}"
  patch "ImageStream" "system-postgresql" {
    tag "latest" {
      remove = true
    }
  }
}

# zync-database restarted on its empty volume (when its image changed):
# zync's routes again (shared/zync-resync.hcl).
use "zync-resync" {
  section = "2.2.4.6"
}

# ------------------------------------------------------ 2.2.4.8 confirm images

use "images-verify" {
  section = "2.2.4.8"
}

step "latest-status" {
  title   = "Remove what is left of the latest tags (oc tag -d)"
  kind    = "shell"
  section = "2.2.4"
  note    = "The guide's `oc tag -d STREAM:latest` deletes the image stream tag, spec and status; the untag patches removed the spec tags, and an update of the spec keeps the status, so that `oc get istag STREAM:latest` may still answer. The runbook deletes each one that does."
  run     = <<-EOT
    for stream in amp-apicast amp-backend amp-zync system-memcached zync-database-postgresql %{ if plan.system_database != "oracle" }amp-system %{ endif }%{ if has("DeploymentConfig", "backend-redis") }backend-redis %{ endif }%{ if has("DeploymentConfig", "system-redis") }system-redis %{ endif }%{ if plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql") }system-mysql %{ endif }%{ if plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql") }system-postgresql %{ endif }; do
      if exists imagestreamtag "$stream:latest"; then
        oc tag -d "$stream:latest"
      fi
    done
  EOT
}

step "triggers-verify" {
  title   = "Check that every DeploymentConfig follows a 2.9 tag and no stream keeps latest"
  kind    = "verify"
  section = "2.2.4.8"
  note    = "The sheet's verification: no latest tags on the patched streams, which the guide's `oc tag -d` leaves; the triggers are the 2.9 template's. On an Oracle site amp-system keeps latest and the system DeploymentConfigs follow amp-system:2.9-oracle."
  run     = <<-EOT
    wrong=$(oc get dc -o json | jq -r '[.items[]? | .metadata.name as $dc | .spec.triggers[]? | select(.type == "ImageChange") | .imageChangeParams.from.name | select(test(":2[.]9(-oracle)?$") | not) | "\($dc) follows \(.)"] | join(", ")')
    [ -z "$wrong" ] || fail "not every ImageChange trigger follows a 2.9 tag: $wrong"
    kept=$(oc get imagestream -o json | jq -r '[.items[]? | select(.metadata.name as $n | ["amp-apicast", "amp-backend", "amp-zync", "system-memcached", "zync-database-postgresql", "backend-redis", "system-redis", "system-mysql", "system-postgresql"%{ if plan.system_database != "oracle" }, "amp-system"%{ endif }] | index($n)) | select([.spec.tags[]?.name] | index("latest")) | .metadata.name] | join(" ")')
    [ -z "$kept" ] || fail "these image streams still have a latest tag: $kept"
    echo "every ImageChange trigger follows a 2.9 tag; no stream keeps latest"
  EOT
}

# ------------------------------------------------------------- after the upgrade

step "oas3-developer-portal" {
  title        = "If the Developer Portal used OpenAPI 3.0 with 2.8, update it"
  kind         = "manual"
  section      = "preface"
  note         = "From the preface of Migrating 3scale 2.9 as the fact sheet reports it (docs.redhat.com .../2.9/html/migrating_3scale/pr01); the sheet gives no commands, and ampc cannot check the portal's templates."
  instructions = <<-EOT
    If this site's Developer Portal shows OpenAPI Specification (OAS) 3.0
    documents with 3scale 2.8, update the Developer Portal as the preface of
    "Migrating 3scale" for 3scale 2.9 says (docs.redhat.com, Red Hat 3scale
    API Management 2.9, Migrating 3scale, preface) before you rely on it.
    Otherwise there is nothing to do. Continue when done.
  EOT
}

# ------------------------------------------------------------------ rollbacks

rollback "base-url" {
  title      = "Put BASE_URL back into the system-master-apicast Secret"
  section    = "2.2.2"
  offer_from = "base-url"
  run        = <<-EOT
    saved="${local.dir}/secret-system-master-apicast.json"
    [ -s "$saved" ] || fail "$saved is missing: the rollback takes BASE_URL from the copy step 2.8-2.9/backup saved"
    jq -e '.data.BASE_URL // empty' "$saved" >/dev/null || fail "$saved holds no BASE_URL"
    # The value goes from the saved copy to oc replace on stdin: never on a
    # command line, never printed.
    oc get secret system-master-apicast -o json \
      | jq --slurpfile saved "$saved" '.data.BASE_URL = $saved[0].data.BASE_URL' \
      | oc replace -f -
    echo "secret/system-master-apicast has BASE_URL again"
  EOT
}
