data "aws_caller_identity" "current" {}

locals {
  cognito_jwks_url = "${var.aws_endpoint}/${module.auth.user_pool_id}/.well-known/jwks.json"

  # Built from the name: the functions' environment needs the scheduling module's
  # outputs, and that module needs this ARN, so a reference would be a cycle.
  reminders_function_arn = "arn:aws:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:${var.name_prefix}-reminders"

  environment = merge(
    {
      TABLE_NAME        = module.data.table_name
      COGNITO_ISSUER    = module.auth.issuer_url
      COGNITO_CLIENT_ID = module.auth.client_id
      # The emulator serves the JWKS under its own endpoint; the issuer keeps the AWS form.
      COGNITO_JWKS_URL = local.cognito_jwks_url
      APP_ENV          = "local"
      LOG_LEVEL        = "INFO"
      AWS_ENDPOINT_URL = var.aws_endpoint
      PHOTOS_BUCKET    = module.data.bucket_name
      # Reminders: where the API puts schedules and what they invoke.
      REMINDERS_SCHEDULE_GROUP = module.scheduling.group_name
      REMINDERS_FUNCTION_ARN   = local.reminders_function_arn
      SCHEDULER_ROLE_ARN       = module.scheduling.role_arn
      REMINDERS_DLQ_ARN        = module.scheduling.dlq_arn
    },
    # EXPO_PUSH_URL comes from here (make run passes it through; the tests point it at
    # their loopback Expo server); unset, pushes go to Expo's API.
    var.extra_environment,
  )
}

module "data" {
  source = "../../modules/data"

  name                 = "${var.name_prefix}-table"
  bucket_name          = "${var.name_prefix}-photos"
  bucket_force_destroy = true
  cors_allowed_origins = var.cors_allow_origins
}

module "auth" {
  source = "../../modules/auth"

  name = var.name_prefix
  # The emulator cannot send email OTP: local tokens come from an admin flow.
  explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
}

module "scheduling" {
  source = "../../modules/scheduling"

  name                   = var.name_prefix
  reminders_function_arn = local.reminders_function_arn
}

module "functions" {
  source = "../../modules/functions"

  name_prefix        = var.name_prefix
  package_type       = "Zip"
  zip_path           = var.lambda_zip_path
  table_arn          = module.data.table_arn
  bucket_arn         = module.data.bucket_arn
  environment        = local.environment
  log_retention_days = var.log_retention_days
  # The api function creates and moves reminder schedules in this group, passing this role.
  schedule_group_name = module.scheduling.group_name
  scheduler_role_arn  = module.scheduling.role_arn
  user_pool_arn       = module.auth.user_pool_arn
  # The emulator runs no X-Ray daemon.
  tracing_mode = "PassThrough"

  # One entry per function, all from the same zip; keep in step with modules/stack.
  functions = {
    api = {
      description = "Authenticated HTTP API"
      handler     = "app.entrypoints.api.handler"
      memory_mb   = 512
      timeout_s   = 15
      # Everything not claimed by a more specific route below.
      routes        = ["ANY /{proxy+}"]
      public_routes = ["GET /health"]
      dynamodb_table_actions = [
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
        "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "ConditionCheckItem",
      ]
      # The batch list (LSI1), the culture list and a culture's batches (GSI2).
      dynamodb_index_actions = { LSI1 = ["Query"], GSI2 = ["Query"] }
      manages_schedules      = true
      cognito_account_admin  = true
      # Signs upload forms for pending/, moves confirmed photos to users/, deletes both.
      s3_grants = [
        { prefix = "pending/", actions = ["GetObject", "PutObject", "DeleteObject"], list = true },
        { prefix = "users/", actions = ["GetObject", "PutObject", "DeleteObject"], list = true },
      ]
    }
    public = {
      description            = "Public batch and culture pages and summaries (no auth, read-only)"
      handler                = "app.entrypoints.api.handler"
      memory_mb              = 256
      timeout_s              = 10
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
      routes                 = ["GET /export.csv"]
      dynamodb_table_actions = ["Query"]
      # Large exports: a multipart upload, then a presigned GET URL.
      s3_grants = [{ prefix = "exports/", actions = ["GetObject", "PutObject", "AbortMultipartUpload"] }]
    }
    reminders = {
      description = "Reminder delivery, invoked by EventBridge Scheduler"
      handler     = "app.entrypoints.reminders.handler"
      memory_mb   = 256
      timeout_s   = 60
      # Reads batch + reminder (TransactGetItems = GetItem), claims it (UpdateItem with a
      # ConditionCheck on the batch), lists devices, removes unregistered ones.
      dynamodb_table_actions = ["GetItem", "Query", "UpdateItem", "DeleteItem", "ConditionCheckItem"]
    }
  }
}

module "api" {
  source = "../../modules/api"

  name               = "${var.name_prefix}-api"
  functions          = module.functions.http_functions
  routes             = module.functions.routes
  jwt_issuer         = module.auth.issuer_url
  jwt_audience       = module.auth.client_id
  cors_allow_origins = var.cors_allow_origins
  log_retention_days = var.log_retention_days
}

# The public domain (CloudFront + WAF) exists only in AWS; here the API is reached at the
# emulator's gateway. Switched by a variable so the wiring stays the same as dev/prod.
module "edge" {
  source = "../../modules/edge"

  enabled            = var.edge_enabled
  name               = var.name_prefix
  api_endpoint       = module.api.api_endpoint
  log_retention_days = var.log_retention_days
}
