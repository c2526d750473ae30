locals {
  cognito_jwks_url = "${var.aws_endpoint}/${module.auth.user_pool_id}/.well-known/jwks.json"

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
    },
    var.extra_environment,
  )
}

module "data" {
  source = "../../modules/data"

  name = "${var.name_prefix}-table"
}

module "auth" {
  source = "../../modules/auth"

  name = var.name_prefix
  # The emulator cannot send email OTP: local tokens come from an admin flow.
  explicit_auth_flows = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
}

module "functions" {
  source = "../../modules/functions"

  name_prefix        = var.name_prefix
  package_type       = "Zip"
  zip_path           = var.lambda_zip_path
  table_arn          = module.data.table_arn
  environment        = local.environment
  log_retention_days = var.log_retention_days

  functions = {
    api = {
      handler       = "app.entrypoints.api.handler"
      image_command = ["app.entrypoints.api.handler"]
      memory_mb     = 512
      timeout_s     = 15
      dynamodb_actions = [
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query",
        "BatchWriteItem", "TransactWriteItems", "ConditionCheckItem",
      ]
    }
  }
}

module "api" {
  source = "../../modules/api"

  name          = "${var.name_prefix}-api"
  function_name = module.functions.function_names["api"]
  invoke_arn    = module.functions.invoke_arns["api"]
  jwt_issuer    = module.auth.issuer_url
  jwt_audience  = module.auth.client_id
}
