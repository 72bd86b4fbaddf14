//! kitei's review tools for rule authors and compliance reviewers, over the
//! `kitei` library (building components is `kitei-build`, so the service,
//! which reviews but never builds, does not compile wit-component):
//! [`diff`] compares two variants' answers (the automatic 新旧対比表) and
//! lays all variants side by side, [`conformance`] runs one scenario set
//! against every variant, [`sheet`] writes a rule sheet as a page.
#![deny(missing_docs)]

pub mod conformance;
pub mod diff;
pub mod sheet;
