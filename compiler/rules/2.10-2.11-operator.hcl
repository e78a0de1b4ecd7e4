# 3scale 2.10 → 2.11, operator-based install.
#
# Source: ../shared/guides/operator-2.10-2.11.md: "Migrating 3scale" 2.11,
# chapter 4 (prerequisites seen verbatim; steps as in the 2.10 chapter;
# confidence HIGH). Prerequisites: OpenShift 4.6, 4.7 or 4.8, and "you must
# upgrade 3scale from 2.10 to 2.11 before upgrading to OpenShift 4.9" (the
# 0.7 operator's CRDs are apiextensions v1beta1, which Kubernetes 1.22 =
# OpenShift 4.9 removed: the install stops working); the latest CSV of the
# threescale-2.10 channel. The 0.8 operator moves the internal Redis
# instances from Redis 3.2 to Redis 5 on its own (3scale-2.11-stable,
# CHANGELOG #596): ampc dumps them first and checks them after.

hop {
  from             = "2.10"
  to               = "2.11"
  deployment       = "operator"
  seed             = "guides/operator-2.10-2.11.md"
  title            = "3scale 2.10 to 2.11, operator-based (fact sheet)"
  confidence       = "high: chapter 4 prerequisites seen verbatim, steps as in the 2.10 chapter"
  operator_version = "0.8"
  openshift_min    = "4.6"
  openshift_max    = "4.8"
}

use "operator-preflight" {
  section = "prerequisites"
}

use "operator-backup" {
  section = "procedure 1-3"
}

use "redis-backup" {
  section = "what the 0.8 operator does on its own, 1"
}

use "operator-channel" {
  section = "procedure 4"
}

# The 0.8 operator's Deployment has another name than the one before
# (install.spec.deployments of its CSV), for the model of the later hops.
operator_reconciles "operator-deployment" {
  note = "the operator's Deployment is threescale-operator-controller-manager"
  move "Deployment" "3scale-operator" {
    to_name            = "threescale-operator-controller-manager"
    operator_namespace = true
  }
}

use "operator-settle" {
  section = "procedure 5-7"
}

use "operator-images" {
  section = "what the 0.8 operator does on its own, 1"
}

use "redis-verify" {
  section = "verification"
}

step "backend-route" {
  title   = "Check that system-app and system-sidekiq reach backend's internal API through its Service"
  kind    = "verify"
  section = "what the 0.8 operator does on its own, 4"
  note    = <<-EOT
    The 0.8 operator sets BACKEND_ROUTE of the system-app containers (and
    its pre-hook) and of system-sidekiq to the backend-listener Service's
    internal endpoint, its URL with the path /internal/ (CHANGELOG #536).
    Before, it was read from the backend-listener Secret's route_endpoint,
    so its presence alone proves nothing: the check compares its value with
    the endpoint it builds from the Service's port. It prints neither
    (the Secret's service_endpoint holds the same URL).
  EOT
  when    = has("DeploymentConfig", "system-app")
  run     = <<-EOT
    port=$(oc get service backend-listener -o jsonpath='{.spec.ports[0].port}')
    [ -n "$port" ] || fail "the backend-listener Service has no port"
    wrong=$(oc get dc system-app system-sidekiq -o json | jq -r --arg want "http://backend-listener:$port/internal/" '[.items[]? | .metadata.name as $dc | .spec.template.spec.containers[] | select(([.env[]? | select(.name == "BACKEND_ROUTE")][0].value // "") != $want) | "\($dc)/\(.name)"] | join(" ")')
    [ -z "$wrong" ] || fail "containers whose BACKEND_ROUTE is not the backend-listener Service's internal endpoint: $wrong: the 2.11 operator has not finished its upgrade"
    echo "every system-app and system-sidekiq container has BACKEND_ROUTE set to the backend-listener Service's internal endpoint"
  EOT
}
