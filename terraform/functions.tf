# The function catalog: every Cloud Function of smsdesk, its trigger and what it
# uses. IAM, push subscriptions, queue targets and secrets are all derived from
# it, so adding a function is one entry here (plus its source archive, which
# scripts/cloudbuild-upload finds by itself). Fields:
#
#   package      Go package under functions/ (documentation; staging finds it
#                from the functions.HTTP("Name", ...) registration)
#   description  shown in the console
#   trigger      "http"   public HTTPS endpoint (carrier webhooks, agent/admin/API
#                         endpoints, console); allUsers may invoke it and the code
#                         authenticates every request (signatures, ID tokens, keys)
#                "pubsub" target of a push subscription on `topic`; only the
#                         push service account may invoke it
#                "tasks"  HTTP target of the Cloud Tasks queue `queue`; only the
#                         tasks invoker service account may invoke it
#   topic        (pubsub) topic key in local.topics
#   queue        (tasks)  queue key in local.queues
#   firestore    reads/writes Firestore (roles/datastore.user)
#   publishes    topics it publishes to (roles/pubsub.publisher on each)
#   enqueues     queues it creates tasks on (roles/cloudtasks.enqueuer on each,
#                plus iam.serviceAccountUser on the tasks invoker service account
#                so the tasks carry its OIDC token)
#   secrets      carrier secrets it reads (key in local.carrier_secrets); only the
#                secrets of enabled carriers are mounted
#   media        media bucket access: "none", "read", "write" or "read-write"
#   signs_media  signs media URLs (IAM signBlob as itself): Token Creator on
#                its own service account
#   carrier      (optional) deploy only when this carrier is in var.carriers
#                (its inbound webhook)
#   crm          (optional) true: deploy only when var.crm names a CRM (CRMSync)
#   ivr          (optional) true: deploy only when var.ivr is true (IVRWebhook)
#   sizing       defaults for min_instances, max_instances, concurrency, cpu,
#                memory, timeout_seconds (var.function_settings overrides)
#
# To add a function, add one entry below; for example a Pub/Sub consumer:
#
#   ChatStats = {
#     package     = "functions/chatstats"
#     description = "Chat statistics from chat-events."
#     trigger     = "pubsub"
#     topic       = "chat-events"
#     firestore   = true
#   }
#
# Later functions: IVRWebhook (http, public),
# ChatStats (pubsub, chat-events).
locals {
  function_catalog = {
    TwilioInbound = {
      package     = "functions/twilioinbound"
      description = "Twilio inbound SMS/MMS webhook: verify the signature, dedupe, persist, publish sms-inbound, reply <Response/>."
      trigger     = "http"
      firestore   = true
      publishes   = ["sms-inbound"]
      secrets     = ["twilio-auth-token"]
      # Twilio waits 15 s; a warm instance keeps the webhook ack fast.
      sizing = { min_instances = 1, timeout_seconds = 15 }
    }

    TelnyxInbound = {
      package     = "functions/telnyxinbound"
      description = "Telnyx inbound SMS/MMS webhook (message.received): verify the Ed25519 signature with TELNYX_PUBLIC_KEY, dedupe, persist, publish sms-inbound, answer 200."
      trigger     = "http"
      carrier     = "telnyx"
      firestore   = true
      publishes   = ["sms-inbound"]
      # The public key is plain configuration (TELNYX_PUBLIC_KEY); the
      # webhook needs no secret.
      secrets = []
      # Telnyx wants a 2xx within 2 seconds: keep an instance warm.
      sizing = { min_instances = 1, timeout_seconds = 10 }
    }

    BandwidthInbound = {
      package     = "functions/bandwidthinbound"
      description = "Bandwidth inbound SMS/MMS callback (message-received): answer the 401 challenge, check the application's Basic callback credentials, dedupe, persist, publish sms-inbound, answer 200."
      trigger     = "http"
      carrier     = "bandwidth"
      firestore   = true
      publishes   = ["sms-inbound"]
      secrets     = ["bandwidth-webhook-password"]
      # Bandwidth waits 10 seconds and retries for 24 hours.
      sizing = { min_instances = 1, timeout_seconds = 10 }
    }

    RouteInbound = {
      package     = "functions/routeinbound"
      description = "Conversation state machine: consent, commands, menu, queue, assignment, replies (push subscription on sms-inbound)."
      trigger     = "pubsub"
      topic       = "sms-inbound"
      firestore   = true
      publishes   = ["chat-events"]
      enqueues    = ["sms-send", "chat-timers"]
      # Copies consumers' MMS media into the bucket, downloading them from
      # Twilio with the account's credentials and from Bandwidth with the
      # API Credential's access token.
      secrets = ["twilio-auth-token", "bandwidth-client-secret"]
      media   = "read-write"
    }

    SendSMS = {
      package     = "functions/sendsms"
      description = "The only caller of the carriers' send APIs (Cloud Tasks queue sms-send); opt-out and quiet hours at send time."
      trigger     = "tasks"
      queue       = "sms-send"
      firestore   = true
      publishes   = ["chat-events"] # outbound.sent, for the CRM sync
      secrets     = ["twilio-auth-token", "telnyx-api-key", "bandwidth-client-secret"]
      # Hands the carrier signed URLs of agents' images.
      media       = "read"
      signs_media = true
    }

    DeliveryStatus = {
      package     = "functions/deliverystatus"
      description = "Carriers' delivery updates (Twilio at /DeliveryStatus, Telnyx at /DeliveryStatus/telnyx, Bandwidth at /DeliveryStatus/bandwidth): monotonic delivery state per message; carrier errors update consent."
      trigger     = "http"
      firestore   = true
      secrets     = ["twilio-auth-token", "bandwidth-webhook-password"]
      sizing      = { timeout_seconds = 15 }
    }

    ChatTimers = {
      package     = "functions/chattimers"
      description = "Queue timeout, inactivity, expiry, offer and dismissal timers (Cloud Tasks queue chat-timers); stale versions do nothing."
      trigger     = "tasks"
      queue       = "chat-timers"
      firestore   = true
      publishes   = ["chat-events"]
      enqueues    = ["sms-send", "chat-timers"]
      secrets     = ["twilio-auth-token"] # shared/config requires it with the twilio carrier
    }

    AgentAPI = {
      package     = "functions/agentapi"
      description = "Agent console API: inbox, transcripts with consent and delivery status, accept/decline, replies (custom, canned, MMS), transfers, end, agent status, canned messages (Firebase Auth: agent, supervisor, admin)."
      trigger     = "http"
      firestore   = true
      publishes   = ["chat-events"] # accept, transfer, end
      enqueues    = ["sms-send", "chat-timers"]
      # twilio: shared/config requires it; the CRM's: the chat's CRM contact.
      secrets     = ["twilio-auth-token", "hubspot-access-token", "crm-webhook-secret"]
      media       = "read-write" # agents' uploads
      signs_media = true         # signed URLs in GET /chats/{id}
      # The console polls every second: keep one instance warm.
      sizing = { min_instances = 1, timeout_seconds = 30 }
    }

    OutboundAPI = {
      package     = "functions/outboundapi"
      description = "Outbound SMS for business systems: POST /v1/sms starts a chat, POST /v1/sessionless_sms texts up to 1,000 recipients paced over the sender's pool, GET /v1/sessionless_sms/{batch} reports delivery (API keys: Bearer or Basic, per-key rate limit, Idempotency-Key)."
      # Public like the other APIs: the code authenticates every request with
      # an API key (hashed in Firestore), so allUsers may invoke it.
      trigger   = "http"
      firestore = true                        # keys, rate-limit tokens, idempotency records, batches, chats
      publishes = ["chat-events"]             # an outbound chat's events
      enqueues  = ["sms-send", "chat-timers"] # the texts (held or paced with a schedule time), the chat's timers
      secrets   = ["twilio-auth-token"]       # shared/config requires it with the twilio carrier
      # No media. No secret of its own: key hashes are SHA-256 (apikey's
      # optional pepper is not wired to a secret yet).
      # A 1,000-recipient batch writes 1,000 chats before it answers.
      sizing = { timeout_seconds = 300 }
    }

    CRMSync = {
      package     = "functions/crmsync"
      description = "CRM sync (push subscription on chat-events): the consumer's contact found by phone, created, updated or offered to the agent; chat events and the transcript posted as notes once each; a CRM outage retried, then parked on crm/{chatId}."
      trigger     = "pubsub"
      topic       = "chat-events"
      crm         = true
      firestore   = true # chats, messages, queues; crm/{chatId}, settings/crm, ratelimit/crm_*
      secrets     = ["twilio-auth-token", "hubspot-access-token", "crm-webhook-secret"]
      media       = "read" # the consumer's photos and videos, uploaded to the CRM as files
      # Each push is a few CRM calls; the subscription's ack deadline
      # bounds it.
      sizing = { max_instances = 5, timeout_seconds = 60 }
    }

    ChatStats = {
      package     = "functions/chatstats"
      description = "Chat statistics (push subscription on chat-events): on chat.ended the chat's contribution is added once to sharded day counters stats/{day}_{dim}_{value}_{shard} (statsCounted/{chatId} in the same transaction)."
      trigger     = "pubsub"
      topic       = "chat-events"
      firestore   = true # chats, messages, settings; stats, statsCounted
      # One transaction of about six writes per chat ended.
      sizing = { max_instances = 5, timeout_seconds = 60 }
    }

    IVRWebhook = {
      package     = "functions/ivrwebhook"
      description = "Dialogflow CX webhook of the voice IVR: estimated wait (ewt) and pre-session SMS deflection (deflection-offer/accept/decline); a shared secret or a Google ID token from an allowed sender."
      # Public like OutboundAPI: the code authenticates every call (the
      # secret, or an ID token from var.ivr_id_token_emails).
      trigger   = "http"
      ivr       = true
      firestore = true                        # ivrQueues, ivrTurns, chats, consents, agents
      publishes = ["chat-events"]             # the deflected chat's events
      enqueues  = ["sms-send", "chat-timers"] # its texts and timers
      secrets   = ["twilio-auth-token", "ivr-webhook-secret"]
      # CX waits 5 s; an accept waits up to IVR_SEND_WAIT for the carrier.
      sizing = { timeout_seconds = 30 }
    }

    Console = {
      package     = "functions/console"
      description = "Agent and supervisor web console: embedded static files and config.json (Firebase web settings, AgentAPI URL)."
      trigger     = "http"
      # Serves files only: no Firestore, topics, queues or media.
      secrets = ["twilio-auth-token"] # shared/config requires it with the twilio carrier
      sizing  = { max_instances = 5, memory = "256Mi" }
    }

    AdminAPI = {
      package     = "functions/adminapi"
      description = "Channel configuration: SMS settings, numbers, queue tree, teams, agents (Firebase Auth, role admin)."
      trigger     = "http"
      firestore   = true
      publishes   = ["chat-events"] # an agent made available is offered chats
      enqueues    = ["sms-send", "chat-timers"]
      # twilio: shared/config requires it; the CRM's: test connection and replay.
      secrets = ["twilio-auth-token", "hubspot-access-token", "crm-webhook-secret"]
    }
  }

  function_defaults = {
    min_instances   = 0
    max_instances   = 20
    concurrency     = 80
    cpu             = "1"
    memory          = "512Mi"
    timeout_seconds = 60
  }

  # The catalog with every optional field filled in and the settings merged.
  functions = {
    for name, f in local.function_catalog : name => {
      package     = try(f.package, "")
      description = try(f.description, "")
      trigger     = f.trigger
      public      = f.trigger == "http"
      topic       = try(f.topic, null)
      queue       = try(f.queue, null)
      firestore   = try(f.firestore, false)
      publishes   = toset(try(f.publishes, []))
      enqueues    = toset(try(f.enqueues, []))
      secrets     = toset([for s in try(f.secrets, []) : s if contains(keys(local.enabled_carrier_secrets), s)])
      media       = try(f.media, "none")
      signs_media = try(f.signs_media, false)
      settings = merge(
        local.function_defaults,
        try(f.sizing, {}),
        { ingress = f.trigger == "http" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY" },
        { for k, v in try(var.function_settings[name], {}) : k => v if v != null },
      )
    } if(try(f.carrier, null) == null || contains(var.carriers, try(f.carrier, ""))) && (!try(f.crm, false) || var.crm != "") && (!try(f.ivr, false) || var.ivr)
  }

  # Problems in the catalog and the inputs that go with it, reported by the
  # precondition on output.functions (plan fails with the whole list).
  catalog_errors = concat(
    [for n, f in local.function_catalog : "${n}: trigger must be http, pubsub or tasks" if !contains(["http", "pubsub", "tasks"], f.trigger)],
    [for n, f in local.function_catalog : "${n}: a pubsub function needs a topic from local.topics" if f.trigger == "pubsub" && !contains(keys(local.topics), try(f.topic, ""))],
    [for n, f in local.function_catalog : "${n}: a tasks function needs a queue from local.queues" if f.trigger == "tasks" && !contains(keys(local.queues), try(f.queue, ""))],
    flatten([for n, f in local.function_catalog : [for t in try(f.publishes, []) : "${n}: publishes to unknown topic ${t}" if !contains(keys(local.topics), t)]]),
    flatten([for n, f in local.function_catalog : [for q in try(f.enqueues, []) : "${n}: enqueues on unknown queue ${q}" if !contains(keys(local.queues), q)]]),
    flatten([for n, f in local.function_catalog : [for s in try(f.secrets, []) : "${n}: unknown secret ${s}" if !contains(keys(local.carrier_secrets), s)]]),
    [for n, f in local.function_catalog : "${n}: media must be none, read, write or read-write" if !contains(["none", "read", "write", "read-write"], try(f.media, "none"))],
    [for n in keys(var.function_settings) : "function_settings has unknown function ${n}" if !contains(keys(local.function_catalog), n)],
    [for n in keys(local.functions) : "function_sources has no archive for ${n}" if !contains(keys(var.function_sources), n)],
    contains(var.carriers, "twilio") && var.twilio_account_sid == "" ? ["twilio is in carriers: set twilio_account_sid"] : [],
    contains(var.carriers, "telnyx") && var.telnyx_public_key == "" ? ["telnyx is in carriers: set telnyx_public_key"] : [],
    contains(var.carriers, "bandwidth") && (var.bandwidth_account_id == "" || var.bandwidth_application_id == "" || var.bandwidth_client_id == "" || var.bandwidth_webhook_user == "") ? ["bandwidth is in carriers: set bandwidth_account_id, bandwidth_application_id, bandwidth_client_id and bandwidth_webhook_user"] : [],
  )

  public_base_url = coalesce(var.public_base_url, "https://${var.region}-${var.project_id}.cloudfunctions.net")

  # Plain environment of every function (the code validates it at start-up).
  function_environment = {
    GOOGLE_CLOUD_PROJECT     = var.project_id
    PUBLIC_BASE_URL          = local.public_base_url
    TWILIO_ACCOUNT_SID       = var.twilio_account_sid
    TWILIO_API_BASE_URL      = var.twilio_api_base_url
    TELNYX_PUBLIC_KEY        = var.telnyx_public_key
    TELNYX_API_BASE_URL      = var.telnyx_api_base_url
    BANDWIDTH_ACCOUNT_ID     = var.bandwidth_account_id
    BANDWIDTH_APPLICATION_ID = var.bandwidth_application_id
    BANDWIDTH_CLIENT_ID      = var.bandwidth_client_id
    BANDWIDTH_WEBHOOK_USER   = var.bandwidth_webhook_user
    BANDWIDTH_API_BASE_URL   = var.bandwidth_api_base_url
    BANDWIDTH_TOKEN_URL      = var.bandwidth_token_url
    TASKS_LOCATION           = var.region
    TASKS_SERVICE_ACCOUNT    = google_service_account.tasks_invoker.email
    MEDIA_BUCKET             = google_storage_bucket.media.name
    LOG_LEVEL                = var.log_level
    CONSOLE_ORIGINS          = join(",", var.console_origins)
    FIREBASE_API_KEY         = var.firebase_api_key
    FIREBASE_AUTH_DOMAIN     = coalesce(var.firebase_auth_domain, "${var.project_id}.firebaseapp.com")
    HUBSPOT_API_BASE_URL     = var.hubspot_api_base_url
    HUBSPOT_PORTAL_ID        = var.crm == "hubspot" ? var.hubspot_portal_id : ""
    CRM_MIN_CONSUMER_TEXTS   = tostring(var.crm_rules.min_consumer_messages)
    CRM_APPEND_OPEN          = tostring(var.crm_rules.append_open)
    CRM_APPEND_CLOSED_DAYS   = tostring(var.crm_rules.append_closed_days)
    CRM_ADAPTER              = var.crm == "hubspot" ? "" : var.crm
    CRM_WEBHOOK_URL          = var.crm_webhook_url
    CRM_WEBHOOK_CONTACT_URL  = var.crm_webhook_contact_url
    CRM_RATE_LIMIT           = tostring(var.crm_rate_limit)
    IVR_ID_TOKEN_EMAILS      = join(",", var.ivr_id_token_emails)
  }
}

module "function" {
  source   = "./modules/cloud-function"
  for_each = local.functions

  project_id  = var.project_id
  region      = var.region
  name        = each.key
  description = each.value.description
  labels      = merge(var.labels, { app = "smsdesk", function = lower(each.key) })
  runtime     = var.go_runtime

  source_bucket         = var.source_bucket
  source_object         = try(var.function_sources[each.key], "")
  build_service_account = google_service_account.builder.id

  environment_variables = local.function_environment
  secret_environment_variables = {
    for s in each.value.secrets : local.carrier_secrets[s].env => {
      secret  = s # the secret id; depends_on below orders the secret first
      version = "latest"
    }
  }

  min_instances   = each.value.settings.min_instances
  max_instances   = each.value.settings.max_instances
  concurrency     = each.value.settings.concurrency
  cpu             = each.value.settings.cpu
  memory          = each.value.settings.memory
  timeout_seconds = each.value.settings.timeout_seconds
  ingress         = each.value.settings.ingress

  public = each.value.public
  invoker_members = (
    each.value.trigger == "pubsub" ? [google_service_account.pubsub_push.member] :
    each.value.trigger == "tasks" ? [google_service_account.tasks_invoker.member] :
    []
  )

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.builder,
    google_secret_manager_secret.carrier,
  ]
}
