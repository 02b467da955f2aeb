output "functions" {
  description = "Every deployed function: URL, Cloud Run service URI, trigger and runtime service account."
  value = {
    for n, f in local.functions : n => {
      url             = module.function[n].url
      service_uri     = module.function[n].service_uri
      trigger         = f.trigger
      public          = f.public
      service_account = module.function[n].service_account_email
    }
  }

  precondition {
    condition     = length(local.catalog_errors) == 0
    error_message = "Function catalog errors:\n- ${join("\n- ", local.catalog_errors)}"
  }
}

output "function_urls" {
  description = "URL of each function by name (PUBLIC_BASE_URL/NAME)."
  value       = { for n in keys(local.functions) : n => "${local.public_base_url}/${n}" }
}

output "public_base_url" {
  description = "PUBLIC_BASE_URL given to the functions."
  value       = local.public_base_url
}

output "twilio_inbound_webhook_url" {
  description = "Paste in the Twilio console: Phone Number (or Messaging Service) > Messaging > \"A message comes in\", HTTP POST."
  value       = contains(keys(local.functions), "TwilioInbound") ? "${local.public_base_url}/TwilioInbound" : null
}

output "twilio_status_callback_url" {
  description = "Twilio delivery status callback (Messaging Service > Integration > Delivery Status Callback); SendSMS also sets it on every message it sends."
  value       = contains(keys(local.functions), "DeliveryStatus") ? "${local.public_base_url}/DeliveryStatus" : null
}

output "telnyx_webhook_url" {
  description = "Paste in the Telnyx portal: Messaging Profile > Inbound > Webhook URL (null until TelnyxInbound is deployed)."
  value       = contains(keys(local.functions), "TelnyxInbound") ? "${local.public_base_url}/TelnyxInbound" : null
}

output "telnyx_status_url" {
  description = "Where Telnyx's delivery updates arrive; SendSMS sets it as webhook_url on every message it sends through Telnyx, so the messaging profile needs no status URL."
  value       = contains(keys(local.functions), "TelnyxInbound") ? "${local.public_base_url}/DeliveryStatus/telnyx" : null
}

output "bandwidth_inbound_callback_url" {
  description = "Set on the Bandwidth messaging application as InboundCallbackUrl, with InboundCallbackCreds = bandwidth_webhook_user and the bandwidth-webhook-password secret (null until BandwidthInbound is deployed)."
  value       = contains(keys(local.functions), "BandwidthInbound") ? "${local.public_base_url}/BandwidthInbound" : null
}

output "bandwidth_status_callback_url" {
  description = "Set on the Bandwidth messaging application as OutboundCallbackUrl, with OutboundCallbackCreds the same as the inbound ones; every send's tag names its message."
  value       = contains(keys(local.functions), "BandwidthInbound") ? "${local.public_base_url}/DeliveryStatus/bandwidth" : null
}

output "outbound_api_url" {
  description = "OutboundAPI for business systems (POST /v1/sms, POST /v1/sessionless_sms, GET /v1/sessionless_sms/{batch}; contract at /openapi.yaml), with an API key from POST /AdminAPI/apiKeys."
  value       = contains(keys(local.functions), "OutboundAPI") ? "${local.public_base_url}/OutboundAPI" : null
}

output "topics" {
  description = "Pub/Sub topic ids by name."
  value       = { for k, t in google_pubsub_topic.topic : k => t.id }
}

output "push_subscriptions" {
  description = "Push subscriptions with their function, dead-letter topic and inspection subscription."
  value = {
    for k, s in local.push_subscriptions : k => {
      function               = s.function
      topic                  = s.topic
      dead_letter_topic      = google_pubsub_topic.dead_letter[k].name
      inspector_subscription = google_pubsub_subscription.dead_letter_inspect[k].name
    }
  }
}

output "task_queues" {
  description = "Cloud Tasks queue ids by name."
  value       = { for k, q in google_cloud_tasks_queue.queue : k => q.id }
}

output "tasks_service_account" {
  description = "TASKS_SERVICE_ACCOUNT: the identity in the OIDC tokens of Cloud Tasks."
  value       = google_service_account.tasks_invoker.email
}

output "pubsub_push_service_account" {
  description = "Identity in the OIDC tokens of the push subscriptions."
  value       = google_service_account.pubsub_push.email
}

output "media_bucket" {
  description = "MEDIA_BUCKET: bucket for MMS media."
  value       = google_storage_bucket.media.name
}

output "carrier_secrets" {
  description = "Secret Manager secrets to fill with gcloud secrets versions add, by secret id, with the variable they become."
  value       = { for k, v in local.enabled_carrier_secrets : k => v.env }
}

output "environment" {
  description = "The plain environment variables every function gets."
  value       = local.function_environment
}
