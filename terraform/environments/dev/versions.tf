terraform {
  required_version = ">= 1.10" # the S3 backend's native lock file (use_lockfile)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # bucket and region come from -backend-config (see README); the lock is a file next
  # to the state, no DynamoDB table.
  backend "s3" {
    key          = "kefir/dev/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
