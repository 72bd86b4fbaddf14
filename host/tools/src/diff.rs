//! `kitei diff` and `kitei matrix`: the automatic 新旧対比表.
//!
//! [`compare`] runs two policy modules on the same bounded set of generated
//! requests ([`generate`]) and reports every class of inputs they answer
//! differently, grouped by operation and by the clauses cited on each side,
//! with one minimal example request per class. [`matrix`] asks every module
//! the same canonical questions and lays the answers side by side.
//!
//! ```no_run
//! use kitei::Runtime;
//! use kitei_tools::diff::{self, Format};
//!
//! let runtime = Runtime::new(diff::batch_limits())?;
//! let dir = std::path::Path::new("target/policies");
//! let old = diff::load_module(&runtime, "gunma-2019", dir)?;
//! let new = diff::load_module(&runtime, "gunma-2023", dir)?;
//! let at = kitei::time::parse_timestamp(diff::DEFAULT_AT).expect("valid");
//! let report = diff::compare(&old, &new, at)?;
//! print!("{}", diff::render(&report, Format::Text)?);
//! # Ok::<(), anyhow::Error>(())
//! ```

mod answer;
mod compare;
pub mod generate;
mod html;
mod load;
mod markdown;
pub mod matrix;
mod matrix_render;
mod text;

pub use compare::{Answers, ClauseView, DECISION_EXAMPLES, Explored, Group, Module, NO_CLAUSE, Report, SideView, TextChange, Traffic, compare};
pub use load::{common_settings, load_module, with_common_settings};

use kitei::{DecisionError, LoadError};

/// A group's example: a decision request naming the old variant.
#[cfg(feature = "openapi")]
pub(crate) fn example_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::Ref::from_schema_name("DecisionRequest").into()
}

/// Limits for a batch of thousands of decisions: the serving deadline
/// (100 ms a call) is for one request; a comparison on a loaded machine can
/// see a thread descheduled that long, which must not abort it. The memory
/// cap stays.
pub fn batch_limits() -> kitei::Limits {
    kitei::Limits { deadline: std::time::Duration::from_secs(5), ..kitei::Limits::default() }
}

/// The time generated requests are for, unless `--at` says otherwise.
pub const DEFAULT_AT: &str = "2024-04-01T10:00:00+09:00";

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    /// a module file does not load (naming the file)
    Load(#[from] LoadError),
    #[error("no variant `{variant}` in `{dir}` (build it with `kitei build`, or name a `.wasm` file)")]
    /// no `<variant>.wasm` in the directory searched
    UnknownVariant {
        /// the variant asked for
        variant: String,
        /// the directory searched
        dir: std::path::PathBuf,
    },
    #[error("cannot read policy directory `{}`", dir.display())]
    /// the policy directory cannot be listed
    Dir {
        /// the directory
        dir: std::path::PathBuf,
        /// the I/O error
        source: std::io::Error,
    },
    #[error(transparent)]
    /// a module could not decide a generated request (trap, deadline)
    Decision(#[from] DecisionError),
    #[error("policy `{variant}` answered outside its rule sheet: {message}")]
    /// an answer cites a rule outside the module's own sheet
    Policy {
        /// the variant that answered
        variant: String,
        /// which rule index, for which operation
        message: String,
    },
    #[error("generated request rejected: {0}")]
    /// a generated request is not a valid question (a bug of the generator)
    Generator(String),
    #[error("cannot write JSON")]
    /// the JSON report cannot be written
    Json(#[from] serde_json::Error),
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// plain text for a terminal
    Text,
    /// Markdown tables (for a review or a pull request)
    Markdown,
    /// one self-contained HTML page
    Html,
    /// the report as JSON (its schema is in the OpenAPI document)
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format `{other}`, expected one of: text, md, html, json")),
        }
    }
}

/// Renders a report.
///
/// # Errors
/// [`DiffError::Json`] only, for `Format::Json`.
pub fn render(report: &Report, format: Format) -> Result<String, DiffError> {
    Ok(match format {
        Format::Text => text::render(report),
        Format::Markdown => markdown::render(report),
        Format::Html => html::render(report),
        Format::Json => serde_json::to_string_pretty(report)? + "\n",
    })
}

/// Renders a matrix.
///
/// # Errors
/// [`DiffError::Json`] only, for `Format::Json`.
pub fn render_matrix(m: &matrix::Matrix, format: Format) -> Result<String, DiffError> {
    Ok(match format {
        Format::Text => matrix_render::text(m),
        Format::Markdown => matrix_render::markdown(m),
        Format::Html => matrix_render::html(m),
        Format::Json => serde_json::to_string_pretty(m)? + "\n",
    })
}

/// Escapes text for HTML.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
