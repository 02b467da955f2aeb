# One Cloud Function (2nd gen) built by the Go buildpack from a source archive in
# Cloud Storage, running as its own service account, with its invoker IAM.

locals {
  service_account_id = coalesce(var.service_account_id, substr(trimsuffix(substr("fn-${lower(replace(var.name, "_", "-"))}", 0, 30), "-"), 0, 30))

  # Cloud Functions adds LOG_EXECUTION_ID to every 2nd gen function; declaring it
  # keeps plans free of a perpetual diff and puts the execution id in each log entry.
  environment_variables = merge({ LOG_EXECUTION_ID = "true" }, var.environment_variables)
}

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = local.service_account_id
  display_name = "smsdesk ${var.name} function"
  description  = "Runtime identity of the ${var.name} Cloud Function; holds only the roles ${var.name} uses."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$", local.service_account_id))
      error_message = "${var.name}: derived service account id \"${local.service_account_id}\" is not a valid account_id; set service_account_id."
    }
  }
}

# The runtime identity reads its secrets; Cloud Run checks this when it creates a
# revision, so the grant precedes the function.
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = toset([for v in values(var.secret_environment_variables) : v.secret])

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function.member
}

resource "google_cloudfunctions2_function" "function" {
  project     = var.project_id
  location    = var.region
  name        = var.name
  description = var.description
  labels      = var.labels

  build_config {
    runtime               = var.runtime
    entry_point           = coalesce(var.entry_point, var.name)
    service_account       = var.build_service_account
    environment_variables = var.build_environment_variables

    source {
      storage_source {
        bucket     = var.source_bucket
        object     = var.source_object
        generation = var.source_generation
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function.email
    min_instance_count               = var.min_instances
    max_instance_count               = var.max_instances
    max_instance_request_concurrency = var.concurrency
    available_cpu                    = var.cpu
    available_memory                 = var.memory
    timeout_seconds                  = var.timeout_seconds
    ingress_settings                 = var.ingress
    all_traffic_on_latest_revision   = true
    environment_variables            = local.environment_variables

    dynamic "secret_environment_variables" {
      for_each = var.secret_environment_variables
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret
        version    = secret_environment_variables.value.version
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.accessor]

  lifecycle {
    precondition {
      condition     = length(trimspace(var.source_object)) > 0
      error_message = "${var.name}: no source archive; set function_sources[\"${var.name}\"] (scripts/cloudbuild-upload writes sources.auto.tfvars.json)."
    }
    precondition {
      condition     = var.max_instances >= var.min_instances
      error_message = "${var.name}: max_instances (${var.max_instances}) must be >= min_instances (${var.min_instances})."
    }
    precondition {
      condition     = var.concurrency == 1 || tonumber(var.cpu) >= 1
      error_message = "${var.name}: concurrency > 1 needs cpu >= 1 (got cpu ${var.cpu})."
    }
    precondition {
      condition     = !(var.public && length(var.invoker_members) > 0)
      error_message = "${var.name}: a public function takes no invoker_members."
    }
    precondition {
      condition     = length(setintersection(keys(local.environment_variables), keys(var.secret_environment_variables))) == 0
      error_message = "${var.name}: a variable cannot be both plain and secret: ${join(", ", setintersection(keys(local.environment_variables), keys(var.secret_environment_variables)))}."
    }
  }
}

# Invocation of a 2nd gen function is authorized on its Cloud Run service.
resource "google_cloud_run_v2_service_iam_member" "public" {
  count = var.public ? 1 : 0

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function.service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = toset(var.public ? [] : var.invoker_members)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function.service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}
