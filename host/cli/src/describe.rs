use anyhow::{Context, Result};
use kitei::json::Metadata;
use kitei::{PolicyInfo, Target, Wire};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A variant (`toyama-2023`), an institution (`gunma`: the variant in force `--at`), or a `.wasm` file
    what: String,
    /// Directory of built policies and settings files
    #[arg(long, default_value_os_t = crate::default_policies())]
    policies: PathBuf,
    /// With an institution: the time to pick the variant for (default: now)
    #[arg(long)]
    at: Option<String>,
    /// Print JSON instead of the readable sheet (the same as `--format json`)
    #[arg(long)]
    json: bool,
    /// `text` (the readable sheet), `md` (a Markdown page, as docs/readings/<variant>.md) or `json`
    #[arg(long, default_value = "text", value_parser = ["text", "md", "json"])]
    format: String,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let info = if args.what.ends_with(".wasm") {
        let path = PathBuf::from(&args.what);
        let bytes = std::fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?;
        let checked = kitei::component::Checked::new(&crate::runtime()?, &path, &bytes)?;
        kitei::LoadedPolicy::info(&checked.configure(&kitei::types::Settings::default(), None)?).clone()
    } else {
        let registry = crate::load(&args.policies)?;
        let at = match &args.at {
            Some(s) => crate::parse_at(s)?,
            None => chrono::Utc::now().fixed_offset(),
        };
        let target = if registry.variant(&args.what).is_some() { Target::Variant(args.what.clone()) } else { Target::Institution(args.what.clone()) };
        registry.select(&target, Some(at))?.info().clone()
    };
    match (args.json, args.format.as_str()) {
        (true, _) | (false, "json") => crate::print_out(&(serde_json::to_string_pretty(&Metadata(&info))? + "\n"))?,
        (false, "md") => crate::print_out(&kitei_tools::sheet::markdown(&info))?,
        _ => crate::print_out(&sheet(&info))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn sheet(info: &PolicyInfo) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let md = &info.metadata;
    let _ = writeln!(out, "{} — {} {}", md.variant, md.institution_name, md.title);
    let _ = writeln!(out, "  institution   {}", md.institution);
    let _ = writeln!(out, "  version       {}", md.version);
    let _ = writeln!(out, "  in force      {} – {}", md.effective_from, md.effective_until.as_deref().unwrap_or("(no end)"));
    let _ = writeln!(out, "  sha256        {}", info.sha256);
    let scope = match &md.scope {
        kitei::types::Scope::EveryCustomer => "every customer's contracts".to_string(),
        kitei::types::Scope::Individual => "individual customers' contracts (個人)".to_string(),
        kitei::types::Scope::Corporate => "corporate customers' contracts (法人)".to_string(),
        kitei::types::Scope::Service(name) => format!("the contracts of the service `{name}` (requests name it in `scope`)"),
    };
    let _ = writeln!(out, "  governs       {scope}");
    let _ = writeln!(out, "  contract      kitei:policy@{}", info.contract.version());
    // the settings by their wire names, as the settings file writes them
    let settings = serde_json::to_value(kitei::json::Settings(&info.settings, &info.terms)).unwrap_or_default();
    for name in &md.settings_used {
        let value = match settings.get(name) {
            Some(serde_json::Value::Number(days)) => format!("{days} days"),
            Some(serde_json::Value::Array(ids)) => ids.iter().filter_map(|id| id.as_str()).collect::<Vec<_>>().join(", "),
            Some(serde_json::Value::Null) => "unset".into(),
            _ => format!("(unknown setting {name})"),
        };
        let _ = writeln!(out, "  setting       {name} = {value}");
    }
    if !md.terms.is_empty() {
        let _ = writeln!(out, "\nterms this text declares beyond the core vocabulary ({}):", md.terms.len());
        for t in &md.terms {
            let cite = md.rules.get(t.rule as usize).map(|r| kitei::cite(&r.clause)).unwrap_or_default();
            let _ = writeln!(out, "  {:<16} {:<28} {}  {} [{}]", t.kind.wire(), t.name, t.ja, t.summary, cite);
        }
    }
    let _ = writeln!(out, "\nrules ({}):", md.rules.len());
    for (i, r) in md.rules.iter().enumerate() {
        let _ = writeln!(out, "\n  [{i:>2}] {}  ({})  {}", kitei::cite(&r.clause), r.provenance.wire(), r.summary);
        let _ = writeln!(out, "       {}", r.text);
    }
    out
}
