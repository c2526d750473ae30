variable "name" {
  type        = string
  description = "Name of the DynamoDB table."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to the table."
  default     = {}
}

variable "deletion_protection" {
  type        = bool
  description = "Enable DynamoDB deletion protection on the table."
  default     = false
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of a customer managed KMS key for server-side encryption; null uses the AWS owned key."
  default     = null
}

variable "bucket_name" {
  type        = string
  description = "Name of the photos bucket; null means \"<name>-photos\". S3 names are global: include the account or environment in AWS."
  default     = null
}

variable "bucket_force_destroy" {
  type        = bool
  description = "Let destroy empty and delete the photos bucket (local, dev); keep false in prod."
  default     = false
}

variable "cors_allowed_origins" {
  type        = list(string)
  description = "Web origins of the app allowed to upload and read from a browser (CORS); empty means no CORS rule."
  default     = []
}

variable "pending_expiry_days" {
  type        = number
  description = "Days after which uploads never confirmed (pending/) expire."
  default     = 1
}

variable "export_expiry_days" {
  type        = number
  description = "Days after which CSV exports (exports/) expire."
  default     = 1
}

variable "cover_expiry_days" {
  type        = number
  description = "Days after which public cover copies (covers/) expire; the public function copies them again on demand."
  default     = 1
}

variable "versioning" {
  type        = bool
  description = "Keep old object versions (recovery from deletes); they expire after noncurrent_version_days."
  default     = false
}

variable "noncurrent_version_days" {
  type        = number
  description = "Days old object versions are kept when versioning is on."
  default     = 30
}

variable "require_tls" {
  type        = bool
  description = "Attach a bucket policy that denies any request not made over HTTPS."
  default     = true
}
