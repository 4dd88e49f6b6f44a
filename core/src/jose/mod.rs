//! JOSE for keys the library holds itself (RFC 7515, 7517, 7638): a private key read from PEM
//! or made fresh, its public JWK and thumbprint, and compact JWS signed with it. The DPoP key
//! (RFC 9449) is one; the parameters hold it, so this layer sits under `config`.
//!
//! The cryptography is aws-lc-rs's (parsing, key generation, signatures) and the thumbprint
//! jsonwebtoken's; this module only chooses the algorithm a key implies and assembles JSON.

mod key;

pub use key::{KeyPair, SigningAlgorithm};
