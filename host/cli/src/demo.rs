use anyhow::{Context, Result};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Request files to decide (default: every `*.json` in `examples/`)
    requests: Vec<PathBuf>,
    /// Skip building; use the policies already in `target/policies` (or `$CARGO_TARGET_DIR/policies`)
    #[arg(long)]
    no_build: bool,
    /// Print each answer as api.md's JSON instead of the readable explanation
    #[arg(long)]
    json: bool,
}

/// Builds every bundled policy, then decides the example requests, each
/// explained: the decision, then every reason's cite, whether it held, and
/// the sentence it rests on (`--json`: api.md's JSON).
pub fn run(args: Args) -> Result<ExitCode> {
    if !args.no_build {
        let built = crate::build::build_all(&[], None, "policy".as_ref())?;
        crate::build::sign_all(&crate::devkey::dev_key()?, &built, true)?;
    }
    // the bundled modules load only if they verify against the development trust file
    let trust = kitei::trust::Trust::new(kitei::trust::TrustPolicy::read(&crate::devkey::dev_trust_path())?, kitei::trust::SequenceFloor::in_memory());
    let registry = crate::load_trusted(&crate::default_policies(), Some(&trust))?;
    for p in registry.policies() {
        if let Some(v) = &p.info().signature {
            eprintln!("verified {} (sequence {}) signed by {}", p.info().variant(), v.statement.sequence, v.key);
        }
    }
    let requests = if args.requests.is_empty() {
        let mut files: Vec<PathBuf> = std::fs::read_dir("examples")
            .context("reading `examples/`")?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
    } else {
        args.requests
    };
    let mut code = ExitCode::SUCCESS;
    for file in requests {
        let body = std::fs::read(&file).with_context(|| format!("reading `{}`", file.display()))?;
        println!("\n=== {} ===", file.display());
        if args.json {
            if crate::eval::print_decision(&registry, &body) != ExitCode::SUCCESS {
                code = ExitCode::from(1);
            }
            continue;
        }
        let text = match registry.decide_json(&body) {
            Ok(answer) => crate::explain::answer(&answer),
            Err(e) => {
                code = ExitCode::from(1);
                crate::explain::error(&e)
            }
        };
        crate::print_out(&text)?;
    }
    if !args.json {
        eprintln!("\n(each answer as api.md's JSON: kitei demo --no-build --json; one request: kitei eval FILE)");
    }
    Ok(code)
}
