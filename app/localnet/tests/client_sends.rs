//! The SDK client's `send` with many transactions in flight at once, against the local network.

use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
use ringfence_sdk::deploy::MarketList;
use solana_sdk::signature::{Keypair, Signer};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FRICTIONLESS: &str = include_str!("fixtures/frictionless.toml");

/// Transactions sent at once below.
const IN_FLIGHT: u16 = 32;
/// The documented spacing of the shared status requests.
const SPACING: Duration = Duration::from_millis(50);

/// 32 sends in flight on one client (each creating a token account for a new holder) each return
/// once their transaction is `confirmed` (the account is there at `confirmed` when `send`
/// returns), and they share their status requests: at most one per 50 ms of the whole wait,
/// where a poll per transaction every 100 ms would make 16 times that.
#[tokio::test(flavor = "multi_thread")]
async fn sends_in_flight_each_confirm_and_share_their_status_requests() {
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new())
        .await
        .unwrap();
    let admin = Keypair::new();
    let mint = Keypair::new();
    let setup = Client::new(&net.rpc_url);
    let markets = MarketList::parse(FRICTIONLESS).unwrap();
    demo::bootstrap(&setup, &admin, &mint, markets, 1_000_000)
        .await
        .unwrap();
    let payer = Arc::new(Keypair::new());
    setup
        .airdrop(&payer.pubkey(), 10_000_000_000)
        .await
        .unwrap();

    let client = Arc::new(Client::new(&net.rpc_url));
    let started = Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for id in 0..IN_FLIGHT {
        let (client, payer, mint) = (Arc::clone(&client), Arc::clone(&payer), mint.pubkey());
        sends.spawn(async move {
            let holder = Keypair::new().pubkey();
            let create = builders::create_token_account(&payer.pubkey(), &holder, &mint);
            client.send(&[create], &payer, &[]).await.unwrap();
            let created = builders::token_account(&holder, &mint);
            (id, client.data(&created).await.unwrap().is_some())
        });
    }
    let mut confirmed = Vec::new();
    while let Some(done) = sends.join_next().await {
        confirmed.push(done.unwrap());
    }
    let rounds_allowed = 1 + started.elapsed().as_millis() / SPACING.as_millis();
    confirmed.sort();
    let expected: Vec<(u16, bool)> = (0..IN_FLIGHT).map(|id| (id, true)).collect();
    assert_eq!(confirmed, expected);
    let requests = u128::from(client.status_requests());
    assert!(
        (1..=rounds_allowed).contains(&requests),
        "{requests} status requests for {IN_FLIGHT} transactions, at most {rounds_allowed} allowed"
    );
}
