//! The runner binary end to end, on this project's apps: what a user sees.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the runner with no AWS configuration at all, whatever the machine has: no credential
/// variables, config files that do not exist, no instance metadata. So `list` never calls AWS
/// and its output does not depend on who runs the tests. The deploy runner is one that does
/// not exist, so that a command handed to it fails at once (and never builds it with cargo).
fn run(args: &[&str], cwd: &Path) -> Output {
    run_with(args, cwd, &cwd.join("no-deploy-runner"))
}

/// [`run`] with `deploy_runner` as the deploy runner (`CIRRUS_DEPLOY_BIN`).
fn run_with(args: &[&str], cwd: &Path, deploy_runner: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_apps"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&key);
        }
    }
    command
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("AWS_CONFIG_FILE", cwd.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            cwd.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("CIRRUS_DEPLOY_BIN", deploy_runner)
        .env_remove("CIRRUS_ASSEMBLY_APPS")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn synth_writes_every_app_and_check_then_passes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["synth"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty(),
        "synth writes data only when asked: {}",
        text(&out.stdout)
    );
    for app in apps::APPS {
        assert!(
            dir.path()
                .join("synth-out")
                .join(app.name)
                .join("manifest.json")
                .is_file()
        );
    }
    let check = run(&["synth", "--check"], dir.path());
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(text(&check.stderr).contains("synth-out is up to date"));
}

#[test]
fn check_fails_and_lists_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&["synth"], dir.path()).status.success());
    let template = dir
        .path()
        .join("synth-out/hello-bucket/HelloBucket.template.json");
    let edited = std::fs::read_to_string(&template)
        .unwrap()
        .replace("Enabled", "Suspended");
    std::fs::write(&template, edited).unwrap();
    std::fs::write(
        dir.path()
            .join("synth-out/hello-bucket/Extra.template.json"),
        "{}",
    )
    .unwrap();
    let out = run(&["synth", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("differs: synth-out/hello-bucket/HelloBucket.template.json"),
        "{err}"
    );
    assert!(
        err.contains("-          \"Status\": \"Suspended\""),
        "{err}"
    );
    assert!(err.contains("+          \"Status\": \"Enabled\""), "{err}");
    assert!(
        err.contains("not produced by the code: synth-out/hello-bucket/Extra.template.json"),
        "{err}"
    );
    assert!(
        err.contains("error: synth-out is not what the code produces (2 difference(s))"),
        "{err}"
    );
    assert!(
        err.contains("hint: run `cargo run -- synth` and commit the result"),
        "{err}"
    );
}

#[test]
fn stack_template_goes_to_stdout_in_the_chosen_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["synth", "--stack", "HelloBucket", "--out", "o"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written =
        std::fs::read_to_string(dir.path().join("o/hello-bucket/HelloBucket.template.json"))
            .unwrap();
    assert_eq!(text(&out.stdout), written);

    let out = run(
        &[
            "synth",
            "--stack",
            "HelloBucket",
            "--format",
            "yaml",
            "--out",
            "y",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let yaml = std::fs::read_to_string(dir.path().join("y/hello-bucket/HelloBucket.template.yaml"))
        .unwrap();
    assert_eq!(text(&out.stdout), yaml);
    assert!(yaml.contains("Type: AWS::S3::Bucket"), "{yaml}");
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["synth", "--frobnicate"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["synth", "--app", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("error: no app named \"nope\""), "{err}");
    assert!(err.contains("hint: the apps are: hello-bucket"), "{err}");
    let out = run(&["synth", "--stack", "Nope", "--out", "o"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !dir.path().join("o").exists(),
        "nothing is written on a usage error"
    );
    let out = run(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn list_prints_the_stacks_in_waves() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["list", "--app", "hello-bucket"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "APP           WAVE  STACK        ENVIRONMENT                           DEPENDS ON\n\
         hello-bucket  1     HelloBucket  aws://unknown-account/unknown-region  -\n"
    );
    assert!(
        text(&out.stderr).contains("deployed status not shown: pass --status to read it from AWS"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn list_puts_independent_stacks_in_one_wave_and_names_dependencies() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["list", "--app", "yelp-search"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "APP          WAVE  STACK          ENVIRONMENT                      DEPENDS ON\n\
         yelp-search  1     Delivery       aws://unknown-account/us-east-1  -\n\
         yelp-search  1     FrontendInfra  aws://unknown-account/us-east-1  -\n\
         yelp-search  2     EksCluster     aws://unknown-account/us-east-1  Delivery\n\
         yelp-search  3     BackendInfra   aws://unknown-account/us-east-1  Delivery, EksCluster\n"
    );
}

/// A stand-in for the deploy runner: records its command line, the apps it was told about and
/// the app folders of `synth-out/` in `handed.txt`, and exits 3.
#[cfg(unix)]
fn fake_deploy_runner(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-deploy-runner");
    std::fs::write(
        &path,
        "#!/bin/sh\n{ printf '%s\\n' \"$@\"; echo \"apps=$CIRRUS_ASSEMBLY_APPS\"; ls synth-out; } > handed.txt\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[cfg(unix)]
#[test]
fn aws_commands_synthesize_and_hand_the_command_line_to_the_deploy_runner() {
    let dir = tempfile::tempdir().unwrap();
    let fake = fake_deploy_runner(dir.path());
    let out = run_with(
        &["diff", "--app", "hello-bucket", "HelloBucket"],
        dir.path(),
        &fake,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("handed.txt")).unwrap(),
        "diff\n--app\nhello-bucket\nHelloBucket\napps=hello-bucket\nhello-bucket\n"
    );
    assert!(
        !text(&out.stderr).contains("error"),
        "the deploy runner reports its own failure: {}",
        text(&out.stderr)
    );
    // What it was handed is what `synth` writes and the repository commits.
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../synth-out/hello-bucket");
    for file in ["manifest.json", "tree.json", "HelloBucket.template.json"] {
        assert_eq!(
            std::fs::read(dir.path().join("synth-out/hello-bucket").join(file)).unwrap(),
            std::fs::read(committed.join(file)).unwrap(),
            "{file}"
        );
    }

    // Without --app: every app, in the order of the project's list.
    let out = run_with(
        &["deploy", "--all", "--concurrency", "2"],
        dir.path(),
        &fake,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let names: Vec<&str> = apps::APPS.iter().map(|a| a.name).collect();
    let mut folders = names.clone();
    folders.sort_unstable();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("handed.txt")).unwrap(),
        format!(
            "deploy\n--all\n--concurrency\n2\napps={}\n{}\n",
            names.join(","),
            folders.join("\n")
        )
    );
    for args in [
        &["list", "--status"][..],
        &["destroy", "--app", "hello-bucket", "--all"],
        &["bootstrap"],
    ] {
        let out = run_with(args, dir.path(), &fake);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
    }
}

#[test]
fn help_and_usage_errors_need_no_deploy_runner() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["deploy", "diff", "destroy", "bootstrap", "list"] {
        let out = run(&[command, "--help"], dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("--app"), "{command}");
    }
    let out = run(&["deploy", "--require-approval", "sometimes"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["diff", "--app", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("hint: the apps are: hello-bucket"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !dir.path().join("synth-out").exists(),
        "nothing is synthesized for a command that fails before"
    );
}

#[test]
fn a_deploy_runner_that_cannot_start_is_an_error_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["deploy", "--all"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error: cannot run the deploy runner"), "{err}");
    assert!(err.contains("hint: CIRRUS_DEPLOY_BIN"), "{err}");
    // For diff, a failure to compare: 2, never "differs".
    assert_eq!(run(&["diff"], dir.path()).status.code(), Some(2));
}

/// `list | head -0`: the reader is gone before the table is written; the runner takes the
/// closed pipe as the end of its output and exits 0, without a panic.
#[test]
fn a_closed_stdout_ends_the_output_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_apps"))
        .args(["list"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("AWS_CONFIG_FILE", dir.path().join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.path().join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}
