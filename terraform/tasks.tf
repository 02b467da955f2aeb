# Cloud Tasks queues. Task targets and OIDC tokens are set per task by the code
# (PUBLIC_BASE_URL/NAME, TASKS_SERVICE_ACCOUNT); the queues hold rate limits and
# retries. A deleted queue name cannot be reused for about 7 days.

locals {
  queues = {
    # SendSMS: one task per outbound message, named for dedupe.
    "sms-send" = var.sms_send_queue
    # ChatTimers: timers carrying the chat version they were set for.
    "chat-timers" = var.chat_timers_queue
  }
}

resource "google_cloud_tasks_queue" "queue" {
  for_each = local.queues

  project  = var.project_id
  location = var.region
  name     = each.key

  rate_limits {
    max_dispatches_per_second = each.value.max_dispatches_per_second
    max_concurrent_dispatches = each.value.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = each.value.max_attempts
    min_backoff        = each.value.min_backoff
    max_backoff        = each.value.max_backoff
    max_doublings      = each.value.max_doublings
    max_retry_duration = each.value.max_retry_duration
  }

  stackdriver_logging_config {
    sampling_ratio = each.value.log_sampling_ratio
  }

  depends_on = [google_project_service.enabled]
}
