terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
      # The edge's web ACL must live in us-east-1, whatever the stack's region.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
