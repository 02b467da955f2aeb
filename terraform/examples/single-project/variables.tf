variable "project_id" {
  description = "Google Cloud project id to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the functions and queues."
  type        = string
  default     = "us-central1"
}

variable "source_bucket" {
  description = "Bucket holding the function source archives; null uses PROJECT-smsdesk-deploy (the bucket that also holds this configuration's state)."
  type        = string
  default     = null
}

variable "function_sources" {
  description = "Source archive object of each function, by function name; written by scripts/cloudbuild-upload into sources.auto.tfvars.json."
  type        = map(string)
  default     = {}
}

variable "carriers" {
  description = "Carriers in use: twilio, telnyx."
  type        = set(string)
  default     = ["twilio"]
}

variable "twilio_account_sid" {
  description = "Twilio Account SID (ACxxxxxxxx...)."
  type        = string
  default     = ""
}

variable "telnyx_public_key" {
  description = "Telnyx webhook public key (base64), when telnyx is in carriers."
  type        = string
  default     = ""
}

variable "firestore_location" {
  description = "Firestore location (nam5, eur3 or a region)."
  type        = string
  default     = "nam5"
}

variable "enable_identity_platform" {
  description = "Configure Identity Platform email/password sign-in for the agent console."
  type        = bool
  default     = true
}

variable "log_level" {
  description = "LOG_LEVEL of the functions."
  type        = string
  default     = "info"
}
