provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true

  # Every service used now or later: a service missing here would go to real AWS.
  endpoints {
    acm          = var.aws_endpoint
    apigatewayv2 = var.aws_endpoint
    cloudfront   = var.aws_endpoint
    cloudwatch   = var.aws_endpoint
    cognitoidp   = var.aws_endpoint
    dynamodb     = var.aws_endpoint
    ecr          = var.aws_endpoint
    iam          = var.aws_endpoint
    kms          = var.aws_endpoint
    lambda       = var.aws_endpoint
    logs         = var.aws_endpoint
    route53      = var.aws_endpoint
    s3           = var.aws_endpoint
    scheduler    = var.aws_endpoint
    sns          = var.aws_endpoint
    sqs          = var.aws_endpoint
    sts          = var.aws_endpoint
    wafv2        = var.aws_endpoint
  }

  default_tags {
    tags = {
      Project     = "kefir"
      Environment = "local"
    }
  }
}
