//! The ids of CloudFront's managed policies, for [`crate::cloudfront::Behavior`].

/// Managed cache policies: what goes into the cache key, and for how long objects are kept.
pub mod cache {
    /// `CachingOptimized`: no query strings, cookies or headers in the key; gzip and brotli;
    /// 1 day by default, up to a year. For static content.
    pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
    /// `CachingOptimizedForUncompressedObjects`: as `CACHING_OPTIMIZED`, without compression.
    pub const CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS: &str =
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d";
    /// `CachingDisabled`: nothing is cached. For APIs and dynamic content.
    pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
    /// `UseOriginCacheControlHeaders`: the origin's `Cache-Control` decides; host and
    /// origin headers in the key.
    pub const USE_ORIGIN_CACHE_CONTROL_HEADERS: &str = "83da9c7e-98b4-4e11-a168-04f0df8e2c65";
    /// `UseOriginCacheControlHeaders-QueryStrings`: as above, with the query string in the key.
    pub const USE_ORIGIN_CACHE_CONTROL_HEADERS_QUERY_STRINGS: &str =
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe";
    /// `Amplify`: for AWS Amplify web apps.
    pub const AMPLIFY: &str = "2e54312d-136d-493c-8eb9-b001f22f67d2";
    /// `Elemental-MediaPackage`: for MediaPackage origins.
    pub const ELEMENTAL_MEDIA_PACKAGE: &str = "08627262-05a9-4f76-9ded-b50ca2e3a84f";
}

/// Managed origin request policies: what CloudFront forwards to the origin beyond the cache
/// key.
pub mod origin_request {
    /// `AllViewer`: every header (including `Host`), cookie and query string.
    pub const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
    /// `AllViewerExceptHostHeader`: every viewer value but `Host`, so that the origin sees its
    /// own name (load balancers and API Gateway behind CloudFront).
    pub const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
    /// `AllViewerAndCloudFrontHeaders-2022-06`: every viewer value and CloudFront's headers.
    pub const ALL_VIEWER_AND_CLOUDFRONT_HEADERS: &str = "33f36d7e-f396-46d9-90e0-52428a34d9dc";
    /// `CORS-S3Origin`: the CORS request headers, for S3 origins.
    pub const CORS_S3_ORIGIN: &str = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf";
    /// `CORS-CustomOrigin`: the `Origin` header, for custom origins.
    pub const CORS_CUSTOM_ORIGIN: &str = "59781a5b-3903-41f3-afcb-af62929ccde1";
    /// `UserAgentRefererHeaders`: `User-Agent` and `Referer`.
    pub const USER_AGENT_REFERER_HEADERS: &str = "acba4595-bd28-49b8-b9fe-13317c0390fa";
}

/// Managed response headers policies: headers CloudFront adds to responses.
pub mod response_headers {
    /// `SecurityHeadersPolicy`: HSTS (one year), `X-Content-Type-Options`, `X-Frame-Options:
    /// SAMEORIGIN`, `Referrer-Policy`, `X-XSS-Protection`.
    pub const SECURITY_HEADERS: &str = "67f7725c-6f97-4210-82d7-5512b31e9d03";
    /// `CORS-and-SecurityHeadersPolicy`: the security headers plus permissive simple CORS.
    pub const CORS_AND_SECURITY_HEADERS: &str = "e61eb60c-9c35-4d20-a928-2b84e02af89c";
}
