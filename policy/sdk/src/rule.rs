//! Rules: a clause of the source text, how we know it, and the sentence itself.

use crate::types::Provenance;

/// The text of an omitted clause: the 省略 the source shows in its place.
pub const OMITTED: &str = "省略";

/// Where a rule stands in its document: 第N条第M項第K号, or a heading and
/// bullet (`注意事項・3`) for texts without article numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clause {
    pub article: Option<u32>,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
    pub section: Option<&'static str>,
}

impl Clause {
    /// 第`article`条 (a whole article).
    pub const fn article(article: u32) -> Self {
        Clause { article: Some(article), paragraph: None, item: None, section: None }
    }
    /// 第`article`条第`paragraph`項.
    pub const fn paragraph(article: u32, paragraph: u32) -> Self {
        Clause { article: Some(article), paragraph: Some(paragraph), item: None, section: None }
    }
    /// 第`article`条第`paragraph`項第`item`号.
    pub const fn item(article: u32, paragraph: u32, item: u32) -> Self {
        Clause { article: Some(article), paragraph: Some(paragraph), item: Some(item), section: None }
    }
    /// A heading of a text without article numbers, e.g. `連携先一覧`.
    pub const fn section(heading: &'static str) -> Self {
        Clause { article: None, paragraph: None, item: None, section: Some(heading) }
    }
    /// A bullet under a heading, counted from 1, e.g. `注意事項・3`.
    pub const fn bullet(heading: &'static str, item: u32) -> Self {
        Clause { article: None, paragraph: None, item: Some(item), section: Some(heading) }
    }
    /// The document as a whole (used by the "not addressed" rule).
    pub const fn whole() -> Self {
        Clause { article: None, paragraph: None, item: None, section: Some("全文") }
    }

    /// The human form: `第2条第2項第3号`, `注意事項・3`.
    pub fn cite(&self) -> String {
        cite(self.article, self.paragraph, self.item, self.section)
    }
}

/// The human form of a citation: `第2条第2項第3号`, or `注意事項・3` for a
/// heading and bullet.
pub fn cite(article: Option<u32>, paragraph: Option<u32>, item: Option<u32>, section: Option<&str>) -> String {
    if let Some(section) = section {
        return match item {
            Some(item) => format!("{section}・{item}"),
            None => section.to_string(),
        };
    }
    let mut out = String::new();
    for (n, unit) in [(article, "条"), (paragraph, "項"), (item, "号")] {
        if let Some(n) = n {
            out.push_str(&format!("第{n}{unit}"));
        }
    }
    out
}

/// The index of a rule in its variant's rule sheet. Declared by [`rules!`](crate::rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId(pub u16);

/// One rule of a 規定: its clause, provenance, verbatim sentence and the
/// reason codes an answer uses when the rule's condition holds or not.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub clause: Clause,
    pub provenance: Provenance,
    pub text: &'static str,
    pub code_met: &'static str,
    pub code_unmet: &'static str,
    pub summary: &'static str,
    /// The rule of the same sheet whose clause and sentence this one takes
    /// ([`Rule::reading_of`], [`Rule::verbatim_of`]); [`rules!`](crate::rules)
    /// copies them in when it builds the sheet.
    pub reads: Option<RuleId>,
}

impl Rule {
    const fn new(clause: Clause, provenance: Provenance, text: &'static str) -> Self {
        Rule { clause, provenance, text, code_met: "rule_met", code_unmet: "rule_not_met", summary: "", reads: None }
    }
    /// Our reading of the sentence `source` quotes (same clause, same text),
    /// for a question the sentence does not answer outright: the sentence is
    /// written once, in `source`. Only within [`rules!`](crate::rules), which
    /// fills in the clause and text.
    pub const fn reading_of(source: RuleId) -> Self {
        Rule { reads: Some(source), ..Self::new(Clause::whole(), Provenance::Interpreted, "") }
    }
    /// The sentence `source` quotes, quoted again (verbatim) for another
    /// question it answers, with its own codes and summary. Only within
    /// [`rules!`](crate::rules), which fills in the clause and text.
    pub const fn verbatim_of(source: RuleId) -> Self {
        Rule { reads: Some(source), ..Self::new(Clause::whole(), Provenance::Verbatim, "") }
    }
    /// A rule the source text states.
    pub const fn verbatim(clause: Clause, text: &'static str) -> Self {
        Self::new(clause, Provenance::Verbatim, text)
    }
    /// Our reading where the text is not explicit (docs/readings.md lists each reading and why).
    pub const fn interpreted(clause: Clause, text: &'static str) -> Self {
        Self::new(clause, Provenance::Interpreted, text)
    }
    /// A clause the source shows only as 省略: its content is unknown.
    pub const fn omitted(clause: Clause) -> Self {
        Self::new(clause, Provenance::Omitted, OMITTED).codes("clause_omitted", "clause_omitted")
    }
    /// A text the source refers to for what it does not decide itself, and
    /// that was not published with it (akita's notice and the API利用規定
    /// of 注意事項・5): its content is unknown, as an omitted clause's is.
    /// `reference` quotes the words that refer to it.
    pub const fn unpublished(clause: Clause, reference: &'static str) -> Self {
        Self::new(clause, Provenance::Omitted, reference).codes("referenced_text_not_published", "referenced_text_not_published")
    }
    /// An institution-determined value (所定) supplied by the operator's settings.
    pub const fn setting(clause: Clause, text: &'static str) -> Self {
        Self::new(clause, Provenance::Setting, text)
    }
    /// The rule every variant has for questions its text does not decide.
    pub const fn gap() -> Self {
        Self::new(Clause::whole(), Provenance::Interpreted, "（本規定に定めなし）")
            .codes("not_addressed", "not_addressed")
            .summary("the published text does not decide this question")
    }
    /// The reason codes used when the condition holds and when it does not.
    pub const fn codes(mut self, met: &'static str, unmet: &'static str) -> Self {
        self.code_met = met;
        self.code_unmet = unmet;
        self
    }
    /// One line of English for the rule sheet.
    pub const fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }
    /// The reason code for an outcome.
    pub fn code(&self, met: bool) -> &'static str {
        if met { self.code_met } else { self.code_unmet }
    }
}

/// Declares a variant's rule sheet in document order: one `NAME = rule;` per
/// rule. Each `NAME` becomes a [`RuleId`] constant and `RULES` the sheet.
#[macro_export]
macro_rules! rules {
    ($( $(#[$meta:meta])* $name:ident = $rule:expr ; )+) => {
        #[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
        #[repr(u16)]
        enum __RuleIndex { $( $name ),+ }
        $(
            $(#[$meta])*
            #[allow(non_upper_case_globals, dead_code)]
            pub const $name: $crate::RuleId = $crate::RuleId(__RuleIndex::$name as u16);
        )+
        /// The rule sheet, in the order of the source document.
        pub static RULES: &[$crate::Rule] = &$crate::rule::resolve([ $( $rule ),+ ]);
    };
}

/// Copies into each rule that reads another ([`Rule::reading_of`],
/// [`Rule::verbatim_of`]) the clause and sentence of the rule it reads.
/// Called by [`rules!`](crate::rules), at compile time.
///
/// # Panics
/// (A compile error in `rules!`.) When a rule reads an id past the end of the
/// sheet, a rule that itself reads another, or an omitted clause.
#[doc(hidden)]
#[allow(clippy::panic, reason = "const evaluation: the panic is a compile error in the variant crate, naming the fault")]
pub const fn resolve<const N: usize>(mut rules: [Rule; N]) -> [Rule; N] {
    let mut i = 0;
    while i < N {
        if let Some(source) = rules[i].reads {
            if source.0 as usize >= N {
                panic!("a rule reads a rule id past the end of the sheet");
            }
            let source = rules[source.0 as usize];
            if source.reads.is_some() {
                panic!("a rule reads a rule that itself reads another: point at the rule quoting the sentence");
            }
            if matches!(source.provenance, Provenance::Omitted) {
                panic!("a rule reads an omitted clause: there is no sentence to read");
            }
            rules[i].clause = source.clause;
            rules[i].text = source.text;
        }
        i += 1;
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rules! {
        R_7_3 = Rule::verbatim(Clause::paragraph(7, 3), "保守等の理由に基づき、停止されることがあります。")
            .codes("suspension_permitted", "suspension_not_listed");
        R_7_3_I = Rule::reading_of(R_7_3).codes("read_met", "read_unmet").summary("failures read as 保守等");
        R_7_3_AGAIN = Rule::verbatim_of(R_7_3).summary("the same sentence, another question");
    }

    #[test]
    fn a_reading_takes_the_clause_and_sentence_of_its_rule() {
        let [quoted, read, again] = RULES else { panic!("three rules") };
        assert_eq!((read.clause, read.text), (quoted.clause, quoted.text));
        assert_eq!((read.provenance, read.code_met, read.summary), (Provenance::Interpreted, "read_met", "failures read as 保守等"));
        assert_eq!(read.reads, Some(R_7_3));
        assert_eq!((again.clause, again.text, again.provenance), (quoted.clause, quoted.text, Provenance::Verbatim));
        assert_eq!(quoted.reads, None);
    }

    #[test]
    fn cites_in_human_form() {
        assert_eq!(Clause::item(2, 2, 3).cite(), "第2条第2項第3号");
        assert_eq!(Clause::paragraph(4, 6).cite(), "第4条第6項");
        assert_eq!(Clause::article(3).cite(), "第3条");
        assert_eq!(Clause::bullet("注意事項", 3).cite(), "注意事項・3");
        assert_eq!(Clause::section("連携先一覧").cite(), "連携先一覧");
    }
}
