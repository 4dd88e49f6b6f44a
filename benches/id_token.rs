//! Validating one ID token (RS256 and ES256) with a warm key cache and a resolved context: the
//! cost every login and refresh pays (signature, claims), with no network.

#[path = "../tests/support/mod.rs"]
mod support;

use authtoken_core::config::ClientContext;
use authtoken_core::config::{Kind, ParamOption, Params};
use authtoken_core::oidc::id_token::{Expectations, validate};
use authtoken_core::transport::http::block_on;
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::Algorithm;
use support::hostile_provider::{CLIENT_ID, Provider, TestKey};

fn bench(c: &mut Criterion) {
    let p = Provider::start();
    let rsa = TestKey::rsa(1, Algorithm::RS256, Some("r1"));
    let ec = TestKey::ec(Algorithm::ES256, Some("e1"));
    p.set_keys(&[&rsa, &ec]);
    let mut params = Params::new(Kind::OpenId);
    params.set(ParamOption::ClientId, CLIENT_ID).unwrap();
    params
        .set(ParamOption::ConfigurationUrl, &p.issuer)
        .unwrap();
    // Resolve once, as a login does before it validates.
    let (ctx, _) = block_on(authtoken_core::provider::discovery::resolve(
        &ClientContext::from_params(&params),
    ))
    .unwrap();
    for (name, key) in [("RS256", &rsa), ("ES256", &ec)] {
        let jwt = key.sign(&p.claims(Some("n-bench")));
        let expect = Expectations {
            nonce: Some("n-bench"),
            ..Expectations::default()
        };
        // warm the key cache
        block_on(validate(&ctx, &jwt, &expect)).unwrap();
        c.bench_function(&format!("validate ID token {name} (warm key cache)"), |b| {
            b.iter(|| block_on(validate(&ctx, &jwt, &expect)).unwrap())
        });
    }
    assert_eq!(
        p.jwks_fetches(),
        1,
        "the benchmark never fetched the keys again"
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
