# Pass a provider in us-east-1: a CloudFront web ACL (and its log group) must live there,
# whatever the region of the rest of the stack. CloudFront and Route 53 are global.
terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
