//! The crate-wide error type.
