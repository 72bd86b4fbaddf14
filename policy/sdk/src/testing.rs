//! Helpers for variant unit tests: reading a verdict's reasons against the
//! rule sheet, and building the contract's values in one line.
//!
//! Not used by the engine; a variant's `#[cfg(test)] mod tests` calls them.
//! Functions that read rules take the variant's [`Policy`].

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test helpers: a failure is the calling test's failure")]

use crate::policy::Policy;
use crate::rule::OMITTED;
use crate::types::{Account, AccountFlags, AccountKind, LiabilityRuling, Party, PartyRuling, Reason, Settings, Timestamp};

/// The clause of each reason, in human form (`第2条第2項第1号`), in order.
pub fn cites(policy: &Policy, reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(|r| policy.rules[r.rule as usize].clause.cite()).collect()
}

/// The unmet reason code of each reason that is not met, in order.
pub fn unmet_codes(policy: &Policy, reasons: &[Reason]) -> Vec<&'static str> {
    reasons.iter().filter(|r| !r.met).map(|r| policy.rules[r.rule as usize].code(false)).collect()
}

/// The clause and unmet reason code of each reason that is not met, in order.
pub fn unmet(policy: &Policy, reasons: &[Reason]) -> Vec<(String, &'static str)> {
    reasons
        .iter()
        .filter(|r| !r.met)
        .map(|r| {
            let rule = &policy.rules[r.rule as usize];
            (rule.clause.cite(), rule.code(false))
        })
        .collect()
}

/// Settings with nothing set (the generated type has no `Default`).
pub fn no_settings() -> Settings {
    Settings::default()
}

/// The ruling for `party` among a liability answer's rulings.
///
/// # Panics
/// If the answer has no ruling for `party`.
pub fn ruling(rulings: &[PartyRuling], party: Party) -> LiabilityRuling {
    match rulings.iter().find(|r| r.party == party).expect("no ruling for the party").ruling {
        crate::types::LiabilityRulingRef::Core(r) => r,
        other => panic!("a declared ruling: {other:?}"),
    }
}

/// A core party's core ruling with its reasons.
#[derive(Clone, Debug, PartialEq)]
pub struct CoreRuling {
    pub party: Party,
    pub ruling: LiabilityRuling,
    pub reasons: Vec<crate::types::Reason>,
}

/// The whole ruling (with its reasons) for `party`, out of a liability answer.
///
/// # Panics
/// If the answer has no ruling for `party`, or it is a declared ruling.
pub fn party_ruling(rulings: Vec<PartyRuling>, party: Party) -> CoreRuling {
    let r = rulings.into_iter().find(|r| r.party == party).expect("no ruling for the party");
    let ruling = match r.ruling {
        crate::types::LiabilityRulingRef::Core(x) => x,
        other => panic!("a declared ruling: {other:?}"),
    };
    CoreRuling { party, ruling, reasons: r.reasons }
}

/// The instant `seconds` after the Unix epoch, in JST (+09:00).
pub fn jst(seconds: i64) -> Timestamp {
    Timestamp { seconds, nanos: 0, offset_seconds: 9 * 3600 }
}

/// An account of `kind` with `flags`.
pub fn account(kind: AccountKind, flags: AccountFlags) -> Account {
    Account { kind: crate::types::KindRef::Core(kind), flags, extension_flags: 0 }
}

/// The line that ends a `source.txt` header: everything after it is the
/// document as received.
pub const SOURCE_MARKER: &str = "----- 本文（受領したまま） -----";

/// The document of a `source.txt`, without its header (all of it when it
/// has no header).
pub fn source_body(source: &str) -> &str {
    match source.find(SOURCE_MARKER) {
        Some(at) => {
            let rest = &source[at + SOURCE_MARKER.len()..];
            rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n')).unwrap_or(rest)
        }
        None => source,
    }
}

/// Text as the source check compares it: whitespace and line breaks
/// dropped (the extraction breaks lines inside words and sentences), and
/// full-width ASCII letters, digits and punctuation (U+FF01–U+FF5E) folded
/// to their ASCII forms. Nothing else changes: a different character is a
/// different text.
pub fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Every rule of `rules` quoting a sentence (provenance `verbatim`,
/// `interpreted` or `setting`; not `omitted`, whose text is 省略, nor the
/// gap rule, which quotes nothing) whose text does not occur in `source`,
/// as `clause: text`, after [`normalize`] on both sides.
pub fn texts_not_in(source: &str, rules: &[crate::Rule]) -> Vec<String> {
    use crate::types::Provenance;
    let source = normalize(source);
    rules
        .iter()
        // an omitted clause quotes nothing (its text is the 省略 shown);
        // a reference to an unpublished text quotes the reference
        .filter(|r| !(matches!(r.provenance, Provenance::Omitted) && r.text == OMITTED))
        .filter(|r| r.clause != crate::Clause::whole())
        .filter(|r| !source.contains(&normalize(r.text)))
        .map(|r| format!("{}: {}", r.clause.cite(), r.text))
        .collect()
}

/// Asserts that every quoted text of `policy`'s sheet occurs in `source`
/// (a `source.txt`, header and all: the header only adds text).
///
/// # Panics
/// Listing every rule whose text is not in the source.
pub fn assert_texts_in_source(policy: &Policy, source: &str) {
    let missing = texts_not_in(source_body(source), policy.rules);
    assert!(missing.is_empty(), "{}: {} quoted text(s) not in source.txt:\n{}", policy.meta.variant, missing.len(), missing.join("\n"));
}

/// Asserts that every quoted text of `policy` occurs within the given line
/// ranges of the source's body (lines counted from 1): for a document that
/// prints two versions side by side (a 新旧対比表), the variant's own column,
/// so a text of the other column does not pass.
///
/// # Panics
/// When the body is shorter than the ranges, listing every rule whose text
/// is not in them.
pub fn assert_texts_in_lines(policy: &Policy, source: &str, ranges: &[core::ops::RangeInclusive<usize>]) {
    let lines: Vec<&str> = source_body(source).lines().collect();
    let last = ranges.iter().map(|r| *r.end()).max().unwrap_or(0);
    assert!(lines.len() >= last, "{}: source.txt has {} lines, the ranges reach {last}", policy.meta.variant, lines.len());
    let column = ranges.iter().flat_map(|r| lines[r.start() - 1..*r.end()].iter().copied()).collect::<Vec<_>>().join("\n");
    let missing = texts_not_in(&column, policy.rules);
    assert!(missing.is_empty(), "{}: quoted text(s) not in lines {ranges:?}:\n{}", policy.meta.variant, missing.join("\n"));
}

/// Asserts that the source check would catch a one-character edit of
/// `rule`: its text is found in `source` as it is, and not once its
/// second-to-last character is changed.
///
/// # Panics
/// When the rule is not in the source, or its edit still is.
pub fn assert_one_character_change_is_caught(source: &str, rule: crate::Rule) {
    assert!(texts_not_in(source, &[rule]).is_empty(), "{}: not in the source to begin with", rule.clause.cite());
    let mut chars: Vec<char> = rule.text.chars().collect();
    let i = chars.len().saturating_sub(2);
    chars[i] = if chars[i] == 'ん' { 'す' } else { 'ん' };
    let text: &'static str = Box::leak(chars.into_iter().collect::<String>().into_boxed_str());
    let edited = crate::Rule { text, ..rule };
    assert_eq!(texts_not_in(source, &[edited]).len(), 1, "{}: an edited text still passes: {text}", rule.clause.cite());
}

/// A placeholder `Meta` for the SDK's own tests of tables and engine.
#[doc(hidden)]
pub const TEST_META: crate::Meta = crate::Meta {
    variant: "test-2024",
    institution: "test",
    institution_name: "テスト銀行",
    title: "API利用規定",
    version: "2024-04-01",
    effective_from: "2024-04-01",
    effective_until: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Clause, Rule};

    const SOURCE: &str = "見出し\n----- 本文（受領したまま） -----\n第４条　当組合の責めに帰す\n\nべき事由がある場合を除き（１）、当組合は責任を負いません。";

    #[test]
    fn normalizes_only_whitespace_and_width() {
        assert_eq!(normalize("ＡＰＩ　連携\n（１）ａ！"), "API連携(1)a!");
        assert_eq!(normalize("当組合"), "当組合");
        assert_eq!(source_body(SOURCE).lines().next(), Some("第４条　当組合の責めに帰す"));
    }

    #[test]
    fn a_text_across_line_breaks_and_widths_is_found() {
        let rules = [
            Rule::verbatim(Clause::paragraph(4, 1), "当組合の責めに帰すべき事由がある場合を除き(1)、当組合は責任を負いません。"),
            Rule::omitted(Clause::paragraph(4, 2)),
            Rule::gap(),
        ];
        assert!(texts_not_in(source_body(SOURCE), &rules).is_empty());
    }

    #[test]
    fn one_character_changed_is_not_found() {
        for altered in [
            "当組合の責めに帰すべき事由がある場合を除き(1)、当組合は責任を負います。",
            "当組合の責めに帰すべき事由がない場合を除き(1)、当組合は責任を負いません。",
            "当組合の責めに帰すべき事由がある場合を除き(2)、当組合は責任を負いません。",
        ] {
            let rules = [Rule::interpreted(Clause::paragraph(4, 1), altered)];
            assert_eq!(texts_not_in(source_body(SOURCE), &rules), [format!("第4条第1項: {altered}")]);
        }
        // the header is not the document
        let rules = [Rule::verbatim(Clause::paragraph(4, 1), "見出し")];
        assert_eq!(texts_not_in(source_body(SOURCE), &rules).len(), 1);
    }
}
