# Carrier credentials live in Secret Manager. Terraform creates the secrets but
# never their values (which would land in the state): add a version with
#   printf %s "$TOKEN" | gcloud secrets versions add twilio-auth-token --data-file=-
# before the functions that mount them are deployed (see DEPLOY.md).
locals {
  carrier_secrets = {
    "twilio-auth-token"          = { carrier = "twilio", env = "TWILIO_AUTH_TOKEN", description = "Twilio auth token (webhook signatures and REST API)." }
    "telnyx-api-key"             = { carrier = "telnyx", env = "TELNYX_API_KEY", description = "Telnyx API v2 key (sending messages)." }
    "bandwidth-client-secret"    = { carrier = "bandwidth", env = "BANDWIDTH_CLIENT_SECRET", description = "Bandwidth API Credential client secret (OAuth 2.0 access tokens for sending and media)." }
    "bandwidth-webhook-password" = { carrier = "bandwidth", env = "BANDWIDTH_WEBHOOK_PASSWORD", description = "Password of the Basic credentials set on the Bandwidth messaging application's callbacks (16 characters or more)." }
    # Not a carrier's: the CRM sync's, created when var.crm names its CRM.
    "hubspot-access-token" = { crm = "hubspot", env = "HUBSPOT_ACCESS_TOKEN", description = "HubSpot private app access token (crm.objects.contacts.read and .write scopes) for the CRM sync." }
    "crm-webhook-secret"   = { crm = "webhook", env = "CRM_WEBHOOK_SECRET", description = "Shared secret signing the CRM webhook's requests (HMAC-SHA256; 32 characters or more: openssl rand -hex 32)." }
    # The IVR webhook's, created when var.ivr is true.
    "ivr-webhook-secret" = { ivr = true, env = "IVR_WEBHOOK_SECRET", description = "Shared secret the Dialogflow CX webhook sends in X-IVR-Webhook-Secret (16 characters or more)." }
  }

  enabled_carrier_secrets = {
    for k, v in local.carrier_secrets : k => v
    if contains(var.carriers, try(v.carrier, "")) || (try(v.crm, "") != "" && (try(v.crm, "") == var.crm || contains(var.crm_secrets, try(v.crm, "")))) || (var.ivr && try(v.ivr, false))
  }
}

resource "google_secret_manager_secret" "carrier" {
  for_each = local.enabled_carrier_secrets

  project   = var.project_id
  secret_id = each.key
  labels    = merge(var.labels, { app = "smsdesk" }, try({ carrier = each.value.carrier }, { crm = each.value.crm }, { ivr = "true" }))
  annotations = {
    description = each.value.description
    env         = each.value.env
  }

  replication {
    dynamic "auto" {
      for_each = length(var.secret_replica_locations) == 0 ? [1] : []
      content {}
    }
    dynamic "user_managed" {
      for_each = length(var.secret_replica_locations) == 0 ? [] : [1]
      content {
        dynamic "replicas" {
          for_each = var.secret_replica_locations
          content {
            location = replicas.value
          }
        }
      }
    }
  }

  depends_on = [google_project_service.enabled]
}
