# Topics, one push subscription per Pub/Sub-triggered function, and a dead-letter
# topic with an inspection subscription per push subscription.

locals {
  topics = {
    # Published by TwilioInbound/TelnyxInbound with ordering key
    # "<business number>|<consumer>": one consumer's texts reach RouteInbound in order.
    "sms-inbound" = { message_ordering = true }
    # Chat state changes published by RouteInbound and the APIs with the chat id as
    # ordering key; consumed by CRMSync and ChatStats.
    "chat-events" = { message_ordering = true }
  }

  push_subscriptions = {
    for n, f in local.functions : "${f.topic}-${lower(n)}" => {
      function = n
      topic    = f.topic
    } if f.trigger == "pubsub"
  }
}

resource "google_pubsub_topic" "topic" {
  for_each = local.topics

  project = var.project_id
  name    = each.key
  labels  = merge(var.labels, { app = "smsdesk" })

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.push_subscriptions

  project = var.project_id
  name    = "${each.key}-dead-letter"
  labels  = merge(var.labels, { app = "smsdesk", dead_letter_of = each.key })

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "push" {
  for_each = local.push_subscriptions

  project = var.project_id
  name    = each.key
  topic   = google_pubsub_topic.topic[each.value.topic].id
  labels  = merge(var.labels, { app = "smsdesk", function = lower(each.value.function) })

  ack_deadline_seconds       = var.pubsub_push.ack_deadline_seconds
  message_retention_duration = var.pubsub_push.message_retention_duration
  enable_message_ordering    = local.topics[each.value.topic].message_ordering

  push_config {
    push_endpoint = module.function[each.value.function].url

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      # Cloud Run accepts its own run.app URL as audience whichever URL is called.
      audience = module.function[each.value.function].service_uri
    }
  }

  retry_policy {
    minimum_backoff = var.pubsub_push.minimum_backoff
    maximum_backoff = var.pubsub_push.maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = var.pubsub_push.max_delivery_attempts
  }

  expiration_policy {
    ttl = "" # never expire
  }

  depends_on = [
    # Deliveries start right away: the invoker grant must be there first.
    module.function,
    google_pubsub_topic_iam_member.dead_letter_publisher,
    google_service_account_iam_member.pubsub_push_token_creator,
  ]
}

# Pull subscription on each dead-letter topic so failed messages can be inspected
# (gcloud pubsub subscriptions pull NAME-dead-letter-inspect) and replayed.
resource "google_pubsub_subscription" "dead_letter_inspect" {
  for_each = local.push_subscriptions

  project = var.project_id
  name    = "${each.key}-dead-letter-inspect"
  topic   = google_pubsub_topic.dead_letter[each.key].id
  labels  = merge(var.labels, { app = "smsdesk", dead_letter_of = each.key })

  ack_deadline_seconds       = 60
  message_retention_duration = var.pubsub_push.dead_letter_retention
  retain_acked_messages      = true

  expiration_policy {
    ttl = ""
  }
}

# The Pub/Sub service agent forwards undeliverable messages: it publishes to the
# dead-letter topic and acknowledges them on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.push_subscriptions

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.key].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.push_subscriptions

  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
