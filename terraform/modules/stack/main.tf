# One environment, local or in AWS: the data, auth, scheduling, functions, api, edge and
# monitoring modules wired together. The environments only choose values.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  reminders_function_name = "${var.name_prefix}-reminders"
  # Built from the name: the functions' environment and the scheduling module need it,
  # and the reminders function is created in the same for_each, so a reference would be
  # a cycle.
  reminders_function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${local.reminders_function_name}"
  # The same for the alerts function, which the silence check's rate schedule invokes.
  alerts_function_arn = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function:${var.name_prefix}-alerts"

  # An emulator serves the JWKS under its own endpoint; the issuer keeps the AWS form.
  cognito_jwks_url = (
    var.aws_endpoint == null
    ? "${module.auth.issuer_url}/.well-known/jwks.json"
    : "${var.aws_endpoint}/${module.auth.user_pool_id}/.well-known/jwks.json"
  )
  public_base_url = var.edge.enabled ? "https://${var.edge.domain_name}" : null

  # What every function (and the app served outside Lambda) reads; app_settings win.
  environment = merge(
    {
      APP_ENV           = var.app_env
      LOG_LEVEL         = "INFO"
      TABLE_NAME        = module.data.table_name
      COGNITO_ISSUER    = module.auth.issuer_url
      COGNITO_CLIENT_ID = module.auth.client_id
      PHOTOS_BUCKET     = module.data.bucket_name
      # Reminders: where the API puts schedules and what they invoke.
      REMINDERS_SCHEDULE_GROUP = module.scheduling.group_name
      REMINDERS_FUNCTION_ARN   = local.reminders_function_arn
      SCHEDULER_ROLE_ARN       = module.scheduling.role_arn
      REMINDERS_DLQ_ARN        = module.scheduling.dlq_arn
    },
    var.aws_endpoint == null ? {} : {
      AWS_ENDPOINT_URL = var.aws_endpoint
      COGNITO_JWKS_URL = local.cognito_jwks_url
    },
    local.public_base_url == null ? {} : { PUBLIC_BASE_URL = local.public_base_url },
    var.app_links.apple_app_id == null ? {} : { APPLE_APP_ID = var.app_links.apple_app_id },
    var.app_links.android_package == null ? {} : {
      ANDROID_PACKAGE           = var.app_links.android_package
      ANDROID_CERT_FINGERPRINTS = join(",", var.app_links.android_cert_fingerprints)
    },
    var.app_settings,
  )

  # The stream records of the readings feed: a sensor's token item written (INSERT when
  # registered, MODIFY per reading), never a removal or any other item.
  readings_feed_filter = jsonencode({
    eventName = ["INSERT", "MODIFY"]
    dynamodb  = { Keys = { SK = { S = ["TOKEN"] } } }
  })

  # Read and write on the table, for the routes that change a user's data.
  read_write = [
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
    "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "ConditionCheckItem",
  ]

  # One entry per function, all from the same package; the handler comes from
  # var.handlers. A new function is one more entry here and one in var.handlers.
  # Moving a route or a permission is one line.
  functions = {
    api = {
      description = "Authenticated HTTP API"
      memory_mb   = 512
      timeout_s   = 15
      # Everything not claimed by a more specific route below; DELETE /me has its own
      # route so it can be throttled on its own (var.route_throttling).
      routes                 = ["ANY /{proxy+}", "DELETE /me"]
      public_routes          = ["GET /health"]
      dynamodb_table_actions = local.read_write
      # LSI1: a user's batches, newest first; GSI2: the sync change feed; GSI3: the
      # culture list and a culture's batches.
      dynamodb_index_actions = { LSI1 = ["Query"], GSI2 = ["Query"], GSI3 = ["Query"] }
      # Signs upload forms for pending/, moves confirmed photos to users/, deletes both
      # (and the public cover copies of deleted photos).
      # Account deletion removes every version (the prod bucket is versioned) and exports.
      s3_grants = [
        { prefix = "pending/", actions = ["GetObject", "PutObject", "DeleteObject", "DeleteObjectVersion"], list = true },
        { prefix = "users/", actions = ["GetObject", "PutObject", "DeleteObject", "DeleteObjectVersion"], list = true },
        { prefix = "exports/", actions = ["DeleteObject", "DeleteObjectVersion"], list = true },
        { prefix = "covers/", actions = ["DeleteObject", "DeleteObjectVersion"] },
      ]
      manages_schedules     = true
      cognito_account_admin = true
    }
    public = {
      description            = "Public batch and culture pages and summaries (no auth; reads the table, copies shared covers)"
      memory_mb              = 256
      timeout_s              = 10
      public_routes          = ["GET /b/{batchId}", "GET /c/{cultureId}", "GET /gift/{code}", "GET /public/{proxy+}", "GET /.well-known/{proxy+}"]
      dynamodb_table_actions = ["Query", "GetItem", "BatchGetItem"]
      dynamodb_index_actions = { GSI1 = ["Query"], GSI3 = ["Query"] }
      # Copies a shared cover to covers/ (a key with no owner id) and presigns its GET URL.
      s3_grants = [
        { prefix = "users/", actions = ["GetObject"] },
        { prefix = "covers/", actions = ["GetObject", "PutObject"] },
      ]
    }
    export = {
      description = "CSV export of a user's data"
      memory_mb   = 1024
      timeout_s   = 29
      # ANY: another method on the path reaches this function and gets its 405 (with
      # Allow) instead of the gateway's 404.
      routes                 = ["GET /export.csv", "ANY /export.csv"]
      dynamodb_table_actions = ["Query"]
      # Large exports: a multipart upload, its state between requests (app/services/exports.py),
      # then a presigned GET URL.
      s3_grants = [{ prefix = "exports/", actions = ["GetObject", "PutObject", "DeleteObject", "AbortMultipartUpload"] }]
    }
    ingest = {
      description = "Sensor readings (no Cognito: the secret token in the path is the credential)"
      memory_mb   = 256
      timeout_s   = 10
      # Devices cannot sign in: no authorizer; throttled on its own (var.route_throttling).
      # ANY: another method on these paths gets the function's 405, not a 404.
      public_routes = ["POST /ingest/{token}", "POST /ingest", "ANY /ingest/{token}", "ANY /ingest"]
      # Writes one item, by partition key (dynamodb:LeadingKeys): the sensor's token item
      # in INGEST#, which carries the reading to the alerts function (the readings feed).
      # It reads that item, and the batch (USER#) only for a token marked closed. It
      # deletes nothing, pushes nothing and schedules nothing.
      dynamodb_key_grants = [
        { leading_keys = ["INGEST#*"], actions = ["GetItem", "PutItem"] },
        { leading_keys = ["USER#*"], actions = ["GetItem"] },
      ]
    }
    alerts = {
      description = "Applies readings from the table's stream (buckets, alerts, pushes); the silence check on a rate schedule"
      memory_mb   = 256
      timeout_s   = 60
      # The readings feed: ingest writes one item per reading (the sensor's token item,
      # its reading and version); this function gets every such write from the table's
      # stream and applies it. Nothing else on the table reaches it.
      table_stream = {
        enabled         = var.readings_feed_enabled
        filter_patterns = [local.readings_feed_filter]
      }
      # Files a reading in one transaction: its minute bucket and the batch's alert state
      # in READINGS#, the alert events it logs (new items in USER#, nothing else there),
      # the batch checked open. Marks a token whose batch it found closed (INGEST#).
      # Finds batches past their silence deadline (GSI1); reads the owner's profile
      # (quiet hours) and devices. It deletes nothing: a device Expo says is gone is
      # removed by the receipts check.
      dynamodb_index_actions = { GSI1 = ["Query"] }
      dynamodb_key_grants = [
        { leading_keys = ["READINGS#*"], actions = ["GetItem"] },
        { leading_keys = ["READINGS#*"], actions = ["UpdateItem", "PutItem"], transactions_only = true },
        { leading_keys = ["USER#*"], actions = ["GetItem", "Query", "ConditionCheckItem"] },
        { leading_keys = ["USER#*"], actions = ["PutItem"], transactions_only = true },
        { leading_keys = ["INGEST#*"], actions = ["UpdateItem"] },
      ]
      # Schedules the receipts check of the pushes it sends, and alerts past quiet hours.
      manages_schedules = true
    }
    reminders = {
      description = "Reminder delivery, invoked by EventBridge Scheduler"
      memory_mb   = 256
      timeout_s   = 60
      # A burst of due reminders can neither starve the API of concurrency nor be starved.
      reserved_concurrency = 10
      # Scheduler invokes it asynchronously: an event still failing after Lambda's two
      # retries lands in <prefix>-reminders-failed (alarmed) instead of vanishing.
      async_failure_queue = true
      # Reads batch + reminder, claims it (UpdateItem with a ConditionCheck on the batch),
      # lists devices, removes unregistered ones, reschedules past quiet hours; and it
      # finishes an account deletion that DELETE /me could not finish in one request
      # (the same partition, schedule, object and Cognito work as the api's).
      dynamodb_table_actions = local.read_write
      s3_grants = [
        { prefix = "pending/", actions = ["DeleteObject", "DeleteObjectVersion"], list = true },
        { prefix = "users/", actions = ["DeleteObject", "DeleteObjectVersion"], list = true },
        { prefix = "exports/", actions = ["DeleteObject", "DeleteObjectVersion"], list = true },
      ]
      manages_schedules     = true
      cognito_account_admin = true
    }
  }
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
  # An emulator cannot send email codes: there, tokens come from an admin flow.
  explicit_auth_flows = concat(
    ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    var.admin_password_auth ? ["ALLOW_ADMIN_USER_PASSWORD_AUTH"] : [],
  )
  tags = var.tags
}

module "scheduling" {
  source = "../scheduling"

  name                   = var.name_prefix
  reminders_function_arn = local.reminders_function_arn
  silence_check = {
    function_arn        = local.alerts_function_arn
    schedule_expression = var.silence_check_schedule
    enabled             = var.silence_check_enabled
  }
  tags = var.tags
}

module "functions" {
  source = "../functions"

  name_prefix         = var.name_prefix
  package_type        = var.package_type
  zip_path            = var.zip_path
  image_tag           = var.image_tag
  ecr_force_delete    = !var.deletion_protection
  environment         = local.environment
  log_retention_days  = var.log_retention_days
  tracing_mode        = var.tracing ? "Active" : "PassThrough"
  table_arn           = module.data.table_arn
  table_stream_arn    = module.data.stream_arn
  bucket_arn          = module.data.bucket_arn
  schedule_group_name = module.scheduling.group_name
  scheduler_role_arn  = module.scheduling.role_arn
  user_pool_arn       = module.auth.user_pool_arn
  tags                = var.tags

  functions = {
    for key, fn in local.functions : key => merge(fn, {
      handler              = var.handlers[key]
      reserved_concurrency = lookup(var.reserved_concurrency, key, try(fn.reserved_concurrency, null))
    })
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
  route_throttling       = var.route_throttling
  log_retention_days     = var.log_retention_days
  tags                   = var.tags

  # Behind the edge, the API answers only at a regional domain named like the public one.
  custom_domain = var.edge.enabled ? {
    name            = var.edge.domain_name
    certificate_arn = var.edge.api_certificate_arn
  } : null
}

module "edge" {
  source = "../edge"
  providers = {
    aws = aws.us_east_1
  }

  enabled             = var.edge.enabled
  name                = var.name_prefix
  domain_name         = var.edge.domain_name
  origin_domain_name  = module.api.origin_domain_name
  acm_certificate_arn = var.edge.acm_certificate_arn
  route53_zone_id     = var.edge.route53_zone_id
  log_retention_days  = var.log_retention_days
}

module "monitoring" {
  source = "../monitoring"

  name           = var.name_prefix
  api_id         = module.api.api_id
  function_names = module.functions.function_names
  table_name     = module.data.table_name
  dlq_name       = module.scheduling.dlq_name
  alarm_emails   = var.alarm_emails
  alarms         = var.alarms

  failure_queue_names = { for key, queue in module.functions.failure_queues : key => queue.name }
  stream_consumers    = module.functions.stream_consumers
  tags                = var.tags
}
