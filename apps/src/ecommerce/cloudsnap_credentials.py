"""Creates Portworx's Cloud Snap credential for this cluster's bucket, once.

What `pxctl credentials create --provider s3 --use-iam --bucket BUCKET --s3-region REGION
--s3-endpoint s3.REGION.amazonaws.com NAME` does, through the Portworx SDK's REST gateway (the
operator's `portworx-api` Service, port 9021): the credential holds no secret, Portworx signs
its S3 requests with the role of its pods.

Run by a Kubernetes Job, a new one on each cluster and whenever this script changes, so it must
be idempotent: a credential of the same name for the same bucket is left as it is; one for
another bucket is an error the operator resolves. It waits for the API, which answers only once Portworx is up,
minutes after its chart is installed.

Environment: PORTWORX_API (base URL), CREDENTIAL_NAME, BUCKET, REGION, WAIT_SECONDS (how long
to wait for the API, default 1800), RETRY_SECONDS (between attempts, default 10).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

API = os.environ["PORTWORX_API"].rstrip("/")
NAME = os.environ["CREDENTIAL_NAME"]
BUCKET = os.environ["BUCKET"]
REGION = os.environ["REGION"]
WAIT_SECONDS = int(os.environ.get("WAIT_SECONDS", "1800"))
RETRY_SECONDS = float(os.environ.get("RETRY_SECONDS", "10"))
IAM_PLACEHOLDER = "use-iam-role"


def call(method, path, body=None):
    """One request to the gateway; the answer's JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        API + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def refused(what, error):
    """Ends the run with what the gateway answered."""
    detail = error.read().decode(errors="replace").strip()
    sys.exit(f"portworx refused to {what}: HTTP {error.code}: {detail}")


def credential_ids():
    """The ids of the cluster's credentials, once the API answers."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            listing = call("GET", "/v1/credentials")
            return listing.get("credential_ids") or listing.get("credentialIds") or []
        except (urllib.error.URLError, OSError) as error:
            if time.monotonic() >= deadline:
                sys.exit(f"portworx's api at {API} did not answer within {WAIT_SECONDS}s: {error}")
            print(f"waiting for portworx's api at {API}: {error}", flush=True)
            time.sleep(RETRY_SECONDS)


def main():
    for credential_id in credential_ids():
        path = "/v1/credentials/inspect/" + urllib.parse.quote(credential_id, safe="")
        try:
            found = call("GET", path)
        except urllib.error.HTTPError as error:
            refused(f"describe credential {credential_id}", error)
        if found.get("name") != NAME:
            continue
        if found.get("bucket") != BUCKET:
            sys.exit(
                f"credential {NAME} exists for bucket {found.get('bucket')}, not {BUCKET}: "
                f"delete it (pxctl credentials delete {NAME}) and run the job again"
            )
        print(f"credential {NAME} ({credential_id}) exists for bucket {BUCKET}")
        return
    request = {
        "name": NAME,
        "bucket": BUCKET,
        "iam_policy": True,
        "aws_credential": {
            # Placeholders, not keys: the gateway refuses an S3 credential whose keys are
            # empty (OpenStorage's CredentialServer checks them before anything else), and
            # iam_policy has Portworx sign with its pods' role instead.
            "access_key": IAM_PLACEHOLDER,
            "secret_key": IAM_PLACEHOLDER,
            "endpoint": f"s3.{REGION}.amazonaws.com",
            "region": REGION,
        },
    }
    try:
        created = call("POST", "/v1/credentials", request)
    except urllib.error.HTTPError as error:
        refused(f"create credential {NAME}", error)
    credential_id = created.get("credential_id") or created.get("credentialId")
    print(f"created credential {NAME} ({credential_id}) for bucket {BUCKET} in {REGION}")


main()
