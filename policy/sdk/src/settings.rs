//! The operator's 所定 settings: names, defaults and validation.

use crate::policy::Policy;
use crate::term::{TermId, TermKind};
use crate::types::{ExtensionSetting, SettingValue, Settings};

/// A setting a variant may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingName {
    ReauthAfterDays,
    RegistrationValidDays,
    PermissionValidDays,
    InactivityDays,
    DesignatedProviders,
}

/// Longest period accepted, in days (ten years): a larger value is a typo.
pub const MAX_DAYS: u32 = 3650;

impl SettingName {
    pub const ALL: [SettingName; 5] = [
        SettingName::ReauthAfterDays,
        SettingName::RegistrationValidDays,
        SettingName::PermissionValidDays,
        SettingName::InactivityDays,
        SettingName::DesignatedProviders,
    ];

    /// The wire name (settings files, `describe`).
    pub const fn name(self) -> &'static str {
        match self {
            SettingName::ReauthAfterDays => "reauth_after_days",
            SettingName::RegistrationValidDays => "registration_valid_days",
            SettingName::PermissionValidDays => "permission_valid_days",
            SettingName::InactivityDays => "inactivity_days",
            SettingName::DesignatedProviders => "designated_providers",
        }
    }

    /// The setting with this wire name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.name() == name)
    }

    /// Whether the setting is a period in days (else a list of provider ids).
    pub fn is_period(self) -> bool {
        !matches!(self, SettingName::DesignatedProviders)
    }

    /// Sets a period (nothing for a setting that is not one).
    pub fn set_days(self, s: &mut Settings, days: Option<u32>) {
        let slot = match self {
            SettingName::ReauthAfterDays => &mut s.reauth_after_days,
            SettingName::RegistrationValidDays => &mut s.registration_valid_days,
            SettingName::PermissionValidDays => &mut s.permission_valid_days,
            SettingName::InactivityDays => &mut s.inactivity_days,
            SettingName::DesignatedProviders => return,
        };
        *slot = days;
    }

    /// The number of days this setting holds, if it is a period.
    pub fn days(self, s: &Settings) -> Option<u32> {
        match self {
            SettingName::ReauthAfterDays => s.reauth_after_days,
            SettingName::RegistrationValidDays => s.registration_valid_days,
            SettingName::PermissionValidDays => s.permission_valid_days,
            SettingName::InactivityDays => s.inactivity_days,
            SettingName::DesignatedProviders => None,
        }
    }

    fn is_set(self, s: &Settings) -> bool {
        if self.is_period() { self.days(s).is_some() } else { s.designated_providers.is_some() }
    }
}

/// The variant's defaults as settings.
pub fn defaults(policy: &Policy) -> Settings {
    let d = &policy.defaults;
    Settings {
        reauth_after_days: d.reauth_after_days,
        registration_valid_days: d.registration_valid_days,
        permission_valid_days: d.permission_valid_days,
        inactivity_days: d.inactivity_days,
        designated_providers: d.designated_providers.map(|ids| ids.iter().map(|s| (*s).to_string()).collect()),
        extension: d.declared.iter().map(|(t, n)| ExtensionSetting { position: t.position, value: SettingValue::Number(*n) }).collect(),
    }
}

/// The number a declared setting ([`Term::setting`](crate::term::Term::setting)) holds, if it is set to one.
pub fn declared_number(s: &Settings, setting: TermId) -> Option<u32> {
    s.extension.iter().find(|e| e.position == setting.position).and_then(|e| match e.value {
        SettingValue::Number(n) => Some(n),
        _ => None,
    })
}

/// The declared setting at `position`, by its wire name.
fn declared_name(policy: &Policy, position: u16) -> Option<&'static str> {
    policy.terms.iter().filter(|t| t.kind == TermKind::Setting).nth(position as usize).map(|t| t.name)
}

/// Validates the operator's settings against the variant and fills in its
/// defaults.
///
/// # Errors
/// A message naming the setting at fault: one the variant does not read, a
/// period of zero or over [`MAX_DAYS`], an empty or repeated provider id.
pub fn validate(policy: &Policy, given: Settings) -> Result<Settings, String> {
    let variant = policy.meta.variant;
    for name in SettingName::ALL {
        if name.is_set(&given) && !policy.settings.contains(&name) {
            return Err(format!("setting `{}` does not apply to {variant}", name.name()));
        }
        if let Some(days) = name.days(&given)
            && (days == 0 || days > MAX_DAYS)
        {
            return Err(format!("setting `{}` must be between 1 and {MAX_DAYS} days, got {days}", name.name()));
        }
    }
    if let Some(ids) = &given.designated_providers {
        for (i, id) in ids.iter().enumerate() {
            if id.trim().is_empty() {
                return Err(format!("setting `designated_providers[{i}]` is empty"));
            }
            if ids[..i].contains(id) {
                return Err(format!("setting `designated_providers` lists `{id}` twice"));
            }
        }
    }
    for (i, e) in given.extension.iter().enumerate() {
        let Some(name) = declared_name(policy, e.position) else {
            return Err(format!("setting #{} is not one {variant} declares", e.position));
        };
        if given.extension[..i].iter().any(|x| x.position == e.position) {
            return Err(format!("setting `{name}` is given twice"));
        }
        // a declared setting is a period of days (what tables read it as)
        match e.value {
            SettingValue::Number(days) if (1..=MAX_DAYS).contains(&days) => {}
            SettingValue::Number(days) => {
                return Err(format!("setting `{name}` must be between 1 and {MAX_DAYS} days, got {days}"));
            }
            _ => return Err(format!("setting `{name}` must be a number of days")),
        }
    }
    let d = defaults(policy);
    let mut in_force = given;
    for e in &d.extension {
        if !in_force.extension.iter().any(|x| x.position == e.position) {
            in_force.extension.push(e.clone());
        }
    }
    in_force.extension.sort_by_key(|e| e.position);
    for name in SettingName::ALL.into_iter().filter(|n| n.is_period()) {
        let days = name.days(&in_force).or(name.days(&d));
        name.set_days(&mut in_force, days);
    }
    in_force.designated_providers = in_force.designated_providers.or(d.designated_providers);
    Ok(in_force)
}
