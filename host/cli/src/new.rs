//! `kitei new`: scaffolds a variant crate outside the workspace
//! (docs/authoring.md).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(after_help = "\
Writes into DIR (made if missing; refused unless empty):
  Cargo.toml    kitei-sdk by absolute path, an empty [workspace], [profile.policy]
  Cargo.lock    the checkout's, the versions the SDK is tested with
  source.txt    the header every source.txt has, a placeholder body
  src/lib.rs    metadata, one example rule, one commented-out term, the verbatim-text test
  request.json  an api.md request for the institution
  conformance/  two scenarios (docs/conformance.md)

The SDK is the checkout's this binary was built from, unless --sdk or $KITEI_SDK names another.
Next: edit; `cargo test` in DIR; kitei build --no-sign DIR -o OUT/VARIANT.wasm;
kitei test --policies OUT DIR/conformance (docs/authoring.md)")]
pub struct Args {
    /// The directory of the new crate (made if missing; must be empty)
    dir: PathBuf,
    /// The institution id requests name (`toyama`): lowercase ASCII letters, digits and '-', starting with a letter
    #[arg(long)]
    institution: String,
    /// The variant id, unique per text (`toyama-2023`): same characters as the institution id
    #[arg(long)]
    variant: String,
    /// The institution's name as the text writes it (default: the institution id)
    #[arg(long)]
    name: Option<String>,
    /// The SDK crate to depend on (default: $KITEI_SDK, else the checkout this binary was built from)
    #[arg(long)]
    sdk: Option<PathBuf>,
}

/// The checkout this binary was built from: `host/cli/../..`.
const CHECKOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Whether `id` is a good institution or variant id: lowercase ASCII
/// letters, digits and single '-', starting with a letter, not ending in '-'
/// (what the host accepts, and a valid package name).
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && !id.contains("--")
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// The SDK the crate depends on: `--sdk`, `$KITEI_SDK`, or the checkout's.
fn sdk_dir(arg: Option<&Path>) -> Result<PathBuf> {
    let (dir, from) = match (arg, std::env::var_os("KITEI_SDK").filter(|v| !v.is_empty())) {
        (Some(p), _) => (p.to_path_buf(), "--sdk"),
        (None, Some(p)) => (PathBuf::from(p), "$KITEI_SDK"),
        (None, None) => (Path::new(CHECKOUT).join("policy/sdk"), "the checkout this kitei was built from"),
    };
    let manifest = dir.join("Cargo.toml");
    let is_sdk = std::fs::read_to_string(&manifest).is_ok_and(|m| m.contains("name = \"kitei-sdk\""));
    if !is_sdk {
        bail!("no kitei-sdk crate at `{}` ({from}): name the SDK with --sdk PATH or $KITEI_SDK (`policy/sdk` of a kitei checkout)", dir.display());
    }
    dir.canonicalize().with_context(|| format!("resolving `{}`", dir.display()))
}

pub fn run(args: Args) -> Result<ExitCode> {
    for (what, id) in [("institution", &args.institution), ("variant", &args.variant)] {
        if !valid_id(id) {
            bail!("{what} id `{id}` must be lowercase ASCII letters, digits and single '-', starting with a letter (e.g. `toyama`, `toyama-2023`)");
        }
    }
    if args.dir.exists() {
        let mut entries = std::fs::read_dir(&args.dir).with_context(|| format!("reading `{}`", args.dir.display()))?;
        if let Some(first) = entries.next() {
            let first = first.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default();
            bail!("`{}` is not empty (it has `{first}`): kitei new writes into a new or empty directory", args.dir.display());
        }
    }
    let sdk = sdk_dir(args.sdk.as_deref())?;
    let name = args.name.clone().unwrap_or_else(|| args.institution.clone());
    // the date in JST, as the host reads `effective_from`
    let today = chrono::Utc::now().with_timezone(&kitei::time::jst()).date_naive().format("%Y-%m-%d").to_string();
    let fill = |template: &str| {
        template
            .replace("{{VARIANT}}", &args.variant)
            .replace("{{INSTITUTION}}", &args.institution)
            .replace("{{NAME}}", &name)
            .replace("{{DATE}}", &today)
            .replace("{{SDK}}", &toml_string(&sdk.display().to_string()))
    };
    let files: [(&str, String); 7] = [
        ("Cargo.toml", fill(CARGO_TOML)),
        (".gitignore", "/target\n".to_string()),
        ("source.txt", fill(SOURCE_TXT)),
        ("src/lib.rs", fill(LIB_RS)),
        ("request.json", fill(REQUEST_JSON)),
        ("conformance/eligibility-without-internet-banking.json", fill(SCENARIO_DENY)),
        ("conformance/eligibility-with-internet-banking.json", fill(SCENARIO_PERMIT)),
    ];
    for (path, text) in &files {
        let dest = args.dir.join(path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating `{}`", parent.display()))?;
        }
        std::fs::write(&dest, text).with_context(|| format!("writing `{}`", dest.display()))?;
    }
    // the checkout's lock file: the versions the SDK is built and tested with
    let lock = sdk.join("../../Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, args.dir.join("Cargo.lock")).with_context(|| format!("copying `{}`", lock.display()))?;
    }
    let dir = args.dir.display();
    eprintln!("kitei new: {} ({}) in {dir}, depending on kitei-sdk at {}", args.variant, args.institution, sdk.display());
    eprintln!("next: edit {dir}/source.txt and {dir}/src/lib.rs, then");
    eprintln!("  (cd {dir} && cargo test)");
    eprintln!("  kitei build --no-sign {dir} -o out/{}.wasm", args.variant);
    eprintln!("  kitei test --policies out {dir}/conformance");
    Ok(ExitCode::SUCCESS)
}

/// `s` as a TOML basic string's contents.
fn toml_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

const CARGO_TOML: &str = r#"# The {{VARIANT}} variant of {{NAME}}'s 規定 as a kitei policy module.
# Build: kitei build --no-sign . -o {{VARIANT}}.wasm (docs/authoring.md)
[package]
name = "kitei-policy-{{VARIANT}}"
description = "{{VARIANT}} as a kitei policy"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib", "rlib"]

[dependencies]
kitei-sdk = { path = "{{SDK}}" }

# Its own workspace: the crate is not a member of any other.
[workspace]

# Guest policies: small, fast, no unwinding. `kitei build` builds with
# `--profile policy`.
[profile.policy]
inherits = "release"
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
strip = true
"#;

const SOURCE_TXT: &str = "出典: (where the text comes from: its URL or the file it was received as)
文書: {{NAME}} API利用規定
日付: {{DATE}}
注記: scaffolded by `kitei new`; replace the body below with the text as received, and these lines with where it came from
----- 本文（受領したまま） -----

{{NAME}} API利用規定

第1条（利用資格）

1. APIサービスをご利用いただけるお客さまは、当行とインターネットバンキングの利用契約を締結しているお客さまとします。
";

const LIB_RS: &str = r#"//! {{NAME}} API利用規定 — `{{VARIANT}}`.
//!
//! Each rule below carries its clause and the sentence of the source
//! (`source.txt`) it rests on (docs/authoring.md).

use kitei_sdk::prelude::*;

kitei_sdk::rules! {
    // 第1条 利用資格
    R_1_1 = Rule::verbatim(Clause::paragraph(1, 1),
        "APIサービスをご利用いただけるお客さまは、当行とインターネットバンキングの利用契約を締結しているお客さまとします。")
        .codes("internet_banking_contract", "no_internet_banking_contract")
        .summary("an internet banking contract");

    // the rule cited where the text does not decide
    GAP = Rule::gap();
}

// Terms the core vocabulary lacks are declared once, here, each with the
// rule that introduces it, and used by a table (the build refuses an unused
// or clashing one, naming it). For example:
//
// kitei_sdk::terms! {
//     DEBIT_STATEMENT = Term::function("debit_statement", "デビット利用明細照会", "the debit card statement", R_2_1_3);
// }
//
// with `terms: TERMS,` in POLICY and a table naming it:
// `FunctionEntry::declared_on(&[DEBIT_STATEMENT], KindSet::ALL, R_2_1_3).no_account(R_2_1_3_NONE)`.

/// The text: who publishes it, and when it is in force.
const META: Meta = Meta {
    variant: "{{VARIANT}}",
    institution: "{{INSTITUTION}}",
    institution_name: "{{NAME}}",
    title: "API利用規定",
    version: "{{DATE}}",
    effective_from: "{{DATE}}",
    effective_until: None,
};

/// The variant.
pub static POLICY: Policy = Policy {
    // whose contracts the text governs: EveryCustomer, Individual, Corporate or Service("name")
    scope: ContractScope::EveryCustomer,
    eligibility: &[Condition { fact: Fact::InternetBankingContract, rule: R_1_1 }],
    ..Policy::empty(META, RULES, GAP)
};

kitei_sdk::export_policy!(POLICY);

#[cfg(test)]
mod tests {
    use super::*;

    /// The text as received, header and all, kept beside this crate.
    const SOURCE: &str = include_str!("../source.txt");

    /// Every quoted text of the sheet (verbatim, interpreted, setting) is
    /// in `source.txt`, normalising only whitespace and widths.
    #[test]
    fn quoted_texts_are_in_the_source() {
        kitei_sdk::testing::assert_texts_in_source(&POLICY, SOURCE);
    }
}
"#;

const REQUEST_JSON: &str = r#"{
  "institution": "{{INSTITUTION}}",
  "operation": "eligibility",
  "at": "{{DATE}}T10:00:00+09:00",
  "customer": { "internet_banking_contract": true }
}
"#;

const SCENARIO_DENY: &str = r#"{
  "description": "no internet banking contract: 第1条第1項 is not met",
  "request": {
    "operation": "eligibility",
    "at": "{{DATE}}T10:00:00+09:00",
    "customer": { "internet_banking_contract": false }
  },
  "expect": {
    "{{VARIANT}}": {
      "decision": "deny",
      "reasons": [ { "in": "reasons", "cite": "第1条第1項", "code": "no_internet_banking_contract", "provenance": "verbatim" } ],
      "why": "1.1: customers with an internet banking contract"
    }
  }
}
"#;

const SCENARIO_PERMIT: &str = r#"{
  "description": "an internet banking contract: 第1条第1項 is met",
  "request": {
    "operation": "eligibility",
    "at": "{{DATE}}T10:00:00+09:00",
    "customer": { "internet_banking_contract": true }
  },
  "expect": {
    "{{VARIANT}}": {
      "decision": "permit",
      "reasons": [ { "in": "reasons", "cite": "第1条第1項", "code": "internet_banking_contract" } ]
    }
  }
}
"#;

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn ids() {
        for ok in ["kamome", "kamome-kojin-2026", "a1"] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "Kamome", "kamome_2026", "-a", "a-", "a--b", "2026-a", "かもめ"] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
