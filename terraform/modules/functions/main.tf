data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  is_zip   = var.package_type == "Zip"
  is_image = var.package_type == "Image"

  function_names = { for key, _ in var.functions : key => "${var.name_prefix}-${key}" }

  # "Query" and "dynamodb:Query" both mean dynamodb:Query.
  table_actions = {
    for key, fn in var.functions : key => [
      for action in fn.dynamodb_table_actions : startswith(action, "dynamodb:") ? action : "dynamodb:${action}"
    ]
  }
  index_statements = {
    for key, fn in var.functions : key => [
      for index, actions in fn.dynamodb_index_actions : {
        Sid      = "Index${replace(title(replace(index, "/[^A-Za-z0-9]/", " ")), " ", "")}"
        Effect   = "Allow"
        Action   = [for action in actions : startswith(action, "dynamodb:") ? action : "dynamodb:${action}"]
        Resource = "${var.table_arn}/index/${index}"
      }
    ]
  }

  key_statements = {
    for key, fn in var.functions : key => [
      for i, grant in fn.dynamodb_key_grants : {
        Sid      = "TableKeys${i}"
        Effect   = "Allow"
        Action   = [for action in grant.actions : startswith(action, "dynamodb:") ? action : "dynamodb:${action}"]
        Resource = var.table_arn
        Condition = merge(
          { "ForAllValues:StringLike" = { "dynamodb:LeadingKeys" = grant.leading_keys } },
          grant.transactions_only ? { "ForAnyValue:StringEquals" = { "dynamodb:EnclosingOperation" = ["TransactWriteItems"] } } : {},
        )
      }
    ]
  }

  schedules_arn = var.schedule_group_name == null ? null : (
    "arn:${data.aws_partition.current.partition}:scheduler:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:schedule/${var.schedule_group_name}/*"
  )

  image_uri = local.is_image ? "${aws_ecr_repository.this[0].repository_url}:${var.image_tag}" : null

  # One queue per function for what Lambda gives up on: asynchronous events after their
  # retries, and the stream batches a consumer could not apply.
  has_failure_queue = { for key, fn in var.functions : key => fn.async_failure_queue || fn.table_stream != null }
}

# --- the image repository (package_type = "Image") -------------------------------------

resource "aws_ecr_repository" "this" {
  count = local.is_image ? 1 : 0

  name                 = var.name_prefix
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.ecr_force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  count = local.is_image ? 1 : 0

  repository = aws_ecr_repository.this[0].name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last ${var.ecr_keep_images} images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.ecr_keep_images
      }
      action = { type = "expire" }
    }]
  })
}

# --- one least-privilege role per function ---------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

  name               = local.function_names[each.key]
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  # checkov:skip=CKV_AWS_158:Logs are encrypted with the CloudWatch Logs service key; a customer managed KMS key is not required for this data.
  # checkov:skip=CKV_AWS_338:Retention is set per environment (14 days dev, 30 prod) as the design document asks.
  for_each = var.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = var.functions

  name = "${local.function_names[each.key]}-access"
  role = aws_iam_role.this[each.key].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.this[each.key].arn}:*"
      }],
      [for statement in [{
        # X-Ray has no resource-level permissions for these actions.
        Sid      = "Tracing"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      }] : statement if var.tracing_mode == "Active"],
      [for statement in [{
        Sid      = "Table"
        Effect   = "Allow"
        Action   = local.table_actions[each.key]
        Resource = var.table_arn
      }] : statement if length(local.table_actions[each.key]) > 0],
      local.key_statements[each.key],
      local.index_statements[each.key],
      [for i, grant in each.value.s3_grants : {
        Sid      = "Objects${i}"
        Effect   = "Allow"
        Action   = [for action in grant.actions : startswith(action, "s3:") ? action : "s3:${action}"]
        Resource = "${var.bucket_arn}/${grant.prefix}*"
      }],
      [for i, grant in each.value.s3_grants : {
        Sid    = "List${i}"
        Effect = "Allow"
        # ListBucketVersions: account deletion removes every version in a versioned bucket.
        Action    = ["s3:ListBucket", "s3:ListBucketVersions"]
        Resource  = var.bucket_arn
        Condition = { StringLike = { "s3:prefix" = "${grant.prefix}*" } }
      } if grant.list],
      [for statement in [
        {
          Sid      = "ReminderSchedules"
          Effect   = "Allow"
          Action   = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"]
          Resource = local.schedules_arn
        },
        {
          Sid      = "PassSchedulerRole"
          Effect   = "Allow"
          Action   = "iam:PassRole"
          Resource = var.scheduler_role_arn
          Condition = {
            StringEquals = { "iam:PassedToService" = "scheduler.amazonaws.com" }
          }
        },
      ] : statement if each.value.manages_schedules],
      [for statement in [{
        Sid      = "FailureQueue"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = try(aws_sqs_queue.failed[each.key].arn, null)
      }] : statement if local.has_failure_queue[each.key]],
      [for statement in [
        {
          # What the event source mapping reads with the function's role: this stream only.
          Sid      = "TableStream"
          Effect   = "Allow"
          Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
          Resource = var.table_stream_arn
        },
        {
          # ListStreams names no one stream: limited to this table's streams.
          Sid      = "TableStreamList"
          Effect   = "Allow"
          Action   = "dynamodb:ListStreams"
          Resource = "${var.table_arn}/stream/*"
        },
      ] : statement if each.value.table_stream != null],
      [for statement in [{
        Sid      = "AccountAdmin"
        Effect   = "Allow"
        Action   = ["cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminDeleteUser"]
        Resource = var.user_pool_arn
      }] : statement if each.value.cognito_account_admin],
    )
  })

  lifecycle {
    precondition {
      condition     = length(each.value.s3_grants) == 0 || var.bucket_arn != null
      error_message = "Function \"${each.key}\" has s3_grants but bucket_arn is not set."
    }
    precondition {
      condition     = !each.value.manages_schedules || (var.schedule_group_name != null && var.scheduler_role_arn != null)
      error_message = "Function \"${each.key}\" manages schedules: schedule_group_name and scheduler_role_arn are required."
    }
    precondition {
      condition     = !each.value.cognito_account_admin || var.user_pool_arn != null
      error_message = "Function \"${each.key}\" administers accounts: user_pool_arn is required."
    }
    precondition {
      condition     = each.value.table_stream == null || var.table_stream_arn != null
      error_message = "Function \"${each.key}\" consumes the table's stream: table_stream_arn is required."
    }
  }
}

# --- the functions -----------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116:API functions are invoked synchronously (no async DLQ applies); asynchronously invoked ones get an on-failure destination (async_failure_queue), which supersedes a DLQ.
  # checkov:skip=CKV_AWS_117:The functions reach only AWS service endpoints and Expo's public API; a VPC would add NAT cost and cold-start latency for nothing.
  # checkov:skip=CKV_AWS_173:The environment holds names and URLs, no secrets; Lambda encrypts it at rest with its service key.
  # checkov:skip=CKV_AWS_272:Code comes from our own ECR repository (immutable tags, scan on push) built by the deploy pipeline; code signing does not apply to images.
  for_each = var.functions

  function_name = local.function_names[each.key]
  description   = each.value.description
  role          = aws_iam_role.this[each.key].arn
  package_type  = var.package_type
  memory_size   = each.value.memory_mb
  timeout       = each.value.timeout_s

  reserved_concurrent_executions = each.value.reserved_concurrency == null ? -1 : each.value.reserved_concurrency

  # Zip
  filename         = local.is_zip ? var.zip_path : null
  source_code_hash = local.is_zip ? filebase64sha256(var.zip_path) : null
  handler          = local.is_zip ? each.value.handler : null
  runtime          = local.is_zip ? var.runtime : null

  # Image: one image, the command picks the entry point.
  image_uri     = local.image_uri
  architectures = local.is_image ? ["arm64"] : null

  dynamic "image_config" {
    for_each = local.is_image ? [coalesce(each.value.image_command, [each.value.handler])] : []

    content {
      command = image_config.value
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  environment {
    variables = merge(var.environment, each.value.environment)
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = local.is_zip ? var.zip_path != null : var.image_tag != null
      error_message = "package_type \"Zip\" needs zip_path; \"Image\" needs image_tag."
    }
  }

  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.this,
  ]
}

# --- what still fails after Lambda's retries is kept ----------------------------------------

resource "aws_sqs_queue" "failed" {
  for_each = { for key, fn in var.functions : key => fn if local.has_failure_queue[key] }

  name                      = "${local.function_names[each.key]}-failed"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_lambda_function_event_invoke_config" "this" {
  for_each = { for key, queue in aws_sqs_queue.failed : key => queue if var.functions[key].async_failure_queue }

  function_name                = aws_lambda_function.this[each.key].function_name
  maximum_retry_attempts       = var.functions[each.key].async_retry_attempts
  maximum_event_age_in_seconds = var.functions[each.key].async_max_event_age_s

  destination_config {
    on_failure {
      destination = each.value.arn
    }
  }
}

# --- the table's stream: consumers get the records their filters let through ---------------

resource "aws_lambda_event_source_mapping" "table_stream" {
  for_each = { for key, fn in var.functions : key => fn.table_stream if fn.table_stream != null }

  function_name                      = aws_lambda_function.this[each.key].arn
  event_source_arn                   = var.table_stream_arn
  enabled                            = each.value.enabled
  starting_position                  = each.value.starting_position
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.batching_window_s
  # A failing batch is halved until the failing record is alone and retried whole (the
  # consumer applies each record once, so a retry repeats nothing); a bad record cannot
  # block the rest longer than retry_attempts or max_record_age_s.
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = each.value.retry_attempts
  maximum_record_age_in_seconds  = each.value.max_record_age_s

  dynamic "filter_criteria" {
    for_each = length(each.value.filter_patterns) > 0 ? [each.value.filter_patterns] : []

    content {
      dynamic "filter" {
        for_each = filter_criteria.value

        content {
          pattern = filter.value
        }
      }
    }
  }

  # Lambda sends the batch's shard and sequence numbers (not the records): they stay
  # readable in the stream for 24 h, so max_record_age_s leaves time to replay them.
  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.failed[each.key].arn
    }
  }

  # AWS checks at creation that the role can read the stream.
  depends_on = [aws_iam_role_policy.this]
}
