//! Our client certificate, given when the SMSC asks for one: a rustls client certificate
//! resolver that also records that it was asked and which CAs the SMSC named. rustls calls it
//! only when a CertificateRequest arrives, in TLS 1.2 and 1.3 alike, in `single` mode too
//! (where it has no certificate to give): the evidence that the SMSC wants one.

use super::evidence::Recorder;
use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls::SignatureScheme;
use std::sync::Arc;

#[derive(Debug)]
pub(super) struct RecordingResolver {
    /// Our certificate and key (mutual); none in single mode.
    pub(super) key: Option<Arc<CertifiedKey>>,
    pub(super) recorder: Arc<Recorder>,
}

impl ResolvesClientCert for RecordingResolver {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        use der::Decode;
        let names = root_hint_subjects
            .iter()
            .map(|dn| {
                x509_cert::name::Name::from_der(dn)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| "(an unreadable name)".into())
            })
            .collect();
        let mut e = self.recorder.lock();
        e.cert_request = Some(names);
        // rustls sends an empty certificate when the key cannot sign with any scheme the
        // SMSC accepts.
        e.sent_cert = self
            .key
            .as_ref()
            .is_some_and(|k| k.key.choose_scheme(sigschemes).is_some());
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}
