# The check that ends the image section of every template hop: each
# DeploymentConfig runs an image pinned by a digest, which the image
# stream's tag resolved. A module places it with use "images-verify".

applies_to = ["template"]

steps "images-verify" {
  step "images-verify" {
    title = "Check that every DeploymentConfig runs an image pinned by digest"
    kind  = "verify"
    note  = "The guide prints each image for a person to read; the runbook prints them and stops when one is not pinned by a digest."
    run   = <<-EOT
      for component in apicast-production apicast-staging apicast-wildcard-router backend-cron backend-listener backend-redis backend-worker system-app system-memcache system-mysql system-postgresql system-redis system-sidekiq system-sphinx zync zync-database zync-que; do
        oc get dc "$component" >/dev/null 2>&1 || continue
        image=$(oc get dc "$component" -o json | jq -r '.spec.template.spec.containers[0].image')
        echo "$component image: $image"
        case "$image" in
          *@sha256:*) ;;
          *) fail "dc/$component runs $image, which is not pinned by a digest yet" ;;
        esac
      done
    EOT
  }
}
