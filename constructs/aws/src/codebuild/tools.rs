//! The command-line tools builds download (kubectl, Helm), pinned by version and by the sum
//! their publishers print, so that a build runs exactly the binary that was reviewed: the in-VPC
//! deployer of a cluster's Kubernetes steps and a delivery pipeline's render step install them.

/// How a downloaded file's sum is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// `sha256sum -c`.
    Sha256(&'static str),
    /// `sha512sum -c`.
    Sha512(&'static str),
}

impl Digest {
    pub(crate) fn command(&self) -> (&'static str, &'static str) {
        match self {
            Digest::Sha256(sum) => ("sha256sum", sum),
            Digest::Sha512(sum) => ("sha512sum", sum),
        }
    }
}

/// A tool a build downloads, pinned by version and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedTool {
    /// The tool's name (the binary installed in `/usr/local/bin`).
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// The official release archive (linux-amd64).
    pub url: &'static str,
    /// The archive's published sum.
    pub digest: Digest,
    /// Where the sum is published.
    pub published_at: &'static str,
    /// The binary's path inside the archive.
    pub path_in_archive: &'static str,
}

/// kubectl, from the Kubernetes client archive. The Kubernetes release notes publish SHA-512
/// sums of the archives (not SHA-256), so that is what is checked.
pub const KUBECTL: PinnedTool = PinnedTool {
    name: "kubectl",
    version: "1.35.2",
    url: "https://dl.k8s.io/v1.35.2/kubernetes-client-linux-amd64.tar.gz",
    digest: Digest::Sha512(
        "c16cad61183e84a8dd6247ba6b163a830dc9490a06e86f452d8406c8d877620688557695f89b70b87672bb4a8922889e8aea8ca8f085f7cf68c1cbee9db63c92",
    ),
    published_at: "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.35.md (Downloads for v1.35.2, Client Binaries)",
    path_in_archive: "kubernetes/client/bin/kubectl",
};

/// Helm 3.
pub const HELM: PinnedTool = PinnedTool {
    name: "helm",
    version: "3.19.3",
    url: "https://get.helm.sh/helm-v3.19.3-linux-amd64.tar.gz",
    digest: Digest::Sha256("d9439f58aa72a4580b25b641940f950fe20695345eb16ec8f106134007062df1"),
    published_at: "https://github.com/helm/helm/releases/tag/v3.19.3 (Installation and Upgrading, Linux amd64 checksum)",
    path_in_archive: "linux-amd64/helm",
};

impl PinnedTool {
    /// The commands that download the archive, check its sum and install the binary in
    /// `/usr/local/bin`.
    pub fn install_commands(&self) -> Vec<String> {
        let archive = format!("/tmp/cirrus-{}.tar.gz", self.name);
        let (check, sum) = self.digest.command();
        vec![
            format!("curl -fsSL --retry 3 -o {archive} {}", self.url),
            format!("echo \"{sum}  {archive}\" | {check} -c -"),
            format!(
                "tar -xzf {archive} -C /tmp {} && install -m 0755 /tmp/{} /usr/local/bin/{}",
                self.path_in_archive, self.path_in_archive, self.name
            ),
        ]
    }
}
