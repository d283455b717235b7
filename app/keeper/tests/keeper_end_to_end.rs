//! The keeper against the local network: scoring real account bytes, liquidating worst first,
//! leaving healthy accounts alone, cranking funding, executing a crossed stop-loss once,
//! filling a crossed limit order once and pruning an expired one, and surviving an RPC that
//! fails, stalls and comes back.

use ringfence::instructions::Side;
use ringfence::math::I80F48;
use ringfence::state::{Position, SubAccountMode};
use ringfence_keeper::scoring::rank;
use ringfence_keeper::Outcome;
use ringfence_sdk::accounts;
use ringfence_sdk::builders;
use ringfence_sdk::presets::USD;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

mod common;

use common::{eventually, world};

const BTC: u16 = 0;
const ETH: u16 = 1;
const TENTH_BTC: u64 = 100_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn keeper_liquidates_worst_first_spares_the_healthy_cranks_funding_and_fires_a_stop_once() {
    let w = world().await;
    // A: isolated, $1,000, 0.2 BTC at 10x. B: cross, $1,520, 0.3 BTC at 10x. C: cross,
    // $5,000, 0.1 BTC at 5x. D: isolated ETH, $1,000, 1 ETH at 5x with a stop at $2,900.
    let (_, a) = w
        .trader(
            SubAccountMode::Isolated { market_index: BTC },
            1_000,
            BTC,
            2 * TENTH_BTC,
            10,
        )
        .await;
    let (_, b) = w
        .trader(SubAccountMode::Cross, 1_520, BTC, 3 * TENTH_BTC, 10)
        .await;
    let (_, c) = w
        .trader(SubAccountMode::Cross, 5_000, BTC, TENTH_BTC, 5)
        .await;
    let (d_owner, d) = w
        .trader(
            SubAccountMode::Isolated { market_index: ETH },
            1_000,
            ETH,
            1_000_000_000,
            5,
        )
        .await;
    let stop = builders::set_triggers(
        &d_owner.pubkey(),
        &d,
        ETH,
        &builders::stub_oracle_pda(ETH),
        2_900_000_000,
        0,
    );
    w.client.send(&[stop], &d_owner, &[]).await.unwrap();

    // BTC to $45,100. A: equity 1,000 − 0.2 × 4,900 = $20 against MM 0.5% × $9,020 = $45.10.
    // B: 1,520 − 0.3 × 4,900 = $50 against 0.5% × $13,530 = $67.65. C: healthy.
    w.set_price(BTC, 45_100).await;
    w.set_price(ETH, 2_850).await;
    w.assert_conservation().await;

    // Scoring on the program's own account bytes, read back raw over RPC.
    let mut decoded = Vec::new();
    for key in [a, b, c] {
        let raw = w.client.rpc.get_account(&key).await.unwrap();
        decoded.push((key, accounts::sub_account(&raw.data).expect("decodes")));
    }
    let markets = w.client.markets().await.unwrap();
    let now = w.client.now().await.unwrap();
    let (ranked, unpriced) = rank(&decoded, &markets, now);
    assert!(unpriced.is_empty());
    let order: Vec<Pubkey> = ranked.iter().map(|r| r.key).collect();
    assert_eq!(
        order,
        [a, b],
        "A (20 / 45.10) is worse than B (50 / 67.65); C is healthy"
    );
    let near = |x: I80F48, y: f64| (x.to_num::<f64>() - y).abs() < 0.001;
    assert!(
        near(ranked[0].health_ratio, 20.0 / 45.10),
        "{}",
        ranked[0].health_ratio
    );
    assert!(
        near(ranked[1].health_ratio, 50.0 / 67.65),
        "{}",
        ranked[1].health_ratio
    );
    // $45.10 − $20 = $25.10, plus the funding the long skew has accrued (well under a cent).
    let shortfall = ranked[0].shortfall.to_num::<f64>();
    assert!(
        (25_100_000.0..25_110_000.0).contains(&shortfall),
        "{shortfall}"
    );

    let c_before = w.positions(&c).await;
    let funding_before = w.client.markets().await.unwrap()[0].market.last_funding_ts;
    let keeper = w.keeper(&w.net.rpc_url).await;
    let (stop_keeper, shutdown) = watch::channel(false);
    let running = tokio::spawn(Arc::clone(&keeper).run(shutdown));

    eventually("both liquidations and the stop", async || {
        let c = keeper.counters();
        c.liquidations_landed >= 2 && c.triggers_executed >= 1 && c.funding_cranks >= 4
    })
    .await;
    // Let a few more scans pass: nothing more is owed, so nothing more may be sent.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    stop_keeper.send(true).unwrap();
    running.await.unwrap();

    let counters = keeper.counters();
    let landed = keeper.landed_liquidations();
    assert_eq!(landed.first(), Some(&(a, BTC)), "the worst account first");
    assert!(landed.contains(&(b, BTC)));
    assert!(
        landed.iter().all(|(k, _)| *k == a || *k == b),
        "only A and B: {landed:?}"
    );
    assert_eq!(counters.triggers_executed, 1, "a stop fires once");
    assert!(counters.failed.is_empty(), "{:?}", counters.failed);
    assert_eq!(counters.liquidations_sent, counters.liquidations_landed);
    assert!(counters.scans >= 2 && counters.accounts_scanned >= 4);
    // The healthy account kept its position (funding cranks settle its funding, nothing more).
    let sizes = |ps: &[Position]| {
        ps.iter()
            .map(|p| (p.base, p.quote_entry))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sizes(&w.positions(&c).await),
        sizes(&c_before),
        "C is not liquidated"
    );
    assert!(
        w.positions(&d).await.iter().all(|p| p.base == 0),
        "the stop closed D"
    );
    let funding_after = w.client.markets().await.unwrap()[0].market.last_funding_ts;
    assert!(funding_after > funding_before, "funding was cranked");
    w.assert_conservation().await;
    w.net.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn keeper_fills_a_crossed_limit_order_once_and_prunes_an_expired_one() {
    let w = world().await;
    let (trader, token) = w.wallet(5_000).await;
    let owner = trader.pubkey();
    let sub = builders::sub_account_pda(&owner, 0);
    let expiry = w.client.now().await.unwrap() + 600;
    // A buy of 0.1 BTC at $49,000 or better, 5x, in a frictionless market at $50,000.
    let order = ringfence::instructions::PlaceOrderArgs {
        side: Side::Long,
        base: TENTH_BTC,
        leverage: 5,
        limit_price: 49_000 * USD,
        expiry,
        reduce_only: false,
    };
    let ixs = [
        builders::create_user(&owner),
        builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
        builders::deposit(&owner, &sub, &token, 5_000 * USD),
        builders::place_order(&owner, &sub, BTC, &builders::stub_oracle_pda(BTC), order),
        // A sell at $60,000 that expires in 2 s: never crossed, pruned once dead.
        builders::place_order(
            &owner,
            &sub,
            BTC,
            &builders::stub_oracle_pda(BTC),
            ringfence::instructions::PlaceOrderArgs {
                side: Side::Short,
                limit_price: 60_000 * USD,
                expiry: expiry - 598,
                ..order
            },
        ),
    ];
    w.client.send(&ixs, &trader, &[]).await.unwrap();
    let keeper = w.keeper(&w.net.rpc_url).await;
    let (stop_keeper, shutdown) = watch::channel(false);
    let running = tokio::spawn(Arc::clone(&keeper).run(shutdown));
    eventually("a few scans", async || keeper.counters().scans >= 3).await;
    assert_eq!(
        keeper.counters().orders_executed,
        0,
        "$50,000 has not crossed"
    );

    w.set_price(BTC, 48_900).await;
    eventually("the order filled", async || {
        keeper.counters().orders_executed >= 1
    })
    .await;
    eventually("the expired order pruned", async || {
        keeper.counters().orders_pruned >= 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    stop_keeper.send(true).unwrap();
    running.await.unwrap();
    let counters = keeper.counters();
    assert_eq!(counters.orders_executed, 1, "filled once");
    assert_eq!(counters.orders_pruned, 1, "pruned once");
    assert!(counters.failed.is_empty(), "{:?}", counters.failed);
    let view = w.client.sub_account(&sub).await.unwrap().unwrap();
    assert_eq!(view.positions[0].base, TENTH_BTC as i64);
    assert_eq!(
        view.positions[0].quote_entry,
        -4_890 * USD as i64,
        "filled at $48,900"
    );
    assert!(view.orders.iter().all(|o| !o.is_open()));
    // No fee in this market; the keeper's $1 came out of the collateral, and so did the
    // funding the long has paid since (the keeper cranks it every second: a few native units).
    let paid = 4_999 * USD as i64 - view.header.collateral;
    assert!(
        (0..1_000).contains(&paid),
        "the keeper's $1 and funding under a tenth of a cent, paid {paid}"
    );
    w.assert_conservation().await;
    w.net.stop().await;
}

/// A TCP proxy in front of the RPC that can be up, down (connections refused and cut) or
/// stalled (connections accepted, never answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Up,
    Down,
    Stalled,
}

async fn proxy(upstream: String) -> (String, watch::Sender<Mode>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (mode, watching) = watch::channel(Mode::Up);
    let target = upstream.trim_start_matches("http://").to_string();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let mut watching = watching.clone();
            let target = target.clone();
            tokio::spawn(async move {
                let now = *watching.borrow_and_update();
                match now {
                    Mode::Down => {
                        let _ = inbound.shutdown().await;
                        return;
                    }
                    Mode::Stalled => {
                        let _ = watching.changed().await;
                        return;
                    }
                    Mode::Up => {}
                }
                let Ok(mut outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    _ = watching.changed() => {}
                }
            });
        }
    });
    (url, mode)
}

#[tokio::test(flavor = "multi_thread")]
async fn keeper_survives_rpc_failures_competitors_and_closed_accounts_without_duplicates() {
    let w = world().await;
    let (url, mode) = proxy(w.net.rpc_url.clone()).await;
    let keeper = w.keeper(&url).await;
    let competitor = w.keeper(&w.net.rpc_url).await;
    let (_, a) = w
        .trader(
            SubAccountMode::Isolated { market_index: BTC },
            1_000,
            BTC,
            2 * TENTH_BTC,
            10,
        )
        .await;
    let (e_owner, e) = w
        .trader(
            SubAccountMode::Isolated { market_index: BTC },
            1_000,
            BTC,
            2 * TENTH_BTC,
            10,
        )
        .await;
    w.set_price(BTC, 45_100).await;

    // Someone else liquidates first: the keeper's stale candidate fails with the program's
    // named error and is counted; re-checking then finds nothing to do. (At 20 / 45.10 of
    // maintenance, reaching the target MM + (IM − MM) / 2 takes the whole position, so the
    // competitor leaves none: the program answers NoPosition.)
    let accounts = keeper.discover().await.unwrap();
    let markets = w.client.markets().await.unwrap();
    let stale = accounts.iter().find(|(k, _)| *k == a).unwrap().1.clone();
    assert!(matches!(competitor.liquidate(a).await, Outcome::Landed(_)));
    assert_eq!(
        keeper
            .send_liquidation(a, &stale, &markets, BTC, u64::MAX)
            .await,
        Outcome::Failed("NoPosition".into())
    );
    assert_eq!(keeper.counters().failed.get("NoPosition"), Some(&1));
    assert_eq!(keeper.liquidate(a).await, Outcome::Recovered);

    // No two attempts on one sub-account at once.
    let (first, second) = tokio::join!(keeper.liquidate(e), keeper.liquidate(e));
    assert!(
        matches!(
            (&first, &second),
            (Outcome::Landed(_), Outcome::InFlight) | (Outcome::InFlight, Outcome::Landed(_))
        ),
        "{first:?} {second:?}"
    );
    assert_eq!(keeper.counters().skipped_in_flight, 1);

    // An account closed between scan and send: the keeper finds it gone and sends nothing.
    let token = builders::token_account(&e_owner.pubkey(), &w.mint);
    let owner = e_owner.pubkey();
    if w.positions(&e).await.iter().any(|p| p.base != 0) {
        let oracle = builders::stub_oracle_pda(BTC);
        let close = builders::close_position(&owner, &e, BTC, &oracle, None, 0);
        w.client.send(&[close], &e_owner, &[]).await.unwrap();
    }
    let left = w
        .client
        .sub_account(&e)
        .await
        .unwrap()
        .unwrap()
        .header
        .collateral as u64;
    let mut close = vec![builders::close_sub_account(&owner, &e)];
    if left > 0 {
        close.insert(0, builders::withdraw(&owner, &e, &token, left, &[]));
    }
    w.client.send(&close, &e_owner, &[]).await.unwrap();
    let sent_before = keeper.counters().liquidations_sent;
    assert_eq!(keeper.liquidate(e).await, Outcome::Vanished);
    assert_eq!(keeper.counters().liquidations_sent, sent_before);

    // The RPC goes away, then stalls, then comes back: errors are counted, the keeper keeps
    // running, and liquidates what became liquidatable meanwhile, once.
    let (stop_keeper, shutdown) = watch::channel(false);
    let running = tokio::spawn(Arc::clone(&keeper).run(shutdown));
    mode.send(Mode::Down).unwrap();
    // F opens at $45,100 with $1,520 for 0.3 BTC at 10x; at $40,100 its equity is
    // 1,520 − 0.3 × 5,000 = $20 against 0.5% × $12,030 = $60.15 of maintenance.
    let (_, f) = w
        .trader(SubAccountMode::Cross, 1_520, BTC, 3 * TENTH_BTC, 10)
        .await;
    w.set_price(BTC, 40_100).await;
    eventually("connection errors", async || {
        keeper.counters().rpc_errors >= 2
    })
    .await;
    mode.send(Mode::Stalled).unwrap();
    let errors = keeper.counters().rpc_errors;
    eventually("timeouts", async || keeper.counters().rpc_errors > errors).await;
    assert!(!running.is_finished(), "the keeper keeps running");
    mode.send(Mode::Up).unwrap();
    eventually("the liquidation after recovery", async || {
        keeper.landed_liquidations().iter().any(|(k, _)| *k == f)
    })
    .await;
    stop_keeper.send(true).unwrap();
    running.await.unwrap();
    let counters = keeper.counters();
    let failed: u64 = counters.failed.values().sum();
    assert_eq!(
        counters.liquidations_sent,
        counters.liquidations_landed + failed
    );
    w.assert_conservation().await;
    w.net.stop().await;
}
