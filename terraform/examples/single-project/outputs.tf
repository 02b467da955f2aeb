output "twilio_inbound_webhook_url" {
  description = "Twilio console: phone number > Messaging > A message comes in (HTTP POST)."
  value       = module.smsdesk.twilio_inbound_webhook_url
}

output "twilio_status_callback_url" {
  description = "Twilio console: Messaging Service > Integration > Delivery Status Callback."
  value       = module.smsdesk.twilio_status_callback_url
}

output "telnyx_webhook_url" {
  description = "Telnyx portal: Messaging Profile > Inbound > Webhook URL."
  value       = module.smsdesk.telnyx_webhook_url
}

output "function_urls" {
  description = "URL of every function."
  value       = module.smsdesk.function_urls
}

output "carrier_secrets" {
  description = "Secrets to fill with gcloud secrets versions add."
  value       = module.smsdesk.carrier_secrets
}

output "media_bucket" {
  description = "MMS media bucket."
  value       = module.smsdesk.media_bucket
}

output "dead_letter_subscriptions" {
  description = "Pull these to inspect messages a function could not process."
  value       = { for k, v in module.smsdesk.push_subscriptions : k => v.inspector_subscription }
}

output "outbound_api_url" {
  description = "OutboundAPI for business systems (API keys from POST /AdminAPI/apiKeys)."
  value       = module.smsdesk.outbound_api_url
}
