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

variable "silence_check_enabled" {
  type        = bool
  description = "Whether the silence check's rate schedule is enabled. The test suite turns it off (TF_VAR_silence_check_enabled=false): its readings carry past times, and a check every minute would fire \"sensor offline\" in the middle of other tests; the test of the schedule enables it for itself."
  default     = true
}
