output "name" {
  description = "Deployed function name."
  value       = google_cloudfunctions2_function.function.name
}

output "id" {
  description = "Function resource id (projects/PROJECT/locations/REGION/functions/NAME)."
  value       = google_cloudfunctions2_function.function.id
}

output "url" {
  description = "Cloud Functions URL of the function (https://REGION-PROJECT.cloudfunctions.net/NAME)."
  value       = google_cloudfunctions2_function.function.url
}

output "service_uri" {
  description = "URI of the underlying Cloud Run service (run.app); Cloud Run accepts it as the audience of OIDC tokens."
  value       = google_cloudfunctions2_function.function.service_config[0].uri
}

output "service" {
  description = "Resource name of the underlying Cloud Run service."
  value       = google_cloudfunctions2_function.function.service_config[0].service
}

output "service_account_email" {
  description = "Email of the function's runtime service account."
  value       = google_service_account.function.email
}

output "service_account_member" {
  description = "IAM member string (serviceAccount:EMAIL) of the function's runtime service account, for grants made outside the module."
  value       = google_service_account.function.member
}
