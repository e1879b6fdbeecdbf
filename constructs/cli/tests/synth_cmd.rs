//! `synth` on apps with errors: every problem printed, exit code 1, nothing written.

use cirrus_cli::{AppDef, CliError, Ui, run};
use cirrus_core::{App, RawResource, StackProps, value};

fn broken(app: &App) {
    let stack = app.stack("Broken", StackProps::default());
    stack.add("a b", RawResource::new("AWS::SNS::Topic", value!({})));
    stack.add("Other", RawResource::new("AWS::Nope", value!({})));
}

fn fine(app: &App) {
    let stack = app.stack("Fine", StackProps::default());
    stack.add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
}

#[test]
fn synth_errors_exit_1_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let apps = [
        AppDef {
            name: "fine",
            define: fine,
        },
        AppDef {
            name: "broken",
            define: broken,
        },
    ];
    let args = ["cirrus", "synth", "--out", out.to_str().unwrap()];
    let err = run(&apps, args, &Ui::plain()).unwrap_err();
    // The id and the type, and the registry's check of the type, which runs on a stack
    // with other errors too: every problem in one run.
    assert!(matches!(err, CliError::Synth { errors: 3 }), "{err:?}");
    assert_eq!(err.exit_code(), 1);
    assert!(
        !out.exists(),
        "a failing app must not leave a partial synth-out"
    );
}

#[test]
fn synth_writes_the_good_apps_when_all_are_good() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let apps = [AppDef {
        name: "fine",
        define: fine,
    }];
    run(
        &apps,
        ["cirrus", "synth", "--out", out.to_str().unwrap()],
        &Ui::plain(),
    )
    .unwrap();
    assert!(out.join("fine/Fine.template.json").is_file());
    run(
        &apps,
        ["cirrus", "synth", "--check", "--out", out.to_str().unwrap()],
        &Ui::plain(),
    )
    .unwrap();
}
