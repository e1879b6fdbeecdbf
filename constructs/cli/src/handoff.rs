//! Handing the commands that talk to AWS to the deploy runner.
//!
//! The runner a project links (this crate without the feature `aws`) has no AWS SDK, which is
//! most of a fresh build. For `deploy`, `diff`, `destroy`, `bootstrap` and `list --status` it
//! synthesizes the selected apps, writes their cloud assembly to `synth-out/` exactly as
//! `synth` does, and runs the deploy runner, `cirrus-deploy` (this crate's binary, built with
//! `aws`), with the same command line; the deploy runner reads the assembly back
//! (`Synthesized::from_files`). The manifest is the contract between the two programs.
//!
//! The deploy runner is built by cargo on first use (`cargo build --features aws --bin
//! cirrus-deploy` in this crate, with cargo's own progress on stderr) and reused afterwards: an
//! edit of an app rebuilds the runner only. `CIRRUS_DEPLOY_BIN` names a prebuilt executable
//! instead (the tests, or a CI job that builds it once). On Unix the runner's process becomes
//! the deploy runner (`exec`), so that its output, Ctrl-C and exit code reach the user as if
//! the runner had done the work.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitStatus, Stdio};

use cirrus_core::TemplateFormat;
use serde_json::Value as J;

use crate::apps::{self, AppDef};
use crate::args::Command;
use crate::assembly_dir::{self, APPS_VAR, DEFAULT_OUT, Serialized};
use crate::error::CliError;
use crate::style::Ui;

/// The deploy runner's executable, when it is not to be built by cargo.
pub(crate) const BIN_VAR: &str = "CIRRUS_DEPLOY_BIN";

/// The binary's name in this crate's `Cargo.toml`.
const BIN: &str = "cirrus-deploy";

/// How the person started the runner (`cargo run --`, or the binary's own name), which the
/// deploy runner's hints use to name the command to run (`cargo run -- bootstrap`).
pub(crate) const INVOKED_AS_VAR: &str = "CIRRUS_INVOKED_AS";

/// What the person typed to start the runner: `cargo run --` when cargo started it (cargo sets
/// `CARGO` for what it runs), else the file name of `argv0`.
pub(crate) fn invoked_as(cargo: bool, argv0: &std::ffi::OsStr) -> String {
    if cargo {
        return "cargo run --".to_owned();
    }
    Path::new(argv0)
        .file_name()
        .map_or_else(|| BIN.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// `<how the runner was started> <sub>`, for hints: `cargo run -- bootstrap`.
#[cfg(feature = "aws")]
pub(crate) fn command_line(sub: &str) -> String {
    let prefix = std::env::var(INVOKED_AS_VAR).unwrap_or_else(|_| {
        let argv0 = std::env::args_os().next().unwrap_or_default();
        invoked_as(false, &argv0)
    });
    format!("{prefix} {sub}")
}

/// How the runner runs the deploy runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Becomes it (`exec`, on Unix; elsewhere as [`Mode::Wait`]): the process's `main`.
    Replace,
    /// Runs it and waits, its failure becoming [`CliError::HandedOff`]: the library's `run`.
    Wait,
}

/// Synthesizes what `command` acts on into `synth-out/` and hands `args` (the whole command
/// line, program name first) to the deploy runner. A failure of `diff` before the handoff is
/// one that could not compare (exit code 2), as in the deploy runner.
pub(crate) fn run(
    apps: &[AppDef],
    command: &Command,
    args: &[OsString],
    ui: &Ui,
    mode: Mode,
) -> Result<(), CliError> {
    let result = hand_off(apps, command, args, ui, mode);
    if matches!(command, Command::Diff(_)) {
        result.map_err(CliError::in_diff)
    } else {
        result
    }
}

fn hand_off(
    apps: &[AppDef],
    command: &Command,
    args: &[OsString],
    ui: &Ui,
    mode: Mode,
) -> Result<(), CliError> {
    let app = app_of(command);
    let selected = apps::select(apps, app)?;
    let synthesized = apps::synthesize(&selected, ui)?;
    let files: Vec<Serialized<'_>> = synthesized
        .iter()
        .map(|s| Serialized(s, TemplateFormat::Json))
        .collect();
    assembly_dir::write(Path::new(DEFAULT_OUT), &files, app.is_none())?;
    let names: Vec<&str> = synthesized.iter().map(|s| s.app.as_str()).collect();
    let exe = deploy_runner()?;
    let mut process = Process::new(&exe);
    process
        .args(args.iter().skip(1))
        .env(APPS_VAR, names.join(","))
        .env(
            INVOKED_AS_VAR,
            invoked_as(
                std::env::var_os("CARGO").is_some(),
                args.first()
                    .map_or(std::ffi::OsStr::new(BIN), |a| a.as_os_str()),
            ),
        );
    match mode {
        #[cfg(unix)]
        Mode::Replace => {
            use std::os::unix::process::CommandExt;
            let source = process.exec();
            Err(CliError::DeployRunnerStart { path: exe, source })
        }
        _ => {
            let status = process
                .status()
                .map_err(|source| CliError::DeployRunnerStart {
                    path: exe.clone(),
                    source,
                })?;
            if status.success() {
                Ok(())
            } else {
                Err(CliError::HandedOff {
                    code: exit_code(status),
                })
            }
        }
    }
}

/// The `--app` of a command.
fn app_of(command: &Command) -> Option<&str> {
    match command {
        Command::Synth(a) => a.app.as_deref(),
        Command::List(a) => a.app.as_deref(),
        Command::Diff(a) => a.app.as_deref(),
        Command::Deploy(a) => a.app.as_deref(),
        Command::Destroy(a) => a.app.as_deref(),
        Command::Bootstrap(a) => a.app.as_deref(),
    }
}

/// The exit code a shell would report: the code, or 128 + the signal that ended the process.
fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(1);
        }
    }
    1
}

/// The deploy runner's executable: `CIRRUS_DEPLOY_BIN`, or built by cargo.
fn deploy_runner() -> Result<PathBuf, CliError> {
    if let Some(path) = std::env::var_os(BIN_VAR) {
        return Ok(PathBuf::from(path));
    }
    let output = cargo_build()
        .output()
        .map_err(|e| CliError::DeployRunnerBuild {
            reason: format!("cannot run cargo: {e}"),
        })?;
    if !output.status.success() {
        return Err(CliError::DeployRunnerBuild {
            reason: format!("cargo build failed ({})", output.status),
        });
    }
    executable(&output.stdout).ok_or_else(|| CliError::DeployRunnerBuild {
        reason: format!("cargo reported no executable named {BIN}"),
    })
}

/// `cargo build` of the deploy runner: this crate (found where it was compiled from) with
/// `aws`, in the runner's profile, into the same target directory (`CARGO_TARGET_DIR` is
/// inherited). The cargo that runs the runner (`CARGO`, set by `cargo run`) builds it, so the
/// toolchain is the same. Cargo's progress goes to stderr; stdout carries the JSON messages
/// that name the executable.
fn cargo_build() -> Process {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut process = Process::new(cargo);
    process
        .arg("build")
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .args(["--features", "aws", "--bin", BIN])
        .args(["--message-format", "json-render-diagnostics"]);
    if !cfg!(debug_assertions) {
        process.arg("--release");
    }
    process
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    process
}

/// The executable of the deploy runner in cargo's JSON messages.
fn executable(stdout: &[u8]) -> Option<PathBuf> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<J>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == BIN)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

#[cfg(test)]
mod tests {
    use cirrus_core::{App, RawResource, StackProps, value};

    use super::*;

    /// The deploy runner's hints name the command the person typed.
    #[test]
    fn hints_name_the_command_that_started_the_runner() {
        use std::ffi::OsStr;
        assert_eq!(
            invoked_as(true, OsStr::new("target/debug/apps")),
            "cargo run --"
        );
        assert_eq!(invoked_as(false, OsStr::new("/usr/local/bin/shop")), "shop");
        assert_eq!(invoked_as(false, OsStr::new("")), "cirrus-deploy");
    }

    /// An app with an error: the same construct id twice.
    fn broken(app: &App) {
        let s = app.stack("S", StackProps::default());
        s.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
        s.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
    }

    #[test]
    fn a_failed_comparison_is_not_a_difference() {
        let apps = [AppDef {
            name: "broken",
            define: broken,
        }];
        for args in [&["cirrus", "diff"][..], &["cirrus", "diff", "--fail"]] {
            let err = crate::run(&apps, args, &Ui::plain()).unwrap_err();
            assert!(
                matches!(&err, CliError::DiffFailed(inner) if matches!(**inner, CliError::Synth { .. })),
                "{err:?}"
            );
            assert_eq!(err.exit_code(), 2, "{args:?}");
            assert_eq!(err.to_string(), "synthesis failed with 2 error(s)");
        }
        let unknown =
            crate::run(&apps, ["cirrus", "diff", "--app", "nope"], &Ui::plain()).unwrap_err();
        assert_eq!(unknown.exit_code(), 2);
        assert_eq!(unknown.hint().as_deref(), Some("the apps are: broken"));
        assert_eq!(CliError::Differs { count: 1 }.exit_code(), 1);
        // The deploy runner's own exit code passes through, also "differs" (1).
        let differs = CliError::HandedOff { code: 1 }.in_diff();
        assert!(
            matches!(differs, CliError::HandedOff { code: 1 }),
            "{differs:?}"
        );
        assert_eq!(differs.exit_code(), 1);
    }

    #[test]
    fn cargo_builds_this_crates_deploy_binary_with_aws() {
        let cargo = cargo_build();
        let args: Vec<String> = cargo
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        assert_eq!(
            args[..3],
            ["build", "--manifest-path", &manifest.to_string_lossy()]
        );
        assert_eq!(
            args[3..],
            [
                "--features",
                "aws",
                "--bin",
                "cirrus-deploy",
                "--message-format",
                "json-render-diagnostics"
            ]
        );
        // The binary's name is the one this crate declares.
        let toml = std::fs::read_to_string(&manifest).unwrap();
        assert!(toml.contains("name = \"cirrus-deploy\""), "{toml}");
    }

    #[test]
    fn the_executable_is_read_from_cargos_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"cirrus_cli"},"executable":null}"#,
            "\n",
            "not json\n",
            r#"{"reason":"compiler-artifact","target":{"name":"cirrus-deploy"},"executable":"/t/debug/cirrus-deploy"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
            "\n",
        );
        assert_eq!(
            executable(messages.as_bytes()),
            Some(PathBuf::from("/t/debug/cirrus-deploy"))
        );
        assert_eq!(
            executable(br#"{"reason":"build-finished","success":true}"#),
            None
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_signal_reads_as_the_shell_reports_it() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
        assert_eq!(exit_code(ExitStatus::from_raw(2)), 130);
    }
}
