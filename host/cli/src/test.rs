use anyhow::Result;
use kitei_tools::conformance::{self, Subjects, Suite};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Directory of built policies and settings files
    #[arg(long, default_value_os_t = crate::default_policies())]
    policies: PathBuf,
    /// Scenario files or directories of them
    #[arg(default_value = "tests/conformance")]
    suite: Vec<PathBuf>,
}

/// Runs every scenario against every loaded variant and prints the matrix;
/// fails when any scenario × variant fails.
pub fn run(args: Args) -> Result<ExitCode> {
    let suite = Suite::load(&args.suite)?;
    let registry = crate::load(&args.policies)?;
    let subjects = Subjects::components(registry, crate::runtime()?);
    let results = conformance::run(&subjects, &suite);
    print!("{}", results.render());
    Ok(if results.failures() == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
