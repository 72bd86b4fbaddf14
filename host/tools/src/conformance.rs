//! Conformance: one scenario set run against every variant, with the
//! differences between variants stated in the files.
//!
//! A suite is a directory of JSON scenario files (`docs/conformance.md`):
//! a request without `institution`/`variant`, and per variant the answer
//! expected from the texts and docs/readings.md. [`run`] decides each scenario × variant
//! against [`Subjects`] — built components or variant crates linked
//! natively — and [`Results`] says where each answer differed.
//!
//! ```no_run
//! use kitei_tools::conformance::{self, Subjects, Suite};
//! use kitei::{Limits, Runtime};
//!
//! let runtime = Runtime::new(Limits::default())?;
//! let registry = kitei::Registry::load_dir(&runtime, "target/policies".as_ref())?;
//! let suite = Suite::load(&["tests/conformance".into()])?;
//! let results = conformance::run(&Subjects::components(registry, runtime), &suite);
//! print!("{}", results.render());
//! assert_eq!(results.failures(), 0);
//! # Ok::<(), anyhow::Error>(())
//! ```

mod compare;
mod coverage;
mod error;
mod report;
mod run;
mod scenario;
mod subjects;

pub use coverage::{COVERAGE_FILE, Coverage, uncovered};
pub use error::{ConformanceError, ScenarioError};
pub use report::{Results, Row};
pub use run::{ScenarioResult, check, response, run};
pub use scenario::{Expect, Scenario, Suite};
pub use subjects::{Configure, Subjects};
