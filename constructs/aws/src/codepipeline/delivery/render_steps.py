"""Renders a delivery pipeline's Kubernetes steps for CodePipeline's EKS deploy action.

Run by the pipeline's render project in the folder of the app's synthesized files
(`manifest.json` and the steps' files), for the steps of the stacks CIRRUS_STACKS names that
the pipeline applies (those with a `delivery` property: their cluster's number, its deployer's
subnets and security group). The steps' files hold `${cirrus:<key>}` placeholders for outputs
of the app's stacks, listed in each step's `values`; this reads those outputs (`aws
cloudformation describe-stacks`), writes the resolved manifests to CIRRUS_OUT, pulls each Helm
release's chart at its pinned version into CIRRUS_OUT/charts/<step>/ with the resolved values
inside the chart's folder (`cirrus-values.yaml`), and writes the shell `export` lines of each
cluster's name, subnets and security group (CLUSTER_<n>, SUBNETS_<n>, SECURITY_GROUP_<n>) to
CIRRUS_EXPORTS. Text that looks like a placeholder but is not among a step's values stays as
it is, as the runner leaves it.
"""

import json
import os
import re
import shlex
import subprocess
import sys

PLACEHOLDER = re.compile(r"\$\{cirrus:([^}]+)\}")
MANIFEST = "cirrus:kubernetes-manifest"
RELEASE = "cirrus:helm-release"
VALUES_FILE = "cirrus-values.yaml"


class RenderError(Exception):
    pass


class Outputs:
    """The outputs of the deployed stacks, read once per stack."""

    def __init__(self, aws):
        self.aws = aws
        self.stacks = {}

    def get(self, stack_name, output):
        if stack_name not in self.stacks:
            command = [self.aws, "cloudformation", "describe-stacks",
                       "--stack-name", stack_name, "--output", "json"]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise RenderError(f"cannot read stack {stack_name}: {done.stderr.strip()}")
            stacks = json.loads(done.stdout).get("Stacks", [])
            found = stacks[0].get("Outputs", []) if stacks else []
            self.stacks[stack_name] = {o["OutputKey"]: o["OutputValue"] for o in found}
        outputs = self.stacks[stack_name]
        if output not in outputs:
            raise RenderError(
                f"stack {stack_name} has no output {output}: deploy the stack before its steps")
        return outputs[output]


def resolve(text, values, outputs):
    def one(match):
        value = values.get(match.group(1))
        if value is None:
            return match.group(0)
        return outputs.get(value["stackName"], value["output"])

    return PLACEHOLDER.sub(one, text)


def pull_chart(helm, chart, version, into):
    """Pulls `chart` (`{"oci": "oci://<registry>/<path>/<name>"}` or `{"repository": "https://...",
    "name": ...}`) at `version` into `into`; returns the chart's folder."""
    if "oci" in chart:
        where = chart["oci"]
        name = where.rstrip("/").rsplit("/", 1)[-1]
        command = [helm, "pull", where]
    else:
        where, name = chart["repository"], chart["name"]
        command = [helm, "pull", name, "--repo", where]
    command += ["--version", version, "--untar", "--untardir", into]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RenderError(
            f"helm pull of {name} {version} from {where} failed: {done.stderr.strip()}")
    chart_dir = os.path.join(into, name)
    if not os.path.isdir(chart_dir):
        raise RenderError(f"helm pull of {name} {version} made no folder {chart_dir}")
    return chart_dir


def render(stacks, out, aws, helm):
    with open("manifest.json", encoding="utf-8") as f:
        artifacts = json.load(f)["artifacts"]
    outputs = Outputs(aws)
    exports = {}

    def export(name, value, step):
        if exports.get(name, value) != value:
            raise RenderError(f"step {step}: {name} is both {exports[name]} and {value}")
        exports[name] = value

    os.makedirs(out, exist_ok=True)
    for step, artifact in artifacts.items():
        props = artifact.get("properties", {})
        delivery = props.get("delivery")
        if delivery is None or props.get("stack") not in stacks:
            continue
        values = props.get("values", {})

        def res(text):
            return resolve(text, values, outputs)

        number = delivery["cluster"]
        export(f"CLUSTER_{number}", res(props["cluster"]), step)
        export(f"SUBNETS_{number}", res(delivery["subnets"]), step)
        export(f"SECURITY_GROUP_{number}", res(delivery["securityGroup"]), step)
        files = props.get("files", [])
        if artifact["type"] == MANIFEST:
            targets = [os.path.join(out, name) for name in files]
        elif artifact["type"] == RELEASE:
            into = os.path.join(out, "charts", step)
            chart_dir = pull_chart(helm, props["chart"], props["version"], into)
            if len(files) > 1:
                raise RenderError(f"step {step} has {len(files)} values files; one is read")
            targets = [os.path.join(chart_dir, VALUES_FILE)]
        else:
            raise RenderError(f"step {step} is a {artifact['type']}, which is not applied here")
        for name, target in zip(files, targets):
            with open(name, encoding="utf-8") as f:
                text = res(f.read())
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        print(f"rendered {step}")
    if not exports:
        raise RenderError(
            f"manifest.json has no step of stacks {' '.join(stacks)} that the pipeline applies: "
            "synthesize the app again")
    return exports


def main():
    stacks = os.environ.get("CIRRUS_STACKS", "").split()
    out = os.environ.get("CIRRUS_OUT", "cirrus-rendered")
    exports_file = os.environ.get("CIRRUS_EXPORTS", "/tmp/cirrus-exports.sh")
    try:
        exports = render(stacks, out, os.environ.get("CIRRUS_AWS", "aws"),
                         os.environ.get("CIRRUS_HELM", "helm"))
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as error:
        print(f"error: the synthesized files are not what this script reads ({error!r}): "
              "synthesize the app again with the cirrus version of the pipeline", file=sys.stderr)
        return 1
    with open(exports_file, "w", encoding="utf-8") as f:
        for name in sorted(exports):
            f.write(f"export {name}={shlex.quote(exports[name])}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
