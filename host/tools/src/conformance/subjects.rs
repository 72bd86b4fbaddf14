//! What a suite runs against: loaded policies, and a way to load a
//! variant again with a scenario's settings.

use kitei::LoadedPolicy;
use kitei::Registry;
use kitei::types as m;
use kitei::{Report, Runtime, component::Checked};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Makes a variant with other settings from the loaded one.
pub type Configure = Arc<dyn Fn(&Arc<dyn LoadedPolicy>, &m::Settings) -> Result<Arc<dyn LoadedPolicy>, String> + Send + Sync>;

use kitei::SettingsFile;

/// The policies under test, by variant.
pub struct Subjects {
    registry: Registry,
    configure: Configure,
    configured: Mutex<HashMap<(String, String), Arc<dyn LoadedPolicy>>>,
}

impl Subjects {
    /// Policies of any kind; `configure` loads a variant with a scenario's
    /// settings (a variant crate: `NativePolicy::new(&POLICY, settings)`).
    pub fn new(registry: Registry, configure: Configure) -> Self {
        Subjects { registry, configure, configured: Mutex::new(HashMap::new()) }
    }

    /// Components loaded from files: a scenario's settings are applied by
    /// loading the variant's file again.
    pub fn components(registry: Registry, runtime: Runtime) -> Self {
        let configure: Configure = Arc::new(move |policy: &Arc<dyn LoadedPolicy>, settings: &m::Settings| {
            let file = policy.info().source.clone().ok_or_else(|| format!("variant `{}` was not loaded from a file", policy.info().variant()))?;
            let checked = Checked::read(&runtime, &file).map_err(|e| Report(&e).to_string())?;
            let configured = checked.configure(settings, None).map_err(|e| Report(&e).to_string())?;
            Ok(Arc::new(configured) as Arc<dyn LoadedPolicy>)
        });
        Subjects::new(registry, configure)
    }

    /// The loaded modules scenarios are put to.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The variant ids loaded, sorted.
    pub fn variants(&self) -> Vec<String> {
        let mut v: Vec<String> = self.registry.policies().iter().map(|p| p.info().variant().to_string()).collect();
        v.sort();
        v
    }

    /// A variant as loaded, or with these settings instead (loaded once per
    /// distinct settings).
    ///
    /// # Errors
    /// The variant is not loaded, or rejects the settings.
    pub fn policy(&self, variant: &str, settings: Option<&SettingsFile>) -> Result<Arc<dyn LoadedPolicy>, super::ScenarioError> {
        let loaded = self.registry.variant(variant).ok_or_else(|| format!("variant `{variant}` is not loaded"))?;
        let Some(file) = settings else { return Ok(loaded.clone()) };
        let settings = &file.for_module(&loaded.info().terms, variant).map_err(|e| e.to_string())?;
        let key = (variant.to_string(), format!("{settings:?}"));
        let mut cache = self.configured.lock().map_err(|_| "settings cache poisoned".to_string())?;
        if let Some(p) = cache.get(&key) {
            return Ok(p.clone());
        }
        let p = (self.configure)(loaded, settings).map_err(|e| format!("settings rejected: {e}"))?;
        cache.insert(key, p.clone());
        Ok(p)
    }
}
