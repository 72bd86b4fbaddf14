//! rokin-2019: to be written.
