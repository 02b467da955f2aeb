# Identity Platform (Firebase Auth) for the agent console and the APIs: email and
# password sign-in, self sign-up disabled (admins create the users).

resource "google_identity_platform_config" "auth" {
  count = var.enable_identity_platform ? 1 : 0

  project                    = var.project_id
  autodelete_anonymous_users = true
  authorized_domains = distinct(concat(
    ["localhost", "${var.project_id}.firebaseapp.com", "${var.project_id}.web.app", trimprefix(regex("^https://[^/]+", local.public_base_url), "https://")],
    var.identity_platform_authorized_domains,
  ))

  sign_in {
    allow_duplicate_emails = false

    email {
      enabled           = true
      password_required = true
    }
  }

  client {
    permissions {
      disabled_user_signup   = true
      disabled_user_deletion = true
    }
  }

  depends_on = [google_project_service.enabled]
}
