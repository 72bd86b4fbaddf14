use anyhow::{Context, Result};
use kitei::policy::PolicyInfo;
use kitei::request::Target;
use kitei::response::{cite, metadata_json};
use kitei::vocab::Wire;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A variant (`toyama-2023`), an institution (`gunma`: the variant in force `--at`), or a `.wasm` file
    what: String,
    /// Directory of built policies and settings files
    #[arg(long, default_value = crate::DEFAULT_POLICIES)]
    policies: PathBuf,
    /// With an institution: the time to pick the variant for (default: now)
    #[arg(long)]
    at: Option<String>,
    /// Print JSON instead of the readable sheet
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let info = if args.what.ends_with(".wasm") {
        let path = PathBuf::from(&args.what);
        let bytes = std::fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?;
        let checked = kitei::component::Checked::new(&crate::runtime()?, &path, &bytes)?;
        checked.configure(&kitei::registry::no_settings(), None)?.info().clone()
    } else {
        let registry = crate::load(&args.policies)?;
        let at = match &args.at {
            Some(s) => crate::parse_at(s)?,
            None => chrono::Utc::now().fixed_offset(),
        };
        let target = if registry.variant(&args.what).is_some() {
            Target::Variant(args.what.clone())
        } else {
            Target::Institution(args.what.clone())
        };
        registry.select(&target, Some(at))?.info().clone()
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&metadata_json(&info))?);
    } else {
        print_sheet(&info);
    }
    Ok(ExitCode::SUCCESS)
}

use kitei::policy::Policy as _;

fn print_sheet(info: &PolicyInfo) {
    let md = &info.metadata;
    println!("{} — {} {}", md.variant, md.institution_name, md.title);
    println!("  institution   {}", md.institution);
    println!("  version       {}", md.version);
    println!(
        "  in force      {} – {}",
        md.effective_from,
        md.effective_until.as_deref().unwrap_or("(no end)")
    );
    println!("  sha256        {}", info.sha256);
    let s = &info.settings;
    let days = |v: Option<u32>| v.map_or("unset".to_string(), |d| format!("{d} days"));
    for name in &md.settings_used {
        let value = match name.as_str() {
            "reauth_after_days" => days(s.reauth_after_days),
            "registration_valid_days" => days(s.registration_valid_days),
            "permission_valid_days" => days(s.permission_valid_days),
            "inactivity_days" => days(s.inactivity_days),
            "designated_providers" => s
                .designated_providers
                .as_ref()
                .map_or("unset (the request's provider.designated decides)".into(), |l| l.join(", ")),
            other => format!("(unknown setting {other})"),
        };
        println!("  setting       {name} = {value}");
    }
    println!("\nrules ({}):", md.rules.len());
    for (i, r) in md.rules.iter().enumerate() {
        println!("\n  [{i:>2}] {}  ({})  {}", cite(&r.clause), r.provenance.wire(), r.summary);
        println!("       {}", r.text);
    }
}
