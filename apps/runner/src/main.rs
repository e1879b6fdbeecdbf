//! `cargo run -- synth | list`: the runner, on this project's apps.

fn main() -> std::process::ExitCode {
    cirrus_cli::main(apps::APPS)
}
