//! `docs/readings/<variant>.md` is each bundled variant's rule sheet as
//! `kitei describe <variant> --format md` writes it: the page a reviewer
//! reads is the sheet the module answers with. A sheet changed without its
//! page fails here; `KITEI_BLESS=1` writes the pages anew.

use kitei::{LoadedPolicy, NativePolicy};

#[test]
fn every_reading_page_is_its_variants_sheet() {
    let dir = kitei_tests::root().join("docs/readings");
    let bless = std::env::var_os("KITEI_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (variant, tables) in kitei_tests::NATIVE {
        let policy = NativePolicy::new(tables, kitei::types::Settings::default()).expect("defaults accepted");
        let page = kitei_tools::sheet::markdown(policy.info());
        let file = dir.join(format!("{variant}.md"));
        if bless {
            std::fs::write(&file, &page).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
            continue;
        }
        let committed = std::fs::read_to_string(&file).unwrap_or_default();
        if committed != page {
            stale.push(file.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale reading pages (regenerate with KITEI_BLESS=1 cargo test -p kitei-tests --test readings): {stale:?}");
}
