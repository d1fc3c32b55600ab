//! TLS support: client identities (certificate chain and private key) for mutual TLS.
pub mod pkcs12;
