//! The bearer token EKS accepts: what `aws eks get-token` prints.
//!
//! EKS authenticates a request by calling STS on the caller's behalf: the token is a presigned
//! `GetCallerIdentity` URL, which the cluster's authenticator calls and from whose answer it
//! learns the caller's IAM identity. The signed header `x-k8s-aws-id` binds the URL to one
//! cluster, so a token for one cluster is refused by another. Described in the AWS EKS user
//! guide ("Grant IAM users access to Kubernetes with EKS access entries") and implemented by
//! aws-iam-authenticator.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::KubeError;

/// The prefix EKS expects before the base64 of the URL.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// The header that binds a token to one cluster.
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";

/// How long the presigned URL is valid. EKS accepts tokens for 15 minutes regardless (the URL's
/// date plus its own window), as `aws eks get-token` does; 60 seconds is what it signs.
const EXPIRES: Duration = Duration::from_secs(60);

/// Everything but RFC 3986's unreserved characters, the encoding SigV4 uses in query strings.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The bearer token for `cluster_name` in `region`, signed with `credentials` at `now`.
///
/// Give the time explicitly (`SystemTime::now()` in the runner) so that the token is a pure
/// function of its inputs. A token is valid for about 15 minutes after `now`; a run that lasts
/// longer makes a new one (the client takes the token as given, see [`crate::Cluster`]).
///
/// Fails only when the region or cluster name cannot be part of a URL or header.
pub fn eks_token(
    credentials: &Credentials,
    region: &str,
    cluster_name: &str,
    now: SystemTime,
) -> Result<String, KubeError> {
    let url = presigned_url(credentials, region, cluster_name, now)?;
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    ))
}

/// The presigned `GetCallerIdentity` URL inside the token.
pub fn presigned_url(
    credentials: &Credentials,
    region: &str,
    cluster_name: &str,
    now: SystemTime,
) -> Result<String, KubeError> {
    let bad = |what: &str| KubeError::Token {
        message: format!("{what} in region {region:?}, cluster {cluster_name:?}"),
    };
    let valid_region = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid_region {
        return Err(bad("a region is lowercase letters, digits and '-'"));
    }
    if cluster_name.is_empty()
        || !cluster_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(bad(
            "a cluster name is letters, digits, '-' and '_' (as EKS allows)",
        ));
    }
    let base =
        format!("https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(EXPIRES);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| bad(&e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "GET",
        base.as_str(),
        [(CLUSTER_ID_HEADER, cluster_name)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| bad(&e.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| bad(&e.to_string()))?
        .into_parts();
    let mut url = base;
    for (name, value) in instructions.params() {
        url.push('&');
        url.push_str(&utf8_percent_encode(name, QUERY).to_string());
        url.push('=');
        url.push_str(&utf8_percent_encode(value, QUERY).to_string());
    }
    Ok(url)
}
