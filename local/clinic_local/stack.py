"""Provision the template's tables, queues and user pool on a local endpoint (moto, or any
compatible endpoint given by ``AWS_ENDPOINT_URL``)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3

from clinic.id_tokens import cognito_issuer, jwks_url
from clinic_local import tokens
from clinic_tools import template

REGION = "us-east-1"
STATE_FILE = template.ROOT / ".local" / "stack.json"

_POOL_FIELDS = ("UsernameAttributes", "AutoVerifiedAttributes", "Policies", "Schema", "UsernameConfiguration",
                "AccountRecoverySetting", "AdminCreateUserConfig", "MfaConfiguration")
_CLIENT_FIELDS = ("GenerateSecret", "ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation",
                  "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity", "TokenValidityUnits",
                  "AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs", "LogoutURLs", "SupportedIdentityProviders",
                  "AllowedOAuthFlowsUserPoolClient")
_LIST_PARAMETERS = ("CallbackURLs", "LogoutURLs")  # CommaDelimitedList parameters in the template
# Locally, tokens for demo accounts come from the admin password flow (IAM-only in AWS).
LOCAL_AUTH_FLOW = "ALLOW_ADMIN_USER_PASSWORD_AUTH"


@dataclass
class LocalStack:
    endpoint: str
    region: str
    prefix: str
    tables: dict[str, str]  # logical id -> table name
    user_pool_id: str
    client_ids: dict[str, str]  # logical id -> client id
    cursor_key: str
    accounts: list[dict[str, Any]] = field(default_factory=list)  # email, role, password, userId
    auth_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))  # keys the sign-in request counters
    queues: dict[str, dict[str, str]] = field(default_factory=dict)  # logical id -> url, arn, name
    # The live-updates WebSocket: "url" (ws://...) and "management" (its @connections endpoint).
    live: dict[str, str] = field(default_factory=dict)
    api_url: str = ""  # the runner's API and page (http://host:port), for the commands that call it

    @property
    def client_id(self) -> str:
        return next(iter(self.client_ids.values()))

    @property
    def issuer(self) -> str:
        return cognito_issuer(self.region, self.user_pool_id)

    def refs(self) -> dict[str, Any]:
        """What !Ref / !GetAtt resolve to locally."""
        refs: dict[str, Any] = dict(template.parameter_defaults())
        refs.update(self.tables)
        refs["UserPool"] = self.user_pool_id
        for logical_id, queue in self.queues.items():
            refs[logical_id] = queue["url"]
            refs[f"{logical_id}.Arn"] = queue["arn"]
            refs[f"{logical_id}.QueueName"] = queue["name"]
        refs.update(self.client_ids)
        refs["AWS::Region"] = self.region
        return refs

    def environment(self) -> dict[str, str]:
        """The process environment the handlers run with locally."""
        env = template.runtime_environment(self.refs())
        env.pop("CURSOR_SECRET_ARN", None)
        env.pop("AUTH_KEY_SECRET_ARN", None)
        env.pop("CONNECTIONS_ENDPOINT", None)  # the AWS stage's URL; locally the runner's, when it serves one
        if self.live.get("management"):
            env["CONNECTIONS_ENDPOINT"] = self.live["management"]
        env.update({
            # The pool's signing keys, from the emulator (the issuer stays the AWS one, as in tokens).
            "COGNITO_JWKS_URL": jwks_url(self.endpoint, self.user_pool_id),
            "CURSOR_KEY": self.cursor_key,
            "AUTH_KEY": self.auth_key,
            # Sign-in links go to the runner's console instead of an inbox.
            "EMAIL_SENDER": "console",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            # Local endpoints accept any credentials; real ones already in the environment win.
            "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
            "POWERTOOLS_METRICS_NAMESPACE": env.get("POWERTOOLS_METRICS_NAMESPACE", "Clinic"),
        })
        return env

    def save(self, path: Path = STATE_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)

    @classmethod
    def load(cls, path: Path = STATE_FILE) -> LocalStack:
        return cls(**json.loads(path.read_text()))


def client(service: str, endpoint: str, region: str = REGION) -> Any:
    # Local endpoints accept any credentials; real ones in the environment take precedence.
    key = os.environ.get("AWS_ACCESS_KEY_ID", "local")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "local")
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))


def create_tables(endpoint: str, prefix: str, region: str = REGION) -> dict[str, str]:
    ddb = client("dynamodb", endpoint, region)
    existing = set(ddb.list_tables()["TableNames"])
    names = {}
    for logical_id, args in template.table_definitions(prefix).items():
        args = dict(args)
        ttl = args.pop("_ttl", None)
        names[logical_id] = args["TableName"]
        if args["TableName"] in existing:
            continue
        ddb.create_table(**args)
        if ttl:
            ddb.update_time_to_live(TableName=args["TableName"], TimeToLiveSpecification=ttl)
    return names


def create_queues(sqs: Any, prefix: str) -> dict[str, dict[str, str]]:
    """Every queue of the template on the given client's endpoint (dead-letter queues first,
    redrive policies wired to them). Returns logical id -> url, arn, name."""
    created: dict[str, dict[str, str]] = {}
    for logical_id, args in template.queue_definitions(prefix).items():
        attributes = dict(args["Attributes"])
        if "_redrive" in args:
            redrive = dict(args["_redrive"])
            redrive["deadLetterTargetArn"] = created[redrive["deadLetterTargetArn"]]["arn"]
            attributes["RedrivePolicy"] = json.dumps(redrive)
        url = sqs.create_queue(QueueName=args["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        created[logical_id] = {"url": url, "arn": arn, "name": args["QueueName"]}
    return created


def create_user_pool(endpoint: str, prefix: str, region: str = REGION, idp: Any = None) -> tuple[str, dict[str, str]]:
    idp = idp or client("cognito-idp", endpoint, region)
    pools = template.resources("AWS::Cognito::UserPool")
    if len(pools) != 1:
        raise ValueError("the template must define exactly one user pool")
    (pool,) = pools.values()
    props = pool["Properties"]
    pool_id = idp.create_user_pool(
        PoolName=f"{prefix}-users", **{k: props[k] for k in _POOL_FIELDS if k in props}
    )["UserPool"]["Id"]
    client_ids = {}
    parameters = template.parameter_defaults()
    for logical_id, res in template.resources("AWS::Cognito::UserPoolClient").items():
        cprops = dict(res["Properties"])
        kwargs = {k: template.resolve(cprops[k], parameters) for k in _CLIENT_FIELDS if k in cprops}
        for name in _LIST_PARAMETERS:
            if isinstance(kwargs.get(name), str):
                kwargs[name] = kwargs[name].split(",")
        kwargs["ExplicitAuthFlows"] = sorted(set(kwargs.get("ExplicitAuthFlows", [])) | {LOCAL_AUTH_FLOW})
        kwargs["SupportedIdentityProviders"] = ["COGNITO"]
        created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=f"{prefix}-{logical_id}", **kwargs)
        client_ids[logical_id] = created["UserPoolClient"]["ClientId"]
    for res in template.resources("AWS::Cognito::UserPoolGroup").values():
        gprops = res["Properties"]
        idp.create_group(UserPoolId=pool_id, GroupName=gprops["GroupName"], Description=gprops.get("Description", ""))
    return pool_id, client_ids


def provision(endpoint: str, prefix: str = "clinic-local", region: str = REGION) -> LocalStack:
    tables = create_tables(endpoint, prefix, region)
    queues = create_queues(client("sqs", endpoint, region), prefix)
    pool_id, client_ids = create_user_pool(endpoint, prefix, region)
    return LocalStack(endpoint=endpoint, region=region, prefix=prefix, tables=tables, user_pool_id=pool_id,
                      client_ids=client_ids, cursor_key=secrets.token_urlsafe(48), queues=queues)


def id_token(stack: LocalStack, email: str, password: str) -> str:
    idp = client("cognito-idp", stack.endpoint, stack.region)
    result = idp.admin_initiate_auth(
        UserPoolId=stack.user_pool_id, ClientId=stack.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    if result.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":  # the demo admin's: moto checks no code
        result = idp.admin_respond_to_auth_challenge(
            UserPoolId=stack.user_pool_id, ClientId=stack.client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=result["Session"], ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": "000000"})
    return tokens.with_template_lifetime(str(result["AuthenticationResult"]["IdToken"]))


def _turn_on_totp(stack: LocalStack, idp: Any, email: str, password: str) -> str:
    """What the page's TOTP setup does, for a seeded account; the secret (moto checks no code,
    the runner's user-pool API checks codes against this secret)."""
    from clinic_local import totp

    access = idp.admin_initiate_auth(
        UserPoolId=stack.user_pool_id, ClientId=stack.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]["AccessToken"]
    idp.associate_software_token(AccessToken=access)
    idp.verify_software_token(AccessToken=access, UserCode="000000")
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return totp.new_secret()


def create_account(stack: LocalStack, email: str, name: str, role: str) -> dict[str, Any]:
    """A confirmed Cognito user with a random password (kept in the local state file only)."""
    idp = client("cognito-idp", stack.endpoint, stack.region)
    # The fixed prefix holds an upper case letter, a lower case letter and a digit, so the pool's
    # policy is met whatever the random part holds (without the digit, about 1 in 60 failed).
    password = "Local-1a" + secrets.token_urlsafe(18)
    created = idp.admin_create_user(
        UserPoolId=stack.user_pool_id, Username=email, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                        {"Name": "name", "Value": name}],
    )
    idp.admin_set_user_password(UserPoolId=stack.user_pool_id, Username=email, Password=password, Permanent=True)
    sub = next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")
    account = {"email": email, "name": name, "role": role, "password": password, "userId": sub}
    if role == "admin":
        idp.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=email, GroupName="admin")
        # Staff reach the admin group only with an authenticator app turned on (decisions.md):
        # the demo admin has one, its secret kept with the password (add it to an app to sign in).
        account["totpSecret"] = _turn_on_totp(stack, idp, email, password)
    stack.accounts.append(account)
    return account
