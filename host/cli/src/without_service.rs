//! `serve`, `replay`, `push`, `pull` and `copy` in a `kitei` built without
//! the `service` feature (`./run demo` builds that one, to keep a fresh
//! machine's first build short): each says how to get the full binary,
//! exit 2, rather than being an unknown subcommand.

use anyhow::{Result, bail};
use std::process::ExitCode;

/// Whatever was given; nothing is read.
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<std::ffi::OsString>,
}

pub fn run(_: Args) -> Result<ExitCode> {
    bail!(
        "this `kitei` was built without the `service` feature (the HTTP service, decision-log replay and OCI registries; \
         `./run demo` leaves them out of its first build): build the full binary with `cargo build -p kitei-cli` \
         (or `./run serve`)"
    )
}
