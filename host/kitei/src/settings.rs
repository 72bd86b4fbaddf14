//! The operator's 所定 settings as files and answers show them: core
//! settings by their names, and settings a module declares by theirs.
//!
//! A settings file (`<institution>.settings.json`) is read once, before it
//! is known which modules of the institution it goes to; [`SettingsFile::for_module`]
//! puts it in one module's terms (its declared settings by position). The
//! module validates the values itself when configured.

use crate::error::SettingsError;
use crate::vocabulary::ModuleTerms;
use kitei_sdk::types as m;
use kitei_sdk::types::TermKind;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;

/// A settings file's content: the core settings, typed, and any other
/// name as a setting some module declares.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingsFile {
    core: m::Settings,
    declared: BTreeMap<String, m::SettingValue>,
}

/// The core settings, by name: how each is read from a settings file.
const CORE: [&str; 5] = ["reauth_after_days", "registration_valid_days", "permission_valid_days", "inactivity_days", "designated_providers"];

impl SettingsFile {
    /// Reads a settings file strictly: a core setting of the wrong type, a
    /// declared one whose value is not a number, a list of ids or a
    /// yes/no, or a name no module could declare, is an error naming it.
    ///
    /// # Errors
    /// A message naming the field at fault.
    pub fn parse(text: &[u8]) -> Result<SettingsFile, SettingsError> {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(text).map_err(|e| SettingsError::new(None, e.to_string()))?;
        let mut file = SettingsFile::default();
        for (name, value) in object {
            let field = |e: serde_json::Error| SettingsError::new(Some(&name), format!("field `{name}`: {e}"));
            let days = |v: serde_json::Value| serde_json::from_value::<Option<u32>>(v).map_err(field);
            match name.as_str() {
                "reauth_after_days" => file.core.reauth_after_days = days(value)?,
                "registration_valid_days" => file.core.registration_valid_days = days(value)?,
                "permission_valid_days" => file.core.permission_valid_days = days(value)?,
                "inactivity_days" => file.core.inactivity_days = days(value)?,
                "designated_providers" => file.core.designated_providers = serde_json::from_value(value).map_err(field)?,
                _ if !kitei_sdk::term::is_snake_case(&name) => {
                    let message = format!("unknown field `{name}`, expected one of {} or a setting a module declares", CORE.join(", "));
                    return Err(SettingsError::new(Some(&name), message));
                }
                _ => {
                    let v = declared_value(&value).map_err(|what| SettingsError::new(Some(&name), format!("field `{name}`: {what}")))?;
                    file.declared.insert(name, v);
                }
            }
        }
        Ok(file)
    }

    /// The settings in the core vocabulary alone (a module that declares
    /// none), or the core part of a file.
    pub fn core(&self) -> m::Settings {
        self.core.clone()
    }

    /// The settings as the module with `terms` takes them.
    ///
    /// # Errors
    /// A setting the module does not declare, naming it and the variant.
    pub fn for_module(&self, terms: &ModuleTerms, variant: &str) -> Result<m::Settings, SettingsError> {
        let mut settings = self.core();
        for (name, value) in &self.declared {
            let position = terms
                .position(name, &[TermKind::Setting])
                .ok_or_else(|| SettingsError::new(Some(name), format!("setting `{name}` does not apply to {variant}")))?;
            settings.extension.push(m::ExtensionSetting { position, value: value.clone() });
        }
        Ok(settings)
    }
}

impl<'de> serde::Deserialize<'de> for SettingsFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let text = serde_json::to_vec(&value).map_err(serde::de::Error::custom)?;
        SettingsFile::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn declared_value(v: &serde_json::Value) -> Result<m::SettingValue, &'static str> {
    match v {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()).map(m::SettingValue::Number).ok_or("expected a whole number"),
        serde_json::Value::Bool(b) => Ok(m::SettingValue::Flag(*b)),
        serde_json::Value::Array(ids) => {
            ids.iter().map(|id| id.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().map(m::SettingValue::Ids).ok_or("expected a list of ids (strings)")
        }
        _ => Err("expected a number, a list of ids or true/false"),
    }
}

/// Settings as answers and `/v1/policies` show them: every core setting
/// (null when not set), then the module's declared ones by name.
pub struct SettingsJson<'a>(pub &'a m::Settings, pub &'a ModuleTerms);

impl Serialize for SettingsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("reauth_after_days", &c.reauth_after_days)?;
        o.serialize_entry("registration_valid_days", &c.registration_valid_days)?;
        o.serialize_entry("permission_valid_days", &c.permission_valid_days)?;
        o.serialize_entry("inactivity_days", &c.inactivity_days)?;
        o.serialize_entry("designated_providers", &c.designated_providers)?;
        for e in &c.extension {
            let name = self.1.name(TermKind::Setting, e.position).map_or("?", |n| n);
            match &e.value {
                m::SettingValue::Number(n) => o.serialize_entry(name, n)?,
                m::SettingValue::Flag(b) => o.serialize_entry(name, b)?,
                m::SettingValue::Ids(ids) => o.serialize_entry(name, ids)?,
            }
        }
        o.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_and_declared_settings_are_read_strictly() {
        let f = SettingsFile::parse(br#"{"reauth_after_days": 90, "platform_reauth_days": 30}"#).unwrap();
        assert_eq!(f.core().reauth_after_days, Some(90));
        assert!(SettingsFile::parse(br#"{"reauth_after_days": "90"}"#).unwrap_err().to_string().contains("reauth_after_days"));
        assert!(SettingsFile::parse(br#"{"Bad-Name": 1}"#).unwrap_err().to_string().starts_with("unknown field `Bad-Name`"));
        assert_eq!(SettingsFile::parse(br#"{"x": {"a": 1}}"#).unwrap_err().to_string(), "field `x`: expected a number, a list of ids or true/false");
        let e = f.for_module(&ModuleTerms::default(), "toyama-2023").unwrap_err().to_string();
        assert_eq!(e, "setting `platform_reauth_days` does not apply to toyama-2023");
    }
}
