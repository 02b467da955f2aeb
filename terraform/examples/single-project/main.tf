# A root configuration deploying smsdesk into one project: the state lives in a
# Cloud Storage bucket, the function archives are the ones scripts/cloudbuild-upload
# put in the deploy bucket (it writes sources.auto.tfvars.json here).
#
#   terraform init -backend-config="bucket=PROJECT-smsdesk-deploy"
#   terraform apply
#
# See terraform/DEPLOY.md for the whole procedure from an empty project.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 7.0.0, < 9.0.0"
    }
  }

  # Partial configuration: pass -backend-config="bucket=..." to terraform init.
  backend "gcs" {
    prefix = "smsdesk/terraform"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app = "smsdesk"
  }
}

module "smsdesk" {
  source = "../.."

  project_id = var.project_id
  region     = var.region

  source_bucket    = coalesce(var.source_bucket, "${var.project_id}-smsdesk-deploy")
  function_sources = var.function_sources

  carriers           = var.carriers
  twilio_account_sid = var.twilio_account_sid
  telnyx_public_key  = var.telnyx_public_key

  firestore_location       = var.firestore_location
  enable_identity_platform = var.enable_identity_platform
  log_level                = var.log_level

  # Keep the carrier webhooks warm; everything else scales to zero.
  function_settings = {
    TwilioInbound = { min_instances = 1 }
  }

  # A US long code sends about one segment per second; raise this with 10DLC,
  # toll-free or short-code throughput.
  sms_send_queue = {
    max_dispatches_per_second = 5
  }
}
