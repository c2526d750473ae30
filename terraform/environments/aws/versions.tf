terraform {
  required_version = ">= 1.10" # the S3 backend's native lock file (use_lockfile)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # bucket, region and the environment's key (kefir/<environment>/terraform.tfstate)
  # come from -backend-config at init (see README); the lock is a file next to the
  # state, no DynamoDB table.
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
