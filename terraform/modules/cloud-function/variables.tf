variable "project_id" {
  description = "Google Cloud project that hosts the function."
  type        = string
}

variable "region" {
  description = "Region of the function (for example us-central1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1."
  }
}

variable "name" {
  description = "Function name. It is also the deployed name, the Cloud Functions URL path (https://REGION-PROJECT.cloudfunctions.net/NAME) and, unless entry_point is set, the functions-framework target registered with functions.HTTP(NAME, ...)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,61}[A-Za-z0-9]$", var.name))
    error_message = "name must be 2-63 characters: letters, digits, '-' or '_', starting with a letter and ending with a letter or digit."
  }
}

variable "description" {
  description = "Human-readable description shown in the console."
  type        = string
  default     = ""
}

variable "entry_point" {
  description = "Functions-framework target (FUNCTION_TARGET). Defaults to name."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Go runtime of the Go buildpack, for example go126. It must be at least the go directive of the staged go.mod."
  type        = string
  default     = "go126"

  validation {
    condition     = can(regex("^go1[0-9]{2,}$", var.runtime))
    error_message = "runtime must be a Cloud Functions Go runtime id such as go126."
  }
}

variable "source_bucket" {
  description = "Cloud Storage bucket holding the function's source archive (a zip of the folder made by scripts/stage-function)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be a bucket name (no gs:// prefix)."
  }
}

variable "source_object" {
  description = "Object name of the source archive in source_bucket. Use a content-addressed name (scripts/cloudbuild-upload does) so a code change is a new object and a redeploy."
  type        = string

  validation {
    condition     = !startswith(var.source_object, "gs://")
    error_message = "source_object must be an object name inside source_bucket, without gs://."
  }
}

variable "source_generation" {
  description = "Optional generation of source_object to pin; null takes the live generation."
  type        = number
  default     = null
}

variable "build_service_account" {
  description = "Full resource name (projects/PROJECT/serviceAccounts/EMAIL) of the service account Cloud Build uses to build the function; null uses the project's default build service account."
  type        = string
  default     = null

  validation {
    condition     = var.build_service_account == null || can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", var.build_service_account))
    error_message = "build_service_account must be projects/PROJECT/serviceAccounts/EMAIL."
  }
}

variable "build_environment_variables" {
  description = "Environment variables for the build (for example GOFLAGS)."
  type        = map(string)
  default     = {}
}

variable "service_account_id" {
  description = "account_id of the function's own runtime service account; null derives fn-<lowercased name>."
  type        = string
  default     = null

  validation {
    condition     = var.service_account_id == null || can(regex("^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$", var.service_account_id))
    error_message = "service_account_id must be 6-30 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment_variables" {
  description = "Plain runtime environment variables."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for k in keys(var.environment_variables) :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !contains(["PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET"], k)
    ])
    error_message = "environment variable names must be identifiers and must not be reserved by Cloud Run (PORT, K_SERVICE, K_REVISION, K_CONFIGURATION, FUNCTION_TARGET)."
  }
}

variable "secret_environment_variables" {
  description = "Environment variables read from Secret Manager: ENV_NAME => { secret = secret id in this project, version = \"latest\" or a number }. The module grants the function's service account roles/secretmanager.secretAccessor on each secret before deploying; each secret needs an enabled version."
  type = map(object({
    secret  = string
    version = optional(string, "latest")
  }))
  default = {}

  validation {
    condition = alltrue([
      for k, v in var.secret_environment_variables :
      can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && can(regex("^(latest|[0-9]+)$", v.version))
    ])
    error_message = "secret environment variable names must be identifiers and versions must be \"latest\" or a version number."
  }
}

variable "min_instances" {
  description = "Minimum number of instances kept warm (0 scales to zero; 1 removes cold starts on the carrier webhook path)."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number >= 0."
  }
}

variable "max_instances" {
  description = "Maximum number of instances."
  type        = number
  default     = 20

  validation {
    condition     = var.max_instances >= 1 && floor(var.max_instances) == var.max_instances
    error_message = "max_instances must be a whole number >= 1."
  }
}

variable "concurrency" {
  description = "Maximum concurrent requests per instance (1-1000). More than 1 needs at least 1 vCPU."
  type        = number
  default     = 80

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000 && floor(var.concurrency) == var.concurrency
    error_message = "concurrency must be a whole number between 1 and 1000."
  }
}

variable "cpu" {
  description = "vCPUs per instance, for example \"0.5\", \"1\" or \"2\"."
  type        = string
  default     = "1"

  validation {
    condition     = can(tonumber(var.cpu)) && tonumber(var.cpu) > 0 && tonumber(var.cpu) <= 8
    error_message = "cpu must be a number of vCPUs between 0.083 and 8."
  }
}

variable "memory" {
  description = "Memory per instance, for example \"256Mi\", \"512Mi\" or \"1Gi\"."
  type        = string
  default     = "512Mi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must be a quantity such as 256Mi or 1Gi."
  }
}

variable "timeout_seconds" {
  description = "Request timeout in seconds (1-3600)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600 && floor(var.timeout_seconds) == var.timeout_seconds
    error_message = "timeout_seconds must be a whole number between 1 and 3600."
  }
}

variable "ingress" {
  description = "Ingress setting: ALLOW_ALL (carrier and browser endpoints), ALLOW_INTERNAL_ONLY (Pub/Sub push and Cloud Tasks targets in the same project still get through) or ALLOW_INTERNAL_AND_GCLB."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress)
    error_message = "ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "public" {
  description = "Let anyone invoke the function (allUsers gets roles/run.invoker). Only for endpoints that authenticate every request in code: carrier webhooks (signatures), agent/admin/API endpoints (ID tokens, API keys)."
  type        = bool
  default     = false
}

variable "invoker_members" {
  description = "IAM members allowed to invoke a private function (roles/run.invoker on its Cloud Run service), for example [\"serviceAccount:push@PROJECT.iam.gserviceaccount.com\"]."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for m in var.invoker_members : can(regex("^(serviceAccount|user|group|domain|principal|principalSet):", m))
    ])
    error_message = "invoker_members must be IAM member strings such as serviceAccount:EMAIL (allUsers is expressed with public = true)."
  }
}

variable "labels" {
  description = "Labels for the function."
  type        = map(string)
  default     = {}
}
