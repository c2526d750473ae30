data "aws_region" "current" {}

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  user_pool_tier           = var.user_pool_tier
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  # Passwordless sign-in: the app asks for USER_AUTH with EMAIL_OTP. Cognito requires
  # PASSWORD in this list too; nobody is given a password.
  sign_in_policy {
    allowed_first_auth_factors = var.allowed_first_auth_factors
  }

  # Through SES when an identity is given (prod: volume and a real sender), else
  # Cognito's own sender with its daily limit (dev).
  email_configuration {
    email_sending_account = var.ses_identity_arn == null ? "COGNITO_DEFAULT" : "DEVELOPER"
    source_arn            = var.ses_identity_arn
    from_email_address    = var.ses_identity_arn == null ? null : var.from_email_address
  }

  username_configuration {
    case_sensitive = false
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  tags = var.tags
}

resource "aws_cognito_user_pool_client" "this" {
  name         = "${var.name}-app"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret               = false
  explicit_auth_flows           = var.explicit_auth_flows
  prevent_user_existence_errors = "ENABLED"

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.id_token_validity_minutes
  refresh_token_validity = var.refresh_token_validity_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}

locals {
  issuer_url = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}
