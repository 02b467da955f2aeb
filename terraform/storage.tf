# MMS media copied from the carriers; agents see them through short-lived signed
# URLs, so the bucket is private and objects expire.

resource "google_storage_bucket" "media" {
  project                     = var.project_id
  name                        = coalesce(var.media_bucket_name, "${var.project_id}-smsdesk-media")
  location                    = upper(coalesce(var.media_bucket_location, var.region))
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.media_bucket_force_destroy
  labels                      = merge(var.labels, { app = "smsdesk" })

  lifecycle_rule {
    condition {
      age = var.media_retention_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.enabled]
}
