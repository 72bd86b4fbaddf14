//! gunma-2023: to be written.
