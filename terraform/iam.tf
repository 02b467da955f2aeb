# Identities and least-privilege grants. Each function has its own runtime
# service account (created by modules/cloud-function) and gets only the roles
# its catalog entry in functions.tf declares. Private functions accept only the
# identity of their trigger: the push service account (pubsub) or the tasks
# invoker service account (tasks).

locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  firestore_users = toset([for n, f in local.functions : n if f.firestore])

  publisher_grants = {
    for g in flatten([
      for n, f in local.functions : [for t in f.publishes : { function = n, topic = t }]
    ]) : "${g.function}/${g.topic}" => g
  }

  enqueuer_grants = {
    for g in flatten([
      for n, f in local.functions : [for q in f.enqueues : { function = n, queue = q }]
    ]) : "${g.function}/${g.queue}" => g
  }

  task_creators = toset([for n, f in local.functions : n if length(f.enqueues) > 0])

  media_roles = {
    read         = ["roles/storage.objectViewer"]
    write        = ["roles/storage.objectCreator"]
    "read-write" = ["roles/storage.objectUser"]
    none         = []
  }

  media_grants = {
    for g in flatten([
      for n, f in local.functions : [for r in local.media_roles[f.media] : { function = n, role = r }]
    ]) : "${g.function}/${g.role}" => g
  }
}

# ------------------------------------------------------ shared identities --

resource "google_service_account" "pubsub_push" {
  project      = var.project_id
  account_id   = "smsdesk-pubsub-push"
  display_name = "smsdesk Pub/Sub push"
  description  = "Identity in the OIDC tokens of smsdesk's push subscriptions; the only invoker of Pub/Sub-triggered functions."
}

resource "google_service_account" "tasks_invoker" {
  project      = var.project_id
  account_id   = "smsdesk-tasks-invoker"
  display_name = "smsdesk Cloud Tasks invoker"
  description  = "Identity in the OIDC tokens of smsdesk's Cloud Tasks (TASKS_SERVICE_ACCOUNT); the only invoker of task-triggered functions."
}

resource "google_service_account" "builder" {
  project      = var.project_id
  account_id   = "smsdesk-function-builder"
  display_name = "smsdesk function builds"
  description  = "Cloud Build identity that builds smsdesk's function sources into images."
}

# Roles documented for a user-specified Cloud Functions build service account.
resource "google_project_iam_member" "builder" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/artifactregistry.writer",
    "roles/storage.objectAdmin",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.builder.member
}

# Pub/Sub mints the push OIDC tokens (needed explicitly in projects created
# before April 2021; harmless after).
resource "google_service_account_iam_member" "pubsub_push_token_creator" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent

  depends_on = [google_project_service.enabled]
}

# ------------------------------------------------------ per-function grants --

resource "google_project_iam_member" "function_firestore" {
  for_each = local.firestore_users

  project = var.project_id
  role    = "roles/datastore.user"
  member  = module.function[each.value].service_account_member
}

resource "google_pubsub_topic_iam_member" "function_publisher" {
  for_each = local.publisher_grants

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = module.function[each.value.function].service_account_member
}

resource "google_cloud_tasks_queue_iam_member" "function_enqueuer" {
  for_each = local.enqueuer_grants

  project  = var.project_id
  location = var.region
  name     = google_cloud_tasks_queue.queue[each.value.queue].name
  role     = "roles/cloudtasks.enqueuer"
  member   = module.function[each.value.function].service_account_member
}

# Creating a task with an OIDC token of the tasks invoker acts as that account.
resource "google_service_account_iam_member" "function_acts_as_tasks_invoker" {
  for_each = local.task_creators

  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = module.function[each.value].service_account_member
}

resource "google_storage_bucket_iam_member" "function_media" {
  for_each = local.media_grants

  bucket = google_storage_bucket.media.name
  role   = each.value.role
  member = module.function[each.value.function].service_account_member
}

# Functions that hand out signed media URLs sign them with IAM signBlob as
# their own service account (no key files), which needs Token Creator on it.
resource "google_service_account_iam_member" "function_signs_media" {
  for_each = toset([for n, f in local.functions : n if f.signs_media])

  service_account_id = "projects/${var.project_id}/serviceAccounts/${module.function[each.value].service_account_email}"
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = module.function[each.value].service_account_member
}

# AdminAPI manages agents' sign-in accounts: it creates Identity Platform
# users, sets their role and agentId custom claims, makes password links
# and disables accounts (POST /AdminAPI/agents/{id}/invite, ...).
resource "google_project_iam_member" "adminapi_identity" {
  project = var.project_id
  role    = "roles/firebaseauth.admin"
  member  = module.function["AdminAPI"].service_account_member
}
