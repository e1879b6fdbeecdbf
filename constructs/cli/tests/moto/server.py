"""moto's server, with the CloudFormation models the delivery pipeline stacks need.

The moto tests (`tests/moto_deploy.rs`) start this script with the Python of moto's venv
instead of `moto_server`, with the same arguments. Of what moto already models it mends two
defects, and it adds models for three resource types moto's CloudFormation skips:

- `AWS::KMS::Key`: moto 5.2.5 hands a key's CloudFormation `Tags` (`Key`/`Value`) to its KMS
  service unconverted, which expects the API's `TagKey`/`TagValue` and fails the stack with
  `KeyError: 'TagKey'`. The tags are converted before moto's own model creates the key.
- `AWS::IAM::ManagedPolicy`: moto 5.2.5 neither updates nor deletes a managed policy with
  its stack: an update keeps the old document, and a delete leaves the policy attached, so
  deleting the stack's roles fails with `DeleteConflict`. Here, as CloudFormation does, an
  update is a new default version (the oldest other one deleted at IAM's five) and attaches
  and detaches roles as `Roles` now says; a delete detaches the policy and deletes it.
- `AWS::CodePipeline::Pipeline`, `AWS::CodeBuild::Project`: moto has both services (their
  APIs) but no CloudFormation model, so a stack skips them and fails on the first `Fn::GetAtt`
  that reads one. The models here translate the resource's properties into the API's request
  and call moto's service, so a deployed pipeline or project is read back through the
  service's API (`GetPipeline`, `BatchGetProjects`), and moto's own checks run (a pipeline's
  role must trust CodePipeline, a pipeline has at least two stages).
- `AWS::CodeConnections::Connection`: moto has no CodeConnections service. A connection is
  a record with its ARN and the status a new connection has (`PENDING`, until its owner
  completes the handshake in the console).

And it rolls a failed first create back, as CloudFormation does: moto 5.2.5 leaves a stack
whose create change set failed half made (`REVIEW_IN_PROGRESS`, the resources made before the
failure in place, the failure as the answer to `ExecuteChangeSet`). Here the execution is
accepted (CloudFormation reports a failure in the stack's events, not in that answer), the
failed resource gets a `CREATE_FAILED` event with the service's message, the resources made
before it are deleted in the reverse of their creation order but for those whose
`DeletionPolicy` is `Retain` (`RetainExceptOnCreate` is deleted: "delete the resource if it
was created during the stack creation that failed"), and the stack ends `ROLLBACK_COMPLETE`,
which can only be deleted. Updates are left as moto has them.

Nothing here decides whether a test passes: the tests read what moto holds afterwards.
"""

import json
import sys
import uuid
from typing import Any

from moto.cloudformation import parsing  # imports every model moto has
from moto.cloudformation.models import CloudFormationBackend, Event
from moto.codebuild.models import codebuild_backends
from moto.codepipeline.models import codepipeline_backends
from moto.core.common_models import CloudFormationModel
from moto.iam.models import ManagedPolicy
from moto.kms import models as kms_models
from moto.server import main
from moto.utilities.utils import get_partition


def lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]


def api_string(value: Any) -> str:
    """A scalar as the API's string, as CloudFormation passes it (`true`, not `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def api_shape(value: Any, renames: dict[str, str]) -> Any:
    """A CloudFormation property value in the shape of the service API's request.

    Keys lose their capital first letter (`ActionTypeId` -> `actionTypeId`) or take the name
    in `renames`; a `Configuration` (an action's or a rule's provider settings) is the API's
    map of strings, its keys as they are.
    """
    if isinstance(value, list):
        return [api_shape(v, renames) for v in value]
    if isinstance(value, dict):
        return {
            renames.get(k, lower_first(k)): (
                {ck: api_string(cv) for ck, cv in v.items()}
                if k == "Configuration"
                else api_shape(v, renames)
            )
            for k, v in value.items()
        }
    return value


def api_tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": t["Key"], "value": t["Value"]} for t in props.get("Tags", [])]


# --- AWS::KMS::Key ----------------------------------------------------------------------

_create_key = kms_models.Key.create_from_cloudformation_json.__func__


def _create_key_with_api_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    props["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags", [])
    ]
    return _create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


kms_models.Key.create_from_cloudformation_json = classmethod(_create_key_with_api_tags)


class Named:
    """A resource of one of moto's services, known by its `Name`.

    A mixin, not a model: moto finds its models among `CloudFormationModel`'s direct
    subclasses, so each model below derives from it too.
    """

    def __init__(self, name: str, account_id: str, region_name: str):
        self.name = name
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @property
    def physical_resource_id(self) -> str:
        return self.name


# --- AWS::IAM::ManagedPolicy -----------------------------------------------------------


def _update_policy(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = cloudformation_json["Properties"]
    policy = original_resource
    if props.get("ManagedPolicyName", policy.name) != policy.name:
        policy.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
    backend = policy.backend
    if len(policy.versions) >= 5:
        oldest = next(v for v in policy.versions if not v.is_default)
        backend.delete_policy_version(policy.arn, oldest.version_id)
    backend.create_policy_version(
        policy.arn, json.dumps(props["PolicyDocument"]), set_as_default=True
    )
    roles = set(props.get("Roles", []))
    for role in backend.roles.values():
        attached = policy.arn in role.managed_policies
        if role.name in roles and not attached:
            backend.attach_role_policy(policy.arn, role.name)
        elif attached and role.name not in roles:
            policy.detach_from(role)
    return policy


def _delete_policy(self, account_id: str, region_name: str) -> None:
    backend = self.backend
    holders = [*backend.roles.values(), *backend.users.values(), *backend.groups.values()]
    for holder in holders:
        if self.arn in holder.managed_policies:
            self.detach_from(holder)
    backend.delete_policy(self.arn)


ManagedPolicy.update_from_cloudformation_json = classmethod(_update_policy)
ManagedPolicy.delete = _delete_policy


# --- AWS::CodePipeline::Pipeline --------------------------------------------------------

# Properties of the resource that the API's pipeline structure does not have.
PIPELINE_ONLY_IN_CLOUDFORMATION = (
    "Tags",
    "RestartExecutionOnUpdate",
    "DisableInboundStageTransitions",
    "ArtifactStores",
)


def pipeline_request(name: str, props: dict[str, Any]) -> dict[str, Any]:
    pipeline = api_shape(
        {k: v for k, v in props.items() if k not in PIPELINE_ONLY_IN_CLOUDFORMATION}, {}
    )
    pipeline["name"] = name
    if "ArtifactStores" in props:
        pipeline["artifactStores"] = {
            s["Region"]: api_shape(s["ArtifactStore"], {}) for s in props["ArtifactStores"]
        }
    return pipeline


class CfnPipeline(Named, CloudFormationModel):
    __module__ = "moto.codepipeline.cirrus"  # moto files its models by the module's second part

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CodePipeline::Pipeline"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Version"

    def backend(self):
        return codepipeline_backends[self.account_id][self.region_name]

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Version":
            return str(self.backend().pipelines[self.name].pipeline["version"])
        raise KeyError(attribute_name)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = codepipeline_backends[account_id][region_name]
        backend.create_pipeline(pipeline_request(resource_name, props), api_tags(props))
        return cls(resource_name, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        if new_resource_name != original_resource.name:
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        original_resource.backend().update_pipeline(pipeline_request(new_resource_name, props))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        self.backend().delete_pipeline(self.name)


# --- AWS::CodeBuild::Project ------------------------------------------------------------

# CloudFormation's names of a project's fields where the API's differ by more than case.
PROJECT_RENAMES = {"BuildSpec": "buildspec"}


class CfnProject(Named, CloudFormationModel):
    __module__ = "moto.codebuild.cirrus"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CodeBuild::Project"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def backend(self):
        return codebuild_backends[self.account_id][self.region_name]

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return self.backend().codebuild_projects[self.name].arn
        raise KeyError(attribute_name)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]

        def field(key: str) -> Any:
            return api_shape(props[key], PROJECT_RENAMES) if key in props else None

        codebuild_backends[account_id][region_name].create_project(
            project_name=resource_name,
            description=props.get("Description"),
            project_source=field("Source"),
            artifacts=field("Artifacts"),
            environment=field("Environment"),
            service_role=props["ServiceRole"],
            tags=api_tags(props),
            cache=field("Cache"),
            timeout=props.get("TimeoutInMinutes"),
            queued_timeout=props.get("QueuedTimeoutInMinutes"),
            source_version=props.get("SourceVersion"),
            logs_config=field("LogsConfig"),
            vpc_config=field("VpcConfig"),
        )
        return cls(resource_name, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        # CodeBuild's UpdateProject, which moto does not have, as a replacement under the
        # same name: what the API reads back afterwards is the same.
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region_name: str) -> None:
        self.backend().delete_project(self.name)


# --- AWS::CodeConnections::Connection ---------------------------------------------------


class CfnConnection(CloudFormationModel):
    __module__ = "moto.codeconnections.cirrus"

    def __init__(self, name: str, account_id: str, region_name: str):
        self.name = name
        self.account_id = account_id
        self.arn = (
            f"arn:{get_partition(region_name)}:codeconnections:{region_name}:{account_id}"
            f":connection/{uuid.uuid4()}"
        )

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ConnectionName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CodeConnections::Connection"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ConnectionArn", "ConnectionStatus", "OwnerAccountId")

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        return {
            "ConnectionArn": self.arn,
            "ConnectionStatus": "PENDING",
            "OwnerAccountId": self.account_id,
        }[attribute_name]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(resource_name, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        if new_resource_name == original_resource.name:
            return original_resource
        return cls(new_resource_name, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        pass


# --- a failed first create rolls back -------------------------------------------------

_parse_and_create_resource = parsing.parse_and_create_resource


def _create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    """moto's resource creation, remembering the order of what it made and what failed."""
    try:
        resource = _parse_and_create_resource(
            logical_id, resource_json, resources_map, account_id, region_name
        )
    except Exception as error:
        if not hasattr(error, "cirrus_logical_id"):
            error.cirrus_logical_id = logical_id
        raise
    if resource is not None:
        resources_map.__dict__.setdefault("cirrus_created", []).append(logical_id)
    return resource


parsing.parse_and_create_resource = _create_resource

_execute_change_set = CloudFormationBackend.execute_change_set


def _execute_change_set_rolling_back(self, change_set_name, stack_name=None):
    change_set = self.change_sets.get(change_set_name) or next(
        (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None
    )
    try:
        return _execute_change_set(self, change_set_name, stack_name)
    except Exception as error:
        if change_set is None or change_set.change_set_type != "CREATE":
            raise
        roll_back(self.stacks[change_set.stack_id], change_set, error)


def resource_event(stack, logical_id: str, physical_id: str, resource_type: str, status: str, reason=None):
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def error_message(error: Exception) -> str:
    """The service's error as CloudFormation quotes it: its code and its message."""
    code = getattr(error, "error_type", None) or getattr(error, "code", None) or type(error).__name__
    message = getattr(error, "message", None) or str(error)
    return f"Resource handler returned message: \"{message}\" (HandlerErrorCode: {code})"


def roll_back(stack, change_set, error: Exception) -> None:
    resources = stack.resource_map
    templates = resources._resource_json_map
    failed = getattr(error, "cirrus_logical_id", None)
    if failed is not None:
        resource_event(stack, failed, "", templates.get(failed, {}).get("Type", ""), "CREATE_FAILED", error_message(error))
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack._add_stack_event(
        "ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to create: [{failed}]. Rollback requested by user.",
    )
    complete = True
    for logical_id in reversed(resources.__dict__.get("cirrus_created", [])):
        resource = resources._parsed_resources.get(logical_id)
        template = templates.get(logical_id, {})
        physical_id = getattr(resource, "physical_resource_id", "")
        if template.get("DeletionPolicy") == "Retain":
            resource_event(stack, logical_id, physical_id, template["Type"], "DELETE_SKIPPED")
            continue
        try:
            resources._delete_resource(resource, template)
        except Exception as delete_error:
            complete = False
            resource_event(stack, logical_id, physical_id, template["Type"], "DELETE_FAILED", error_message(delete_error))
            continue
        resources._parsed_resources.pop(logical_id)
        resource_event(stack, logical_id, physical_id, template["Type"], "DELETE_COMPLETE")
    status = "ROLLBACK_COMPLETE" if complete else "ROLLBACK_FAILED"
    stack._add_stack_event(status)
    stack.status = status
    stack.template = change_set.template
    change_set.execution_status = "EXECUTE_FAILED"


CloudFormationBackend.execute_change_set = _execute_change_set_rolling_back


if __name__ == "__main__":
    main(sys.argv[1:])
