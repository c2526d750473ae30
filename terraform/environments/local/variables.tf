variable "aws_endpoint" {
  type        = string
  description = "Endpoint of the AWS emulator for every service, e.g. http://127.0.0.1:4566."
}

variable "lambda_zip_path" {
  type        = string
  description = "Path to the built Lambda deployment zip."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name."
  default     = "kefir-local"
}

variable "region" {
  type        = string
  description = "AWS region the emulator pretends to be."
  default     = "us-east-1"
}

variable "extra_environment" {
  type        = map(string)
  description = "Extra environment variables for every function; wins over the defaults."
  default     = {}
}

# Clearly fake ids (an example Team ID and bundle id, an all-zero fingerprint), so
# `make run` serves both /.well-known files and the deep-link flow can be followed end to
# end; no real app trusts them. Override with -var (or TF_VAR_app_links) to try a real one.
variable "app_links" {
  type = object({
    apple_app_id              = optional(string)
    android_package           = optional(string)
    android_cert_fingerprints = optional(list(string), [])
  })
  description = "iOS and Android app-link ids served under /.well-known (example ids by default)."
  default = {
    apple_app_id              = "EXAMPLE000.example.kefir.app"
    android_package           = "example.kefir.app"
    android_cert_fingerprints = ["00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"]
  }
}

variable "silence_check_enabled" {
  type        = bool
  description = "Whether the silence check's rate schedule is enabled. The test suite turns it off (TF_VAR_silence_check_enabled=false): its readings carry past times, and a check every minute would fire \"sensor offline\" in the middle of other tests; the test of the schedule enables it for itself."
  default     = true
}

variable "readings_feed_enabled" {
  type        = bool
  description = "Whether the event source mapping from the table's stream to the deployed alerts function is enabled. The test suite turns it off (TF_VAR_readings_feed_enabled=false): the api tests apply the stream in-process (reading it with boto3) on their own emulated clock, and a deployed consumer would race them; the end-to-end test of the feed enables it for itself."
  default     = true
}
