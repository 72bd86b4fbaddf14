//! Loading the modules to compare, each configured with the same settings.

use crate::diff::DiffError;
use crate::diff::generate::PERIOD_DAYS;
use kitei::LoadedPolicy;
use kitei::SettingName;
use kitei::types as m;
use kitei::{
    Runtime,
    component::{Checked, ComponentPolicy},
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The settings a comparison gives a module: every validity period it reads
/// set to [`PERIOD_DAYS`], the list of designated providers left at the
/// variant's default. Operator settings files are not read, so two modules
/// compared are answering under the same values.
pub fn common_settings(md: &m::Metadata) -> m::Settings {
    let mut settings = m::Settings::default();
    for name in md.settings_used.iter().filter_map(|n| SettingName::from_name(n)) {
        name.set_days(&mut settings, Some(PERIOD_DAYS as u32));
    }
    settings
}

/// A loaded policy (one serving, say) under [`common_settings`], sharing
/// its compiled code: what [`load_module`] would have made of its file.
///
/// # Errors
/// [`DiffError::Load`] when the policy rejects the settings,
/// [`DiffError::Policy`] when it cannot be reconfigured.
pub fn with_common_settings(p: &dyn LoadedPolicy) -> Result<Arc<dyn LoadedPolicy>, DiffError> {
    let info = p.info();
    match p.with_settings(&common_settings(&info.metadata)) {
        Some(configured) => Ok(configured?),
        None => Err(DiffError::Policy { variant: info.variant().to_string(), message: "this kind of policy cannot be given the comparison's settings".into() }),
    }
}

fn load_file(runtime: &Runtime, file: &Path) -> Result<Checked, DiffError> {
    Ok(Checked::read(runtime, file)?)
}

/// Loads `spec` — a `.wasm` path, or a variant id looked up in `dir`
/// (`<dir>/<variant>.wasm`, else any module there whose metadata names it) —
/// configured with [`common_settings`].
///
/// # Errors
/// [`DiffError::UnknownVariant`] when nothing in `dir` is that variant; load
/// errors naming the file.
pub fn load_module(runtime: &Runtime, spec: &str, dir: &Path) -> Result<ComponentPolicy, DiffError> {
    let checked = if spec.ends_with(".wasm") { load_file(runtime, Path::new(spec))? } else { find(runtime, spec, dir)? };
    let settings = common_settings(&checked.metadata);
    Ok(checked.configure(&settings, None)?)
}

fn find(runtime: &Runtime, variant: &str, dir: &Path) -> Result<Checked, DiffError> {
    let direct = dir.join(format!("{variant}.wasm"));
    if direct.is_file() {
        let checked = load_file(runtime, &direct)?;
        if checked.metadata.variant == variant {
            return Ok(checked);
        }
    }
    let entries = std::fs::read_dir(dir).map_err(|source| DiffError::Dir { dir: dir.to_path_buf(), source })?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p != &direct && p.extension().is_some_and(|e| e == "wasm")).collect();
    files.sort();
    for file in files {
        // a module that does not load is not the one asked for
        if let Ok(checked) = load_file(runtime, &file)
            && checked.metadata.variant == variant
        {
            return Ok(checked);
        }
    }
    Err(DiffError::UnknownVariant { variant: variant.to_string(), dir: dir.to_path_buf() })
}
