# The check that ends the image section of every template hop: each
# DeploymentConfig runs an image pinned by a digest, the one its image
# stream's tag holds now, in a completed deployment (check_images of the
# shell library). A module places it with use "images-verify".

applies_to = ["template"]

steps "images-verify" {
  step "images-verify" {
    title = "Check that every DeploymentConfig runs its image stream's current image"
    kind  = "verify"
    note  = "The guide prints each image for a person to read; the runbook prints them and stops when one is not pinned by a digest, is not the image its stream tag holds now (a failed import, a trigger that has not fired) or is not the latest deployment's, completed."
    run   = <<-EOT
      for component in apicast-production apicast-staging apicast-wildcard-router backend-cron backend-listener backend-redis backend-worker system-app system-memcache system-mysql system-postgresql system-redis system-sidekiq system-sphinx zync zync-database zync-que; do
        exists dc "$component" || continue
        check_images "$component"
      done
    EOT
  }
}
