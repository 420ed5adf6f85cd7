"""Common AWS services and where their console pages live (`awsenv console --service`).

One table, so `--help`, the error listing the names, completion and README
agree. A value is the console path after the host, optionally with a
``#fragment`` (the console's single-page routes); the region goes in between as
``?region=R``. stdlib only, no imports: completion reads it.
"""

from __future__ import annotations

SERVICES: dict[str, str] = {
    "acm": "acm/home",
    "apigateway": "apigateway/main",
    "athena": "athena/home",
    "billing": "billing/home",
    "cloudformation": "cloudformation/home",
    "cloudfront": "cloudfront/v4/home",
    "cloudtrail": "cloudtrail/home",
    "cloudwatch": "cloudwatch/home",
    "config": "config/home",
    "dynamodb": "dynamodbv2/home",
    "ec2": "ec2/home",
    "ecr": "ecr/home",
    "ecs": "ecs/v2/home",
    "eks": "eks/home",
    "elasticache": "elasticache/home",
    "glue": "glue/home",
    "guardduty": "guardduty/home",
    "iam": "iam/home",
    "kinesis": "kinesis/home",
    "kms": "kms/home",
    "lambda": "lambda/home",
    "logs": "cloudwatch/home#logsV2:log-groups",
    "organizations": "organizations/v2/home",
    "rds": "rds/home",
    "route53": "route53/v2/home",
    "s3": "s3/home",
    "secretsmanager": "secretsmanager/home",
    "securityhub": "securityhub/home",
    "sns": "sns/v3/home",
    "sqs": "sqs/v3/home",
    "ssm": "systems-manager/home",
    "stepfunctions": "states/home",
    "vpc": "vpc/home",
}
