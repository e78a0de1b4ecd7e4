# 3scale 2.7 → 2.8, template-based install.
#
# Source: ../shared/seeds/000_fb66213bb7713c41.txt, chapter 1 ("3scale 템플릿 기반
# 업그레이드 가이드: 2.7에서 2.8까지"), sections 1.2.1 to 1.2.10. Steps run in the
# order below; each names the section it comes from. See README.md beside this
# file for the words of the rule language.

hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "000_fb66213bb7713c41.txt"
  title      = "3scale 2.7 to 2.8, template-based (chapter 1)"
}

locals {
  latest_note = <<-EOT
    The guide appends a second tag named latest with `add /spec/tags/-`, which
    leaves two latest entries in spec.tags, a duplicate key; ampc replaces the
    existing latest tag where it stands, pinned by a test of its name.
  EOT
}

# ---------------------------------------------------------------- 1.2.1 backup

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "1.2.9"
}

step "backup" {
  title   = "Back up the 3scale project"
  kind    = "backup"
  section = "1.2.1"
  note    = <<-EOT
    The guide exports with `oc get --export`, which oc 4.x clients no longer
    have and which drops fields a restore needs; ampc keeps the full objects.
    The guide's one-line for loops lack their `;` separators; the runbook has
    them. An Oracle site has no system database DeploymentConfig to save.
  EOT
  run = <<-EOT
    dir="$BACKUP_DIR/2.7-2.8"
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

# ------------------------------------------- 1.2.2 smtp ConfigMap → system-smtp

step "smtp-secret" {
  title    = "Create the system-smtp Secret from the smtp ConfigMap"
  kind     = "shell"
  section  = "1.2.2"
  requires = ["ConfigMap/smtp", "DeploymentConfig/backend-listener"]
  note     = <<-EOT
    The SMTP settings are known only on the cluster, so the Secret is built at
    run time from the ConfigMap, as the guide does, with jq instead of a shell
    here-document so that no value passes through the shell. A Secret that
    already exists is left alone.
  EOT
  done_if = "exists secret system-smtp"
  run     = <<-EOT
    app_label=$(oc get dc backend-listener -o json | jq -r '.spec.template.metadata.labels.app // empty')
    [ -n "$app_label" ] || fail "dc/backend-listener has no app label in its pod template"
    oc get configmap smtp -o json \
      | jq --arg app "$app_label" '{apiVersion: "v1", kind: "Secret", metadata: {name: "system-smtp", labels: {app: $app, threescale_component: "system", threescale_component_element: "smtp"}}, stringData: (.data // {})}' \
      | oc create -f -
  EOT
}

step "smtp-secret-verify" {
  title   = "Check that system-smtp holds the smtp ConfigMap's keys and values"
  kind    = "verify"
  section = "1.2.2"
  note    = "Compares the two objects without printing any value."
  run     = <<-EOT
    from_cm=$(oc get configmap smtp -o json | jq -S '.data // {}')
    from_secret=$(oc get secret system-smtp -o json | jq -S '.data // {} | map_values(@base64d)')
    [ "$from_cm" = "$from_secret" ] || fail "secret/system-smtp does not hold the same keys and values as configmap/smtp"
  EOT
}

# ------------------------------------------------------ 1.2.3 pre-hook command

step "prehook-command" {
  title   = "Update the system-app pre-hook pod command"
  kind    = "patch"
  section = "1.2.3"
  note    = <<-EOT
    The 2.7 command embeds MASTER_ACCESS_TOKEN in clear text; the patch
    replaces it without a test of the old value so that the token is copied
    nowhere. The pre-hook env gets MASTER_ACCESS_TOKEN from system-seed in 1.2.4.
  EOT
  patch "DeploymentConfig" "system-app" {
    set "/spec/strategy/rollingParams/pre/execNewPod/command" {
      value = ["bash", "-c", "bundle exec rake boot openshift:deploy"]
    }
  }
}

# ---------------------------------------------------------- 1.2.4 pre-hook env

step "prehook-env" {
  title   = "Point the system-app pre-hook SMTP env at system-smtp and add MASTER_ACCESS_TOKEN"
  kind    = "patch"
  section = "1.2.4"
  note    = <<-EOT
    The guide deletes the SMTP_* entries and appends new ones with jq and
    `oc apply`; ampc replaces each entry where it stands (pinned by a test of
    its name) and appends only MASTER_ACCESS_TOKEN, which gives the same env
    without reordering it.
  EOT
  patch "DeploymentConfig" "system-app" {
    env {
      hook = "pre"
      var "SMTP_ADDRESS" {
        secret = "system-smtp"
        key    = "address"
      }
      var "SMTP_USER_NAME" {
        secret = "system-smtp"
        key    = "username"
      }
      var "SMTP_PASSWORD" {
        secret = "system-smtp"
        key    = "password"
      }
      var "SMTP_DOMAIN" {
        secret = "system-smtp"
        key    = "domain"
      }
      var "SMTP_PORT" {
        secret = "system-smtp"
        key    = "port"
      }
      var "SMTP_AUTHENTICATION" {
        secret = "system-smtp"
        key    = "authentication"
      }
      var "SMTP_OPENSSL_VERIFY_MODE" {
        secret = "system-smtp"
        key    = "openssl.verify.mode"
      }
      var "MASTER_ACCESS_TOKEN" {
        secret = "system-seed"
        key    = "MASTER_ACCESS_TOKEN"
      }
    }
  }
}

step "prehook-verify" {
  title   = "Check the pre-hook command and env"
  kind    = "verify"
  section = "1.2.4"
  run     = <<-EOT
    holds dc/system-app '.spec.strategy.rollingParams.pre.execNewPod.command == ["bash", "-c", "bundle exec rake boot openshift:deploy"]' \
      || fail "the system-app pre-hook command is not the 2.8 one"
    holds dc/system-app '.spec.strategy.rollingParams.pre.execNewPod.env | map(select(.name == "MASTER_ACCESS_TOKEN")) == [{"name": "MASTER_ACCESS_TOKEN", "valueFrom": {"secretKeyRef": {"key": "MASTER_ACCESS_TOKEN", "name": "system-seed"}}}]' \
      || fail "the system-app pre-hook MASTER_ACCESS_TOKEN does not read secret system-seed"
    holds dc/system-app '.spec.strategy.rollingParams.pre.execNewPod.env | map(select(.name | startswith("SMTP_"))) | length == 7 and all(.valueFrom.secretKeyRef.name == "system-smtp")' \
      || fail "not every SMTP_* env var of the system-app pre-hook reads secret system-smtp"
  EOT
}

# ------------------------------------------------- 1.2.5 system-app containers

step "system-app-env" {
  title   = "Point the SMTP env of the system-app containers at system-smtp"
  kind    = "patch"
  section = "1.2.5"
  note    = "The guide's strategic-merge patch becomes JSON patch operations, each pinned by a test of the container and env var names."
  patch "DeploymentConfig" "system-app" {
    env {
      containers = ["system-master", "system-provider", "system-developer"]
      var "SMTP_ADDRESS" {
        secret = "system-smtp"
        key    = "address"
      }
      var "SMTP_USER_NAME" {
        secret = "system-smtp"
        key    = "username"
      }
      var "SMTP_PASSWORD" {
        secret = "system-smtp"
        key    = "password"
      }
      var "SMTP_DOMAIN" {
        secret = "system-smtp"
        key    = "domain"
      }
      var "SMTP_PORT" {
        secret = "system-smtp"
        key    = "port"
      }
      var "SMTP_AUTHENTICATION" {
        secret = "system-smtp"
        key    = "authentication"
      }
      var "SMTP_OPENSSL_VERIFY_MODE" {
        secret = "system-smtp"
        key    = "openssl.verify.mode"
      }
    }
  }
}

# ------------------------------------------------- 1.2.6 system-sidekiq container

step "sidekiq-env" {
  title   = "Point the SMTP env of system-sidekiq at system-smtp"
  kind    = "patch"
  section = "1.2.6"
  note    = "The guide's strategic-merge patch becomes JSON patch operations, each pinned by a test of the container and env var names."
  patch "DeploymentConfig" "system-sidekiq" {
    env {
      containers = ["system-sidekiq"]
      var "SMTP_ADDRESS" {
        secret = "system-smtp"
        key    = "address"
      }
      var "SMTP_USER_NAME" {
        secret = "system-smtp"
        key    = "username"
      }
      var "SMTP_PASSWORD" {
        secret = "system-smtp"
        key    = "password"
      }
      var "SMTP_DOMAIN" {
        secret = "system-smtp"
        key    = "domain"
      }
      var "SMTP_PORT" {
        secret = "system-smtp"
        key    = "port"
      }
      var "SMTP_AUTHENTICATION" {
        secret = "system-smtp"
        key    = "authentication"
      }
      var "SMTP_OPENSSL_VERIFY_MODE" {
        secret = "system-smtp"
        key    = "openssl.verify.mode"
      }
    }
  }
}

step "smtp-env-verify" {
  title   = "Check that every system container reads SMTP_* from system-smtp"
  kind    = "verify"
  section = "1.2.6"
  run     = <<-EOT
    # shellcheck disable=SC2016 # $c is jq's (holds runs jq)
    for c in system-master system-provider system-developer; do
      holds dc/system-app --arg c "$c" '.spec.template.spec.containers | map(select(.name == $c))[0].env | map(select(.name | startswith("SMTP_"))) | length == 7 and all(.valueFrom.secretKeyRef.name == "system-smtp")' \
        || fail "container $c of dc/system-app does not read every SMTP_* env var from secret system-smtp"
    done
    holds dc/system-sidekiq '.spec.template.spec.containers | map(select(.name == "system-sidekiq"))[0].env | map(select(.name | startswith("SMTP_"))) | length == 7 and all(.valueFrom.secretKeyRef.name == "system-smtp")' \
      || fail "dc/system-sidekiq does not read every SMTP_* env var from secret system-smtp"
  EOT
}

# --------------------------------------------------------------- 1.2.7 S3 only

step "s3-aws-auth" {
  title    = "Copy AWS_BUCKET and AWS_REGION from system-environment into the aws-auth Secret"
  kind     = "shell"
  section  = "1.2.7"
  when     = plan.s3
  requires = ["Secret/aws-auth", "ConfigMap/system-environment"]
  note     = <<-EOT
    Only for sites installed with amp-s3 (the guide's "next step" after 1.2.6
    names 1.2.2 for S3 sites; it means 1.2.7). The bucket and region are known
    only on the cluster, so they are copied at run time. The copy is skipped
    when aws-auth already holds both keys, so that a re-run after the
    ConfigMap keys are removed cannot blank them.
  EOT
  done_if = "oc get secret aws-auth -o json | jq -e '.data.AWS_BUCKET and .data.AWS_REGION' >/dev/null"
  run     = <<-EOT
    bucket_region=$(oc get configmap system-environment -o json | jq -c '.data | {AWS_BUCKET, AWS_REGION}')
    printf '%s' "$bucket_region" | jq -e '.AWS_BUCKET and .AWS_REGION' >/dev/null \
      || fail "configmap/system-environment has no AWS_BUCKET or AWS_REGION"
    oc patch secret aws-auth --type=merge -p "{\"stringData\": $bucket_region}"
  EOT
}

step "s3-prehook-env" {
  title   = "Point the system-app pre-hook AWS env at aws-auth"
  kind    = "patch"
  section = "1.2.7"
  when    = plan.s3
  note    = "As in 1.2.4, entries are replaced where they stand and new ones are appended, instead of the guide's delete-and-append with jq."
  patch "DeploymentConfig" "system-app" {
    env {
      hook = "pre"
      var "AWS_BUCKET" {
        secret = "aws-auth"
        key    = "AWS_BUCKET"
      }
      var "AWS_REGION" {
        secret = "aws-auth"
        key    = "AWS_REGION"
      }
      var "AWS_PROTOCOL" {
        secret   = "aws-auth"
        key      = "AWS_PROTOCOL"
        optional = true
      }
      var "AWS_HOSTNAME" {
        secret   = "aws-auth"
        key      = "AWS_HOSTNAME"
        optional = true
      }
      var "AWS_PATH_STYLE" {
        secret   = "aws-auth"
        key      = "AWS_PATH_STYLE"
        optional = true
      }
    }
  }
}

step "s3-system-app-env" {
  title   = "Point the AWS env of the system-app containers at aws-auth"
  kind    = "patch"
  section = "1.2.7"
  when    = plan.s3
  patch "DeploymentConfig" "system-app" {
    env {
      containers = ["system-master", "system-provider", "system-developer"]
      var "AWS_BUCKET" {
        secret = "aws-auth"
        key    = "AWS_BUCKET"
      }
      var "AWS_REGION" {
        secret = "aws-auth"
        key    = "AWS_REGION"
      }
      var "AWS_PROTOCOL" {
        secret   = "aws-auth"
        key      = "AWS_PROTOCOL"
        optional = true
      }
      var "AWS_HOSTNAME" {
        secret   = "aws-auth"
        key      = "AWS_HOSTNAME"
        optional = true
      }
      var "AWS_PATH_STYLE" {
        secret   = "aws-auth"
        key      = "AWS_PATH_STYLE"
        optional = true
      }
    }
  }
}

step "s3-sidekiq-env" {
  title   = "Point the AWS env of system-sidekiq at aws-auth"
  kind    = "patch"
  section = "1.2.7"
  when    = plan.s3
  patch "DeploymentConfig" "system-sidekiq" {
    env {
      containers = ["system-sidekiq"]
      var "AWS_BUCKET" {
        secret = "aws-auth"
        key    = "AWS_BUCKET"
      }
      var "AWS_REGION" {
        secret = "aws-auth"
        key    = "AWS_REGION"
      }
      var "AWS_PROTOCOL" {
        secret   = "aws-auth"
        key      = "AWS_PROTOCOL"
        optional = true
      }
      var "AWS_HOSTNAME" {
        secret   = "aws-auth"
        key      = "AWS_HOSTNAME"
        optional = true
      }
      var "AWS_PATH_STYLE" {
        secret   = "aws-auth"
        key      = "AWS_PATH_STYLE"
        optional = true
      }
    }
  }
}

step "s3-env-verify" {
  title   = "Check that every system container reads AWS_* from aws-auth"
  kind    = "verify"
  section = "1.2.7"
  when    = plan.s3
  run     = <<-EOT
    check='map(select(.name | startswith("AWS_"))) | length == 7 and all(.valueFrom.secretKeyRef.name == "aws-auth")'
    holds dc/system-app ".spec.strategy.rollingParams.pre.execNewPod.env | $check" \
      || fail "the system-app pre-hook does not read every AWS_* env var from secret aws-auth"
    for c in system-master system-provider system-developer; do
      holds dc/system-app --arg c "$c" ".spec.template.spec.containers | map(select(.name == \$c))[0].env | $check" \
        || fail "container $c of dc/system-app does not read every AWS_* env var from secret aws-auth"
    done
    holds dc/system-sidekiq ".spec.template.spec.containers | map(select(.name == \"system-sidekiq\"))[0].env | $check" \
      || fail "dc/system-sidekiq does not read every AWS_* env var from secret aws-auth"
  EOT
}

# The guide's last command of 1.2.7, the removal of AWS_BUCKET and
# AWS_REGION from system-environment, comes after the images' check, with
# the deletion of the smtp ConfigMap (see s3-system-environment).

# ------------------------------------------------------------ 1.2.8 AMP_RELEASE

# The guide sets AMP_RELEASE in the ConfigMap; the shared steps of
# shared/amp-release.hcl also restore the reference that the earlier guides'
# `oc set env` replaced. The new images of 1.2.9 redeploy system-app.
use "amp-release" {
  section = "1.2.8"
}

# ---------------------------------------------------------------- 1.2.9 images

step "image-amp-system" {
  title   = "Point amp-system at the 2.8 system image"
  kind    = "patch"
  section = "1.2.9"
  when    = plan.system_database != "oracle"
  note    = local.latest_note
  patch "ImageStream" "amp-system" {
    tag "2.8" {
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8"
      display_name = "AMP system 2.8"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "AMP system (latest)"
    }
  }
}

step "image-amp-system-oracle" {
  title        = "Build the 2.8 system image with Oracle Database support"
  kind         = "manual"
  section      = "1.2.9"
  when         = plan.system_database == "oracle"
  instructions = <<-EOT
    This site runs its system database on Oracle, so amp-system is not
    pointed at the stock image. Build the 2.8 system image with Oracle
    Database support as the 3scale 2.8 installation guide's "Setting up your
    3scale system image with an Oracle Database" describes, doing its steps
    1, 2, 4, 8 and 9 only. The build updates amp-system:latest, which
    redeploys system-app, system-sphinx and system-sidekiq. Continue when the
    build has finished.
  EOT
}

step "wait-system" {
  title   = "Wait for system-app, system-sphinx and system-sidekiq to redeploy"
  kind    = "wait"
  section = "1.2.9"
  rollout = ["system-app", "system-sphinx", "system-sidekiq"]
}

step "image-amp-apicast" {
  title   = "Point amp-apicast at the 2.8 APIcast image"
  kind    = "patch"
  section = "1.2.9"
  note    = local.latest_note
  patch "ImageStream" "amp-apicast" {
    tag "2.8" {
      image        = "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.8"
      display_name = "AMP APIcast 2.8"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "AMP APIcast (latest)"
    }
  }
}

step "wait-apicast" {
  title   = "Wait for apicast-production and apicast-staging to redeploy"
  kind    = "wait"
  section = "1.2.9"
  rollout = ["apicast-production", "apicast-staging"]
}

step "image-amp-backend" {
  title   = "Point amp-backend at the 2.8 backend image"
  kind    = "patch"
  section = "1.2.9"
  note    = local.latest_note
  patch "ImageStream" "amp-backend" {
    tag "2.8" {
      image        = "registry.redhat.io/3scale-amp2/backend-rhel7:3scale2.8"
      display_name = "AMP Backend 2.8"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "AMP Backend (latest)"
    }
  }
}

step "wait-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy"
  kind    = "wait"
  section = "1.2.9"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

step "image-amp-zync" {
  title   = "Point amp-zync at the 2.8 zync image"
  kind    = "patch"
  section = "1.2.9"
  note    = local.latest_note
  patch "ImageStream" "amp-zync" {
    tag "2.8" {
      image        = "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.8"
      display_name = "AMP Zync 2.8"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "AMP Zync (latest)"
    }
  }
}

step "wait-zync" {
  title   = "Wait for zync and zync-que to redeploy"
  kind    = "wait"
  section = "1.2.9"
  rollout = ["zync", "zync-que"]
}

step "image-system-memcached" {
  title   = "Point system-memcached at the 2.8 memcached image"
  kind    = "patch"
  section = "1.2.9"
  note    = local.latest_note
  patch "ImageStream" "system-memcached" {
    tag "2.8" {
      image        = "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.8"
      display_name = "System 2.8 Memcached"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "System Memcached (latest)"
    }
  }
}

step "wait-memcache" {
  title   = "Wait for system-memcache to redeploy"
  kind    = "wait"
  section = "1.2.9"
  rollout = ["system-memcache"]
}

step "image-zync-database-postgresql" {
  title   = "Add the 2.8 tag to zync-database-postgresql"
  kind    = "patch"
  section = "1.2.9"
  note    = local.latest_note
  patch "ImageStream" "zync-database-postgresql" {
    tag "2.8" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "Zync 2.8 PostgreSQL"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "Zync PostgreSQL (latest)"
    }
  }
}

step "wait-zync-database" {
  title   = "Wait for zync-database, which redeploys if the image changed"
  kind    = "wait"
  section = "1.2.9"
  rollout = ["zync-database"]
}

# zync-database restarted on its empty volume: zync's routes again
# (shared/zync-resync.hcl).
use "zync-resync" {
  section = "1.2.9"
}

step "image-backend-redis" {
  title   = "Add the 2.8 tag to backend-redis"
  kind    = "patch"
  section = "1.2.9.1.1"
  when    = has("DeploymentConfig", "backend-redis")
  note    = "Only when the site runs the backend-redis DeploymentConfig. ${local.latest_note}"
  patch "ImageStream" "backend-redis" {
    tag "2.8" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "Backend 2.8 Redis"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "Backend Redis (latest)"
    }
  }
}

step "wait-backend-redis" {
  title   = "Wait for backend-redis, which redeploys if the image changed"
  kind    = "wait"
  section = "1.2.9.1.1"
  when    = has("DeploymentConfig", "backend-redis")
  rollout = ["backend-redis"]
}

step "image-system-redis" {
  title   = "Add the 2.8 tag to system-redis"
  kind    = "patch"
  section = "1.2.9.1.2"
  when    = has("DeploymentConfig", "system-redis")
  note    = "Only when the site runs the system-redis DeploymentConfig. ${local.latest_note}"
  patch "ImageStream" "system-redis" {
    tag "2.8" {
      image        = "registry.redhat.io/rhscl/redis-32-rhel7:3.2"
      display_name = "System 2.8 Redis"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "System Redis (latest)"
    }
  }
}

step "wait-system-redis" {
  title   = "Wait for system-redis, which redeploys if the image changed"
  kind    = "wait"
  section = "1.2.9.1.2"
  when    = has("DeploymentConfig", "system-redis")
  rollout = ["system-redis"]
}

step "image-system-mysql" {
  title   = "Add the 2.8 tag to system-mysql"
  kind    = "patch"
  section = "1.2.9.1.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "Only when the system database is MySQL on the system-mysql DeploymentConfig. ${local.latest_note}"
  patch "ImageStream" "system-mysql" {
    tag "2.8" {
      image        = "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"
      display_name = "System 2.8 MySQL"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "System MySQL (latest)"
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql, which redeploys if the image changed"
  kind    = "wait"
  section = "1.2.9.1.3"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

step "image-system-postgresql" {
  title   = "Add the 2.8 tag to system-postgresql"
  kind    = "patch"
  section = "1.2.9.1.4"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = <<-EOT
    Only when the system database is PostgreSQL on the system-postgresql
    DeploymentConfig. The guide's image name
    "registry.redhat.io/rhscl/postgresql-10-rhel7 " has a trailing space,
    which is not a valid image reference; ampc drops it. ${local.latest_note}
  EOT
  patch "ImageStream" "system-postgresql" {
    tag "2.8" {
      image        = "registry.redhat.io/rhscl/postgresql-10-rhel7"
      display_name = "System 2.8 PostgreSQL"
    }
    tag "latest" {
      tag          = "2.8"
      display_name = "System PostgreSQL (latest)"
    }
  }
}

step "wait-system-postgresql" {
  title   = "Wait for system-postgresql, which redeploys if the image changed"
  kind    = "wait"
  section = "1.2.9.1.4"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

use "images-verify" {
  section = "1.2.9"
}

# ------------------------------- 1.2.7 and 1.2.10: what the old pods read

step "s3-system-environment" {
  title   = "Remove AWS_BUCKET and AWS_REGION from system-environment"
  kind    = "patch"
  section = "1.2.7"
  when    = plan.s3
  note    = <<-EOT
    The guide removes the keys at the end of 1.2.7, while the rollouts that
    the env patches start are still running. The deployments of system-app
    and system-sidekiq before those patches read AWS_BUCKET and AWS_REGION
    from system-environment: a rollout that fails rolls back to one of them,
    whose pods then cannot start once the keys are gone
    (CreateContainerConfigError). ampc removes them here, after images-verify
    has checked that the latest deployment of every DeploymentConfig, which
    reads aws-auth, completed.
  EOT
  patch "ConfigMap" "system-environment" {
    unset "/data/AWS_BUCKET" {}
    unset "/data/AWS_REGION" {}
  }
}

step "smtp-configmap-delete" {
  title   = "Delete the smtp ConfigMap"
  kind    = "delete"
  section = "1.2.10"
  note    = <<-EOT
    The deployments of system-app and system-sidekiq before 1.2.4 to 1.2.6
    read the ConfigMap: as the guide orders it, it goes after the images'
    check has verified that their latest deployments, which read
    system-smtp, completed, so that no rollback returns to a deployment
    whose pods need it. Deleting an absent ConfigMap is not an error, so a
    re-run is harmless.
  EOT
  delete "ConfigMap" "smtp" {}
}
