//! The guide's Rust snippets are the project's code, word for word: each ```rust block of
//! `docs/guide.md` must appear in a file under `apps/src` or `apps/tests` (indentation aside),
//! so that a snippet compiles exactly as printed and cannot drift from the code it shows.

use std::fs;
use std::path::{Path, PathBuf};

/// The lines of `text` without their indentation, blank lines dropped.
fn normalized(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The ```rust blocks of a Markdown text.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim() == "```rust" => current = Some(String::new()),
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_rust_snippet_of_the_guide_is_code_of_the_project() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let guide = fs::read_to_string(root.join("../docs/guide.md")).unwrap();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    let sources: Vec<Vec<String>> = files
        .iter()
        .map(|f| normalized(&fs::read_to_string(f).unwrap()))
        .collect();
    let blocks = rust_blocks(&guide);
    assert!(
        blocks.len() >= 4,
        "the guide has {} Rust snippets",
        blocks.len()
    );
    for block in blocks {
        let wanted = normalized(&block);
        let found = sources
            .iter()
            .any(|lines| lines.windows(wanted.len()).any(|w| w == wanted.as_slice()));
        assert!(
            found,
            "this snippet of docs/guide.md is not in apps/src or apps/tests (copy it from the code again):\n{block}"
        );
    }
}

#[test]
fn a_snippet_that_differs_from_the_code_is_found() {
    let blocks = rust_blocks("text\n```rust\nlet a = 1;\n```\nmore\n```rust\nfn f() {}\n```\n");
    assert_eq!(blocks, ["let a = 1;\n", "fn f() {}\n"]);
    let code = normalized("fn g() {\n    let a = 1;\n}\n");
    let hit = |snippet: &str| {
        let wanted = normalized(snippet);
        code.windows(wanted.len()).any(|w| w == wanted.as_slice())
    };
    assert!(hit("let a = 1;"));
    assert!(!hit("let a = 2;"));
}
