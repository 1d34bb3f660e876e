"""`make deploy`: the samconfig.toml profile, and the sign-in parameters pointed at the dashboard
(known from the stack's outputs, so a new stack is deployed a second time with them)."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import Stubber

from clinic_ops import cli, deploy, stack

SAMCONFIG = """
[dev.deploy.parameters]
stack_name = "clinic-dev"
region = "eu-west-1"
parameter_overrides = "Stage=dev EdgeWebAclArn=arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"

[clinic.deploy.parameters]
stack_name = "clinic-own"
parameter_overrides = "Stage=prod SpaCallbackUrls=\\"https://clinic.example/app/,https://clinic.example/cb\\""
"""
URL = "https://d111111abcdef8.cloudfront.net/app/"


def test_a_profile_is_read_as_sam_deploy_reads_it():
    dev = stack.profile("dev", SAMCONFIG)
    assert (dev.stack_name, dev.region) == ("clinic-dev", "eu-west-1")
    assert dev.parameter_overrides == {
        "Stage": "dev", "EdgeWebAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"}
    assert stack.profile("clinic", SAMCONFIG).region == "us-east-1"
    with pytest.raises(SystemExit, match="nope"):
        stack.profile("nope", SAMCONFIG)


def test_the_repositorys_profiles_deploy_the_stage_they_name():
    for env in ("dev", "prod"):
        assert stack.profile(env).parameter_overrides["Stage"] == env


def test_the_sign_in_parameters_name_the_dashboard_and_its_origin():
    assert deploy.overrides(stack.profile("dev", SAMCONFIG), URL) == {
        "SpaCallbackUrls": URL, "SpaLogoutUrls": URL, "AllowedOrigins": "https://d111111abcdef8.cloudfront.net",
        "Stage": "dev", "EdgeWebAclArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"}
    dev = stack.profile("dev", SAMCONFIG)
    assert deploy.overrides(dev, None) == dev.parameter_overrides


def test_a_value_the_profile_sets_wins_over_the_derived_one():
    values = deploy.overrides(stack.profile("clinic", SAMCONFIG), URL)
    assert values["SpaCallbackUrls"] == "https://clinic.example/app/,https://clinic.example/cb"
    assert values["SpaLogoutUrls"] == URL
    assert stack.parse_overrides(stack.format_overrides(values)) == values  # survives the command line


@pytest.mark.parametrize(("before", "deploys"), [(None, 2), (URL, 1)], ids=["new-stack", "existing-stack"])
def test_a_new_stack_is_deployed_again_once_its_dashboard_url_is_known(monkeypatch, before, deploys):
    outputs = iter([before, URL])
    monkeypatch.setattr(deploy, "dashboard_url", lambda cloudformation, name: next(outputs))
    calls: list[dict[str, str]] = []
    monkeypatch.setattr(deploy, "sam_deploy", lambda sam, profile, values: calls.append(values))
    assert deploy.deploy(stack.profile("dev", SAMCONFIG), ["sam"], cloudformation=None) == URL
    assert len(calls) == deploys
    assert calls[-1]["SpaCallbackUrls"] == URL and calls[-1]["Stage"] == "dev"


def test_bootstrap_runs_with_the_environment_of_the_stacks_role_change_function(monkeypatch):
    session = botocore.session.get_session()
    clients = {name: session.create_client(name, region_name="eu-west-1",
                                           aws_access_key_id="x", aws_secret_access_key="x")
               for name in ("cloudformation", "lambda")}
    with Stubber(clients["cloudformation"]) as cfn, Stubber(clients["lambda"]) as lam:
        cfn.add_response("describe_stack_resource", {"StackResourceDetail": {
            "LogicalResourceId": "SetUserRoleFunction", "PhysicalResourceId": "clinic-dev-SetUserRoleFunction-1",
            "ResourceType": "AWS::Lambda::Function", "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
            "ResourceStatus": "CREATE_COMPLETE"}},
            {"StackName": "clinic-dev", "LogicalResourceId": "SetUserRoleFunction"})
        lam.add_response("get_function_configuration", {"Environment": {"Variables": {
            "USER_POOL_ID": "eu-west-1_pool", "USERS_TABLE": "clinic-dev-UsersTable-1"}}},
            {"FunctionName": "clinic-dev-SetUserRoleFunction-1"})
        monkeypatch.setattr(cli, "client", lambda service, region: clients[service])
        environment: dict[str, str] = {}
        monkeypatch.setattr(cli.os, "environ", environment)
        cli.stack_environment(stack.profile("dev", SAMCONFIG))
    assert environment == {"USER_POOL_ID": "eu-west-1_pool", "USERS_TABLE": "clinic-dev-UsersTable-1",
                           "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}


def test_sam_deploy_runs_the_profile_with_every_override_on_its_command_line(monkeypatch):
    ran: list[list[str]] = []
    monkeypatch.setattr(deploy.subprocess, "run", lambda command, **kwargs: ran.append(command))
    profile = stack.profile("dev", SAMCONFIG)
    deploy.sam_deploy([".venv-sam/bin/sam"], profile, deploy.overrides(profile, URL))
    (command,) = ran
    assert command[:5] == [".venv-sam/bin/sam", "deploy", "--config-env", "dev", "--no-fail-on-empty-changeset"]
    assert command[5] == "--parameter-overrides"
    assert stack.parse_overrides(command[6]) == deploy.overrides(profile, URL)


def test_a_stack_not_deployed_yet_has_no_dashboard_url():
    cloudformation = botocore.session.get_session().create_client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(cloudformation) as stub:
        stub.add_client_error("describe_stacks", "ValidationError", "Stack with id clinic-dev does not exist")
        assert deploy.dashboard_url(cloudformation, "clinic-dev") is None


@pytest.mark.parametrize(("backfilled", "expected"), [(0, ["stack", "backfill", "page"]), (4, ["stack", "backfill"])],
                         ids=["done", "failed"])
def test_deploy_runs_the_data_backfills_between_the_stack_and_the_page(monkeypatch, backfilled, expected):
    # An existing stack's data needs no manual step: the deploy runs what the release needs
    order: list[str] = []
    monkeypatch.setattr(cli, "deploy", lambda profile, sam, cloudformation: order.append("stack"))
    monkeypatch.setattr(cli, "client", lambda service, region: None)
    monkeypatch.setattr(cli, "run_backfills", lambda profile, again=False: order.append("backfill") or backfilled)
    monkeypatch.setattr(cli, "run_publish", lambda profile, dist: order.append("page") or 0)
    assert cli.main(["deploy"]) == backfilled
    assert order == expected


def test_the_backfills_run_alone_and_again_on_request(monkeypatch):
    asked: list[bool] = []
    monkeypatch.setattr(cli, "run_backfills", lambda profile, again=False: asked.append(again) or 0)
    assert cli.main(["backfill"]) == 0 and cli.main(["backfill", "--again"]) == 0
    assert asked == [False, True]
