//! The runner binary end to end, on this project's apps: what a user sees.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the runner with no AWS configuration at all, whatever the machine has: no credential
/// variables, config files that do not exist, no instance metadata. So `list` never calls AWS
/// and its output does not depend on who runs the tests.
fn run(args: &[&str], cwd: &Path) -> Output {
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
        text(&out.stderr).contains("deployed status not shown: no AWS credentials found"),
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
        "APP          WAVE  STACK                  ENVIRONMENT                      DEPENDS ON\n\
         yelp-search  1     FrontendInfraPipeline  aws://unknown-account/us-east-1  -\n\
         yelp-search  1     BackendInfraPipeline   aws://unknown-account/us-east-1  -\n\
         yelp-search  2     FrontendInfra          aws://unknown-account/us-east-1  FrontendInfraPipeline\n\
         yelp-search  2     BackendInfra           aws://unknown-account/us-east-1  BackendInfraPipeline\n\
         yelp-search  3     EksCluster             aws://unknown-account/us-east-1  BackendInfra\n"
    );
}
