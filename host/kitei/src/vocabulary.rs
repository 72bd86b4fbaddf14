//! One vocabulary: the core terms every module shares, and the terms each
//! module declares beyond them.
//!
//! A question names a term by its wire name, core or declared
//! ([`TermRef`]). A module's declared terms ([`ModuleTerms`]) are read once
//! at load from its metadata; a question is put to it with each declared
//! name turned into the module's position for it, or into "undeclared"
//! when the module does not have it (its own text then answers). The
//! registry's [`Vocabulary`] is every loaded module's terms together, so
//! that a name no loaded module declares is an error naming it.

use crate::error::TermError;
use crate::vocab::Wire;
use kitei_sdk::types as m;
use kitei_sdk::types::TermKind;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A core value, or a term some module declares, by its wire name.
///
/// ```
/// use kitei::TermRef;
/// use kitei::types::Function;
/// let core: TermRef<Function> = TermRef::parse("balance").unwrap();
/// assert_eq!(core, TermRef::Core(Function::Balance));
/// let declared: TermRef<Function> = TermRef::parse("debit_statement").unwrap();
/// assert_eq!(declared.wire(), "debit_statement");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TermRef<T> {
    /// a term of the core vocabulary
    Core(T),
    /// a term a module declares, by its wire name
    Declared(Arc<str>),
}

impl<T> From<T> for TermRef<T> {
    fn from(core: T) -> Self {
        TermRef::Core(core)
    }
}

impl<T: Wire> TermRef<T> {
    /// The core value of that name, else a declared term of that name.
    ///
    /// # Errors
    /// A name that is neither a core value nor snake_case (so no module can
    /// declare it), with the core values in the message.
    pub fn parse(name: &str) -> Result<Self, TermError> {
        if let Some(core) = T::from_wire(name) {
            return Ok(TermRef::Core(core));
        }
        if kitei_sdk::term::is_snake_case(name) {
            return Ok(TermRef::Declared(name.into()));
        }
        Err(TermError::new(name, format!("unknown {} `{name}`, expected one of: {} (or a term a loaded module declares)", T::WHAT, T::expected())))
    }

    /// The wire name.
    pub fn wire(&self) -> &str {
        match self {
            TermRef::Core(c) => c.wire(),
            TermRef::Declared(name) => name,
        }
    }

    /// The core value, when it is one.
    pub fn core(&self) -> Option<T> {
        match self {
            TermRef::Core(c) => Some(*c),
            TermRef::Declared(_) => None,
        }
    }
}

impl<T: Wire> serde::Serialize for TermRef<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.wire())
    }
}

impl<'de, T: Wire> serde::Deserialize<'de> for TermRef<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TermRef::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// The numbering a kind's positions are counted in (facts and channels
/// share one), as the SDK counts them.
fn space(kind: TermKind) -> u8 {
    match kind {
        TermKind::CustomerFact | TermKind::ProviderFact | TermKind::ConsentFact | TermKind::ServiceFact | TermKind::Channel => TermKind::CustomerFact as u8,
        other => other as u8,
    }
}

/// Whether a kind is one of the four fact kinds.
pub fn is_fact(kind: TermKind) -> bool {
    matches!(kind, TermKind::CustomerFact | TermKind::ProviderFact | TermKind::ConsentFact | TermKind::ServiceFact)
}

/// The terms one module declares, by name: their kind and their position
/// in the module's numbering for that kind.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModuleTerms {
    by_name: HashMap<Arc<str>, (TermKind, u16)>,
    /// the wire name at each (numbering, position)
    names: HashMap<(u8, u16), Arc<str>>,
}

impl ModuleTerms {
    /// Reads a module's declared terms from its metadata.
    ///
    /// # Errors
    /// A message naming the term: not snake_case, a core name, declared
    /// twice, its rule outside the sheet, more of a kind than the wire
    /// carries (a module built with the SDK cannot have these; one built
    /// otherwise is refused).
    pub fn from_metadata(md: &m::Metadata) -> Result<Self, TermError> {
        let mut terms = ModuleTerms::default();
        let mut next: HashMap<u8, u16> = HashMap::new();
        for t in &md.terms {
            if !kitei_sdk::term::is_snake_case(&t.name) {
                return Err(TermError::new(&t.name, format!("declared term `{}` is not snake_case", t.name)));
            }
            if is_core_name(&t.name) {
                return Err(TermError::new(&t.name, format!("declared term `{}` is a core term's name", t.name)));
            }
            if t.rule as usize >= md.rules.len() {
                return Err(TermError::new(&t.name, format!("declared term `{}` cites rule {}, past the end of the sheet", t.name, t.rule)));
            }
            let position = next.entry(space(t.kind)).or_insert(0);
            let capacity = match t.kind {
                TermKind::AccountFlag | TermKind::Function => 32,
                _ => 64,
            };
            if usize::from(*position) >= capacity {
                return Err(TermError::new(&t.name, format!("declared term `{}`: more terms of its kind than the contract carries ({capacity})", t.name)));
            }
            let name: Arc<str> = t.name.as_str().into();
            if terms.by_name.insert(name.clone(), (t.kind, *position)).is_some() {
                return Err(TermError::new(&t.name, format!("term `{}` is declared twice", t.name)));
            }
            terms.names.insert((space(t.kind), *position), name);
            *position += 1;
        }
        Ok(terms)
    }

    /// Whether the module declares no term.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The position of a declared term of one of `kinds`, if the module
    /// declares it so.
    pub fn position(&self, name: &str, kinds: &[TermKind]) -> Option<u16> {
        self.by_name.get(name).filter(|(k, _)| kinds.contains(k)).map(|&(_, p)| p)
    }

    /// The wire name of the term of `kind` at `position`.
    pub fn name(&self, kind: TermKind, position: u16) -> Option<&Arc<str>> {
        self.names.get(&(space(kind), position))
    }
}

/// The wire names no module may declare: every core value and flag, every
/// core setting, and the fields of an account object (declared account
/// flags are written beside them). The SDK checks the same at compile time.
pub fn is_core_name(name: &str) -> bool {
    use kitei_sdk::vocab::snake_case;
    let camel = [
        &m::AccountKind::NAMES[..],
        &m::Function::NAMES,
        &m::IncidentKind::NAMES,
        &m::LossEvent::NAMES,
        &m::Party::NAMES,
        &m::LiabilityRuling::NAMES,
        &m::Segment::NAMES,
        &m::Channel::NAMES,
    ];
    camel.iter().flat_map(|names| names.iter()).any(|n| snake_case(n) == name)
        || m::AccountFlags::NAMES.iter().chain(&["ID", "KIND", "FACTS"]).any(|n| n.eq_ignore_ascii_case(name))
        || kitei_sdk::settings::SettingName::from_name(name).is_some()
}

/// A term the loaded modules declare: what it is, and who declares it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Declared {
    /// what it names
    #[serde(serialize_with = "crate::vocab::serialize_wire")]
    pub kind: TermKind,
    /// its wire name
    pub name: String,
    /// the text's own word, as the first module declaring it writes it
    pub ja: String,
    /// one line of English, as the first module declaring it writes it
    pub summary: String,
    /// the variants that declare it
    pub variants: Vec<String>,
}

/// Every term the loaded modules declare, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    terms: BTreeMap<String, Declared>,
}

impl Vocabulary {
    /// Adds a module's declared terms.
    ///
    /// # Errors
    /// When the module declares a name another loaded module declares as
    /// another kind, naming both modules.
    pub fn add(&mut self, md: &m::Metadata) -> Result<(), TermError> {
        for t in &md.terms {
            if let Some(known) = self.terms.get(&t.name)
                && known.kind != t.kind
            {
                let message = format!("declares `{}` as {}, but {} declares it as {}", t.name, t.kind.what(), known.variants.join(", "), known.kind.what());
                return Err(TermError::new(&t.name, message));
            }
        }
        for t in &md.terms {
            let entry = self.terms.entry(t.name.clone()).or_insert_with(|| Declared {
                kind: t.kind,
                name: t.name.clone(),
                ja: t.ja.clone(),
                summary: t.summary.clone(),
                variants: Vec::new(),
            });
            entry.variants.push(md.variant.clone());
        }
        Ok(())
    }

    /// The declared term of that name.
    pub fn get(&self, name: &str) -> Option<&Declared> {
        self.terms.get(name)
    }

    /// Every declared term, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Declared> {
        self.terms.values()
    }

    /// The declared terms of one kind, by name.
    pub fn of_kind(&self, kind: TermKind) -> impl Iterator<Item = &Declared> {
        self.terms.values().filter(move |d| d.kind == kind)
    }

    /// Checks that `name`, asked as one of `kinds`, is declared so by a
    /// loaded module.
    ///
    /// # Errors
    /// The field and the name when no loaded module declares it, or
    /// declares it as something else.
    pub fn check(&self, field: &str, name: &str, kinds: &[TermKind]) -> Result<(), TermError> {
        match self.terms.get(name) {
            Some(d) if kinds.contains(&d.kind) => Ok(()),
            Some(d) => Err(TermError::new(
                name,
                format!(
                    "field `{field}`: `{name}` is {} ({}), not {}",
                    d.kind.what(),
                    d.variants.join(", "),
                    kinds.iter().map(|k| k.what()).collect::<Vec<_>>().join(" or ")
                ),
            )),
            None => {
                let noun = kinds.iter().map(|k| k.what().split_once(' ').map_or("", |(_, n)| n)).collect::<Vec<_>>().join(" or ");
                let core = match kinds {
                    [TermKind::Function] => Some(m::Function::expected()),
                    [TermKind::AccountKind] => Some(m::AccountKind::expected()),
                    [TermKind::Channel] => Some(m::Channel::expected()),
                    [TermKind::IncidentKind] => Some(m::IncidentKind::expected()),
                    [TermKind::LossEvent] => Some(m::LossEvent::expected()),
                    _ => None,
                };
                Err(TermError::new(
                    name,
                    match core {
                        Some(core) => format!(
                            "field `{field}`: unknown {noun} `{name}`, expected one of: {core} (or a term a loaded module declares; none declares `{name}`)"
                        ),
                        None => format!("field `{field}`: unknown {noun} `{name}`: no loaded module declares it"),
                    },
                ))
            }
        }
    }
}

/// What a term kind is called in messages.
pub trait What {
    /// `a function`, `an account flag`, …
    fn what(self) -> &'static str;
}

impl What for TermKind {
    fn what(self) -> &'static str {
        match self {
            TermKind::Function => "a function",
            TermKind::AccountKind => "an account kind",
            TermKind::AccountFlag => "an account flag",
            TermKind::CustomerFact => "a customer fact",
            TermKind::ProviderFact => "a provider fact",
            TermKind::ConsentFact => "a consent fact",
            TermKind::ServiceFact => "a service fact",
            TermKind::Channel => "a channel",
            TermKind::IncidentKind => "an incident kind",
            TermKind::LossEvent => "a loss event",
            TermKind::Party => "a party",
            TermKind::LiabilityRuling => "a liability ruling",
            TermKind::Setting => "a setting",
        }
    }
}

/// The fact kinds, where a request's `facts` object may name a term.
pub const FACT_KINDS: [TermKind; 4] = [TermKind::CustomerFact, TermKind::ProviderFact, TermKind::ConsentFact, TermKind::ServiceFact];

#[cfg(test)]
mod tests {
    use super::*;

    fn md(variant: &str, terms: &[(TermKind, &str)]) -> m::Metadata {
        m::Metadata {
            variant: variant.into(),
            rules: vec![m::Rule {
                clause: m::Clause { article: Some(1), paragraph: None, item: None, section: None },
                provenance: m::Provenance::Verbatim,
                text: "一".into(),
                code_met: "a".into(),
                code_unmet: "b".into(),
                summary: String::new(),
            }],
            terms: terms.iter().map(|(kind, name)| m::Term { kind: *kind, name: (*name).into(), ja: String::new(), summary: String::new(), rule: 0 }).collect(),
            ..m::Metadata::default()
        }
    }

    #[test]
    fn positions_are_counted_per_numbering() {
        let t = ModuleTerms::from_metadata(&md(
            "a",
            &[(TermKind::Function, "f"), (TermKind::CustomerFact, "x"), (TermKind::Channel, "c"), (TermKind::Function, "g")],
        ))
        .unwrap();
        assert_eq!(t.position("g", &[TermKind::Function]), Some(1));
        assert_eq!(t.position("c", &[TermKind::Channel]), Some(1));
        assert_eq!(t.position("c", &[TermKind::Function]), None);
        assert_eq!(t.name(TermKind::CustomerFact, 1).map(|n| &**n), Some("c"));
    }

    #[test]
    fn a_core_name_or_a_kind_clash_is_refused_naming_it() {
        assert_eq!(
            ModuleTerms::from_metadata(&md("a", &[(TermKind::Function, "balance")])).unwrap_err().to_string(),
            "declared term `balance` is a core term's name"
        );
        assert!(ModuleTerms::from_metadata(&md("a", &[(TermKind::AccountFlag, "cash_card")])).is_err());
        let mut v = Vocabulary::default();
        v.add(&md("a", &[(TermKind::Function, "x")])).unwrap();
        v.add(&md("b", &[(TermKind::Function, "x")])).unwrap();
        let e = v.add(&md("c", &[(TermKind::CustomerFact, "x")])).unwrap_err().to_string();
        assert_eq!(e, "declares `x` as a customer fact, but a, b declares it as a function");
        let e = v.check("function", "y", &[TermKind::Function]).unwrap_err().to_string();
        assert!(e.starts_with("field `function`: unknown function `y`, expected one of: account_info, balance"), "{e}");
        assert!(e.ends_with("none declares `y`)"), "{e}");
        assert_eq!(
            v.check("facts.z", "z", &FACT_KINDS).unwrap_err().to_string(),
            "field `facts.z`: unknown customer fact or provider fact or consent fact or service fact `z`: no loaded module declares it"
        );
        assert!(v.check("function", "x", &[TermKind::Function]).is_ok());
    }
}
