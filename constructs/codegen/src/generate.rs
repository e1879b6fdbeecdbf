//! `generate`: the spec data in, every generated file out, in memory; then written, or
//! compared with what is committed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::spec::Spec;
use crate::{emit, fixups, model, registry, samples, tables};

/// The spec data, relative to the workspace root.
pub const SPEC_DIR: &str = "constructs/spec";

/// The generated crate, relative to the workspace root.
pub const CFN_DIR: &str = "constructs/cfn";

/// The generated cfn-lint sample, relative to the workspace root.
pub const SAMPLE_DIR: &str = "constructs/codegen/tests/every_type";

/// The list of every generated enum for the enum test, relative to the workspace root.
pub const ENUM_LIST_DIR: &str = "constructs/codegen/tests/every_enum";

/// The directories the generator owns entirely: a file in them that it does not produce is
/// stale.
const OWNED_DIRS: &[&str] = &["constructs/cfn/src", SAMPLE_DIR, ENUM_LIST_DIR];

/// The workspace root, from this crate's location.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Generated files by path relative to the workspace root (with `/` separators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files(pub BTreeMap<String, String>);

/// Generates every file from the spec data in `root`/[`SPEC_DIR`]: `cirrus-cfn` and its
/// samples from the CloudFormation spec, and the value tables ([`tables`]).
pub fn generate(root: &Path) -> Result<Files, Error> {
    let mut spec = Spec::load(&root.join(SPEC_DIR))?;
    fixups::apply(&mut spec)?;
    let mut files = generate_from(&spec)?;
    let (types, regions) = tables::load(&root.join(SPEC_DIR))?;
    files.0.insert(
        tables::INSTANCE_TYPES_RS.to_owned(),
        tables::emit_instance_types(&types),
    );
    files.0.insert(
        tables::REGIONS_RS.to_owned(),
        tables::emit_regions(&regions),
    );
    Ok(files)
}

/// Generates the files of a loaded, fixed-up CloudFormation spec (not the value tables).
pub fn generate_from(spec: &Spec) -> Result<Files, Error> {
    let model = model::build(spec)?;
    let version = &model.spec_version;
    let mut files = BTreeMap::new();
    files.insert(format!("{CFN_DIR}/Cargo.toml"), emit::cargo_toml(&model));
    files.insert(format!("{CFN_DIR}/src/lib.rs"), emit::lib_rs(&model));
    files.insert(format!("{CFN_DIR}/src/registry.rs"), registry::emit(&model));
    for service in &model.services {
        let dir = format!("{CFN_DIR}/src/{}", service.service.module());
        files.insert(format!("{dir}/mod.rs"), emit::service_mod(service, version));
        for r in &service.resources {
            files.insert(
                format!("{dir}/{}.rs", r.module),
                emit::resource_file(r, version),
            );
        }
    }
    files.insert(format!("{SAMPLE_DIR}/mod.rs"), samples::every_type(&model)?);
    files.insert(
        format!("{ENUM_LIST_DIR}/mod.rs"),
        samples::every_enum(&model),
    );
    Ok(Files(files))
}

impl Files {
    /// The paths whose committed content differs: changed, missing, or present in an owned
    /// directory without being generated.
    pub fn stale(&self, root: &Path) -> Result<Vec<String>, Error> {
        let mut stale = BTreeSet::new();
        for (path, text) in &self.0 {
            match fs::read_to_string(root.join(path)) {
                Ok(existing) if existing == *text => {}
                _ => {
                    stale.insert(path.clone());
                }
            }
        }
        for extra in self.extra_files(root)? {
            stale.insert(extra);
        }
        Ok(stale.into_iter().collect())
    }

    /// Fails with [`Error::Stale`] when the committed files differ.
    pub fn check(&self, root: &Path) -> Result<(), Error> {
        let stale = self.stale(root)?;
        if stale.is_empty() {
            Ok(())
        } else {
            Err(Error::Stale(stale))
        }
    }

    /// Writes every file that changed and deletes the files of owned directories that are
    /// no longer generated. Returns how many files changed.
    pub fn write(&self, root: &Path) -> Result<usize, Error> {
        let stale = self.stale(root)?;
        for path in &stale {
            let full = root.join(path);
            match self.0.get(path) {
                Some(text) => {
                    if let Some(dir) = full.parent() {
                        fs::create_dir_all(dir).map_err(|source| Error::Write {
                            path: dir.to_owned(),
                            source,
                        })?;
                    }
                    fs::write(&full, text).map_err(|source| Error::Write {
                        path: full.clone(),
                        source,
                    })?;
                }
                None => fs::remove_file(&full).map_err(|source| Error::Write {
                    path: full.clone(),
                    source,
                })?,
            }
        }
        for dir in OWNED_DIRS {
            remove_empty_dirs(&root.join(dir));
        }
        Ok(stale.len())
    }

    fn extra_files(&self, root: &Path) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for dir in OWNED_DIRS {
            let mut found = Vec::new();
            list_files(&root.join(dir), &mut found)?;
            for file in found {
                let rel = file
                    .strip_prefix(root)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .replace('\\', "/");
                if !self.0.contains_key(&rel) {
                    out.push(rel);
                }
            }
        }
        Ok(out)
    }
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Read {
                path: dir.to_owned(),
                source,
            });
        }
    };
    for entry in entries {
        let path = entry
            .map_err(|source| Error::Read {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.is_dir() {
            list_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                remove_empty_dirs(&entry.path());
                // Fails (and is meant to) unless the directory is empty.
                let _ = fs::remove_dir(entry.path());
            }
        }
    }
}
