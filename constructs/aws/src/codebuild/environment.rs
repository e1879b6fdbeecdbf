//! The build environment: image, compute type, privileged mode.

use cirrus_core::Expr;

/// The architecture of a build image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platform {
    /// x86-64 Linux (`LINUX_CONTAINER`).
    #[default]
    Linux,
    /// ARM64 Linux (`ARM_CONTAINER`).
    LinuxArm,
}

/// The image builds run in.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildImage {
    pub(crate) image: Expr<String>,
    pub(crate) platform: Platform,
    /// For a private ECR image: the repository's ARN, which the project's role is granted
    /// pull on.
    pub(crate) ecr_repository_arn: Option<Expr<String>>,
}

impl Default for BuildImage {
    fn default() -> Self {
        BuildImage::standard_7_0()
    }
}

impl BuildImage {
    /// `aws/codebuild/standard:7.0`: Ubuntu 22.04 with the common runtimes and Docker.
    pub fn standard_7_0() -> BuildImage {
        BuildImage::codebuild("aws/codebuild/standard:7.0", Platform::Linux)
    }

    /// `aws/codebuild/amazonlinux-x86_64-standard:5.0`: Amazon Linux 2023, x86-64.
    pub fn amazon_linux_2023() -> BuildImage {
        BuildImage::codebuild(
            "aws/codebuild/amazonlinux-x86_64-standard:5.0",
            Platform::Linux,
        )
    }

    /// `aws/codebuild/amazonlinux-aarch64-standard:3.0`: Amazon Linux 2023, ARM64.
    pub fn amazon_linux_2023_arm() -> BuildImage {
        BuildImage::codebuild(
            "aws/codebuild/amazonlinux-aarch64-standard:3.0",
            Platform::LinuxArm,
        )
    }

    /// Another image CodeBuild manages (or a public image), by name.
    pub fn codebuild(name: &str, platform: Platform) -> BuildImage {
        BuildImage {
            image: name.into(),
            platform,
            ecr_repository_arn: None,
        }
    }

    /// A private image in ECR (`<repository URI>:<tag>`), pulled with the project's role,
    /// which is granted pull on `repository_arn`.
    pub fn ecr(
        image_uri: impl Into<Expr<String>>,
        repository_arn: impl Into<Expr<String>>,
        platform: Platform,
    ) -> BuildImage {
        BuildImage {
            image: image_uri.into(),
            platform,
            ecr_repository_arn: Some(repository_arn.into()),
        }
    }
}

/// The size of the build machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ComputeType {
    /// 2 vCPUs, 3 GB (`BUILD_GENERAL1_SMALL`).
    #[default]
    Small,
    /// 4 vCPUs, 7 GB (`BUILD_GENERAL1_MEDIUM`).
    Medium,
    /// 8 vCPUs, 15 GB (`BUILD_GENERAL1_LARGE`).
    Large,
    /// 36 vCPUs, 70 GB (`BUILD_GENERAL1_XLARGE`).
    XLarge,
    /// 72 vCPUs, 145 GB (`BUILD_GENERAL1_2XLARGE`).
    X2Large,
}

impl ComputeType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ComputeType::Small => "BUILD_GENERAL1_SMALL",
            ComputeType::Medium => "BUILD_GENERAL1_MEDIUM",
            ComputeType::Large => "BUILD_GENERAL1_LARGE",
            ComputeType::XLarge => "BUILD_GENERAL1_XLARGE",
            ComputeType::X2Large => "BUILD_GENERAL1_2XLARGE",
        }
    }
}

/// Where and on what the build runs.
#[derive(Debug, Clone, PartialEq, Default, cirrus_derive::Setters)]
pub struct BuildEnvironment {
    /// The image. Default: `aws/codebuild/standard:7.0`.
    pub image: BuildImage,
    /// The machine size. Default: small.
    pub compute_type: ComputeType,
    /// Run the Docker daemon in the build container, which building images needs. The build
    /// then has root on its host: give it only to projects that build images. Default:
    /// `false`.
    pub privileged: bool,
}
