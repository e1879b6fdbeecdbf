//! The EKS token: its shape, and its signature checked against botocore's (the signer behind
//! `aws eks get-token`).
//!
//! botocore comes with moto, which `scripts/test` installs and points `CIRRUS_MOTO_SERVER` at;
//! its venv's `python` is beside `moto_server`. Without it the cross-check is skipped, unless
//! `CIRRUS_REQUIRE_TOOLS` is set.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use base64::Engine;
use cirrus_kube::{KubeError, eks_token, presigned_url};

/// 2026-01-01T00:00:00Z.
const EPOCH: u64 = 1_767_225_600;

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn credentials(session_token: Option<&str>) -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        session_token.map(str::to_string),
        None,
        "test",
    )
}

fn query(url: &str) -> BTreeMap<String, String> {
    let (_, q) = url.split_once('?').unwrap();
    q.split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (
                k.to_string(),
                percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect()
}

#[test]
fn the_token_is_the_base64url_of_a_presigned_get_caller_identity() {
    let creds = credentials(None);
    let token = eks_token(&creds, "eu-west-1", "shop-prod", at(EPOCH)).unwrap();
    assert_eq!(
        token,
        eks_token(&creds, "eu-west-1", "shop-prod", at(EPOCH)).unwrap(),
        "deterministic"
    );
    let encoded = token.strip_prefix("k8s-aws-v1.").unwrap();
    assert!(!encoded.contains('='), "no padding");
    assert!(!encoded.contains(['+', '/']), "url-safe alphabet");
    let url = String::from_utf8(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        url,
        presigned_url(&creds, "eu-west-1", "shop-prod", at(EPOCH)).unwrap()
    );
    assert!(
        url.starts_with(
            "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
        ),
        "{url}"
    );
    let q = query(&url);
    assert_eq!(q["X-Amz-Algorithm"], "AWS4-HMAC-SHA256");
    assert_eq!(
        q["X-Amz-Credential"],
        "AKIDEXAMPLE/20260101/eu-west-1/sts/aws4_request"
    );
    assert_eq!(q["X-Amz-Date"], "20260101T000000Z");
    assert_eq!(q["X-Amz-Expires"], "60");
    assert_eq!(q["X-Amz-SignedHeaders"], "host;x-k8s-aws-id");
    assert_eq!(q["X-Amz-Signature"].len(), 64);
    assert!(!q.contains_key("X-Amz-Security-Token"));

    // Bound to the cluster, the time and the credentials.
    let other_cluster = presigned_url(&creds, "eu-west-1", "shop-dev", at(EPOCH)).unwrap();
    let later = presigned_url(&creds, "eu-west-1", "shop-prod", at(EPOCH + 1)).unwrap();
    for other in [other_cluster, later] {
        assert_ne!(query(&other)["X-Amz-Signature"], q["X-Amz-Signature"]);
    }
}

#[test]
fn a_session_token_travels_in_the_query() {
    let creds = credentials(Some("FwoG+session/token=="));
    let url = presigned_url(&creds, "us-east-1", "c", at(EPOCH)).unwrap();
    assert_eq!(query(&url)["X-Amz-Security-Token"], "FwoG+session/token==");
    assert!(url.contains("X-Amz-Security-Token=FwoG%2Bsession%2Ftoken%3D%3D"));
}

#[test]
fn bad_regions_and_cluster_names_are_refused() {
    let creds = credentials(None);
    for (region, cluster) in [
        ("eu-west-1/x", "c"),
        ("", "c"),
        ("eu-west-1", "a b"),
        ("eu-west-1", ""),
    ] {
        let err = eks_token(&creds, region, cluster, at(EPOCH)).unwrap_err();
        assert!(matches!(err, KubeError::Token { .. }), "{err}");
    }
}

/// The Python of moto's venv, which has botocore.
fn botocore_python() -> Option<PathBuf> {
    let server = std::env::var_os("CIRRUS_MOTO_SERVER").map(PathBuf::from);
    match server.map(|s| s.with_file_name("python")) {
        Some(python) if python.exists() => Some(python),
        _ if std::env::var_os("CIRRUS_REQUIRE_TOOLS").is_some() => {
            panic!("CIRRUS_MOTO_SERVER does not point into moto's venv; run scripts/test")
        }
        _ => {
            println!("skipped: CIRRUS_MOTO_SERVER is not set (scripts/test sets it)");
            None
        }
    }
}

/// botocore's presigned URL, signed as `aws eks get-token` signs it, at a fixed time.
const BOTOCORE: &str = r#"
import sys, datetime
from unittest import mock
import botocore.auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
ak, sk, token, region, cluster, epoch = sys.argv[1:7]
now = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).replace(tzinfo=None)
request = AWSRequest(method="GET",
    url=f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
    headers={"x-k8s-aws-id": cluster})
with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
    SigV4QueryAuth(Credentials(ak, sk, token or None), "sts", region, expires=60).add_auth(request)
print(request.prepare().url)
"#;

#[test]
fn the_signature_is_botocores() {
    let Some(python) = botocore_python() else {
        return;
    };
    for (session_token, region, cluster, time) in [
        (None, "eu-west-1", "shop-prod", EPOCH),
        (
            Some("FwoG+session/token=="),
            "us-east-1",
            "platform_dev",
            EPOCH + 86_399,
        ),
    ] {
        let creds = credentials(session_token);
        let output = Command::new(&python)
            .arg("-c")
            .arg(BOTOCORE)
            .args([
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                session_token.unwrap_or(""),
                region,
                cluster,
                &time.to_string(),
            ])
            .output()
            .expect("botocore's python runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let theirs = String::from_utf8(output.stdout).unwrap();
        let ours = presigned_url(&creds, region, cluster, at(time)).unwrap();
        assert_eq!(query(&ours), query(theirs.trim()), "{region} {cluster}");
    }
}
