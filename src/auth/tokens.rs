//! Access tokens (JWT) and refresh tokens (opaque, stored only as a hash).

use std::collections::HashMap;

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Role;
use crate::config::{AuthConfig, JwtKeys};

/// The `typ` claim of an access token. Nothing else the service issues carries it.
pub const ACCESS_TYP: &str = "access";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub typ: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<i64>,
    /// The user's token version when issued; a bump invalidates every earlier token.
    pub ver: i64,
}

/// Why a token was refused; logged at debug level, never sent (clients see one answer).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("malformed token or header")]
    Malformed,
    #[error("no `kid` in the header")]
    MissingKid,
    #[error("unknown `kid`")]
    UnknownKid,
    #[error("rejected: {0}")]
    Invalid(String),
    #[error("issued in the future")]
    FromTheFuture,
    #[error("not an access token")]
    WrongType,
}

struct VerifyingKey {
    key: DecodingKey,
    algorithm: Algorithm,
}

/// One signing key and every key that still verifies, by `kid`.
pub struct KeySet {
    signing_kid: String,
    signing_key: EncodingKey,
    algorithm: Algorithm,
    verifying: HashMap<String, VerifyingKey>,
    issuer: String,
    audience: String,
    access_ttl_secs: i64,
}

/// Seconds of clock skew tolerated on exp and iat.
pub const LEEWAY_SECS: u64 = 30;

fn kid_of(material: &[u8]) -> String {
    let digest = Sha256::digest([b"kid:".as_slice(), material].concat());
    hex(&digest[..8])
}

type DecodePem = fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>;

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl KeySet {
    pub fn from_config(config: &AuthConfig) -> anyhow::Result<KeySet> {
        let mut verifying = HashMap::new();
        let (signing_kid, signing_key, algorithm) = match &config.jwt_keys {
            JwtKeys::Generated => {
                let mut secret = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut secret);
                tracing::warn!(
                    "JWT_SECRET is not set: using a random secret for this process only \
                     (development mode); tokens will not survive a restart"
                );
                let kid = kid_of(&secret);
                verifying.insert(
                    kid.clone(),
                    VerifyingKey {
                        key: DecodingKey::from_secret(&secret),
                        algorithm: Algorithm::HS256,
                    },
                );
                (kid, EncodingKey::from_secret(&secret), Algorithm::HS256)
            }
            JwtKeys::Hs256 { secret, previous } => {
                for s in std::iter::once(secret).chain(previous) {
                    verifying.insert(
                        kid_of(s.expose().as_bytes()),
                        VerifyingKey {
                            key: DecodingKey::from_secret(s.expose().as_bytes()),
                            algorithm: Algorithm::HS256,
                        },
                    );
                }
                (
                    kid_of(secret.expose().as_bytes()),
                    EncodingKey::from_secret(secret.expose().as_bytes()),
                    Algorithm::HS256,
                )
            }
            JwtKeys::Asymmetric {
                algorithm,
                private_pem,
                public_pem,
                previous_public_pems,
            } => {
                let (encoding, decode): (EncodingKey, DecodePem) = match algorithm {
                    Algorithm::EdDSA => (
                        EncodingKey::from_ed_pem(private_pem.expose().as_bytes())?,
                        DecodingKey::from_ed_pem,
                    ),
                    Algorithm::RS256 => (
                        EncodingKey::from_rsa_pem(private_pem.expose().as_bytes())?,
                        DecodingKey::from_rsa_pem,
                    ),
                    other => anyhow::bail!("unsupported JWT algorithm {other:?}"),
                };
                for pem in std::iter::once(public_pem).chain(previous_public_pems) {
                    verifying.insert(
                        kid_of(pem.trim().as_bytes()),
                        VerifyingKey {
                            key: decode(pem.as_bytes())?,
                            algorithm: *algorithm,
                        },
                    );
                }
                (kid_of(public_pem.trim().as_bytes()), encoding, *algorithm)
            }
        };
        Ok(KeySet {
            signing_kid,
            signing_key,
            algorithm,
            verifying,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            access_ttl_secs: config.access_ttl.as_secs() as i64,
        })
    }

    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    /// Signs an access token for a user as it is now.
    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
        branch: Option<i64>,
        token_version: i64,
    ) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            exp: now + self.access_ttl_secs,
            iat: now,
            jti: random_token(16),
            typ: ACCESS_TYP.into(),
            role,
            branch,
            ver: token_version,
        };
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.signing_kid.clone());
        Ok(jsonwebtoken::encode(&header, &claims, &self.signing_key)?)
    }

    /// Verifies signature, algorithm (per key), iss, aud, exp, iat and typ.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        let kid = header.kid.ok_or(TokenError::MissingKid)?;
        let key = self.verifying.get(&kid).ok_or(TokenError::UnknownKid)?;
        // The key decides the algorithm, never the token: no `none`, no HS256 signed with a
        // public key.
        let mut validation = Validation::new(key.algorithm);
        validation.algorithms = vec![key.algorithm];
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        let claims = data.claims;
        if claims.iat > chrono::Utc::now().timestamp() + LEEWAY_SECS as i64 {
            return Err(TokenError::FromTheFuture);
        }
        if claims.typ != ACCESS_TYP {
            return Err(TokenError::WrongType);
        }
        Ok(claims)
    }
}

/// `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// How a refresh token is stored: only its SHA-256 (the token itself is 256 random bits,
/// so a fast hash is enough).
pub fn hash_refresh_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeySet {
        KeySet::from_config(&AuthConfig {
            jwt_keys: JwtKeys::Hs256 {
                secret: crate::config::Secret::new("s".repeat(32)),
                previous: vec![],
            },
            ..AuthConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn issued_tokens_verify() {
        let k = keys();
        let t = k.issue(7, Role::Secretary, Some(3), 2).unwrap();
        let c = k.verify(&t).unwrap();
        assert_eq!(
            (c.sub.as_str(), c.role, c.branch, c.ver),
            ("7", Role::Secretary, Some(3), 2)
        );
        assert_eq!(c.exp - c.iat, 900);
    }

    #[test]
    fn rotated_secrets_still_verify() {
        let old = keys();
        let token = old.issue(1, Role::Admin, None, 1).unwrap();
        let rotated = KeySet::from_config(&AuthConfig {
            jwt_keys: JwtKeys::Hs256 {
                secret: crate::config::Secret::new("n".repeat(40)),
                previous: vec![crate::config::Secret::new("s".repeat(32))],
            },
            ..AuthConfig::default()
        })
        .unwrap();
        assert!(rotated.verify(&token).is_ok());
        assert_ne!(rotated.signing_kid(), old.signing_kid());
        let fresh = rotated.issue(1, Role::Admin, None, 1).unwrap();
        assert_eq!(old.verify(&fresh), Err(TokenError::UnknownKid));
    }

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn rs256_and_eddsa_keys_sign_and_verify() {
        for (algorithm, private, public) in [
            (Algorithm::RS256, "rsa-private.pem", "rsa-public.pem"),
            (
                Algorithm::EdDSA,
                "ed25519-private.pem",
                "ed25519-public.pem",
            ),
        ] {
            let keys = KeySet::from_config(&AuthConfig {
                jwt_keys: JwtKeys::Asymmetric {
                    algorithm,
                    private_pem: crate::config::Secret::new(fixture(private)),
                    public_pem: fixture(public),
                    previous_public_pems: vec![],
                },
                ..AuthConfig::default()
            })
            .unwrap();
            let token = keys.issue(3, Role::Hr, None, 1).unwrap();
            assert_eq!(keys.verify(&token).unwrap().sub, "3");
        }
    }

    #[test]
    fn refresh_hashes_are_stable_hex() {
        let t = random_token(32);
        assert_eq!(t.len(), 43);
        assert_eq!(hash_refresh_token(&t), hash_refresh_token(&t));
        assert_eq!(hash_refresh_token(&t).len(), 64);
    }
}
