//! akita-notice: to be written.
