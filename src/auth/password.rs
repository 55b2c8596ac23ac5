//! Password hashing (argon2id) and the minimum password rules.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub use crate::config::HashParams;
use crate::i18n::Msg;
use crate::msg;

fn hasher(p: &HashParams) -> Result<Argon2<'static>, argon2::Error> {
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// Why a password is refused; never contains the password.
pub fn check_rules(username: &str, password: &str) -> Result<(), Msg> {
    let len = password.chars().count();
    if len < MIN_LENGTH {
        return Err(msg!("at-least-characters", min = MIN_LENGTH));
    }
    if len > MAX_LENGTH {
        return Err(msg!("at-most-characters", max = MAX_LENGTH));
    }
    if password.trim().to_lowercase() == username.trim().to_lowercase() {
        return Err(msg!("password-is-username"));
    }
    Ok(())
}

/// A PHC string (`$argon2id$v=19$m=…`) with a fresh random salt.
pub fn hash(params: HashParams, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let hasher = hasher(&params).map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let hash = hasher
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    Ok(hash.to_string())
}

/// Checks `password` against a stored PHC string, with the parameters recorded in it.
pub fn verify(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: HashParams = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash(CHEAP, "correct horse battery").unwrap();
        let b = hash(CHEAP, "correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify(&a, "correct horse battery"));
        assert!(!verify(&a, "correct horse battery!"));
        assert!(!verify("not a hash", "x"));
    }

    #[test]
    fn default_parameters_are_owasp() {
        let h = hash(HashParams::default(), "correct horse battery").unwrap();
        assert!(h.contains("m=19456,t=2,p=1"), "{h}");
    }

    #[test]
    fn rules() {
        assert!(check_rules("alice", "short").is_err());
        assert!(check_rules("alice.wong1", "Alice.Wong1").is_err());
        assert!(check_rules("alice", "long enough pass").is_ok());
    }
}
