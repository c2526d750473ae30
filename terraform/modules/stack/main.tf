# Everything of one AWS environment but the edge (which needs a us-east-1 provider):
# the environments (dev, prod) call this module and modules/edge side by side.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  reminders_function_name = "${var.name_prefix}-reminders"
  # Built from the name: the API's environment needs it, and the API is created in the
  # same for_each as the reminders function, which cannot refer to itself.
  reminders_function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${local.reminders_function_name}"

  environment = merge(
    {
      APP_ENV           = var.app_env
      LOG_LEVEL         = "INFO"
      TABLE_NAME        = module.data.table_name
      COGNITO_ISSUER    = module.auth.issuer_url
      COGNITO_CLIENT_ID = module.auth.client_id
      PHOTOS_BUCKET     = module.data.bucket_name
      PUBLIC_BASE_URL   = var.public_base_url
      # Reminders: where the API puts schedules and what they invoke.
      REMINDERS_SCHEDULE_GROUP = module.scheduling.group_name
      REMINDERS_FUNCTION_ARN   = local.reminders_function_arn
      SCHEDULER_ROLE_ARN       = module.scheduling.role_arn
      REMINDERS_DLQ_ARN        = module.scheduling.dlq_arn
    },
    var.app_settings,
  )

  # Read and write on the table, for the routes that change a user's data.
  read_write = [
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
    "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "ConditionCheckItem",
  ]
}

module "data" {
  source = "../data"

  name                 = "${var.name_prefix}-table"
  deletion_protection  = var.deletion_protection
  bucket_name          = "${var.name_prefix}-photos-${data.aws_caller_identity.current.account_id}"
  bucket_force_destroy = !var.deletion_protection
  versioning           = var.deletion_protection
  cors_allowed_origins = var.cors_allow_origins
  tags                 = var.tags
}

module "auth" {
  source = "../auth"

  name                = var.name_prefix
  deletion_protection = var.deletion_protection
  ses_identity_arn    = var.ses_identity_arn
  from_email_address  = var.from_email_address
  tags                = var.tags
}

module "scheduling" {
  source = "../scheduling"

  name                   = var.name_prefix
  reminders_function_arn = local.reminders_function_arn
  tags                   = var.tags
}

module "functions" {
  source = "../functions"

  name_prefix         = var.name_prefix
  package_type        = "Image"
  image_tag           = var.image_tag
  ecr_force_delete    = !var.deletion_protection
  environment         = local.environment
  log_retention_days  = var.log_retention_days
  table_arn           = module.data.table_arn
  bucket_arn          = module.data.bucket_arn
  schedule_group_name = module.scheduling.group_name
  scheduler_role_arn  = module.scheduling.role_arn
  user_pool_arn       = module.auth.user_pool_arn
  tags                = var.tags

  # One entry per function, all from the same image. Moving a route is one line.
  # Keep in step with environments/local (same functions, as zips).
  functions = {
    api = {
      description          = "Authenticated HTTP API"
      handler              = "app.entrypoints.api.handler"
      memory_mb            = 512
      timeout_s            = 15
      reserved_concurrency = lookup(var.reserved_concurrency, "api", null)
      # Everything not claimed by a more specific route below.
      routes                 = ["ANY /{proxy+}"]
      public_routes          = ["GET /health"]
      dynamodb_table_actions = local.read_write
      # Signs upload forms for pending/, moves confirmed photos to users/, deletes both.
      s3_grants = [
        { prefix = "pending/", actions = ["GetObject", "PutObject", "DeleteObject"], list = true },
        { prefix = "users/", actions = ["GetObject", "PutObject", "DeleteObject"], list = true },
      ]
      # The batch list (LSI1), the culture list and a culture's batches (GSI2).
      dynamodb_index_actions = { LSI1 = ["Query"], GSI2 = ["Query"] }
      manages_schedules      = true
      cognito_account_admin  = true
    }
    public = {
      description            = "Public batch and culture pages and summaries (no auth, read-only)"
      handler                = "app.entrypoints.api.handler"
      memory_mb              = 256
      timeout_s              = 10
      reserved_concurrency   = lookup(var.reserved_concurrency, "public", null)
      public_routes          = ["GET /b/{batchId}", "GET /c/{cultureId}", "GET /gift/{code}", "GET /public/{proxy+}", "GET /.well-known/{proxy+}"]
      dynamodb_table_actions = ["Query", "GetItem", "BatchGetItem"]
      dynamodb_index_actions = { GSI1 = ["Query"], GSI2 = ["Query"] }
      # Presigns the cover photo's GET URL.
      s3_grants = [{ prefix = "users/", actions = ["GetObject"] }]
    }
    export = {
      description            = "CSV export of a user's data"
      handler                = "app.entrypoints.api.handler"
      memory_mb              = 1024
      timeout_s              = 60
      reserved_concurrency   = lookup(var.reserved_concurrency, "export", null)
      routes                 = ["GET /export.csv"]
      dynamodb_table_actions = ["Query"]
      # Large exports: a multipart upload, then a presigned GET URL.
      s3_grants = [{ prefix = "exports/", actions = ["GetObject", "PutObject", "AbortMultipartUpload"] }]
    }
    reminders = {
      description          = "Reminder delivery, invoked by EventBridge Scheduler"
      handler              = "app.entrypoints.reminders.handler"
      memory_mb            = 256
      timeout_s            = 60
      reserved_concurrency = lookup(var.reserved_concurrency, "reminders", null)
      # Reads batch + reminder, claims it (UpdateItem with a ConditionCheck on the batch),
      # lists devices, removes unregistered ones.
      dynamodb_table_actions = ["GetItem", "Query", "UpdateItem", "DeleteItem", "ConditionCheckItem"]
    }
  }
}

module "api" {
  source = "../api"

  name                   = "${var.name_prefix}-api"
  functions              = module.functions.http_functions
  routes                 = module.functions.routes
  jwt_issuer             = module.auth.issuer_url
  jwt_audience           = module.auth.client_id
  cors_allow_origins     = var.cors_allow_origins
  throttling_burst_limit = var.throttling_burst_limit
  throttling_rate_limit  = var.throttling_rate_limit
  log_retention_days     = var.log_retention_days
  tags                   = var.tags
}

module "monitoring" {
  source = "../monitoring"

  name           = var.name_prefix
  api_id         = module.api.api_id
  function_names = module.functions.function_names
  table_name     = module.data.table_name
  dlq_name       = module.scheduling.dlq_name
  alarm_emails   = var.alarm_emails
  tags           = var.tags
}
