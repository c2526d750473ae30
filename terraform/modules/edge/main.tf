locals {
  count = var.enabled ? 1 : 0

  # AWS managed origin request policy (a fixed id, the same in every account): every
  # viewer header, Host included. The origin is the API's regional custom domain of the
  # same name, so API Gateway (and the TLS name CloudFront checks) match that Host.
  all_viewer = "216adef6-5c7f-47e4-b989-5492eafa07d3"

  public_path_patterns = ["/b/*", "/c/*", "/public/*", "/.well-known/*"]
  public_path_prefixes = ["/b/", "/c/", "/public/", "/.well-known/"]
}

# --- caching: the public pages briefly, nothing else --------------------------------------

resource "aws_cloudfront_cache_policy" "public" {
  count = local.count

  name        = "${var.name}-public-pages"
  comment     = "Public batch pages and app-link files: short TTLs, no user in the key"
  min_ttl     = 0
  default_ttl = var.public_cache_seconds
  max_ttl     = var.public_cache_max_seconds

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "none"
    }
    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# Authenticated routes: the Authorization header is part of the key (so it reaches the
# origin) and the TTLs keep anything from being served from the cache.
resource "aws_cloudfront_cache_policy" "api" {
  count = local.count

  name        = "${var.name}-api-uncached"
  comment     = "API routes: never cached, Authorization forwarded"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 1

  parameters_in_cache_key_and_forwarded_to_origin {
    cookies_config {
      cookie_behavior = "none"
    }
    headers_config {
      header_behavior = "whitelist"
      headers {
        items = ["Authorization"]
      }
    }
    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "this" {
  count = local.count

  name    = "${var.name}-security-headers"
  comment = "HSTS, nosniff, no framing, no referrer leaks"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
  }
}

# --- the distribution ------------------------------------------------------------------------

resource "aws_cloudfront_distribution" "this" {
  # checkov:skip=CKV_AWS_86:Requests are logged by the web ACL (aws-waf-logs-*) and the API's JSON access logs; standard logs would need an ACL-enabled bucket.
  # checkov:skip=CKV_AWS_310:One origin (the regional HTTP API); there is no second origin to fail over to.
  # checkov:skip=CKV_AWS_305:The origin is an API, not a website: there is no root object to serve.
  # checkov:skip=CKV2_AWS_47:The web ACL has the known-bad-inputs group (Log4j); the anonymous IP list is left out on purpose, it would lock out people on VPNs and carrier proxies.
  # checkov:skip=CKV_AWS_374:The app and its public pages are for people anywhere; no geo restriction.
  count = local.count

  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "${var.name}: public pages and API"
  aliases         = [var.domain_name]
  price_class     = var.price_class
  web_acl_id      = aws_wafv2_web_acl.this[0].arn

  origin {
    origin_id   = "api"
    domain_name = var.origin_domain_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id           = "api"
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.api[0].id
    origin_request_policy_id   = local.all_viewer
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
  }

  dynamic "ordered_cache_behavior" {
    for_each = local.public_path_patterns

    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = "api"
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD", "OPTIONS"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = aws_cloudfront_cache_policy.public[0].id
      origin_request_policy_id   = local.all_viewer
      response_headers_policy_id = aws_cloudfront_response_headers_policy.this[0].id
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.acm_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.domain_name != null && var.origin_domain_name != null && var.acm_certificate_arn != null && var.route53_zone_id != null
      error_message = "The edge needs domain_name, origin_domain_name, acm_certificate_arn and route53_zone_id."
    }
  }
}

resource "aws_route53_record" "this" {
  for_each = var.enabled ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = each.key

  alias {
    name                   = aws_cloudfront_distribution.this[0].domain_name
    zone_id                = aws_cloudfront_distribution.this[0].hosted_zone_id
    evaluate_target_health = false
  }
}

# --- WAF: where per-user throttling lives (HTTP APIs throttle per stage and route only) ---

resource "aws_wafv2_web_acl" "this" {
  count = local.count

  name        = var.name
  description = "Rate limits per user and per IP on public routes, AWS managed protections"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  # Per user: requests carrying the same Authorization header (one user's token). Well
  # below the API stage's own limit, so one account cannot take the whole capacity.
  rule {
    name     = "per-user-rate"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.per_user_requests_per_second * var.rate_window_seconds
        evaluation_window_sec = var.rate_window_seconds
        aggregate_key_type    = "CUSTOM_KEYS"

        custom_key {
          header {
            name = "authorization"
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-per-user-rate"
      sampled_requests_enabled   = true
    }
  }

  # Per user, on the expensive routes: the CSV export and account deletion.
  rule {
    name     = "expensive-per-user-rate"
    priority = 2

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.expensive_requests_per_user
        evaluation_window_sec = var.expensive_window_seconds
        aggregate_key_type    = "CUSTOM_KEYS"

        custom_key {
          header {
            name = "authorization"
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        scope_down_statement {
          or_statement {
            dynamic "statement" {
              for_each = var.expensive_routes

              content {
                and_statement {
                  statement {
                    byte_match_statement {
                      search_string         = statement.value.method
                      positional_constraint = "EXACTLY"
                      field_to_match {
                        method {}
                      }
                      text_transformation {
                        priority = 0
                        type     = "NONE"
                      }
                    }
                  }
                  statement {
                    byte_match_statement {
                      search_string         = statement.value.path
                      positional_constraint = "EXACTLY"
                      field_to_match {
                        uri_path {}
                      }
                      text_transformation {
                        priority = 0
                        type     = "NONE"
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-expensive-per-user-rate"
      sampled_requests_enabled   = true
    }
  }

  # Per IP, on every path: many tokens from one address still meet a limit.
  rule {
    name     = "per-ip-rate"
    priority = 3

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.per_ip_requests_per_second * var.rate_window_seconds
        evaluation_window_sec = var.rate_window_seconds
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-per-ip-rate"
      sampled_requests_enabled   = true
    }
  }

  # Per IP, tighter, on the routes anyone can call without a token.
  rule {
    name     = "public-per-ip-rate"
    priority = 4

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.public_requests_per_ip
        evaluation_window_sec = var.rate_window_seconds
        aggregate_key_type    = "IP"

        scope_down_statement {
          or_statement {
            dynamic "statement" {
              for_each = local.public_path_prefixes

              content {
                byte_match_statement {
                  search_string         = statement.value
                  positional_constraint = "STARTS_WITH"
                  field_to_match {
                    uri_path {}
                  }
                  text_transformation {
                    priority = 0
                    type     = "NONE"
                  }
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-public-per-ip-rate"
      sampled_requests_enabled   = true
    }
  }

  # Devices, per ingest URL: the path holds the sensor's secret token, so keying on the
  # path limits each sensor on its own (a Node-RED loop gone wrong stops here, before a
  # Lambda runs). Above the app's own cap (30 readings a sensor-minute, 429 with
  # Retry-After), which stays the line a well-behaved device meets.
  rule {
    name     = "ingest-per-path-rate"
    priority = 5

    action {
      block {
        custom_response {
          response_code = 429
          response_header {
            name  = "Retry-After"
            value = tostring(var.rate_window_seconds)
          }
        }
      }
    }

    statement {
      rate_based_statement {
        limit                 = var.ingest_requests_per_path
        evaluation_window_sec = var.rate_window_seconds
        aggregate_key_type    = "CUSTOM_KEYS"

        custom_key {
          uri_path {
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        scope_down_statement {
          byte_match_statement {
            search_string         = "/ingest/"
            positional_constraint = "STARTS_WITH"
            field_to_match {
              uri_path {}
            }
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-ingest-per-path-rate"
      sampled_requests_enabled   = true
    }
  }

  # TiltBridge posts to /ingest with its key in X-API-KEY: the same limit per key.
  rule {
    name     = "ingest-per-key-rate"
    priority = 6

    action {
      block {
        custom_response {
          response_code = 429
          response_header {
            name  = "Retry-After"
            value = tostring(var.rate_window_seconds)
          }
        }
      }
    }

    statement {
      rate_based_statement {
        limit                 = var.ingest_requests_per_path
        evaluation_window_sec = var.rate_window_seconds
        aggregate_key_type    = "CUSTOM_KEYS"

        custom_key {
          header {
            name = "x-api-key"
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        scope_down_statement {
          byte_match_statement {
            search_string         = "/ingest"
            positional_constraint = "EXACTLY"
            field_to_match {
              uri_path {}
            }
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-ingest-per-key-rate"
      sampled_requests_enabled   = true
    }
  }

  # Known bad inputs, including Log4j-style payloads.
  rule {
    name     = "aws-known-bad-inputs"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-common"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        # Bodies up to the app's own limit (64 KiB) are legitimate; the app answers 413 beyond.
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-common"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "waf" {
  # checkov:skip=CKV_AWS_158:WAF logs are encrypted with the CloudWatch Logs service key; a customer managed KMS key is not required for this data.
  # checkov:skip=CKV_AWS_338:Retention is set per environment (14 days dev, 30 prod) as the design document asks.
  count = local.count

  # WAF only logs to groups whose name starts with aws-waf-logs-.
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = local.count

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  # A sensor's secret: TiltBridge's key header, and the ingest URL's path (its token).
  # Paths of other requests are in the API's access logs (as route templates) and the
  # app's request log lines.
  redacted_fields {
    single_header {
      name = "x-api-key"
    }
  }
  redacted_fields {
    uri_path {}
  }
}
