//! The `ringfence` binary against a local network: the seed example's preview, a sent order,
//! the positions table, a refused order in words, a stop-loss, a delegate that closes for
//! the owner but cannot withdraw, and the trade history and PnL read back from the indexer.

use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::client::Client;
use ringfence_sdk::deploy::MarketList;
use solana_sdk::signature::{write_keypair_file, Keypair, Signer};
use std::path::PathBuf;
use std::process::Command;

const FRICTIONLESS: &str = include_str!("../../localnet/tests/fixtures/frictionless.toml");

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn cli(url: &str, keypair: &PathBuf, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ringfence"));
    command
        .args(["--url", url, "--keypair"])
        .arg(keypair)
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn end_to_end_cli_previews_the_seed_example_sends_it_and_names_refusals() {
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new())
        .await
        .unwrap();
    let client = Client::new(&net.rpc_url);
    let (admin, mint) = (Keypair::new(), Keypair::new());
    let list = MarketList::parse(FRICTIONLESS).unwrap();
    demo::bootstrap(&client, &admin, &mint, list, 1_000_000)
        .await
        .unwrap();
    let trader = Keypair::new();
    client
        .airdrop(&trader.pubkey(), 10_000_000_000)
        .await
        .unwrap();
    demo::fund(&client, &admin, &mint.pubkey(), &trader.pubkey(), 5_000)
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("ringfence-cli-{}", trader.pubkey()));
    std::fs::create_dir_all(&dir).unwrap();
    let keypair = dir.join("trader.json");
    write_keypair_file(&trader, &keypair).unwrap();
    let url = net.rpc_url.clone();

    let created = cli(
        &url,
        &keypair,
        &[
            "-y",
            "create-sub-account",
            "--mode",
            "isolated",
            "--market",
            "BTC-PERP",
        ],
    )
    .await;
    assert!(created.ok, "{}", created.stderr);
    assert!(created.stdout.contains("created sub-account 0"));
    let deposited = cli(
        &url,
        &keypair,
        &["-y", "deposit", "--sub", "0", "--usd", "1,000"],
    )
    .await;
    assert!(deposited.ok, "{}", deposited.stderr);

    // The seed example: 0.2 BTC long at $50,000 with 10x on $1,000 isolated. Maintenance
    // 0.5%: equity 1,000 + 0.2·(P − 50,000) = 0.005·0.2·P gives P = 9,000 / 0.199 = 45,226.13.
    let order = [
        "open",
        "--sub",
        "0",
        "--market",
        "BTC-PERP",
        "--side",
        "long",
        "--size",
        "0.2",
        "--leverage",
        "10",
    ];
    let mut dry = order.to_vec();
    dry.push("--dry-run");
    let preview = cli(&url, &keypair, &dry).await;
    assert!(preview.ok, "{}", preview.stderr);
    assert!(
        preview.stdout.contains("fill price          $50,000.00"),
        "{}",
        preview.stdout
    );
    assert!(
        preview.stdout.contains("margin moved        $1,000.00"),
        "{}",
        preview.stdout
    );
    assert!(
        preview.stdout.contains("liquidation price   $45,226.13"),
        "{}",
        preview.stdout
    );
    assert!(
        preview
            .stdout
            .contains("maximum loss        $1,000.00 (the isolated margin)"),
        "{}",
        preview.stdout
    );
    assert!(preview.stdout.contains("not sent"));

    let mut send = vec!["-y"];
    send.extend_from_slice(&order);
    let sent = cli(&url, &keypair, &send).await;
    assert!(sent.ok, "{}", sent.stderr);
    assert!(sent.stdout.contains("sent: "));
    let shown = cli(&url, &keypair, &["positions"]).await;
    assert!(shown.ok, "{}", shown.stderr);
    assert!(shown.stdout.contains("BTC-PERP  long"), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("liquidation $45,226.13"),
        "{}",
        shown.stdout
    );

    let over = cli(
        &url,
        &keypair,
        &[
            "-y",
            "open",
            "--sub",
            "0",
            "--market",
            "0",
            "--side",
            "long",
            "--size",
            "0.001",
            "--leverage",
            "50",
        ],
    )
    .await;
    assert!(!over.ok);
    assert!(
        over.stderr
            .contains("InvalidLeverage: Leverage must be between 1 and the market's maximum"),
        "{}",
        over.stderr
    );

    // A stop-loss at $46,000, then a delegate that closes the position but cannot withdraw.
    let stop = [
        "-y",
        "triggers",
        "set",
        "--sub",
        "0",
        "--market",
        "BTC-PERP",
        "--stop-loss",
        "46,000",
    ];
    let set = cli(&url, &keypair, &stop).await;
    assert!(set.ok, "{}", set.stderr);
    let sub = ringfence_sdk::builders::sub_account_pda(&trader.pubkey(), 0);
    let view = client.sub_account(&sub).await.unwrap().unwrap();
    assert_eq!(view.positions[0].stop_loss, 46_000_000_000);
    let delegate = Keypair::new();
    client
        .airdrop(&delegate.pubkey(), 1_000_000_000)
        .await
        .unwrap();
    let delegate_file = dir.join("delegate.json");
    write_keypair_file(&delegate, &delegate_file).unwrap();
    let key = delegate.pubkey().to_string();
    let named = cli(
        &url,
        &keypair,
        &["-y", "delegate", "set", "--sub", "0", "--key", &key],
    )
    .await;
    assert!(named.ok, "{}", named.stderr);
    let owner = trader.pubkey().to_string();
    let as_delegate = |args: &[&str]| {
        let mut all = vec!["-y", "--owner", owner.as_str()];
        all.extend_from_slice(args);
        all.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let close = as_delegate(&["close", "--sub", "0", "--market", "BTC-PERP"]);
    let close: Vec<&str> = close.iter().map(String::as_str).collect();
    let closed = cli(&url, &delegate_file, &close).await;
    assert!(closed.ok, "{}", closed.stderr);
    let view = client.sub_account(&sub).await.unwrap().unwrap();
    assert!(view.open_positions().next().is_none());
    let take = as_delegate(&["withdraw", "--sub", "0", "--usd", "1"]);
    let take: Vec<&str> = take.iter().map(String::as_str).collect();
    let collateral = view.header.collateral;
    let refused = cli(&url, &delegate_file, &take).await;
    assert!(!refused.ok, "{}", refused.stdout);
    let view = client.sub_account(&sub).await.unwrap().unwrap();
    assert_eq!(view.header.collateral, collateral);
    let cleared = cli(&url, &keypair, &["-y", "delegate", "clear", "--sub", "0"]).await;
    assert!(cleared.ok, "{}", cleared.stderr);
    let view = client.sub_account(&sub).await.unwrap().unwrap();
    assert_eq!(view.header.delegate, solana_sdk::pubkey::Pubkey::default());

    // The indexer's history of it: the open and the delegate's close, newest first, in the
    // frictionless market (no fee, no premium, an unchanged price: nothing realized).
    let indexer = ringfence_indexer::Indexer::start(ringfence_indexer::Config {
        rpc_url: net.rpc_url.clone(),
        ws_url: Some(net.ws_url.clone()),
        database: dir.join("index.sqlite").to_string_lossy().into_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        commitment: solana_commitment_config::CommitmentConfig::confirmed(),
        poll: std::time::Duration::from_millis(300),
    })
    .await
    .unwrap();
    let api = format!("http://{}", indexer.api_addr);
    let fills_url = format!("{api}/v1/fills?owner={owner}");
    for _ in 0..300 {
        let fills: serde_json::Value = reqwest::get(&fills_url)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if fills["items"].as_array().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let history = cli(&url, &keypair, &["history", "--indexer", &api]).await;
    assert!(history.ok, "{}", history.stderr);
    let fills_table = history.stdout.split("\n\n").next().unwrap();
    let rows: Vec<&str> = fills_table
        .lines()
        .filter(|l| l.contains("BTC-PERP"))
        .collect();
    assert_eq!(rows.len(), 2, "{}", history.stdout);
    for (row, (kind, size)) in rows.iter().zip([("close", "-0.2"), ("open", "0.2")]) {
        let words: Vec<&str> = row.split_whitespace().collect();
        // time (date, clock), sub, market, kind, size, price, fee, realized
        assert_eq!(
            &words[2..],
            ["0", "BTC-PERP", kind, size, "$50,000.00", "0.00", "0.00"],
            "{row}"
        );
    }
    let pnl = cli(&url, &keypair, &["pnl", "--indexer", &api]).await;
    assert!(pnl.ok, "{}", pnl.stderr);
    let total = pnl
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("all"))
        .unwrap();
    assert_eq!(
        total.split_whitespace().collect::<Vec<_>>(),
        ["all", "2", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"],
        "{}",
        pnl.stdout
    );
    indexer.stop().await;

    let (vault, ledgers) = client.vault_and_ledgers().await.unwrap();
    assert_eq!(
        i128::from(vault),
        ledgers,
        "vault balance must equal the ledgers"
    );
    std::fs::remove_dir_all(dir).unwrap();
    net.stop().await;
}
