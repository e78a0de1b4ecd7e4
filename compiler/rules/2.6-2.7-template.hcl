# 3scale 2.6 → 2.7, template-based install.
#
# Source: ../shared/seeds/003_ab3f23ba231bbe68.txt, section 2.3 ("升级 3scale
# 镜像", upgrade the 3scale images), procedure 2.3.1. Steps run in the order
# below. See README.md beside this file for the words of the rule language.

hop {
  from       = "2.6"
  to         = "2.7"
  deployment = "template"
  seed       = "003_ab3f23ba231bbe68.txt"
  title      = "3scale 2.6 to 2.7, template-based (section 2.3)"
}

locals {
  latest_note = <<-EOT
    The guide appends a second tag named latest with `add /spec/tags/-`, which
    leaves two latest entries in spec.tags, a duplicate key; ampc replaces the
    existing latest tag where it stands, pinned by a test of its name.
  EOT
}

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.3.1"
}

step "image-amp-system" {
  title   = "Point amp-system at the 2.7 system image"
  kind    = "patch"
  section = "2.3.1"
  when    = plan.system_database != "oracle"
  note    = local.latest_note
  patch "ImageStream" "amp-system" {
    tag "2.7" {
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7"
      display_name = "AMP system 2.7"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "AMP system (latest)"
    }
  }
}

step "image-amp-system-oracle" {
  title        = "Build the 2.7 system image with Oracle Database support"
  kind         = "manual"
  section      = "2.3.1"
  when         = plan.system_database == "oracle"
  instructions = <<-EOT
    This site runs its system database on Oracle, so amp-system is not
    pointed at the stock image. Build the 2.7 system image with Oracle
    Database support as the 3scale 2.7 installation guide's "Setting up your
    3scale system image with an Oracle Database" describes, doing its steps
    1, 2, 4, 8 and 9 only. The build updates amp-system:latest, which
    redeploys system-app, system-sphinx and system-sidekiq. Continue when the
    build has finished.
  EOT
}

step "wait-system" {
  title   = "Wait for system-app, system-sphinx and system-sidekiq to redeploy"
  kind    = "wait"
  section = "2.3.1"
  rollout = ["system-app", "system-sphinx", "system-sidekiq"]
}

step "image-amp-apicast" {
  title   = "Point amp-apicast at the 2.7 APIcast image"
  kind    = "patch"
  section = "2.3.1"
  note    = local.latest_note
  patch "ImageStream" "amp-apicast" {
    tag "2.7" {
      image        = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel7:3scale2.7"
      display_name = "AMP APIcast 2.7"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "AMP APIcast (latest)"
    }
  }
}

step "wait-apicast" {
  title   = "Wait for apicast-production and apicast-staging to redeploy"
  kind    = "wait"
  section = "2.3.1"
  rollout = ["apicast-production", "apicast-staging"]
}

step "image-amp-backend" {
  title   = "Point amp-backend at the 2.7 backend image"
  kind    = "patch"
  section = "2.3.1"
  note    = local.latest_note
  patch "ImageStream" "amp-backend" {
    tag "2.7" {
      image        = "registry.redhat.io/3scale-amp2/backend-rhel7:3scale2.7"
      display_name = "AMP Backend 2.7"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "AMP Backend (latest)"
    }
  }
}

step "wait-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy"
  kind    = "wait"
  section = "2.3.1"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

step "image-amp-zync" {
  title   = "Point amp-zync at the 2.7 zync image"
  kind    = "patch"
  section = "2.3.1"
  note    = local.latest_note
  patch "ImageStream" "amp-zync" {
    tag "2.7" {
      image        = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.7"
      display_name = "AMP Zync 2.7"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "AMP Zync (latest)"
    }
  }
}

step "wait-zync" {
  title   = "Wait for zync and zync-que to redeploy"
  kind    = "wait"
  section = "2.3.1"
  rollout = ["zync", "zync-que"]
}

step "image-system-memcached" {
  title   = "Point system-memcached at the 2.7 memcached image"
  kind    = "patch"
  section = "2.3.1"
  note    = local.latest_note
  patch "ImageStream" "system-memcached" {
    tag "2.7" {
      image        = "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.7"
      display_name = "System 2.7 Memcached"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "System Memcached (latest)"
    }
  }
}

step "wait-memcache" {
  title   = "Wait for system-memcache to redeploy"
  kind    = "wait"
  section = "2.3.1"
  rollout = ["system-memcache"]
}

step "image-zync-database-postgresql" {
  title   = "Add the 2.7 tag to zync-database-postgresql"
  kind    = "patch"
  section = "2.3.1"
  note    = local.latest_note
  patch "ImageStream" "zync-database-postgresql" {
    tag "2.7" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "Zync 2.7 PostgreSQL"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "Zync PostgreSQL (latest)"
    }
  }
}

step "wait-zync-database" {
  title   = "Wait for zync-database, which redeploys if the image changed"
  kind    = "wait"
  section = "2.3.1"
  rollout = ["zync-database"]
}

# zync-database restarted on its empty volume: zync's routes again
# (shared/zync-resync.hcl).
use "zync-resync" {
  section = "2.3.1"
}

# The guide sends sites that run these DeploymentConfigs to per-object
# instructions ("如果 3scale 2.6 安装中存在一个或多个 DeploymentConfig"); the
# images are those of the 2.7 templates.

step "image-backend-redis" {
  title   = "Add the 2.7 tag to backend-redis"
  kind    = "patch"
  section = "2.3.1"
  when    = has("DeploymentConfig", "backend-redis")
  note    = "Only when the site runs the backend-redis DeploymentConfig; the image is the 2.7 template's. ${local.latest_note}"
  patch "ImageStream" "backend-redis" {
    tag "2.7" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "Backend 2.7 Redis"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "Backend Redis (latest)"
    }
  }
}

step "wait-backend-redis" {
  title   = "Wait for backend-redis, which redeploys if the image changed"
  kind    = "wait"
  section = "2.3.1"
  when    = has("DeploymentConfig", "backend-redis")
  rollout = ["backend-redis"]
}

step "image-system-redis" {
  title   = "Add the 2.7 tag to system-redis"
  kind    = "patch"
  section = "2.3.1"
  when    = has("DeploymentConfig", "system-redis")
  note    = "Only when the site runs the system-redis DeploymentConfig; the image is the 2.7 template's. ${local.latest_note}"
  patch "ImageStream" "system-redis" {
    tag "2.7" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "System 2.7 Redis"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "System Redis (latest)"
    }
  }
}

step "wait-system-redis" {
  title   = "Wait for system-redis, which redeploys if the image changed"
  kind    = "wait"
  section = "2.3.1"
  when    = has("DeploymentConfig", "system-redis")
  rollout = ["system-redis"]
}

step "image-system-mysql" {
  title   = "Add the 2.7 tag to system-mysql"
  kind    = "patch"
  section = "2.3.1"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "Only when the system database is MySQL on the system-mysql DeploymentConfig; the image is the 2.7 template's. ${local.latest_note}"
  patch "ImageStream" "system-mysql" {
    tag "2.7" {
      image        = "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"
      display_name = "System 2.7 MySQL"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "System MySQL (latest)"
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql, which redeploys if the image changed"
  kind    = "wait"
  section = "2.3.1"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

step "image-system-postgresql" {
  title   = "Add the 2.7 tag to system-postgresql"
  kind    = "patch"
  section = "2.3.1"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = "Only when the system database is PostgreSQL on the system-postgresql DeploymentConfig; the image is the 2.7 template's. ${local.latest_note}"
  patch "ImageStream" "system-postgresql" {
    tag "2.7" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "System 2.7 PostgreSQL"
    }
    tag "latest" {
      tag          = "2.7"
      display_name = "System PostgreSQL (latest)"
    }
  }
}

step "wait-system-postgresql" {
  title   = "Wait for system-postgresql, which redeploys if the image changed"
  kind    = "wait"
  section = "2.3.1"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

# The guide's `oc set env dc/system-app AMP_RELEASE=2.7` becomes the shared
# steps of shared/amp-release.hcl, and its side effect a redeploy of
# system-app.
use "amp-release" {
  section = "2.3.1"
}

use "redeploy-system-app" {
  section = "2.3.1"
}

use "images-verify" {
  section = "2.3.1"
}
