//! How synthesis scales: N stacks of 100 units each, built, synthesized and written to a
//! folder, for N = 1, 10, 40. Two cases:
//!
//! - `l1`: each unit an S3 bucket, an IAM role and a policy granting the role read/write on the
//!   bucket, written as L1 resources (300 resources a stack);
//! - `l2`: each unit a `cirrus_aws::s3::Bucket` (with its TLS-only bucket policy and access
//!   logs to the stack's log bucket), a `cirrus_aws::iam::Role` and
//!   `bucket.grant_read_write(&role)` (the role's default policy): 4 resources a unit, 402 a
//!   stack with the log bucket and its policy. This is what real apps are made of, and what the
//!   AWS CDK's equivalent is measured against.
//!
//! Each measurement runs in a fresh process so that its peak memory (VmHWM) is its own. Prints
//! the median wall time of several runs and the largest peak memory.
//!
//! `cargo bench -p cirrus-cli --bench synth_scale` (add `-- 1 10 40 100` to choose N, and `l1`
//! or `l2` to run one case only; `CIRRUS_BENCH_DROP=1` drops the app after synthesis, which
//! the runner does for every app but the last).

use std::process::Command;
use std::time::Instant;

use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::s3::{Bucket, BucketProps, IBucket};
use cirrus_cfn::iam::{CfnPolicy, CfnRole};
use cirrus_cfn::s3::{CfnBucket, bucket};
use cirrus_core::{App, Stack, StackProps, TemplateFormat, fns, value};

const RUNS: usize = 5;
const UNITS: usize = 100;

/// Which units the stacks are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    L1,
    L2,
}

impl Case {
    fn parse(name: &str) -> Option<Case> {
        match name {
            "l1" => Some(Case::L1),
            "l2" => Some(Case::L2),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Case::L1 => "l1",
            Case::L2 => "l2",
        }
    }
}

fn main() {
    if let (Ok(case), Ok(n)) = (
        std::env::var("CIRRUS_BENCH_CASE"),
        std::env::var("CIRRUS_BENCH_STACKS"),
    ) {
        measure(
            Case::parse(&case).unwrap_or(Case::L1),
            n.parse().unwrap_or(1),
        );
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![1, 10, 40];
    }
    let mut cases: Vec<Case> = args.iter().filter_map(|a| Case::parse(a)).collect();
    if cases.is_empty() {
        cases = vec![Case::L1, Case::L2];
    }
    let exe = std::env::current_exe().expect("the bench knows its own path");
    println!(
        "{:>4} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "case",
        "stacks",
        "resources",
        "build ms",
        "synth ms",
        "write ms",
        "total ms",
        "ms/1k res",
        "peak MB"
    );
    for case in cases {
        for &n in &sizes {
            let mut runs: Vec<[f64; 6]> = (0..RUNS)
                .map(|_| {
                    let out = Command::new(&exe)
                        .env("CIRRUS_BENCH_CASE", case.name())
                        .env("CIRRUS_BENCH_STACKS", n.to_string())
                        .output()
                        .expect("the bench can run itself");
                    let text = String::from_utf8_lossy(&out.stdout);
                    let fields: Vec<f64> = text
                        .split_whitespace()
                        .filter_map(|f| f.parse().ok())
                        .collect();
                    assert!(
                        fields.len() == 6,
                        "the measuring process printed {text:?}; stderr: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    [
                        fields[0], fields[1], fields[2], fields[3], fields[4], fields[5],
                    ]
                })
                .collect();
            runs.sort_by(|a, b| a[3].total_cmp(&b[3]));
            let median = runs[RUNS / 2];
            let peak = runs.iter().map(|r| r[4]).fold(0.0, f64::max);
            let resources = median[5];
            println!(
                "{:>4} {n:>6} {resources:>9} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>10.2} {peak:>8.1}",
                case.name(),
                median[0],
                median[1],
                median[2],
                median[3],
                median[3] / resources * 1000.0
            );
        }
    }
}

/// Builds, synthesizes and writes one app of `stacks` stacks; prints
/// `build synth write total peak_mb resources` on one line.
fn measure(case: Case, stacks: usize) {
    let t0 = Instant::now();
    let app = App::new("bench");
    for s in 0..stacks {
        let stack = app.stack(&format!("Stack{s}"), StackProps::default());
        match case {
            Case::L1 => l1_units(stack),
            Case::L2 => l2_units(stack),
        }
    }
    let t1 = Instant::now();
    let synthesized = app.synth().expect("the bench app is valid");
    // The runner drops each app once it is synthesized, before writing, except the last,
    // which it leaves to the process's exit (`apps::synthesize`): so does the bench, whose
    // one app is the last. `CIRRUS_BENCH_DROP=1` drops it here, to time what that saves.
    if std::env::var_os("CIRRUS_BENCH_DROP").is_some() {
        drop(app);
    } else {
        std::mem::forget(app);
    }
    let t2 = Instant::now();
    // The stacks hold resources only, so every logical id is one (reading the templates'
    // values would parse their text again).
    let resources: usize = synthesized.stacks.iter().map(|s| s.logical_ids.len()).sum();
    let dir = std::env::temp_dir().join(format!("cirrus-bench-{}", std::process::id()));
    cirrus_cli::write_assembly(&dir, &[synthesized], TemplateFormat::Json)
        .expect("the bench can write its output");
    let t3 = Instant::now();
    let _ = std::fs::remove_dir_all(&dir);
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
    println!(
        "{:.3} {:.3} {:.3} {:.3} {:.1} {resources}",
        ms(t0, t1),
        ms(t1, t2),
        ms(t2, t3),
        ms(t0, t3),
        peak_mb()
    );
}

/// A bucket, a role and a read/write grant, as L2 constructs.
fn l2_units(stack: Stack<'_>) {
    for u in 0..UNITS {
        let unit = stack.add_child(&format!("Unit{u}"));
        let bucket = Bucket::new(unit, "Bucket", BucketProps::default());
        let role = Role::new(
            unit,
            "Role",
            Principal::service("lambda.amazonaws.com"),
            RoleProps::default(),
        );
        bucket.grant_read_write(&role);
    }
}

/// The same as L1 resources, with the policy written by hand.
fn l1_units(stack: Stack<'_>) {
    for u in 0..UNITS {
        let unit = stack.add_child(&format!("Unit{u}"));
        let bucket = unit.add(
            "Bucket",
            CfnBucket {
                versioning_configuration: Some(
                    bucket::VersioningConfiguration {
                        status: bucket::VersioningConfigurationStatus::Enabled.into(),
                    }
                    .into(),
                ),
                ..Default::default()
            },
        );
        let role = unit.add(
            "Role",
            CfnRole::new(value!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole"
                }]
            })),
        );
        let arn = bucket.attrs().arn();
        let objects = fns::sub("${Arn}/*", [("Arn", arn.clone())]);
        let mut policy = CfnPolicy::new(
            value!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:PutObject*", "s3:Abort*"],
                    "Resource": [(arn), (objects)]
                }]
            }),
            "BucketReadWrite",
        );
        policy.roles = Some(vec![role.ref_()].into());
        unit.add("Policy", policy);
    }
}

/// Peak resident memory of this process, from /proc (0 where there is none).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
