# Firestore in Native mode, the composite indexes of the code's queries and TTL
# policies on the dedupe collections.

locals {
  firestore_database = var.create_firestore_database ? google_firestore_database.default[0].name : "(default)"

  # Composite indexes (single-field indexes are automatic).
  firestore_indexes = {
    # Routing: the longest-waiting chats of an agent's queues
    # (status == queued, queueId in [...], order by queuedAt).
    chats_queue_status_queued = {
      collection = "chats"
      fields = [
        { field_path = "queueId", order = "ASCENDING" },
        { field_path = "status", order = "ASCENDING" },
        { field_path = "queuedAt", order = "ASCENDING" },
      ]
    }
    # AgentAPI: chats an agent ended recently.
    chats_agent_status_ended = {
      collection = "chats"
      fields = [
        { field_path = "agentId", order = "ASCENDING" },
        { field_path = "status", order = "ASCENDING" },
        { field_path = "endedAt", order = "DESCENDING" },
      ]
    }
    # AgentAPI: open chats of an agent's queues, one query per status.
    chats_queue_status_created = {
      collection = "chats"
      fields = [
        { field_path = "queueId", order = "ASCENDING" },
        { field_path = "status", order = "ASCENDING" },
        { field_path = "createdAt", order = "ASCENDING" },
      ]
    }
    # AgentAPI: every open chat, for supervisors.
    chats_status_created = {
      collection = "chats"
      fields = [
        { field_path = "status", order = "ASCENDING" },
        { field_path = "createdAt", order = "ASCENDING" },
      ]
    }
    # Console search (shared/chat/search): searchTokens CONTAINS a token,
    # newest activity first; for supervisors, an agent's own chats, and the
    # queued chats of an agent's queues.
    chats_search_updated = {
      collection = "chats"
      fields = [
        { field_path = "searchTokens", array_config = "CONTAINS" },
        { field_path = "updatedAt", order = "DESCENDING" },
      ]
    }
    chats_search_agent_updated = {
      collection = "chats"
      fields = [
        { field_path = "searchTokens", array_config = "CONTAINS" },
        { field_path = "agentId", order = "ASCENDING" },
        { field_path = "updatedAt", order = "DESCENDING" },
      ]
    }
    chats_search_status_queue_updated = {
      collection = "chats"
      fields = [
        { field_path = "searchTokens", array_config = "CONTAINS" },
        { field_path = "status", order = "ASCENDING" },
        { field_path = "queueId", order = "ASCENDING" },
        { field_path = "updatedAt", order = "DESCENDING" },
      ]
    }
    # History: a consumer's chats, newest first.
    chats_consumer_created = {
      collection = "chats"
      fields = [
        { field_path = "consumer", order = "ASCENDING" },
        { field_path = "createdAt", order = "DESCENDING" },
      ]
    }
    # Reports: the chat history by consumer, agent, queue or end reason (one
    # equality; the other filters are checked on the documents read), newest first.
    chats_consumer_ended = {
      collection = "chats"
      fields = [
        { field_path = "consumer", order = "ASCENDING" },
        { field_path = "endedAt", order = "DESCENDING" },
      ]
    }
    chats_agent_ended = {
      collection = "chats"
      fields = [
        { field_path = "agentId", order = "ASCENDING" },
        { field_path = "endedAt", order = "DESCENDING" },
      ]
    }
    chats_queue_ended = {
      collection = "chats"
      fields = [
        { field_path = "queueId", order = "ASCENDING" },
        { field_path = "endedAt", order = "DESCENDING" },
      ]
    }
    chats_endreason_ended = {
      collection = "chats"
      fields = [
        { field_path = "endReason", order = "ASCENDING" },
        { field_path = "endedAt", order = "DESCENDING" },
      ]
    }
    # Statistics: one dimension's shards (and one value's) over a day range.
    stats_dim_day = {
      collection = "stats"
      fields = [
        { field_path = "dim", order = "ASCENDING" },
        { field_path = "day", order = "ASCENDING" },
      ]
    }
    stats_dim_value_day = {
      collection = "stats"
      fields = [
        { field_path = "dim", order = "ASCENDING" },
        { field_path = "value", order = "ASCENDING" },
        { field_path = "day", order = "ASCENDING" },
      ]
    }
  }

  # Dedupe and expiring records: documents are deleted (within about a day)
  # after expireAt.
  firestore_ttl_fields = {
    inbound          = { collection = "inbound", field = "expireAt" }
    outboundRequests = { collection = "outboundRequests", field = "expireAt" }
    # OutboundAPI's per-key rate-limit tokens, one document per token and second.
    ratelimit = { collection = "ratelimit", field = "expireAt" }
    # OutboundAPI's sessionless batches, kept 30 days for GET /v1/sessionless_sms/{batch}.
    outboundBatches = { collection = "outboundBatches", field = "expireAt" }
    # IVRWebhook's turn records (one per CX session, tag and turn), kept a day.
    ivrTurns = { collection = "ivrTurns", field = "expireAt" }
    # IVRWebhook's call records (wait-time answer, the call's chats), kept a
    # day after their last change, and the app links' one-time tokens (only
    # their digests; exchangeable 10 minutes), kept a day.
    ivrCalls     = { collection = "ivrCalls", field = "expireAt" }
    ivrAppTokens = { collection = "ivrAppTokens", field = "expireAt" }
    # ChatStats' per-chat counted markers, kept 30 days (redeliveries last 7).
    statsCounted = { collection = "statsCounted", field = "expireAt" }
  }
}

resource "google_firestore_database" "default" {
  count = var.create_firestore_database ? 1 : 0

  project                           = var.project_id
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  app_engine_integration_mode       = "DISABLED"
  delete_protection_state           = var.firestore_delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  point_in_time_recovery_enablement = var.firestore_point_in_time_recovery ? "POINT_IN_TIME_RECOVERY_ENABLED" : "POINT_IN_TIME_RECOVERY_DISABLED"
  # Removing the database from the configuration only forgets it.
  deletion_policy = "ABANDON"

  depends_on = [google_project_service.enabled]
}

resource "google_firestore_index" "composite" {
  for_each = local.firestore_indexes

  project     = var.project_id
  database    = local.firestore_database
  collection  = each.value.collection
  query_scope = "COLLECTION"

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.field_path
      # A field is ordered, or (search tokens) an array queried by CONTAINS.
      order        = try(fields.value.order, null)
      array_config = try(fields.value.array_config, null)
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_firestore_field" "ttl" {
  for_each = local.firestore_ttl_fields

  project    = var.project_id
  database   = local.firestore_database
  collection = each.value.collection
  field      = each.value.field

  ttl_config {}

  # No single-field indexes on a timestamp written in increasing order (it would
  # only cost writes and create a hotspot); TTL does not need them.
  index_config {}

  depends_on = [google_project_service.enabled]
}
