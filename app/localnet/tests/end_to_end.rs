//! The local network driven only through `solana-rpc-client`, `solana-pubsub-client`, raw HTTP
//! and the SDK, exactly as against a real cluster.

use anchor_lang::{AnchorDeserialize, Discriminator};
use futures_util::StreamExt;
use ringfence::error::RingfenceError;
use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::math::I80F48;
use ringfence::state::SubAccountMode;
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
use ringfence_sdk::deploy::{deploy, Action, MarketList};
use ringfence_sdk::presets::{BASE_UNIT, USD};
use serde_json::{json, Value};
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcSendTransactionConfig};
use solana_rpc_client_api::response::RpcSignatureResult;
use solana_sdk::instruction::InstructionError;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use std::time::Duration;

/// BTC and ETH without fees or premium, so every number below is worked out by hand.
const FRICTIONLESS: &str = include_str!("fixtures/frictionless.toml");

/// A started network with the frictionless exchange deployed and a funded pool.
struct Exchange {
    net: Localnet,
    client: Client,
    admin: Keypair,
    mint: Pubkey,
}

async fn exchange() -> Exchange {
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new())
        .await
        .expect("local network starts");
    let client = Client::new(&net.rpc_url);
    let (admin, mint) = (Keypair::new(), Keypair::new());
    let list = MarketList::parse(FRICTIONLESS).unwrap();
    demo::bootstrap(&client, &admin, &mint, list.clone(), 1_000_000)
        .await
        .unwrap();
    let again = deploy(&client, &admin, &list).await.unwrap();
    assert_eq!(
        again,
        [
            ("BTC-PERP".to_string(), Action::Unchanged),
            ("ETH-PERP".to_string(), Action::Unchanged)
        ],
        "deploy is idempotent"
    );
    let exchange = Exchange {
        net,
        client,
        admin,
        mint: mint.pubkey(),
    };
    exchange.assert_conservation().await;
    exchange
}

impl Exchange {
    /// Money is neither lost nor created: the vault holds exactly what the ledgers claim.
    async fn assert_conservation(&self) {
        let (vault, ledgers) = self.client.vault_and_ledgers().await.unwrap();
        assert_eq!(
            i128::from(vault),
            ledgers,
            "vault balance must equal the ledgers"
        );
    }

    async fn fund(&self, owner: &Pubkey, usd: u64) -> Pubkey {
        demo::fund(&self.client, &self.admin, &self.mint, owner, usd)
            .await
            .unwrap()
    }

    async fn trader(&self, usd: u64) -> (Keypair, Pubkey) {
        let trader = Keypair::new();
        self.client
            .airdrop(&trader.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        let token = self.fund(&trader.pubkey(), usd).await;
        (trader, token)
    }

    async fn set_price(&self, index: u16, dollars: i64) {
        let ix = builders::set_stub_price(&self.admin.pubkey(), index, dollars * 1_000_000, 0, -6);
        self.client.send(&[ix], &self.admin, &[]).await.unwrap();
    }
}

fn long(base: u64, leverage: u16) -> OpenPositionArgs {
    OpenPositionArgs {
        side: Side::Long,
        base,
        leverage,
        limit_price: u64::MAX,
    }
}

fn program_error(error: RingfenceError) -> TransactionError {
    TransactionError::InstructionError(0, InstructionError::Custom(u32::from(error)))
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_deposit_trade_move_price_and_reject_over_rpc() {
    let ex = exchange().await;
    let (trader, token) = ex.trader(5_000).await;
    let owner = trader.pubkey();
    let cross = builders::sub_account_pda(&owner, 0);
    let isolated = builders::sub_account_pda(&owner, 1);
    let setup = [
        builders::create_user(&owner),
        builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
        builders::create_sub_account(&owner, 1, SubAccountMode::Isolated { market_index: 0 }),
        builders::deposit(&owner, &cross, &token, 4_000 * USD),
        builders::deposit(&owner, &isolated, &token, 1_000 * USD),
    ];
    ex.client.send(&setup, &trader, &[]).await.unwrap();
    ex.assert_conservation().await;

    // The seed trades: 0.2 BTC at $50,000 with 10x ($1,000 of margin), isolated; 0.8 ETH at
    // $3,000 with 5x ($480), cross.
    let markets = ex.client.markets().await.unwrap();
    let btc = builders::open_position(
        &owner,
        &isolated,
        0,
        &markets[0].market.oracle,
        long(BASE_UNIT as u64 / 5, 10),
        &[],
    );
    let eth = builders::open_position(
        &owner,
        &cross,
        1,
        &markets[1].market.oracle,
        long(BASE_UNIT as u64 * 4 / 5, 5),
        &[],
    );
    ex.client.send(&[btc, eth], &trader, &[]).await.unwrap();
    ex.assert_conservation().await;

    let iso = ex.client.sub_account(&isolated).await.unwrap().unwrap();
    let position = iso.positions[0];
    assert_eq!(
        (position.base, position.quote_entry),
        (200_000_000, -10_000 * USD as i64)
    );
    assert_eq!(
        iso.header.collateral,
        1_000 * USD as i64,
        "no fee on a frictionless market"
    );
    let accounts = ex.client.sub_accounts_of(&owner).await.unwrap();
    let keys: Vec<Pubkey> = accounts.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        [cross, isolated],
        "found by getProgramAccounts with an owner memcmp"
    );

    // BTC −5%: the isolated account's equity is $1,000 − 0.2 × $2,500 = $500 on $9,500 notional.
    ex.set_price(0, 47_500).await;
    let markets = ex.client.markets().await.unwrap();
    let now = ex.client.now().await.unwrap();
    let health = iso
        .health(now, |i| {
            let m = &markets[usize::from(i)];
            Some((&m.market, m.mark.clone().ok()?))
        })
        .unwrap();
    // Less the funding the long skew has owed since the open: at most $0.001 an hour here
    // (0.2 BTC of skew on a $10M scale at 100 ppm/h), so under a cent in any test run.
    let equity = health.equity;
    assert!(
        equity <= I80F48::from_num(500 * USD) && equity > I80F48::from_num(500 * USD - 10_000),
        "{equity}"
    );
    assert_eq!(health.notional, I80F48::from_num(9_500 * USD));
    // Maintenance 0.5% of $9,500 = $47.50.
    assert_eq!(health.maintenance_requirement, I80F48::from_num(47_500_000));

    // 50x is above BTC's 40x: refused at preflight with the program's own error code.
    let over = builders::open_position(
        &owner,
        &isolated,
        0,
        &markets[0].market.oracle,
        long(1_000_000, 50),
        &[],
    );
    let error = ex.client.send(&[over], &trader, &[]).await.unwrap_err();
    assert_eq!(
        error.get_transaction_error(),
        Some(program_error(RingfenceError::InvalidLeverage))
    );
    let after = ex.client.sub_account(&isolated).await.unwrap().unwrap();
    assert_eq!(
        after.positions[0], position,
        "a refused order changes nothing"
    );
    ex.net.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_rpc_client_parses_statuses_transactions_and_failures() {
    let ex = exchange().await;
    let rpc = &ex.client.rpc;
    let (trader, token) = ex.trader(100).await;
    let owner = trader.pubkey();

    assert_eq!(rpc.get_version().await.unwrap().solana_core, "4.2.2");
    assert!(rpc.get_slot().await.unwrap() > 0);
    let epoch = rpc.get_epoch_info().await.unwrap();
    assert!(epoch.slot_index < epoch.slots_in_epoch && epoch.slot_index <= epoch.absolute_slot);
    assert_eq!(rpc.get_balance(&owner).await.unwrap(), 10_000_000_000);
    let rent = rpc
        .get_minimum_balance_for_rent_exemption(165)
        .await
        .unwrap();
    assert_eq!(
        rent, 2_039_280,
        "the token account rent every Solana wallet shows"
    );
    let balance = rpc.get_token_account_balance(&token).await.unwrap();
    assert_eq!(
        (balance.amount.as_str(), balance.decimals),
        ("100000000", 6)
    );
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    assert!(rpc
        .is_blockhash_valid(&blockhash, rpc.commitment())
        .await
        .unwrap());
    assert!(!rpc
        .is_blockhash_valid(&solana_sdk::hash::Hash::new_unique(), rpc.commitment())
        .await
        .unwrap());

    // A withdrawal from a sub-account that does not exist (an address the program does not
    // own) fails on chain with preflight skipped: its status carries the program's error, and
    // its fee was charged.
    let balance_before = rpc.get_balance(&owner).await.unwrap();
    let sub = builders::sub_account_pda(&owner, 0);
    let withdraw_nothing = builders::withdraw(&owner, &sub, &token, 1, &[]);
    let tx = Transaction::new_signed_with_payer(
        &[withdraw_nothing],
        Some(&owner),
        &[&trader],
        blockhash,
    );
    let config = RpcSendTransactionConfig {
        skip_preflight: true,
        ..RpcSendTransactionConfig::default()
    };
    let signature = rpc.send_transaction_with_config(&tx, config).await.unwrap();
    let mut status = None;
    for _ in 0..150 {
        status = rpc
            .get_signature_statuses(&[signature])
            .await
            .unwrap()
            .value[0]
            .clone();
        if status
            .as_ref()
            .is_some_and(|s| s.satisfies_commitment(rpc.commitment()))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = status.expect("landed");
    let expected = TransactionError::InstructionError(
        0,
        InstructionError::Custom(anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram.into()),
    );
    assert_eq!(status.err, Some(expected));
    let balance = rpc.get_balance(&owner).await.unwrap();
    assert_eq!(
        balance_before - balance,
        5_000,
        "a failed transaction still pays its fee"
    );

    // Simulation answers the same error without landing anything.
    let simulated = rpc.simulate_transaction(&tx).await.unwrap().value;
    assert!(simulated.err.is_some());

    // getMultipleAccounts and getProgramAccounts with a dataSize filter.
    let markets = rpc
        .get_multiple_accounts(&[builders::market_pda(0), builders::market_pda(7)])
        .await
        .unwrap();
    assert!(markets[0].is_some() && markets[1].is_none());
    let filter = solana_rpc_client_api::filter::RpcFilterType::DataSize(
        ringfence::state::Market::SPACE as u64,
    );
    let config = solana_rpc_client_api::config::RpcProgramAccountsConfig {
        filters: Some(vec![filter]),
        account_config: RpcAccountInfoConfig {
            encoding: Some(solana_account_decoder::UiAccountEncoding::Base64),
            ..RpcAccountInfoConfig::default()
        },
        ..Default::default()
    };
    let found = rpc
        .get_program_ui_accounts_with_config(&ringfence::ID, config)
        .await
        .unwrap();
    let mut found: Vec<Pubkey> = found.into_iter().map(|(k, _)| k).collect();
    found.sort();
    let mut expected = vec![builders::market_pda(0), builders::market_pda(1)];
    expected.sort();
    assert_eq!(found, expected);
    ex.net.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_subscriptions_notify_accounts_signatures_and_slots() {
    let ex = exchange().await;
    let (trader, token) = ex.trader(100).await;
    let owner = trader.pubkey();
    let pubsub = PubsubClient::new(&ex.net.ws_url).await.unwrap();

    let (mut slots, _unsubscribe_slots) = pubsub.slot_subscribe().await.unwrap();
    let slot = tokio::time::timeout(Duration::from_secs(10), slots.next())
        .await
        .expect("a slot within 10 s")
        .unwrap();
    assert_eq!(slot.parent + 1, slot.slot);

    let config = RpcAccountInfoConfig {
        encoding: Some(solana_account_decoder::UiAccountEncoding::Base64),
        commitment: Some(ex.client.rpc.commitment()),
        ..RpcAccountInfoConfig::default()
    };
    let (mut changes, _unsubscribe_account) = pubsub
        .account_subscribe(&token, Some(config))
        .await
        .unwrap();

    let sub = builders::sub_account_pda(&owner, 0);
    let ixs = [
        builders::create_user(&owner),
        builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
        builders::deposit(&owner, &sub, &token, 40 * USD),
    ];
    let blockhash = ex.client.rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(&ixs, Some(&owner), &[&trader], blockhash);
    let confirmed = solana_rpc_client_api::config::RpcSignatureSubscribeConfig {
        commitment: Some(ex.client.rpc.commitment()),
        enable_received_notification: None,
    };
    let (mut done, _unsubscribe_signature) = pubsub
        .signature_subscribe(&tx.signatures[0], Some(confirmed))
        .await
        .unwrap();
    ex.client.rpc.send_transaction(&tx).await.unwrap();

    let notified = tokio::time::timeout(Duration::from_secs(10), done.next())
        .await
        .expect("signature notification")
        .unwrap();
    match notified.value {
        RpcSignatureResult::ProcessedSignature(result) => assert_eq!(result.err, None),
        other => panic!("unexpected {other:?}"),
    }
    let change = tokio::time::timeout(Duration::from_secs(10), changes.next())
        .await
        .expect("account notification")
        .unwrap();
    let data = change.value.data.decode().unwrap();
    let token_state =
        <anchor_spl::token::spl_token::state::Account as solana_sdk::program_pack::Pack>::unpack(
            &data,
        )
        .unwrap();
    assert_eq!(token_state.amount, 60 * USD, "$100 − $40 deposited");
    ex.assert_conservation().await;
    ex.net.stop().await;
}

async fn post(url: &str, body: String) -> Value {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no error in {answer}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_bad_requests_get_json_rpc_errors_and_the_server_keeps_serving() {
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new())
        .await
        .unwrap();
    let url = net.rpc_url.clone();
    let call = |method: &str, params: Value| {
        json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
    };

    assert_eq!(
        code(&post(&url, "{\"jsonrpc\": \"2.0\", \"id\": 1, \"meth".into()).await),
        -32700
    );
    assert_eq!(
        code(&post(&url, call("getEverything", json!([]))).await),
        -32601
    );
    assert_eq!(
        code(
            &post(
                &url,
                call(
                    "sendTransaction",
                    json!(["%%%not base64%%%", {"encoding": "base64"}])
                )
            )
            .await
        ),
        -32602
    );
    let oversized = base64::Engine::encode(&base64::prelude::BASE64_STANDARD, vec![1u8; 1_300]);
    let answer = post(
        &url,
        call(
            "sendTransaction",
            json!([oversized, {"encoding": "base64"}]),
        ),
    )
    .await;
    assert_eq!(code(&answer), -32602);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too large"),
        "{answer}"
    );
    let garbage = base64::Engine::encode(&base64::prelude::BASE64_STANDARD, vec![7u8; 200]);
    assert_eq!(
        code(
            &post(
                &url,
                call("sendTransaction", json!([garbage, {"encoding": "base64"}]))
            )
            .await
        ),
        -32602
    );
    assert_eq!(
        code(&post(&url, call("getAccountInfo", json!(["not-a-key"]))).await),
        -32602
    );
    assert_eq!(
        code(&post(&url, call("getBalance", json!([]))).await),
        -32602
    );

    let slot = post(&url, call("getSlot", json!([]))).await;
    assert!(slot["result"].as_u64().is_some(), "still serving: {slot}");
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_program_logs_events_and_cpi_read_as_on_a_cluster() {
    let ex = exchange().await;
    let rpc = &ex.client.rpc;
    let (trader, token) = ex.trader(100).await;
    let owner = trader.pubkey();
    let cross = builders::sub_account_pda(&owner, 0);
    let setup = [
        builders::create_user(&owner),
        builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
    ];
    ex.client.send(&setup, &trader, &[]).await.unwrap();

    // A later slot still runs the program: wait a few slots, then deposit (a CPI into SPL
    // Token's transfer).
    let slot = rpc.get_slot().await.unwrap();
    while rpc.get_slot().await.unwrap() < slot + 8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The validator's simulation runs the transaction in a bank exactly as it then executes.
    let deposit = builders::deposit(&owner, &cross, &token, 40 * USD);
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(
        std::slice::from_ref(&deposit),
        Some(&owner),
        &[&trader],
        blockhash,
    );
    let simulated = rpc.simulate_transaction(&tx).await.unwrap().value;
    assert_eq!(simulated.err, None);
    let logs = simulated.logs.unwrap();
    let signature = ex.client.send(&[deposit], &trader, &[]).await.unwrap();
    // The executed transaction is in the validator's history with the same logs, found from
    // the sub-account's address (how an indexer follows the program).
    assert_eq!(stored_logs(rpc, &signature, &cross).await, logs);
    let program = ringfence::ID.to_string();
    let token_program = anchor_spl::token::ID.to_string();
    // Compute-unit lines aside (a host builtin reports none), the frame a cluster records.
    let lines: Vec<&String> = logs.iter().filter(|l| !l.contains(" consumed ")).collect();
    let event_line = lines.get(4).map_or("", |l| l.as_str());
    let expected = [
        format!("Program {program} invoke [1]"),
        "Program log: Instruction: Deposit".to_string(),
        format!("Program {token_program} invoke [2]"),
        format!("Program {token_program} success"),
        event_line.to_string(),
        format!("Program {program} success"),
    ];
    assert_eq!(lines, expected.iter().collect::<Vec<_>>(), "{logs:#?}");
    let data = event_line
        .strip_prefix("Program data: ")
        .expect("the Deposited event");
    let bytes = base64::Engine::decode(&base64::prelude::BASE64_STANDARD, data).unwrap();
    assert_eq!(&bytes[..8], ringfence::events::Deposited::DISCRIMINATOR);
    let event = ringfence::events::Deposited::try_from_slice(&bytes[8..]).unwrap();
    assert_eq!(
        (event.sub_account, event.amount, event.collateral),
        (cross, 40 * USD, 40 * USD as i64)
    );
    let collateral = ex
        .client
        .sub_account(&cross)
        .await
        .unwrap()
        .unwrap()
        .header
        .collateral;
    assert_eq!(collateral, 40 * USD as i64);

    // A refusal: Anchor's error line with the error's name, then one failure line.
    let zero = builders::deposit(&owner, &cross, &token, 0);
    let blockhash = rpc.get_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(&[zero], Some(&owner), &[&trader], blockhash);
    let simulated = rpc.simulate_transaction(&tx).await.unwrap().value;
    let logs = simulated.logs.unwrap();
    let code = u32::from(RingfenceError::ZeroAmount);
    assert!(
        logs.iter()
            .any(|l| l.starts_with("Program log: AnchorError")
                && l.contains("Error Code: ZeroAmount")
                && l.contains(&format!("Error Number: {code}"))),
        "{logs:#?}"
    );
    let failed = format!("Program {program} failed: custom program error: {code:#x}");
    assert_eq!(
        logs.iter().filter(|l| **l == failed).count(),
        1,
        "{logs:#?}"
    );
    assert_eq!(
        logs.iter().filter(|l| l.ends_with("invoke [1]")).count(),
        1,
        "{logs:#?}"
    );
}

/// The logs of `signature` as stored in the validator's history (confirmed), after checking
/// that `getSignaturesForAddress(address)` lists it. Waits at most 20 s for both.
async fn stored_logs(
    rpc: &solana_rpc_client::nonblocking::rpc_client::RpcClient,
    signature: &solana_sdk::signature::Signature,
    address: &Pubkey,
) -> Vec<String> {
    use solana_commitment_config::CommitmentConfig;
    use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
    use solana_rpc_client_api::config::RpcTransactionConfig;
    let confirmed = Some(CommitmentConfig::confirmed());
    for _ in 0..100 {
        let listed = rpc
            .get_signatures_for_address_with_config(
                address,
                GetConfirmedSignaturesForAddress2Config {
                    commitment: confirmed,
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .iter()
            .any(|s| s.signature == signature.to_string());
        let config = RpcTransactionConfig {
            commitment: confirmed,
            max_supported_transaction_version: Some(0),
            encoding: None,
        };
        if let (true, Ok(tx)) = (
            listed,
            rpc.get_transaction_with_config(signature, config).await,
        ) {
            let meta = tx.transaction.meta.expect("stored with its status");
            assert_eq!(meta.err, None);
            return Option::from(meta.log_messages).expect("stored with its logs");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{signature} not in the validator's history after 20 s");
}
