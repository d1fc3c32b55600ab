//! The verifier of the SMSC's certificate: webpki's, remembering what was presented, with
//! pinning: an end-entity certificate byte-identical to a certificate of the trust set (a
//! self-signed SMSC certificate, or the SMSC's own leaf, given as a CA file or a keystore
//! trust entry, as Java's PKIX validator accepts it) is accepted without building a chain;
//! its dates and (unless that check is off) its name are still checked. Nothing here ever
//! accepts a certificate that is neither chained to a trust anchor nor pinned.

use super::evidence::Recorder;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// The webpki verifier, plus the pinned certificates, recording the certificate the SMSC
/// presented (for the diagnosis and `esme check`), and optionally forgiving a name mismatch
/// (only after the chain and dates verified: webpki checks the name last).
#[derive(Debug)]
pub(super) struct RecordingVerifier {
    pub(super) inner: Arc<WebPkiServerVerifier>,
    pub(super) skip_hostname: bool,
    /// The certificates of the configured trust (CA file, keystore): one of them
    /// byte-identical to the end-entity certificate pins it.
    pub(super) pins: Vec<CertificateDer<'static>>,
    pub(super) recorder: Arc<Recorder>,
}

impl RecordingVerifier {
    /// A pinned certificate: its dates, then its name.
    fn verify_pinned(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use der::Decode;
        let cert = x509_cert::Certificate::from_der(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let validity = &cert.tbs_certificate.validity;
        let secs = |t: x509_cert::time::Time| UnixTime::since_unix_epoch(t.to_unix_duration());
        let (not_before, not_after) = (secs(validity.not_before), secs(validity.not_after));
        if now.as_secs() < not_before.as_secs() {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidYetContext {
                    time: now,
                    not_before,
                },
            ));
        }
        if now.as_secs() > not_after.as_secs() {
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::ExpiredContext {
                    time: now,
                    not_after,
                },
            ));
        }
        if !self.skip_hostname {
            let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_name(&parsed, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pinned = self.pins.iter().any(|p| p.as_ref() == end_entity.as_ref());
        {
            let mut e = self.recorder.lock();
            e.presented = Some(end_entity.clone().into_owned());
            e.intermediates = intermediates.len();
            e.pinned = pinned;
        }
        if pinned {
            return self.verify_pinned(end_entity, server_name, now);
        }
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.skip_hostname => Ok(ServerCertVerified::assertion()),
            r => r,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
