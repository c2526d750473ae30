resource "aws_dynamodb_table" "this" {
  # checkov:skip=CKV_AWS_119:DynamoDB always encrypts at rest; a customer managed key is optional (kms_key_arn) and the AWS owned key is the default.
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "PK"
  range_key                   = "SK"
  deletion_protection_enabled = var.deletion_protection
  stream_enabled              = true
  stream_view_type            = "NEW_IMAGE"

  attribute {
    name = "PK"
    type = "S"
  }

  attribute {
    name = "SK"
    type = "S"
  }

  attribute {
    name = "GSI1PK"
    type = "S"
  }

  attribute {
    name = "GSI1SK"
    type = "S"
  }

  attribute {
    name = "LSI1SK"
    type = "S"
  }

  attribute {
    name = "GSI2PK"
    type = "S"
  }

  attribute {
    name = "GSI3PK"
    type = "S"
  }

  attribute {
    name = "GSI2SK"
    type = "S"
  }

  attribute {
    name = "GSI3SK"
    type = "S"
  }

  # Sparse: only public (shared) batches carry GSI1PK.
  global_secondary_index {
    name            = "GSI1"
    hash_key        = "GSI1PK"
    range_key       = "GSI1SK"
    projection_type = "ALL"
  }

  # The change feed for sync: every record of a user (and its tombstones) by change
  # time. Sparse: bookkeeping items (idempotency keys) carry no GSI2 keys.
  global_secondary_index {
    name            = "GSI2"
    hash_key        = "GSI2PK"
    range_key       = "GSI2SK"
    projection_type = "ALL"
  }

  # Sparse: a user's cultures (GSI3PK=USER#<sub>#CULTURES) and the batches each culture
  # made (GSI3PK=USER#<sub>#CULTURE#<id>); nothing else carries GSI3PK.
  global_secondary_index {
    name            = "GSI3"
    hash_key        = "GSI3PK"
    range_key       = "GSI3SK"
    projection_type = "ALL"
  }

  # Sparse: only batch items carry LSI1SK (a user's batches, newest first).
  local_secondary_index {
    name            = "LSI1"
    range_key       = "LSI1SK"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  # DynamoDB always encrypts at rest. In the provider, enabled = false means the
  # AWS owned key; enabled = true means a KMS key (the given one, else aws/dynamodb).
  server_side_encryption {
    enabled     = var.kms_key_arn != null
    kms_key_arn = var.kms_key_arn
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  tags = var.tags
}
