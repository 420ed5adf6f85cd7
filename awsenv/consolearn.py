"""`awsenv console ARN`: the console page of a resource, and the profile to open it as.

Both from local data only (the ARN and the AWS config): opening a page must not
cost a listing call. The profile is awsenv.lookup's pick for the ARN (the role
it names if a profile has it, else the role in use now in the ARN's account,
else the only role there), the same rule `use`/`exec`/`export` follow.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

from awsenv.console import console_page, partition
from awsenv.errors import AwsenvError, ExitCode
from awsenv.textsafe import printable

_ARN = re.compile(r"arn:(?P<partition>aws(?:-cn|-us-gov)?):(?P<service>[a-z0-9-]+):"
                  r"(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12})?:(?P<resource>.+)", re.ASCII)

KINDS = ("S3 bucket/object, Lambda function, IAM role/user/policy, EC2 instance, "
         "CloudFormation stack, CloudWatch log group, DynamoDB table, ECS cluster/service, "
         "RDS instance/cluster, SQS queue, SNS topic, Secrets Manager secret, KMS key")


@dataclass(frozen=True)
class Resource:
    arn: str
    account_id: str | None  # None for S3 (its ARNs name no account)
    region: str | None  # None for global services (IAM, S3)
    path: str  # console path after the host, with its own query/#fragment


def looks_like_arn(text: str) -> bool:
    return text.startswith("arn:")


def _q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _unsupported(arn: str) -> AwsenvError:
    return AwsenvError(f"awsenv has no console page for {printable(arn)}",
                       f"pass an ARN of: {KINDS}; or use --service/--destination",
                       ExitCode.USAGE)


def _log_group(name: str) -> str:
    # The CloudWatch console's own escaping: URL-encode twice, then '%' becomes '$'.
    return _q(_q(name)).replace("%", "$")


def resource(arn: str) -> Resource:
    """The console page of ``arn`` (a usage error naming the kinds for any other)."""
    m = _ARN.fullmatch(arn)
    if not m:
        raise AwsenvError(f"{printable(arn)} is not an ARN",
                          "pass e.g. arn:aws:lambda:eu-west-1:111111111111:function:NAME",
                          ExitCode.USAGE)
    svc, res, region = m["service"], m["resource"], m["region"] or None
    account = m["account"]
    path: str | None = None
    kind, _, rest = (res.partition(":") if svc in {"lambda", "logs", "rds", "secretsmanager"}
                       else res.partition("/"))
    if svc == "s3" and not region and not account:
        bucket, slash, key = res.partition("/")
        path = (f"s3/object/{_q(bucket)}?prefix={_q(key)}" if slash and key
                else f"s3/buckets/{_q(bucket)}")
    elif svc == "lambda" and kind == "function" and rest:
        path = f"lambda/home#/functions/{_q(rest.split(':')[0])}"
    elif svc == "iam" and account and kind in {"role", "user"} and rest:
        section = "roles" if kind == "role" else "users"
        path = f"iam/home#/{section}/details/{_q(rest.rsplit('/', 1)[-1])}"
    elif svc == "iam" and kind == "policy" and rest:
        path = f"iam/home#/policies/details/{_q(arn)}"
    elif svc == "ec2" and kind == "instance" and rest:
        path = f"ec2/home#InstanceDetails:instanceId={_q(rest)}"
    elif svc == "cloudformation" and kind == "stack" and rest:
        path = f"cloudformation/home#/stacks/stackinfo?stackId={_q(arn)}"
    elif svc == "logs" and kind == "log-group" and rest:
        name = rest[:-2] if rest.endswith(":*") else rest
        path = f"cloudwatch/home#logsV2:log-groups/log-group/{_log_group(name)}"
    elif svc == "dynamodb" and kind == "table" and rest:
        path = f"dynamodbv2/home#table?name={_q(rest.split('/')[0])}"
    elif svc == "ecs" and kind == "cluster" and rest:
        path = f"ecs/v2/clusters/{_q(rest)}"
    elif svc == "ecs" and kind == "service" and rest.count("/") == 1:
        cluster, name = rest.split("/")
        path = f"ecs/v2/clusters/{_q(cluster)}/services/{_q(name)}"
    elif svc == "rds" and kind in {"db", "cluster"} and rest:
        flag = "true" if kind == "cluster" else "false"
        path = f"rds/home#database:id={_q(rest)};is-cluster={flag}"
    elif svc == "sqs" and region and account and ":" not in res:
        host = f"sqs.{region}.amazonaws.com" + (".cn" if m["partition"] == "aws-cn" else "")
        path = f"sqs/v3/home#/queues/{_q(f'https://{host}/{account}/{res}')}"
    elif svc == "sns" and ":" not in res:
        path = f"sns/v3/home#/topic/{arn}"
    elif svc == "secretsmanager" and kind == "secret" and rest:
        # The ARN ends in a 6-character suffix AWS adds; the console wants the name.
        name = re.sub(r"-[A-Za-z0-9]{6}$", "", rest)
        path = f"secretsmanager/secret?name={_q(name)}"
    elif svc == "kms" and kind == "key" and rest:
        path = f"kms/home#/kms/keys/{_q(rest)}"
    if path is None:
        raise _unsupported(arn)
    if region and partition(region).name != m["partition"]:
        raise _unsupported(arn)
    return Resource(arn, account, region, path)


def page(res: Resource, region: str | None) -> str:
    """The resource's console URL in ``region`` (the resource's own when it has one)."""
    return console_page(res.region or region, res.path)
