//! `cirrus-deploy`: the deploy runner. The project's runner (`cargo run -- deploy | diff |
//! destroy | bootstrap | list --status`) synthesizes into `synth-out/`, builds this binary and
//! hands it the same command line; it reads the cloud assembly and talks to AWS.

fn main() -> std::process::ExitCode {
    cirrus_cli::deploy_main()
}
