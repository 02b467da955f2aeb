# Google Cloud APIs smsdesk uses. Service Usage and Cloud Resource Manager have
# to be enabled by hand first (Terraform needs them to enable the others).
locals {
  apis = concat(
    [
      "artifactregistry.googleapis.com", # images built from the function sources
      "cloudbuild.googleapis.com",       # builds of the function sources
      "cloudfunctions.googleapis.com",
      "cloudtasks.googleapis.com",
      "firestore.googleapis.com",
      "iam.googleapis.com",
      "iamcredentials.googleapis.com", # OIDC tokens for push and task targets
      "logging.googleapis.com",
      "pubsub.googleapis.com",
      "run.googleapis.com", # 2nd gen functions run on Cloud Run
      "secretmanager.googleapis.com",
      "storage.googleapis.com",
    ],
    var.enable_identity_platform ? ["identitytoolkit.googleapis.com"] : [],
  )
}

resource "google_project_service" "enabled" {
  for_each = var.enable_apis ? toset(local.apis) : toset([])

  project                    = var.project_id
  service                    = each.value
  disable_on_destroy         = false
  disable_dependent_services = false
}

data "google_project" "this" {
  project_id = var.project_id
}
