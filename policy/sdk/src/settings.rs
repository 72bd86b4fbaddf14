//! The operator's 所定 settings: names, defaults and validation.

use crate::policy::Policy;
use crate::types::Settings;

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
        match self {
            SettingName::DesignatedProviders => s.designated_providers.is_some(),
            other => other.days(s).is_some(),
        }
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
        designated_providers: d
            .designated_providers
            .map(|ids| ids.iter().map(|s| (*s).to_string()).collect()),
    }
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
        if let Some(days) = name.days(&given) {
            if days == 0 || days > MAX_DAYS {
                return Err(format!(
                    "setting `{}` must be between 1 and {MAX_DAYS} days, got {days}",
                    name.name()
                ));
            }
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
    let d = defaults(policy);
    Ok(Settings {
        reauth_after_days: given.reauth_after_days.or(d.reauth_after_days),
        registration_valid_days: given.registration_valid_days.or(d.registration_valid_days),
        permission_valid_days: given.permission_valid_days.or(d.permission_valid_days),
        inactivity_days: given.inactivity_days.or(d.inactivity_days),
        designated_providers: given.designated_providers.or(d.designated_providers),
    })
}
