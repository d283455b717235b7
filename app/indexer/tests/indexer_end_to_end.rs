//! The indexer binary against agave's local validator: a scripted run (deposits, opens, a
//! partial close, a trigger, a liquidation, funding over time, an LP deposit and withdrawal, a
//! withdrawal, a failed transaction) is indexed while the indexer is killed (SIGKILL) in the
//! middle and restarted; every stored amount equals the one worked out by hand from the prices
//! and the market's fees, or the change of on-chain state it caused, to the native unit; and
//! every event is stored exactly once. The same run on PostgreSQL when
//! `RINGFENCE_TEST_POSTGRES` names a server (scripts/test.sh starts one).

use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::state::{Pool, SubAccountMode};
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::accounts;
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
use ringfence_sdk::deploy::MarketList;
use ringfence_sdk::presets::{BASE_UNIT, USD};
use serde_json::Value;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use std::process::{Child, Command};
use std::time::Duration;

const FEES: &str = include_str!("fixtures/fees.toml");

/// A fee of `bps` on `notional_usd_micros` native units: exact for the amounts used here.
fn fee(notional: u64) -> u64 {
    notional / 1_000
}

/// The protocol's 20% of a fee (rounded down, as the program splits it).
fn protocol(fee: u64) -> u64 {
    fee * 2_000 / 10_000
}

struct Run {
    net: Localnet,
    client: Client,
    admin: Keypair,
    mint: Pubkey,
    database: String,
    port: u16,
    indexer: Option<Child>,
}

impl Run {
    async fn start(database: String) -> Self {
        let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new())
            .await
            .expect("local network starts");
        let client = Client::new(&net.rpc_url);
        let (admin, mint) = (Keypair::new(), Keypair::new());
        let list = MarketList::parse(FEES).unwrap();
        demo::bootstrap(&client, &admin, &mint, list, 1_000_000)
            .await
            .unwrap();
        let port = free_port();
        let mut run = Self {
            net,
            client,
            admin,
            mint: mint.pubkey(),
            database,
            port,
            indexer: None,
        };
        run.start_indexer();
        run
    }

    fn start_indexer(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_ringfence-indexer"))
            .args(["--rpc-url", &self.net.rpc_url, "--ws-url", &self.net.ws_url])
            .args(["--database", &self.database, "--poll-ms", "300"])
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("indexer starts");
        self.indexer = Some(child);
    }

    /// SIGKILL: no shutdown path runs, whatever it was doing is cut off.
    fn kill_indexer(&mut self) {
        let mut child = self.indexer.take().expect("running");
        child.kill().unwrap();
        child.wait().unwrap();
    }

    async fn get(&self, path: &str) -> Value {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        for _ in 0..300 {
            if let Ok(response) = reqwest::get(&url).await {
                return response.json().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{url} never answered");
    }

    /// Waits (≤ 60 s) until the indexer has stored `signature`; returns its row.
    async fn wait_indexed(&self, signature: &Signature) -> Value {
        let url = format!("http://127.0.0.1:{}/v1/transactions/{signature}", self.port);
        for _ in 0..600 {
            if let Ok(response) = reqwest::get(&url).await {
                if response.status().is_success() {
                    return response.json().await.unwrap();
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{signature} not indexed in 60 s");
    }

    /// Every row of a list, oldest first (walks the pages).
    async fn all(&self, path: &str) -> Vec<Value> {
        let mut rows = Vec::new();
        let mut before: Option<i64> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page = match before {
                Some(b) => self.get(&format!("{path}{sep}limit=7&before={b}")).await,
                None => self.get(&format!("{path}{sep}limit=7")).await,
            };
            rows.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_before"].as_i64() {
                Some(b) => before = Some(b),
                None => break,
            }
        }
        rows.reverse();
        rows
    }

    async fn send(&self, ixs: &[Instruction], payer: &Keypair) -> Signature {
        self.client.send(ixs, payer, &[]).await.unwrap()
    }

    async fn set_price(&self, index: u16, dollars: i64) {
        let ix = builders::set_stub_price(&self.admin.pubkey(), index, dollars * 1_000_000, 0, -6);
        self.send(&[ix], &self.admin).await;
    }

    async fn wallet(&self, usd: u64) -> (Keypair, Pubkey) {
        let wallet = Keypair::new();
        self.client
            .airdrop(&wallet.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        let token = demo::fund(&self.client, &self.admin, &self.mint, &wallet.pubkey(), usd)
            .await
            .unwrap();
        (wallet, token)
    }

    async fn collateral(&self, sub: &Pubkey) -> i64 {
        self.client
            .sub_account(sub)
            .await
            .unwrap()
            .unwrap()
            .header
            .collateral
    }

    async fn tokens(&self, token: &Pubkey) -> u64 {
        let balance = self.client.rpc.get_token_account_balance(token).await;
        balance.unwrap().amount.parse().unwrap()
    }

    async fn pool(&self) -> Pool {
        let data = self.client.data(&builders::pool_pda()).await.unwrap();
        accounts::borsh(&data.unwrap()).unwrap()
    }
}

impl Drop for Run {
    /// A failing test must not leave the indexer running.
    fn drop(&mut self) {
        if let Some(mut child) = self.indexer.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn long(base: i64, leverage: u16) -> OpenPositionArgs {
    OpenPositionArgs {
        side: Side::Long,
        base: base as u64,
        leverage,
        limit_price: u64::MAX,
    }
}

fn int(row: &Value, column: &str) -> i64 {
    row[column]
        .as_i64()
        .unwrap_or_else(|| panic!("{column} in {row}"))
}

/// The funding the indexer stored for `sub` in the transaction `signature` (paid > 0).
fn funding_in(funding: &[Value], sub: &Pubkey, signature: &Signature) -> i64 {
    funding
        .iter()
        .filter(|r| r["sub_account"] == sub.to_string() && r["signature"] == signature.to_string())
        .map(|r| int(r, "paid"))
        .sum()
}

/// One fill as the indexer must store it: kind, size, price, fee, protocol fee, realized PnL.
type ExpectedFill = (&'static str, i64, &'static str, u64, u64, i64);

async fn scripted_run(database: String) {
    let mut run = Run::start(database).await;
    let (trader, token) = run.wallet(10_000).await;
    let owner = trader.pubkey();
    let (cross, isolated, eth) = (
        builders::sub_account_pda(&owner, 0),
        builders::sub_account_pda(&owner, 1),
        builders::sub_account_pda(&owner, 2),
    );
    let (btc_oracle, eth_oracle) = (builders::stub_oracle_pda(0), builders::stub_oracle_pda(1));
    let mut signatures = Vec::new();

    // Accounts and deposits.
    let setup = [
        builders::create_user(&owner),
        builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
        builders::create_sub_account(&owner, 1, SubAccountMode::Isolated { market_index: 0 }),
        builders::create_sub_account(&owner, 2, SubAccountMode::Isolated { market_index: 1 }),
        builders::deposit(&owner, &cross, &token, 6_000 * USD),
        builders::deposit(&owner, &isolated, &token, 3_000 * USD),
        builders::deposit(&owner, &eth, &token, 110 * USD),
    ];
    run.send(&setup, &trader).await;

    // Open 0.1 BTC at $50,000, 10x, cross: fee 10 bps of $5,000.
    run.set_price(0, 50_000).await;
    let before = run.collateral(&cross).await;
    let open = builders::open_position(
        &owner,
        &cross,
        0,
        &btc_oracle,
        long(BASE_UNIT / 10, 10),
        &[],
    );
    let open_sig = run.send(&[open], &trader).await;
    let open_delta = run.collateral(&cross).await - before;
    signatures.push(open_sig);

    // BTC $51,000; close 0.04 BTC: +$40 realized, fee on $2,040.
    run.set_price(0, 51_000).await;
    let before = run.collateral(&cross).await;
    let close = builders::close_position(
        &owner,
        &cross,
        0,
        &btc_oracle,
        Some(BASE_UNIT as u64 / 25),
        0,
    );
    let close_sig = run.send(&[close], &trader).await;
    let close_delta = run.collateral(&cross).await - before;

    // Isolated 0.05 BTC at $51,000, 5x, with a stop at $50,500.
    let open_iso = builders::open_position(
        &owner,
        &isolated,
        0,
        &btc_oracle,
        long(BASE_UNIT / 20, 5),
        &[],
    );
    let stop = builders::set_triggers(&owner, &isolated, 0, &btc_oracle, 50_500 * USD, 0);
    run.send(&[open_iso, stop], &trader).await;
    run.wait_indexed(&close_sig).await;

    // Kill the indexer while a burst of deposits (1..=20 native units) lands.
    let mut burst = Vec::new();
    for amount in 1..=20u64 {
        let ix = builders::deposit(&owner, &cross, &token, amount);
        burst.push(run.send(&[ix], &trader).await);
        if amount == 3 {
            run.kill_indexer();
        }
    }

    // While it is down: BTC $50,400 fires the stop (−$30 realized, fee on $2,520, $1 keeper).
    let (keeper, keeper_token) = run.wallet(0).await;
    run.set_price(0, 50_400).await;
    let before = run.collateral(&isolated).await;
    let trigger =
        builders::execute_trigger(&keeper.pubkey(), &keeper_token, &isolated, 0, &btc_oracle);
    let trigger_sig = run.send(&[trigger], &keeper).await;
    let trigger_delta = run.collateral(&isolated).await - before;
    assert_eq!(run.tokens(&keeper_token).await, USD, "the keeper's $1");

    // ETH: 0.5 at $3,000, 15x, on $110; ETH $2,800 makes it liquidatable.
    run.set_price(1, 3_000).await;
    let open_eth =
        builders::open_position(&owner, &eth, 1, &eth_oracle, long(BASE_UNIT / 2, 15), &[]);
    run.send(&[open_eth], &trader).await;
    run.set_price(1, 2_800).await;
    run.start_indexer();
    let (liquidator, liquidator_token) = run.wallet(0).await;
    let before = run.collateral(&eth).await;
    let liquidate = builders::liquidate(
        &liquidator.pubkey(),
        &liquidator_token,
        &eth,
        1,
        &eth_oracle,
        u64::MAX,
        &[],
    );
    let liquidation_sig = run.send(&[liquidate], &liquidator).await;
    let liquidation_delta = run.collateral(&eth).await - before;
    let liquidator_paid = run.tokens(&liquidator_token).await;

    // Funding over time on the cross BTC long (longs crowd: they pay).
    tokio::time::sleep(Duration::from_secs(3)).await;
    run.set_price(0, 50_400).await;
    let before = run.collateral(&cross).await;
    let settle = builders::settle_funding(0, &btc_oracle, &[cross]);
    let settle_sig = run.send(&[settle], &trader).await;
    let settle_delta = run.collateral(&cross).await - before;
    assert!(settle_delta < 0, "the long paid funding");

    // An LP deposits $1,000 and withdraws every share.
    let (lp, lp_token) = run.wallet(1_000).await;
    run.send(
        &[builders::pool_deposit(&lp.pubkey(), &lp_token, 1_000 * USD)],
        &lp,
    )
    .await;
    let lp_state: ringfence::state::LpAccount = accounts::borsh(
        &run.client
            .data(&builders::lp_pda(&lp.pubkey()))
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    run.send(
        &[builders::pool_withdraw(
            &lp.pubkey(),
            &lp_token,
            lp_state.shares,
        )],
        &lp,
    )
    .await;
    let lp_back = run.tokens(&lp_token).await;

    // A failed transaction (a deposit of 0, preflight skipped so it lands) stores no event.
    let failed_sig = send_failing(&run, &trader, &cross, &token).await;

    // Withdraw $100 from cross.
    let withdraw = builders::withdraw(
        &owner,
        &cross,
        &token,
        100 * USD,
        &[builders::market_pda(0), btc_oracle],
    );
    let last = run.send(&[withdraw], &trader).await;
    run.wait_indexed(&last).await;

    // --- What the indexer stored. ---
    let o = owner.to_string();
    let fills = run.all(&format!("/v1/fills?owner={o}")).await;
    let funding = run.all(&format!("/v1/funding?owner={o}")).await;
    let expected: [ExpectedFill; 5] = [
        (
            "open",
            BASE_UNIT / 10,
            "50000",
            fee(5_000 * USD),
            protocol(fee(5_000 * USD)),
            0,
        ),
        (
            "close",
            -BASE_UNIT / 25,
            "51000",
            fee(2_040 * USD),
            protocol(fee(2_040 * USD)),
            40 * USD as i64,
        ),
        (
            "open",
            BASE_UNIT / 20,
            "51000",
            fee(2_550 * USD),
            protocol(fee(2_550 * USD)),
            0,
        ),
        (
            "trigger",
            -BASE_UNIT / 20,
            "50400",
            fee(2_520 * USD),
            protocol(fee(2_520 * USD)),
            -30 * USD as i64,
        ),
        (
            "open",
            BASE_UNIT / 2,
            "3000",
            fee(1_500 * USD),
            protocol(fee(1_500 * USD)),
            0,
        ),
    ];
    assert_eq!(
        fills.len(),
        6,
        "five fills and the liquidation, once each: {fills:#?}"
    );
    for (row, (kind, base, price, fee, protocol_fee, pnl)) in fills.iter().zip(expected) {
        assert_eq!(row["kind"], kind, "{row}");
        assert_eq!(int(row, "base_delta"), base, "{row}");
        assert_eq!(row["price"], price, "{row}");
        assert_eq!(row["mark"], price, "no premium in this market list: {row}");
        assert_eq!(row["premium"], "0", "{row}");
        assert_eq!(int(row, "fee"), fee as i64, "{row}");
        assert_eq!(int(row, "protocol_fee"), protocol_fee as i64, "{row}");
        assert_eq!(int(row, "realized_pnl"), pnl, "{row}");
    }
    // Each collateral change is the stored realized PnL − fee − keeper fee − funding settled
    // in the same transaction.
    let checks = [
        (&fills[0], open_delta, &cross, open_sig),
        (&fills[1], close_delta, &cross, close_sig),
        (&fills[3], trigger_delta, &isolated, trigger_sig),
    ];
    for (row, delta, sub, sig) in checks {
        let expected = int(row, "realized_pnl")
            - int(row, "fee")
            - int(row, "keeper_fee")
            - funding_in(&funding, sub, &sig);
        assert_eq!(delta, expected, "{row}");
    }
    assert_eq!(int(&fills[3], "keeper_fee"), USD as i64);

    // The liquidation: a fill and a liquidation row that agree with the chain.
    let liquidations = run.all(&format!("/v1/liquidations?owner={o}")).await;
    assert_eq!(liquidations.len(), 1, "{liquidations:#?}");
    let (fill, liq) = (&fills[5], &liquidations[0]);
    assert_eq!(
        (fill["kind"].as_str(), liq["signature"].as_str()),
        (
            Some("liquidation"),
            Some(liquidation_sig.to_string().as_str())
        )
    );
    let closed = int(liq, "closed");
    assert!(closed > 0 && closed <= BASE_UNIT / 2, "{liq}");
    // closed × ($2,800 − $3,000): −0.2 native units per atom, rounded against the trader
    // (the liquidation's size depends on the funding accrued meanwhile, so it need not be a
    // multiple of 5 atoms).
    let exact = -closed / 5;
    let realized = int(liq, "realized_pnl");
    assert!(
        realized == exact || realized == exact - 1,
        "closed × ($2,800 − $3,000): {realized} for {closed} atoms"
    );
    assert_eq!(liq["mark"], "2800");
    assert_eq!(int(fill, "penalty"), int(liq, "penalty"));
    assert_eq!(
        liquidation_delta,
        int(liq, "realized_pnl")
            - int(liq, "penalty")
            - funding_in(&funding, &eth, &liquidation_sig),
        "{liq}"
    );
    assert_eq!(int(liq, "liquidator_reward") as u64, liquidator_paid);
    assert_eq!(
        int(liq, "liquidator_reward") + int(liq, "insurance_fee"),
        int(liq, "penalty")
    );

    // Funding: the settlement's stored payment is the collateral it took.
    assert_eq!(funding_in(&funding, &cross, &settle_sig), -settle_delta);

    // Transfers: the three deposits, the burst (each once, across the kill), the withdrawal.
    let deposits = run
        .all(&format!("/v1/transfers?sub_account={cross}&kind=deposit"))
        .await;
    let amounts: Vec<i64> = deposits.iter().map(|r| int(r, "amount")).collect();
    let mut want = vec![6_000 * USD as i64];
    want.extend(1..=20);
    assert_eq!(amounts, want, "every deposit once, in order");
    for (row, sig) in deposits[1..].iter().zip(&burst) {
        assert_eq!(row["signature"], sig.to_string());
    }
    let withdrawals = run
        .all(&format!("/v1/transfers?owner={o}&kind=withdraw"))
        .await;
    assert_eq!(withdrawals.len(), 1);
    assert_eq!(int(&withdrawals[0], "amount"), 100 * USD as i64);
    assert_eq!(withdrawals[0]["counterparty"], token.to_string());
    assert_eq!(
        int(&withdrawals[0], "collateral_after"),
        run.collateral(&cross).await
    );

    // LP flows: the deposit and the withdrawal the LP's token account saw.
    let lp_rows = run.all(&format!("/v1/lp?owner={}", lp.pubkey())).await;
    assert_eq!(lp_rows.len(), 2);
    assert_eq!(
        (lp_rows[0]["kind"].as_str(), int(&lp_rows[0], "amount")),
        (Some("deposit"), 1_000 * USD as i64)
    );
    assert_eq!(int(&lp_rows[0], "shares"), lp_state.shares as i64);
    assert_eq!(
        (lp_rows[1]["kind"].as_str(), int(&lp_rows[1], "amount")),
        (Some("withdraw"), lp_back as i64)
    );

    // The failed transaction is recorded as failed, with no event.
    let failed_row = run.wait_indexed(&failed_sig).await;
    assert_eq!(
        (int(&failed_row, "failed"), int(&failed_row, "events")),
        (1, 0)
    );
    assert!(
        !fills
            .iter()
            .chain(&deposits)
            .any(|r| r["signature"] == failed_sig.to_string()),
        "a failed transaction's events are never stored"
    );

    // PnL totals per sub-account and market: realized and fees summed from the rows above.
    let pnl = run.get(&format!("/v1/pnl?owner={o}")).await;
    let total = &pnl["total"];
    let realized: i64 = fills.iter().map(|r| int(r, "realized_pnl")).sum();
    assert_eq!(int(total, "realized_pnl"), realized);
    assert_eq!(
        int(total, "fees") as u64,
        expected.iter().map(|e| e.3).sum::<u64>()
    );
    assert_eq!(int(total, "fills"), 6);
    assert_eq!(
        pnl["rows"].as_array().unwrap().len(),
        3,
        "cross BTC, isolated BTC, isolated ETH"
    );

    // The pool's earnings, summed over days, are what its realized value gained beyond LP flows.
    let pool = run.pool().await;
    let earnings: i64 = run.get("/v1/pool/earnings").await["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| int(d, "earnings"))
        .sum();
    let lp_all = run.all("/v1/lp").await;
    let net_lp: i64 = lp_all
        .iter()
        .map(|r| {
            if r["kind"] == "deposit" {
                int(r, "amount")
            } else {
                -int(r, "amount")
            }
        })
        .sum();
    assert_eq!(earnings, (pool.balance + pool.receivable) as i64 - net_lp);

    // Nothing skipped in a clean run.
    let health = run.get("/health").await;
    assert_eq!(health["counters"]["malformed_data_lines"], 0);
    run.kill_indexer();
}

/// Sends a deposit of 0 with preflight skipped, so it lands and fails; waits for its status.
async fn send_failing(run: &Run, trader: &Keypair, cross: &Pubkey, token: &Pubkey) -> Signature {
    use solana_rpc_client_api::config::RpcSendTransactionConfig;
    let ix = builders::deposit(&trader.pubkey(), cross, token, 0);
    let blockhash = run.client.rpc.get_latest_blockhash().await.unwrap();
    let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
        &[ix],
        Some(&trader.pubkey()),
        &[trader],
        blockhash,
    );
    let config = RpcSendTransactionConfig {
        skip_preflight: true,
        ..Default::default()
    };
    let sig = run
        .client
        .rpc
        .send_transaction_with_config(&tx, config)
        .await
        .unwrap();
    for _ in 0..200 {
        let status = run
            .client
            .rpc
            .get_signature_statuses(&[sig])
            .await
            .unwrap()
            .value;
        if let Some(Some(status)) = status.first() {
            if status.satisfies_commitment(run.client.rpc.commitment()) {
                assert!(status.err.is_some(), "a deposit of 0 fails");
                return sig;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the failing deposit never landed");
}

#[tokio::test(flavor = "multi_thread")]
async fn indexer_on_sqlite_stores_a_scripted_run_exactly_once_across_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.sqlite");
    scripted_run(file.to_string_lossy().into_owned()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn indexer_on_postgres_stores_the_same_run() {
    let Ok(server) = std::env::var("RINGFENCE_TEST_POSTGRES") else {
        eprintln!("skipped: RINGFENCE_TEST_POSTGRES is unset (scripts/test.sh sets it)");
        return;
    };
    let database = format!("ringfence_test_{}", std::process::id());
    sqlx_admin(&server, &format!("CREATE DATABASE {database}")).await;
    let url = format!("{}/{database}", server.trim_end_matches('/'));
    scripted_run(url).await;
    sqlx_admin(&server, &format!("DROP DATABASE {database}")).await;
}

/// Runs one statement on the server's `postgres` database.
async fn sqlx_admin(server: &str, statement: &str) {
    use sqlx::Connection;
    let url = format!("{}/postgres", server.trim_end_matches('/'));
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(statement).execute(&mut conn).await.unwrap();
}
