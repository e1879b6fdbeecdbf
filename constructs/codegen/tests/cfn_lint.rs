//! One resource of every generated type, with its required properties, in one template that
//! cfn-lint must accept without errors: the generated names, required flags, value shapes and
//! enum values agree with CloudFormation's own schemas.
//!
//! cfn-lint is found through `CIRRUS_CFN_LINT` (`scripts/test` installs it). Without it the
//! test is skipped with a message, unless `CIRRUS_REQUIRE_TOOLS` is set.

// Generated (see `cirrus_codegen::samples`) and formatted by the generator.
#[rustfmt::skip]
mod every_type;

use std::path::PathBuf;
use std::process::Command;

use cirrus_core::{
    App, Expr, List, ListParameterProps, Node, NumberParameterProps, Parameter, StackProps,
    StringParameterProps, Tag, Value, pseudo, value,
};

/// The values the generated sample uses. Strings and numbers are parameters without a
/// default, so cfn-lint checks their types but not the patterns or ranges that no single
/// made-up value would satisfy across hundreds of properties.
#[derive(Debug)]
pub struct Values<'a> {
    string: Parameter<'a, String>,
    variants: Vec<Parameter<'a, String>>,
    number: Parameter<'a, f64>,
    strings: Parameter<'a, List<String>>,
}

impl<'a> Values<'a> {
    fn new(stack: Node<'a>) -> Values<'a> {
        Values {
            string: stack.add_string_parameter("Text", StringParameterProps::default()),
            variants: (1..every_type::VARIANTS)
                .map(|k| {
                    stack.add_string_parameter(&format!("Text{k}"), StringParameterProps::default())
                })
                .collect(),
            number: stack.add_number_parameter("Number", NumberParameterProps::default()),
            strings: stack.add_list_parameter("Texts", ListParameterProps::default()),
        }
    }

    /// A string.
    pub fn string(&self) -> Expr<String> {
        self.string.value()
    }

    /// Another string, for the `k`-th item of a list whose items must differ (`k` >= 1).
    pub fn string_variant(&self, k: usize) -> Expr<String> {
        self.variants[k - 1].value()
    }

    /// An integer: the number parameter, typed as one.
    pub fn int(&self) -> Expr<i64> {
        let number = self.number.value();
        let reference = number.as_intrinsic().expect("a parameter value is a Ref");
        Expr::from_intrinsic(reference.clone())
    }

    /// A number.
    pub fn float(&self) -> Expr<f64> {
        self.number.value()
    }

    /// A list of strings.
    pub fn strings(&self) -> Expr<List<String>> {
        self.strings.value()
    }

    /// A tag.
    pub fn tag(&self) -> Tag {
        Tag::new("sample", self.string())
    }

    /// A JSON or string property: the string parameter.
    pub fn text(&self) -> Value {
        Value::from(self.string())
    }

    /// A JSON property: every required JSON property of the supported services is a
    /// resource policy document.
    pub fn policy(&self) -> Value {
        value!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": (pseudo::account_id())},
                "Action": "*",
                "Resource": "*"
            }]
        })
    }
}

fn cfn_lint() -> Option<PathBuf> {
    match std::env::var_os("CIRRUS_CFN_LINT") {
        Some(path) => Some(PathBuf::from(path)),
        None if std::env::var_os("CIRRUS_REQUIRE_TOOLS").is_some() => {
            panic!("CIRRUS_CFN_LINT is not set but CIRRUS_REQUIRE_TOOLS is: run scripts/test")
        }
        None => {
            eprintln!(
                "skipped: set CIRRUS_CFN_LINT to a cfn-lint 1.58.0 binary (scripts/test does)"
            );
            None
        }
    }
}

#[test]
fn every_generated_type_passes_cfn_lint() {
    let Some(cfn_lint) = cfn_lint() else {
        return;
    };
    let app = App::new("every-type");
    let stack = app.stack("EveryType", StackProps::default());
    let values = Values::new(stack.node());
    every_type::add_all(stack.node(), &values);
    let out = app.synth().expect("the sample app synthesizes");
    let template = &out.stacks[0].template;
    let resources = template["Resources"].as_object().expect("resources");
    assert_eq!(resources.len(), every_type::COUNT);
    assert_eq!(every_type::COUNT, cirrus_cfn::registry::all().len());

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("EveryType.template.json");
    std::fs::write(&path, serde_json::to_string_pretty(template).expect("JSON"))
        .expect("the template is written");
    let output = Command::new(&cfn_lint)
        .arg("-f")
        .arg("parseable")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cfn_lint.display()));
    let report = String::from_utf8_lossy(&output.stdout);
    // parseable: file:line:col:line:col:RULE:message
    let errors: Vec<String> = report
        .lines()
        .filter(|line| {
            line.split(':')
                .nth(5)
                .is_some_and(|rule| rule.starts_with('E'))
        })
        .map(|line| explain(line, template))
        .collect();
    assert!(
        errors.is_empty(),
        "cfn-lint reports {} error(s) in the sample of every type:\n{}",
        errors.len(),
        errors.join("\n")
    );
    // Bit 1 is a failure of cfn-lint itself, not a finding.
    assert!(
        output.status.code().is_some_and(|c| c & 1 == 0),
        "cfn-lint failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A cfn-lint line with the resource it is about, found by its line number in the pretty
/// template.
fn explain(line: &str, template: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(template).unwrap_or_default();
    let number: usize = line
        .split(':')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let resource = text
        .lines()
        .take(number)
        .filter(|l| l.starts_with("    \"") && l.ends_with('{'))
        .last()
        .map(|l| {
            l.trim()
                .trim_end_matches(": {")
                .trim_matches('"')
                .to_owned()
        })
        .unwrap_or_default();
    let message: Vec<&str> = line.split(':').skip(5).collect();
    format!("{resource}: {}", message.join(":"))
}
