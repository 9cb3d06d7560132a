//! ML-DSA signing rates of the two Rust implementations in the tree, one thread each: aws-lc-rs
//! (`PqdsaKeyPair`, what the server signs tokens with) and the RustCrypto `ml-dsa` crate (what
//! the server verifies wallets with). bench/run.py runs it in the same run as OpenSSL's rate.
//!
//! Usage: `mldsa_sign <signing-input-file> <count>`
//! Signs the file's bytes (a token's `header.payload`, as the server signs it) `count` times
//! with each implementation and each of ML-DSA-65 and ML-DSA-87, in three interleaved rounds
//! (so a noisy moment hits all of them alike), and prints one JSON line: the median signs per
//! second of each, `{"aws-lc-rs": {"ML-DSA-65": …, "ML-DSA-87": …}, "ml-dsa": {…}, …}`.
//!
//! Both sign hedged (FIPS 204's default: fresh randomness per signature, empty context), so
//! each signature runs its own number of rejection-sampling rounds, as the server's do; a
//! deterministic signer on one fixed message would repeat one round count and skew the rate.
//! Before the clock starts, a few signatures of each are checked by the other implementation.

use std::time::Instant;

use aws_lc_rs::signature::{
    KeyPair, ML_DSA_65, ML_DSA_65_SIGNING, ML_DSA_87, ML_DSA_87_SIGNING, PqdsaKeyPair,
    PqdsaSigningAlgorithm, UnparsedPublicKey, VerificationAlgorithm,
};
use ml_dsa::common::getrandom::SysRng;
use ml_dsa::{
    EncodedVerifyingKey, ExpandedSigningKey, Keypair as _, MlDsa65, MlDsa87, MlDsaParams, Seed,
    SigningKey, Verifier, VerifyingKey,
};

const ROUNDS: usize = 3;

/// One implementation and parameter set, ready to sign `message` many times.
trait Signer {
    /// Signs `message` once; returns the signature.
    fn sign(&self, message: &[u8]) -> Vec<u8>;
    /// Whether the *other* implementation accepts `signature` of `message`.
    fn cross_check(&self, message: &[u8], signature: &[u8]) -> bool;
}

/// Whether another implementation accepts a signature (`message`, `signature`).
type CrossCheck = dyn Fn(&[u8], &[u8]) -> bool;

/// aws-lc-rs, with the same seed as its RustCrypto twin (so each checks the other's output).
struct AwsLc {
    key_pair: PqdsaKeyPair,
    signature_len: usize,
    /// The RustCrypto verifier of the same public key.
    check: Box<CrossCheck>,
}

impl Signer for AwsLc {
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.signature_len];
        let length = self
            .key_pair
            .sign(message, &mut signature)
            .expect("aws-lc-rs signing");
        signature.truncate(length);
        signature
    }

    fn cross_check(&self, message: &[u8], signature: &[u8]) -> bool {
        (self.check)(message, signature)
    }
}

/// The `ml-dsa` crate: the expanded key (as a server would keep it), randomized signing.
struct RustCrypto<P: MlDsaParams> {
    key: ExpandedSigningKey<P>,
    aws_lc_public: Vec<u8>,
    aws_lc_verification: &'static dyn VerificationAlgorithm,
}

impl<P: MlDsaParams> Signer for RustCrypto<P> {
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key
            .sign_randomized(message, &[], &mut SysRng)
            .expect("ml-dsa signing")
            .encode()
            .to_vec()
    }

    fn cross_check(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(self.aws_lc_verification, &self.aws_lc_public)
            .verify(message, signature)
            .is_ok()
    }
}

/// The aws-lc-rs and `ml-dsa` signers of one parameter set, from one seed.
fn pair<P: MlDsaParams + 'static>(
    seed: [u8; 32],
    signing: &'static PqdsaSigningAlgorithm,
    verification: &'static dyn VerificationAlgorithm,
) -> (Box<dyn Signer>, Box<dyn Signer>) {
    let key_pair = PqdsaKeyPair::from_seed(signing, &seed).expect("aws-lc-rs key from seed");
    let aws_lc_public = key_pair.public_key().as_ref().to_vec();
    let rust_crypto_seed = Seed::from(seed);
    let rust_crypto_public = SigningKey::<P>::from_seed(&rust_crypto_seed)
        .verifying_key()
        .encode();
    assert_eq!(
        rust_crypto_public.as_slice(),
        aws_lc_public.as_slice(),
        "one seed, one public key"
    );
    let verifying_key = VerifyingKey::<P>::decode(
        &EncodedVerifyingKey::<P>::try_from(aws_lc_public.as_slice()).expect("public key length"),
    );
    let check = Box::new(move |message: &[u8], signature: &[u8]| {
        ml_dsa::Signature::<P>::try_from(signature)
            .is_ok_and(|signature| verifying_key.verify(message, &signature).is_ok())
    });
    let aws_lc = AwsLc {
        signature_len: signing.signature_len(),
        key_pair,
        check,
    };
    let rust_crypto = RustCrypto::<P> {
        key: ExpandedSigningKey::from_seed(&rust_crypto_seed),
        aws_lc_public,
        aws_lc_verification: verification,
    };
    (Box::new(aws_lc), Box::new(rust_crypto))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: mldsa_sign <signing-input-file> <count>");
        std::process::exit(2);
    }
    let message = std::fs::read(&args[1]).expect("cannot read the signing input");
    let count: usize = args[2].parse().expect("count");
    let (aws_65, rust_65) = pair::<MlDsa65>([65; 32], &ML_DSA_65_SIGNING, &ML_DSA_65);
    let (aws_87, rust_87) = pair::<MlDsa87>([87; 32], &ML_DSA_87_SIGNING, &ML_DSA_87);
    let signers: [(&str, &str, &dyn Signer); 4] = [
        ("aws-lc-rs", "ML-DSA-65", aws_65.as_ref()),
        ("ml-dsa", "ML-DSA-65", rust_65.as_ref()),
        ("aws-lc-rs", "ML-DSA-87", aws_87.as_ref()),
        ("ml-dsa", "ML-DSA-87", rust_87.as_ref()),
    ];
    // Before the clock: each signs a few times, every signature checked by the other.
    for (implementation, algorithm, signer) in &signers {
        for _ in 0..8 {
            let signature = signer.sign(&message);
            assert!(
                signer.cross_check(&message, &signature),
                "{implementation} {algorithm}: the other implementation rejects its signature"
            );
        }
    }
    let mut rates = vec![Vec::new(); signers.len()];
    for _ in 0..ROUNDS {
        for (index, (_, _, signer)) in signers.iter().enumerate() {
            let started = Instant::now();
            for _ in 0..count {
                std::hint::black_box(signer.sign(std::hint::black_box(&message)));
            }
            rates[index].push(count as f64 / started.elapsed().as_secs_f64());
        }
    }
    let mut report = serde_json::json!({
        "message_bytes": message.len(),
        "count": count,
        "rounds": ROUNDS,
    });
    for ((implementation, algorithm, _), mut rates) in signers.iter().zip(rates) {
        rates.sort_by(f64::total_cmp);
        report[*implementation][*algorithm] = serde_json::json!(rates[rates.len() / 2]);
    }
    println!("{report}");
}
