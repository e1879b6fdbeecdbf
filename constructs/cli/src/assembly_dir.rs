//! The output folder (`synth-out/`): writing it atomically, comparing it with what the code
//! produces, and reading it back in the deploy runner.
//!
//! Writing never leaves a half-written output: every app is first written to a staging folder
//! beside it, and only when all of them are complete is each swapped in by renaming; if one
//! swap fails, the apps already swapped get their previous folders back.

#[cfg(feature = "aws")]
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use cirrus_core::{RenderFile, Synthesized, TemplateFormat};

use crate::error::CliError;

/// The folder `synth` writes by default, and the one the deploy runner reads.
pub(crate) const DEFAULT_OUT: &str = "synth-out";

/// Set by the runner for the deploy runner: the apps it has just written, comma-separated, in
/// the order of the project's app list. Without it the deploy runner reads every app folder,
/// in name order.
pub(crate) const APPS_VAR: &str = "CIRRUS_ASSEMBLY_APPS";

/// The files of one app: (file name, content).
pub(crate) type AppFiles = (String, Vec<(String, Vec<u8>)>);

/// One file of an app: its name, and what writes its content.
pub(crate) type FileJob<'a> = (String, Box<RenderFile<'a>>);

/// An app to write: its folder and its files, each written by a function that serializes it
/// straight into its file, so that a large app is written without holding its files in
/// memory.
pub(crate) trait AppOutput: Sync {
    /// The app's folder name.
    fn name(&self) -> &str;
    /// Its files.
    fn files(&self) -> Result<Vec<FileJob<'_>>, CliError>;
}

impl AppOutput for AppFiles {
    fn name(&self) -> &str {
        &self.0
    }

    fn files(&self) -> Result<Vec<FileJob<'_>>, CliError> {
        Ok(self
            .1
            .iter()
            .map(|(name, content)| {
                let write: Box<RenderFile<'_>> =
                    Box::new(move |out: &mut dyn std::io::Write| out.write_all(content));
                (name.clone(), write)
            })
            .collect())
    }
}

/// A synthesized app, serialized file by file straight into the files it is written to
/// (`Synthesized::file_renderers`).
pub(crate) struct Serialized<'s>(pub &'s Synthesized, pub TemplateFormat);

impl AppOutput for Serialized<'_> {
    fn name(&self) -> &str {
        &self.0.app
    }

    fn files(&self) -> Result<Vec<FileJob<'_>>, CliError> {
        Ok(self.0.file_renderers(self.1)?)
    }
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Write {
        path: path.to_owned(),
        source,
    }
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Read {
        path: path.to_owned(),
        source,
    }
}

/// Writes every app to `out/<app>/`, replacing what was there. With `prune`, also removes the
/// folders of apps that no longer exist (folders holding a `manifest.json`).
pub(crate) fn write(out: &Path, apps: &[impl AppOutput], prune: bool) -> Result<(), CliError> {
    write_with(out, apps, prune, |from, to| fs::rename(from, to))
}

/// [`write`], renaming with `rename` (tests make it fail part-way).
fn write_with(
    out: &Path,
    apps: &[impl AppOutput],
    prune: bool,
    rename: impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<(), CliError> {
    fs::create_dir_all(out).map_err(write_err(out))?;
    let staging = out.join(format!(".staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(write_err(&staging))?;
    }
    let staged = stage(&staging, apps);
    if let Err(err) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    // Swap every app in, keeping each previous folder aside until all are in place: when one
    // swap fails, the ones already done are undone, so the output is all old or all new.
    let mut swapped: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for app in apps.iter().map(AppOutput::name) {
        let target = out.join(app);
        let old = out.join(format!(".old-{}-{app}", std::process::id()));
        match swap_in(&staging.join(app), &target, &old, &rename) {
            Ok(kept) => swapped.push((target, kept.then_some(old))),
            Err(err) => {
                for (target, old) in swapped.iter().rev() {
                    let _ = fs::remove_dir_all(target);
                    if let Some(old) = old {
                        let _ = fs::rename(old, target);
                    }
                }
                let _ = fs::remove_dir_all(&staging);
                return Err(err);
            }
        }
    }
    for (_, old) in &swapped {
        if let Some(old) = old {
            fs::remove_dir_all(old).map_err(write_err(old))?;
        }
    }
    fs::remove_dir_all(&staging).map_err(write_err(&staging))?;
    if prune {
        for stale in stale_apps(out, apps.iter().map(AppOutput::name))? {
            fs::remove_dir_all(&stale).map_err(write_err(&stale))?;
        }
    }
    Ok(())
}

/// Moves `target` (when it exists) to `old` and `staged` to `target`; on failure, puts
/// `target` back. Returns whether a previous folder was kept at `old`.
fn swap_in(
    staged: &Path,
    target: &Path,
    old: &Path,
    rename: &impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<bool, CliError> {
    let had_previous = target.exists();
    if had_previous {
        rename(target, old).map_err(write_err(target))?;
    }
    if let Err(source) = rename(staged, target) {
        if had_previous {
            let _ = fs::rename(old, target);
        }
        return Err(write_err(target)(source));
    }
    Ok(had_previous)
}

/// Writes every file of the apps into `staging/<app>/`, each serialized straight into its
/// file, on as many threads as the machine has cores (at most [`WRITERS`]): the files are
/// independent, so the order they are written in changes nothing of their bytes. The first
/// failure, in file order, is the one reported.
fn stage(staging: &Path, apps: &[impl AppOutput]) -> Result<(), CliError> {
    let mut jobs: Vec<(PathBuf, Box<RenderFile<'_>>)> = Vec::new();
    for app in apps {
        let dir = staging.join(app.name());
        fs::create_dir_all(&dir).map_err(write_err(&dir))?;
        for (name, render) in app.files()? {
            jobs.push((dir.join(name), render));
        }
    }
    let write = |(path, render): &(PathBuf, Box<RenderFile<'_>>)| {
        fs::File::create(path)
            .and_then(|mut file| render(&mut file))
            .map_err(write_err(path))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, WRITERS)
        .min(jobs.len());
    if threads <= 1 {
        return jobs.iter().try_for_each(write);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Result<(), CliError>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(job) = jobs.get(at) else {
                            return done;
                        };
                        done.push((at, write(job)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut results: Vec<(usize, Result<(), CliError>)> = results.into_iter().flatten().collect();
    if results.len() != jobs.len() {
        return Err(CliError::Write {
            path: staging.to_owned(),
            source: std::io::Error::other("a thread writing the output stopped"),
        });
    }
    results.sort_by_key(|(at, _)| *at);
    results.into_iter().try_for_each(|(_, result)| result)
}

/// The most threads that write an output folder: past a few, the disk is what waits.
const WRITERS: usize = 4;

/// App folders in `out` that none of the apps `known` produces.
fn stale_apps<'a>(
    out: &Path,
    known: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<PathBuf>, CliError> {
    let known: BTreeSet<&str> = known.into_iter().collect();
    let mut stale = Vec::new();
    if !out.exists() {
        return Ok(stale);
    }
    for entry in fs::read_dir(out).map_err(read_err(out))? {
        let entry = entry.map_err(read_err(out))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.')
            && !known.contains(name.as_str())
            && entry.path().join("manifest.json").is_file()
        {
            stale.push(entry.path());
        }
    }
    stale.sort();
    Ok(stale)
}

/// Reads the assemblies the deploy runner acts on: the app `app`, or those named by
/// [`APPS_VAR`], or every app folder of `out`.
#[cfg(feature = "aws")]
pub(crate) fn read(
    out: &Path,
    app: Option<&str>,
) -> Result<Vec<cirrus_core::Synthesized>, CliError> {
    let names: Vec<String> = match (app, std::env::var(APPS_VAR)) {
        (Some(app), _) => vec![app.to_owned()],
        (None, Ok(list)) if !list.is_empty() => list.split(',').map(str::to_owned).collect(),
        (None, _) => {
            let mut names: Vec<String> = Vec::new();
            if out.is_dir() {
                for entry in fs::read_dir(out).map_err(read_err(out))? {
                    let entry = entry.map_err(read_err(out))?;
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !name.starts_with('.') && entry.path().join("manifest.json").is_file() {
                        names.push(name);
                    }
                }
            }
            names.sort();
            names
        }
    };
    if names.is_empty() {
        return Err(CliError::NoAssembly {
            path: out.to_owned(),
        });
    }
    names
        .iter()
        .map(|name| read_app(&out.join(name), name))
        .collect()
}

/// One app's assembly: its JSON files (manifest, tree, templates) and the YAML files of its
/// artifacts (Kubernetes steps, Helm values), read back by `Synthesized::from_files`. The
/// templates' YAML renderings are read too, and ignored there.
#[cfg(feature = "aws")]
fn read_app(dir: &Path, app: &str) -> Result<cirrus_core::Synthesized, CliError> {
    if !dir.join("manifest.json").is_file() {
        return Err(CliError::NoAssembly {
            path: dir.to_owned(),
        });
    }
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(dir).map_err(read_err(dir))? {
        let entry = entry.map_err(read_err(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if (name.ends_with(".json") || name.ends_with(".yaml")) && path.is_file() {
            files.insert(name, fs::read(&path).map_err(read_err(&path))?);
        }
    }
    cirrus_core::Synthesized::from_files(app, &files).map_err(|source| CliError::Assembly {
        path: dir.to_owned(),
        source,
    })
}

/// How the output folder differs from what the code produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Difference {
    /// The code produces the file; the folder lacks it.
    Missing(PathBuf),
    /// The folder has a file the code does not produce.
    Extra(PathBuf),
    /// The file differs: (path, on disk, expected).
    Changed(PathBuf, Vec<u8>, Vec<u8>),
    /// A folder of an app that no longer exists.
    StaleApp(PathBuf),
}

/// Compares `out/<app>/` with the files the code produces. With `all_apps`, app folders of
/// apps that no longer exist are differences too.
pub(crate) fn compare(
    out: &Path,
    apps: &[AppFiles],
    all_apps: bool,
) -> Result<Vec<Difference>, CliError> {
    let mut diffs = Vec::new();
    for (app, files) in apps {
        let dir = out.join(app);
        let expected: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for (name, content) in files {
            let path = dir.join(name);
            match fs::read(&path) {
                Ok(existing) if existing == *content => {}
                Ok(existing) => diffs.push(Difference::Changed(path, existing, content.clone())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    diffs.push(Difference::Missing(path));
                }
                Err(source) => return Err(CliError::Read { path, source }),
            }
        }
        if dir.is_dir() {
            let mut extra = Vec::new();
            for entry in fs::read_dir(&dir).map_err(read_err(&dir))? {
                let entry = entry.map_err(read_err(&dir))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !expected.contains(name.as_str()) {
                    extra.push(Difference::Extra(entry.path()));
                }
            }
            extra.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
            diffs.extend(extra);
        }
    }
    if all_apps {
        diffs.extend(
            stale_apps(out, apps.iter().map(|(app, _)| app.as_str()))?
                .into_iter()
                .map(Difference::StaleApp),
        );
    }
    Ok(diffs)
}

/// A short unified diff of a changed file, for the `--check` report.
pub(crate) fn describe_change(old: &[u8], new: &[u8], max_lines: usize) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("synth-out (committed)", "code (synthesized now)")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines
        .iter()
        .take(max_lines)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > max_lines {
        out.push_str(&format!("\n... {} more lines", lines.len() - max_lines));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(name: &str, files: &[(&str, &str)]) -> AppFiles {
        (
            name.to_owned(),
            files
                .iter()
                .map(|(n, c)| ((*n).to_owned(), c.as_bytes().to_vec()))
                .collect(),
        )
    }

    #[test]
    fn write_then_compare_is_clean() {
        let dir = tempfile::tempdir().unwrap();
        let apps = vec![app(
            "a",
            &[("manifest.json", "{}"), ("S.template.json", "{}")],
        )];
        write(dir.path(), &apps, true).unwrap();
        assert_eq!(compare(dir.path(), &apps, true).unwrap(), vec![]);
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, vec!["a".to_owned()]);
    }

    #[test]
    fn a_synthesized_app_is_written_file_by_file_as_files_lists_it() {
        let app = cirrus_core::App::new("streamed");
        for name in ["A", "B"] {
            let stack = app.stack(name, cirrus_core::StackProps::default());
            stack.add(
                "Topic",
                cirrus_core::RawResource::new("AWS::SNS::Topic", cirrus_core::value!({})),
            );
        }
        let synthesized = app.synth().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let format = TemplateFormat::JsonAndYaml;
        write(dir.path(), &[Serialized(&synthesized, format)], true).unwrap();
        let files = vec![("streamed".to_owned(), synthesized.files(format).unwrap())];
        assert_eq!(files[0].1.len(), 6);
        assert_eq!(compare(dir.path(), &files, true).unwrap(), vec![]);
    }

    #[test]
    fn a_failed_swap_puts_every_app_back_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let before = vec![
            app("a", &[("manifest.json", "a1")]),
            app("b", &[("manifest.json", "b1")]),
        ];
        write(dir.path(), &before, true).unwrap();
        let after = vec![
            app("a", &[("manifest.json", "a2")]),
            app("b", &[("manifest.json", "b2")]),
        ];
        // The staged `b` cannot be moved in, after `a` already was.
        let failing = |from: &Path, to: &Path| {
            if to.file_name().is_some_and(|n| n == "b") {
                Err(std::io::Error::other("disk full"))
            } else {
                fs::rename(from, to)
            }
        };
        let err = write_with(dir.path(), &after, true, failing).unwrap_err();
        assert!(matches!(err, CliError::Write { .. }), "{err:?}");
        assert_eq!(compare(dir.path(), &before, true).unwrap(), vec![]);
        let mut left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["a".to_owned(), "b".to_owned()]);
    }

    #[test]
    fn compare_finds_changed_missing_extra_and_stale() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                app("a", &[("manifest.json", "{}"), ("Old.template.json", "{}")]),
                app("gone", &[("manifest.json", "{}")]),
            ],
            false,
        )
        .unwrap();
        let now = vec![app(
            "a",
            &[("manifest.json", "{\"v\":1}"), ("New.template.json", "{}")],
        )];
        let diffs = compare(dir.path(), &now, true).unwrap();
        let root = dir.path();
        assert_eq!(
            diffs,
            vec![
                Difference::Changed(
                    root.join("a/manifest.json"),
                    b"{}".to_vec(),
                    b"{\"v\":1}".to_vec()
                ),
                Difference::Missing(root.join("a/New.template.json")),
                Difference::Extra(root.join("a/Old.template.json")),
                Difference::StaleApp(root.join("gone")),
            ]
        );
    }

    #[test]
    fn write_replaces_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                app("a", &[("manifest.json", "1"), ("X", "x")]),
                app("b", &[("manifest.json", "1")]),
            ],
            true,
        )
        .unwrap();
        write(dir.path(), &[app("a", &[("manifest.json", "2")])], true).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("a/manifest.json")).unwrap(),
            "2"
        );
        assert!(!dir.path().join("a/X").exists());
        assert!(!dir.path().join("b").exists());
    }

    #[test]
    fn failed_write_leaves_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[app("a", &[("manifest.json", "1")])], false).unwrap();
        // A file name that cannot be created makes staging fail.
        let bad = vec![app(
            "a",
            &[("manifest.json", "2"), ("no/such/dir/file", "x")],
        )];
        assert!(write(dir.path(), &bad, false).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("a/manifest.json")).unwrap(),
            "1"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["a".to_owned()]);
    }

    #[test]
    fn many_files_are_written_whole_and_the_first_failure_in_file_order_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let contents: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("S{i}.template.json"),
                    format!("{{\"n\": {i}}}").repeat(1000),
                )
            })
            .collect();
        let listed: Vec<(&str, &str)> = contents
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_str()))
            .collect();
        write(dir.path(), &[app("big", &listed)], false).unwrap();
        for (name, content) in &contents {
            assert_eq!(
                &fs::read_to_string(dir.path().join("big").join(name)).unwrap(),
                content
            );
        }
        // Two files that cannot be created, late in the list: the earlier one is named.
        let mut bad = listed.clone();
        bad.insert(30, ("no/such/dir/first", "x"));
        bad.push(("no/such/dir/second", "x"));
        let err = write(dir.path(), &[app("big", &bad)], false).unwrap_err();
        assert!(
            matches!(&err, CliError::Write { path, .. } if path.ends_with("no/such/dir/first")),
            "{err:?}"
        );
    }
}
