//! `fkn keygen`, `fkn sign-digest` and `fkn verify-digest`: keys made and
//! used on the token, and their signatures checked.

use anyhow::bail;
use clap::Args;
use fkn_core::crypto::ec::{CurveId, VerifyingKey};
use fkn_core::token::MAX_DIGESTS_PER_SIGN;

use crate::opts::{UserKeyArgs, hex_upper, parse_curve, parse_digest};

/// Arguments of `fkn keygen`.
#[derive(Args, Debug)]
pub struct KeygenArgs {
    #[command(flatten)]
    key: UserKeyArgs,

    /// Curve: cryptopro-a, cryptopro-b, cryptopro-c, tc26-256-a, tc26-512-a,
    /// tc26-512-b or tc26-512-c (any case).
    #[arg(long, value_name = "NAME", value_parser = parse_curve)]
    curve: CurveId,

    /// Key label (stored on the token; `fkn sign` uses it as the CN of the
    /// certificate it makes when the key has none).
    #[arg(long, value_name = "L", default_value = "")]
    label: String,
}

/// Arguments of `fkn sign-digest`.
#[derive(Args, Debug)]
pub struct SignDigestArgs {
    #[command(flatten)]
    key: UserKeyArgs,

    /// A Streebog digest in hex: 32 bytes for a 256-bit key, 64 for a
    /// 512-bit key. Repeat for several; up to 16 go in one sign command.
    #[arg(long = "digest", value_name = "HEX", required = true, value_parser = parse_digest)]
    digests: Vec<Vec<u8>>,
}

/// Generates a key pair on the token and prints its public key `BYTES(Q)`.
pub fn keygen(args: &KeygenArgs) -> anyhow::Result<()> {
    let id = args.key.id()?;
    let mut s = args.key.login()?;
    let key = s.generate_key(id.bytes(), args.curve, &args.label)?;
    println!("{}", hex_upper(&key.public_key));
    Ok(())
}

/// Signs each digest with key `--id`, 16 per sign command, checks every
/// signature against the key's public key, and prints `s || r` in hex, one
/// per line in the order given.
pub fn sign_digest(args: &SignDigestArgs) -> anyhow::Result<()> {
    let id = args.key.id()?;
    let (mut s, key) = args.key.login_to_key()?;
    let want = key.curve.digest_len();
    if let Some((i, d)) = args
        .digests
        .iter()
        .enumerate()
        .find(|(_, d)| d.len() != want)
    {
        bail!(
            "key {id} is a {} key and signs {want}-byte digests; digest {} has {} bytes",
            key.curve,
            i + 1,
            d.len()
        );
    }
    // A token that returns a wrong signature must not be believed.
    let verifier = VerifyingKey::from_bytes(key.curve, &key.public_key)?;
    for chunk in args.digests.chunks(MAX_DIGESTS_PER_SIGN) {
        let sigs = s.sign(id.bytes(), chunk)?;
        for (digest, sig) in chunk.iter().zip(&sigs) {
            if verifier.verify_digest(digest, sig).is_err() {
                bail!(
                    "the token's signature does not verify under key {id}'s public key; the \
                     token is faulty"
                );
            }
            println!("{}", hex_upper(sig));
        }
    }
    Ok(())
}

/// Arguments of `fkn verify-digest`.
#[derive(Args, Debug)]
pub struct VerifyDigestArgs {
    /// Curve of the key.
    #[arg(long, value_name = "NAME", value_parser = parse_curve)]
    curve: CurveId,

    /// Public key `X || Y`, each little-endian (RFC 4491's octets), in hex.
    #[arg(long, value_name = "HEX")]
    public_key: String,

    /// The digest, in hex, in the byte order the hash function outputs.
    #[arg(long, value_name = "HEX")]
    digest: String,

    /// The signature `s || r`, each big-endian, in hex.
    #[arg(long, value_name = "HEX")]
    signature: String,
}

/// Prints `valid` (exit 0) or fails with why the signature is not valid.
pub fn verify_digest(args: &VerifyDigestArgs) -> anyhow::Result<()> {
    let public =
        hex::decode(args.public_key.trim()).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?;
    let signature =
        hex::decode(args.signature.trim()).map_err(|e| anyhow::anyhow!("--signature: {e}"))?;
    let digest = parse_digest(&args.digest).map_err(|e| anyhow::anyhow!("--digest: {e}"))?;
    let key = VerifyingKey::from_bytes(args.curve, &public)?;
    key.verify_digest(&digest, &signature)
        .map_err(|e| anyhow::anyhow!("the signature is not valid: {e}"))?;
    println!("valid");
    Ok(())
}
