variable "project_id" {
  description = "Google Cloud project to deploy smsdesk into."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id (6-30 lowercase letters, digits and hyphens, starting with a letter), not a project number or name."
  }
}

variable "region" {
  description = "Region of the functions, the Cloud Tasks queues (TASKS_LOCATION) and, by default, the media bucket."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1."
  }
}

variable "enable_apis" {
  description = "Enable the Google Cloud APIs smsdesk uses. Service Usage and Cloud Resource Manager must be enabled beforehand (see DEPLOY.md). Set false when APIs are managed elsewhere."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to the resources that take labels."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------- functions --

variable "source_bucket" {
  description = "Existing Cloud Storage bucket holding the function source archives (scripts/cloudbuild-upload puts them there)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be a bucket name without gs://."
  }
}

variable "function_sources" {
  description = "Object name in source_bucket of each function's source archive, by function name, e.g. { TwilioInbound = \"functions/TwilioInbound/<sha256>.zip\" }. scripts/cloudbuild-upload writes it as sources.auto.tfvars.json. Every deployed function needs one."
  type        = map(string)

  validation {
    condition     = alltrue([for k, v in var.function_sources : can(regex("^[A-Za-z][A-Za-z0-9_-]*$", k)) && endswith(v, ".zip") && !startswith(v, "gs://")])
    error_message = "function_sources maps a function name to a .zip object name inside source_bucket (without gs://)."
  }
}

variable "go_runtime" {
  description = "Cloud Functions Go runtime, at least the go directive of go.mod."
  type        = string
  default     = "go126"

  validation {
    condition     = can(regex("^go1[0-9]{2,}$", var.go_runtime))
    error_message = "go_runtime must be a Go runtime id such as go126."
  }
}

variable "function_settings" {
  description = "Per-function sizing overrides by function name (unset fields keep the defaults of the function catalog in functions.tf): min_instances, max_instances, concurrency, cpu, memory, timeout_seconds, ingress."
  type = map(object({
    min_instances   = optional(number)
    max_instances   = optional(number)
    concurrency     = optional(number)
    cpu             = optional(string)
    memory          = optional(string)
    timeout_seconds = optional(number)
    ingress         = optional(string)
  }))
  default = {}

  validation {
    condition = alltrue([
      for k, v in var.function_settings :
      v.ingress == null || contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], coalesce(v.ingress, "ALLOW_ALL"))
    ])
    error_message = "function_settings[*].ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "public_base_url" {
  description = "Public base URL of the functions (PUBLIC_BASE_URL). The code builds each function's URL as PUBLIC_BASE_URL/NAME and checks carrier signatures against it. null uses https://REGION-PROJECT.cloudfunctions.net; set it only when a load balancer or custom domain serves /NAME for every function."
  type        = string
  default     = null

  validation {
    condition     = var.public_base_url == null || can(regex("^https://[^/]+(/[^?#]*[^/?#])?$", var.public_base_url))
    error_message = "public_base_url must be an https URL without a trailing slash, query or fragment."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

# ----------------------------------------------------------------- carriers --

variable "carriers" {
  description = "Carriers in use. A carrier's Secret Manager secret is created, and mounted into the functions that send or verify for it, only when the carrier is listed; each listed carrier's secret needs a version before the functions deploy."
  type        = set(string)
  default     = ["twilio"]

  validation {
    condition     = length(var.carriers) > 0 && alltrue([for c in var.carriers : contains(["twilio", "telnyx", "bandwidth"], c)])
    error_message = "carriers must be a non-empty subset of [\"twilio\", \"telnyx\", \"bandwidth\"]."
  }
}

variable "twilio_account_sid" {
  description = "Twilio Account SID (TWILIO_ACCOUNT_SID, not secret). The auth token goes into the Secret Manager secret twilio-auth-token."
  type        = string
  default     = ""

  validation {
    condition     = var.twilio_account_sid == "" || can(regex("^AC[0-9a-fA-F]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid must look like AC followed by 32 hex digits."
  }
}

variable "twilio_api_base_url" {
  description = "TWILIO_API_BASE_URL: Twilio REST API base URL."
  type        = string
  default     = "https://api.twilio.com"

  validation {
    condition     = can(regex("^https?://[^/]+(/.*[^/])?$", var.twilio_api_base_url))
    error_message = "twilio_api_base_url must be an http(s) URL without a trailing slash."
  }
}

variable "telnyx_public_key" {
  description = "TELNYX_PUBLIC_KEY: base64 Ed25519 public key from the Telnyx portal used to verify webhooks (not secret). The API key goes into the Secret Manager secret telnyx-api-key."
  type        = string
  default     = ""

  validation {
    condition     = var.telnyx_public_key == "" || can(base64decode(var.telnyx_public_key))
    error_message = "telnyx_public_key must be the base64 public key shown in the Telnyx portal."
  }
}

variable "telnyx_api_base_url" {
  description = "TELNYX_API_BASE_URL: Telnyx API base URL."
  type        = string
  default     = "https://api.telnyx.com"

  validation {
    condition     = can(regex("^https?://[^/]+(/.*[^/])?$", var.telnyx_api_base_url))
    error_message = "telnyx_api_base_url must be an http(s) URL without a trailing slash."
  }
}

variable "bandwidth_account_id" {
  description = "BANDWIDTH_ACCOUNT_ID: the Bandwidth account number (not secret)."
  type        = string
  default     = ""

  validation {
    condition     = var.bandwidth_account_id == "" || can(regex("^[0-9]{1,12}$", var.bandwidth_account_id))
    error_message = "bandwidth_account_id must be the account's number (digits)."
  }
}

variable "bandwidth_application_id" {
  description = "BANDWIDTH_APPLICATION_ID: the messaging application whose InboundCallbackUrl and OutboundCallbackUrl point at smsdesk (not secret)."
  type        = string
  default     = ""

  validation {
    condition     = var.bandwidth_application_id == "" || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.bandwidth_application_id))
    error_message = "bandwidth_application_id must be the application's id (a UUID)."
  }
}

variable "bandwidth_client_id" {
  description = "BANDWIDTH_CLIENT_ID: client id of the Bandwidth API Credential (Account > API Credentials, with the Messaging role; not secret). Its secret goes into the Secret Manager secret bandwidth-client-secret."
  type        = string
  default     = ""
}

variable "bandwidth_webhook_user" {
  description = "BANDWIDTH_WEBHOOK_USER: user of the Basic credentials set on the messaging application's InboundCallbackCreds and OutboundCallbackCreds. The password goes into the Secret Manager secret bandwidth-webhook-password."
  type        = string
  default     = ""

  validation {
    condition     = !strcontains(var.bandwidth_webhook_user, ":")
    error_message = "bandwidth_webhook_user must not contain a colon."
  }
}

variable "bandwidth_api_base_url" {
  description = "BANDWIDTH_API_BASE_URL: Bandwidth Messaging API base URL."
  type        = string
  default     = "https://messaging.bandwidth.com"

  validation {
    condition     = can(regex("^https?://[^/]+(/.*[^/])?$", var.bandwidth_api_base_url))
    error_message = "bandwidth_api_base_url must be an http(s) URL without a trailing slash."
  }
}

variable "bandwidth_token_url" {
  description = "BANDWIDTH_TOKEN_URL: Bandwidth's OAuth 2.0 token endpoint."
  type        = string
  default     = "https://api.bandwidth.com/api/v1/oauth2/token"

  validation {
    condition     = can(regex("^https?://[^/]+(/.*[^/])?$", var.bandwidth_token_url))
    error_message = "bandwidth_token_url must be an http(s) URL without a trailing slash."
  }
}

variable "secret_replica_locations" {
  description = "Regions to replicate the carrier secrets to; empty lets Google choose (automatic replication)."
  type        = list(string)
  default     = []
}

# ------------------------------------------------------------------ Pub/Sub --

variable "pubsub_push" {
  description = "Delivery settings of the push subscriptions: ack deadline (how long a push request may take), retry backoff, delivery attempts before dead-lettering, and how long dead-lettered messages stay in the inspection subscriptions."
  type = object({
    ack_deadline_seconds       = optional(number, 60)
    minimum_backoff            = optional(string, "10s")
    maximum_backoff            = optional(string, "600s")
    max_delivery_attempts      = optional(number, 10)
    dead_letter_retention      = optional(string, "1209600s")
    message_retention_duration = optional(string, "604800s")
  })
  default = {}

  validation {
    condition     = var.pubsub_push.ack_deadline_seconds >= 10 && var.pubsub_push.ack_deadline_seconds <= 600
    error_message = "pubsub_push.ack_deadline_seconds must be between 10 and 600."
  }
  validation {
    condition     = var.pubsub_push.max_delivery_attempts >= 5 && var.pubsub_push.max_delivery_attempts <= 100
    error_message = "pubsub_push.max_delivery_attempts must be between 5 and 100."
  }
  validation {
    condition = alltrue([
      for d in [var.pubsub_push.minimum_backoff, var.pubsub_push.maximum_backoff] :
      can(regex("^[0-9]+(\\.[0-9]+)?s$", d)) && try(tonumber(trimsuffix(d, "s")) <= 600, false)
    ]) && tonumber(trimsuffix(var.pubsub_push.minimum_backoff, "s")) <= tonumber(trimsuffix(var.pubsub_push.maximum_backoff, "s"))
    error_message = "pubsub_push backoffs are durations like \"10s\", at most \"600s\", minimum <= maximum."
  }
  validation {
    condition = alltrue([
      for d in [var.pubsub_push.dead_letter_retention, var.pubsub_push.message_retention_duration] :
      can(regex("^[0-9]+s$", d)) && try(tonumber(trimsuffix(d, "s")) >= 600 && tonumber(trimsuffix(d, "s")) <= 2678400, false)
    ])
    error_message = "pubsub_push retention durations are seconds like \"604800s\", between 600s and 2678400s (31 days)."
  }
}

# -------------------------------------------------------------- Cloud Tasks --

variable "sms_send_queue" {
  description = "Cloud Tasks queue sms-send (SendSMS). The rate limit caps carrier send calls for the whole project: keep it at or below the sum of your senders' throughput (a US long code is about 1 segment/s; 10DLC campaigns and short codes more)."
  type = object({
    max_dispatches_per_second = optional(number, 10)
    max_concurrent_dispatches = optional(number, 20)
    max_attempts              = optional(number, 12)
    min_backoff               = optional(string, "5s")
    max_backoff               = optional(string, "300s")
    max_doublings             = optional(number, 5)
    max_retry_duration        = optional(string, "3600s")
    log_sampling_ratio        = optional(number, 0)
  })
  default = {}

  validation {
    condition     = var.sms_send_queue.max_dispatches_per_second > 0 && var.sms_send_queue.max_dispatches_per_second <= 500
    error_message = "sms_send_queue.max_dispatches_per_second must be in (0, 500]."
  }
  validation {
    condition     = var.sms_send_queue.max_concurrent_dispatches >= 1 && var.sms_send_queue.max_concurrent_dispatches <= 5000
    error_message = "sms_send_queue.max_concurrent_dispatches must be between 1 and 5000."
  }
  validation {
    condition     = var.sms_send_queue.max_attempts == -1 || var.sms_send_queue.max_attempts >= 1
    error_message = "sms_send_queue.max_attempts must be >= 1 (or -1 for unlimited)."
  }
  validation {
    condition     = alltrue([for d in [var.sms_send_queue.min_backoff, var.sms_send_queue.max_backoff, var.sms_send_queue.max_retry_duration] : can(regex("^[0-9]+(\\.[0-9]+)?s$", d))])
    error_message = "sms_send_queue durations are seconds like \"5s\"."
  }
  validation {
    condition     = var.sms_send_queue.log_sampling_ratio >= 0 && var.sms_send_queue.log_sampling_ratio <= 1
    error_message = "sms_send_queue.log_sampling_ratio must be between 0 and 1."
  }
}

variable "chat_timers_queue" {
  description = "Cloud Tasks queue chat-timers (queue timeout, inactivity, expiry, offer timeout and dismissal timers)."
  type = object({
    max_dispatches_per_second = optional(number, 100)
    max_concurrent_dispatches = optional(number, 100)
    max_attempts              = optional(number, 20)
    min_backoff               = optional(string, "1s")
    max_backoff               = optional(string, "60s")
    max_doublings             = optional(number, 5)
    max_retry_duration        = optional(string, "86400s")
    log_sampling_ratio        = optional(number, 0)
  })
  default = {}

  validation {
    condition     = var.chat_timers_queue.max_dispatches_per_second > 0 && var.chat_timers_queue.max_dispatches_per_second <= 500
    error_message = "chat_timers_queue.max_dispatches_per_second must be in (0, 500]."
  }
  validation {
    condition     = var.chat_timers_queue.max_concurrent_dispatches >= 1 && var.chat_timers_queue.max_concurrent_dispatches <= 5000
    error_message = "chat_timers_queue.max_concurrent_dispatches must be between 1 and 5000."
  }
  validation {
    condition     = var.chat_timers_queue.max_attempts == -1 || var.chat_timers_queue.max_attempts >= 1
    error_message = "chat_timers_queue.max_attempts must be >= 1 (or -1 for unlimited)."
  }
  validation {
    condition     = alltrue([for d in [var.chat_timers_queue.min_backoff, var.chat_timers_queue.max_backoff, var.chat_timers_queue.max_retry_duration] : can(regex("^[0-9]+(\\.[0-9]+)?s$", d))])
    error_message = "chat_timers_queue durations are seconds like \"1s\"."
  }
  validation {
    condition     = var.chat_timers_queue.log_sampling_ratio >= 0 && var.chat_timers_queue.log_sampling_ratio <= 1
    error_message = "chat_timers_queue.log_sampling_ratio must be between 0 and 1."
  }
}

# ---------------------------------------------------------------- Firestore --

variable "create_firestore_database" {
  description = "Create the (default) Firestore database in Native mode. Set false when the project already has one (it must be in Native mode)."
  type        = bool
  default     = true
}

variable "firestore_location" {
  description = "Firestore location: a multi-region (nam5, eur3) or a region. Cannot be changed after creation."
  type        = string
  default     = "nam5"

  validation {
    condition     = can(regex("^([a-z]+[0-9]+|[a-z]+-[a-z]+[0-9]+)$", var.firestore_location))
    error_message = "firestore_location must be a Firestore location such as nam5, eur3 or us-central1."
  }
}

variable "firestore_delete_protection" {
  description = "Turn on Firestore delete protection (the chat history and consent ledger live there)."
  type        = bool
  default     = true
}

variable "firestore_point_in_time_recovery" {
  description = "Keep 7 days of point-in-time recovery for the Firestore database."
  type        = bool
  default     = false
}

# -------------------------------------------------------------------- media --

variable "media_bucket_name" {
  description = "Name of the MMS media bucket; null uses PROJECT-smsdesk-media."
  type        = string
  default     = null

  validation {
    condition     = var.media_bucket_name == null || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.media_bucket_name))
    error_message = "media_bucket_name must be a valid bucket name."
  }
}

variable "media_bucket_location" {
  description = "Location of the media bucket; null uses region."
  type        = string
  default     = null
}

variable "media_retention_days" {
  description = "Days after which MMS media objects are deleted."
  type        = number
  default     = 90

  validation {
    condition     = var.media_retention_days >= 1 && var.media_retention_days <= 3650 && floor(var.media_retention_days) == var.media_retention_days
    error_message = "media_retention_days must be a whole number between 1 and 3650."
  }
}

variable "media_bucket_force_destroy" {
  description = "Allow terraform destroy to delete the media bucket with its objects."
  type        = bool
  default     = false
}

# -------------------------------------------------------- Identity Platform --

variable "enable_identity_platform" {
  description = "Configure Identity Platform (Firebase Auth) with email/password sign-in for agents, supervisors and admins. Identity Platform must be initialised once in the console per project; leave false when Firebase Auth is managed elsewhere."
  type        = bool
  default     = false
}

variable "identity_platform_authorized_domains" {
  description = "Extra domains allowed for sign-in redirects (the functions' domain and localhost are always included)."
  type        = list(string)
  default     = []
}

variable "console_origins" {
  description = "Origins (https://console.acme.example) besides the functions' own host from which browsers may call AgentAPI, e.g. a custom domain in front of the Console."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.console_origins : can(regex("^https?://[^/?#]+$", o))])
    error_message = "console_origins entries are origins: scheme://host[:port], no path."
  }
}

variable "firebase_api_key" {
  description = "The Identity Platform web API key the Console signs in with (public; Identity Platform > Application setup details)."
  type        = string
  default     = ""
}

variable "firebase_auth_domain" {
  description = "The Identity Platform auth domain of the Console's sign-in (default PROJECT.firebaseapp.com)."
  type        = string
  default     = ""
}

variable "crm" {
  description = "CRM the chats are synced to (CRMSync): \"hubspot\", \"webhook\" (the signed webhook to crm_webhook_url), \"builtin\" (the built-in contacts), or \"\" for none. With hubspot the secret hubspot-access-token, with webhook crm-webhook-secret, is created and needs a version before the functions deploy. An admin may switch adapters later in AdminAPI (PUT /crm) among those whose secret exists (crm_secrets)."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "hubspot", "webhook", "builtin"], var.crm)
    error_message = "crm must be \"\", \"hubspot\", \"webhook\" or \"builtin\"."
  }
  validation {
    condition     = var.crm != "webhook" || var.crm_webhook_url != ""
    error_message = "crm = \"webhook\" needs crm_webhook_url."
  }
}

variable "crm_secrets" {
  description = "CRMs whose secrets are created and mounted besides var.crm's, so an admin can switch to them in AdminAPI: any of \"hubspot\", \"webhook\"."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.crm_secrets : contains(["hubspot", "webhook"], c)])
    error_message = "crm_secrets may name hubspot and webhook."
  }
}

variable "crm_webhook_url" {
  description = "CRM_WEBHOOK_URL: the signed webhook's receiver (https), the default until an admin saves another in AdminAPI."
  type        = string
  default     = ""

  validation {
    condition     = var.crm_webhook_url == "" || can(regex("^https://[^/]+(/.*)?$", var.crm_webhook_url))
    error_message = "crm_webhook_url must be an https URL."
  }
}

variable "crm_webhook_contact_url" {
  description = "CRM_WEBHOOK_CONTACT_URL: where the console opens a contact of the webhook's CRM, {id} for its id (optional)."
  type        = string
  default     = ""

  validation {
    condition     = var.crm_webhook_contact_url == "" || can(regex("^https://.*\\{id\\}", var.crm_webhook_contact_url))
    error_message = "crm_webhook_contact_url must be an https URL with {id} in it."
  }
}

variable "crm_rate_limit" {
  description = "CRM_RATE_LIMIT: the most CRM calls per 10 seconds across every instance (0: 100, HubSpot's private-app limit); held with Firestore tokens in ratelimit/."
  type        = number
  default     = 0

  validation {
    condition     = var.crm_rate_limit >= 0 && var.crm_rate_limit <= 10000
    error_message = "crm_rate_limit must be 0 to 10000."
  }
}

variable "hubspot_api_base_url" {
  description = "HUBSPOT_API_BASE_URL: HubSpot's API base URL."
  type        = string
  default     = "https://api.hubapi.com"

  validation {
    condition     = can(regex("^https?://[^/]+(/.*[^/])?$", var.hubspot_api_base_url))
    error_message = "hubspot_api_base_url must be an http(s) URL without a trailing slash."
  }
}

variable "hubspot_portal_id" {
  description = "HUBSPOT_PORTAL_ID: the HubSpot account id, so the console links to the contact in HubSpot (optional)."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[0-9]{0,12}$", var.hubspot_portal_id))
    error_message = "hubspot_portal_id must be the account id's digits."
  }
}

variable "crm_rules" {
  description = "Record-creation settings of the CRM sync: wait for the consumer's Nth text before creating or linking the record (0: on assignment); link a chat to the contact of the consumer's open chat in the same leaf queue (append_open), or of one closed within append_closed_days."
  type = object({
    min_consumer_messages = optional(number, 0)
    append_open           = optional(bool, false)
    append_closed_days    = optional(number, 0)
  })
  default = {}

  validation {
    condition     = var.crm_rules.min_consumer_messages >= 0 && var.crm_rules.min_consumer_messages <= 100 && var.crm_rules.append_closed_days >= 0 && var.crm_rules.append_closed_days <= 365
    error_message = "crm_rules.min_consumer_messages must be 0 to 100 and append_closed_days 0 to 365."
  }
  validation {
    condition     = var.crm_rules.append_closed_days == 0 || var.crm_rules.append_open
    error_message = "crm_rules.append_closed_days needs append_open = true."
  }
}

variable "ivr" {
  description = "Deploy IVRWebhook, the Dialogflow CX webhook (SMS deflection). With true, the secret ivr-webhook-secret is created and needs a version (16 characters or more, the value set in the CX webhook's X-IVR-Webhook-Secret header) before the functions deploy."
  type        = bool
  default     = false
}

variable "ivr_id_token_emails" {
  description = "IVR_ID_TOKEN_EMAILS: service accounts whose Google ID tokens IVRWebhook accepts instead of the secret (the Dialogflow service agent, service-PROJECT_NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com); empty accepts the secret only."
  type        = list(string)
  default     = []
}
