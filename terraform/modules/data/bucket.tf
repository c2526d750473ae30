# The photos bucket: photos under users/, unconfirmed uploads under pending/, large CSV
# exports under exports/. Nothing in it is public; clients get presigned URLs.

locals {
  bucket_name = coalesce(var.bucket_name, "${var.name}-photos")
}

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_18:Server access logs would need a second bucket; objects are reached only through presigned URLs the API hands out, and CloudTrail data events can be turned on per account.
  # checkov:skip=CKV2_AWS_62:Nothing reacts to object events: an upload is confirmed through the API, which checks the object itself.
  # checkov:skip=CKV_AWS_144:Cross-region replication would double the storage of user photos; versioning (prod) covers deletes.
  bucket        = local.bucket_name
  force_destroy = var.bucket_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# ACLs off: the bucket owner owns every object, whoever uploaded it.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

# Only the app's web origins may upload from a browser; native apps send no Origin.
resource "aws_s3_bucket_cors_configuration" "this" {
  count = length(var.cors_allowed_origins) == 0 ? 0 : 1

  bucket = aws_s3_bucket.this.id

  cors_rule {
    allowed_methods = ["GET", "HEAD", "POST"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  # checkov:skip=CKV_AWS_300:The abort-incomplete-multipart-uploads rule covers the whole bucket; checkov judges the old-versions rule on its own.
  bucket = aws_s3_bucket.this.id

  # Uploads the app never confirmed (closed mid-upload, confirm failed, bad file).
  rule {
    id     = "expire-unconfirmed-uploads"
    status = "Enabled"

    filter {
      prefix = "pending/"
    }

    expiration {
      days = var.pending_expiry_days
    }
  }

  # Exports are handed out once as a short-lived URL; the file need not outlive it long.
  rule {
    id     = "expire-exports"
    status = "Enabled"

    filter {
      prefix = "exports/"
    }

    expiration {
      days = var.export_expiry_days
    }
  }

  # Public copies of shared covers (no owner id in their keys): made again on demand, so
  # a copy of a batch no longer shared, or of a deleted account, is gone within a day.
  rule {
    id     = "expire-cover-copies"
    status = "Enabled"

    filter {
      prefix = "covers/"
    }

    expiration {
      days = var.cover_expiry_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  dynamic "rule" {
    for_each = var.versioning ? [1] : []

    content {
      id     = "expire-old-versions"
      status = "Enabled"

      filter {}

      noncurrent_version_expiration {
        noncurrent_days = var.noncurrent_version_days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# HTTPS only, for everyone (presigned URLs included).
resource "aws_s3_bucket_policy" "this" {
  count = var.require_tls ? 1 : 0

  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}
