//! The liquidation index: every sub-account with positions, its decoded view and its price
//! bands (`band::bands`), ordered per market by band edge, so that a price move re-scores only
//! the accounts whose band it leaves (a range query, O(log n + k)). Whether an account may be
//! liquidated is still decided by `scoring::assess`, the program's own `may_liquidate`.

use crate::band::{bands, Band};
use crate::scoring::{assess, worst_first, Candidate, Unpriced};
use ringfence::math::I80F48;
use ringfence_sdk::accounts::SubAccountView;
use ringfence_sdk::client::PricedMarket;
use solana_sdk::pubkey::Pubkey;
use std::collections::{BTreeSet, HashMap};

#[cfg(test)]
mod tests;

/// Accounts re-scored at a time after a price update: the liquidatable accounts of each chunk
/// are handed to liquidation before the next chunk is scored (`Keeper::on_tick`).
pub const RESCORE_CHUNK: usize = 256;

/// Band edges of one market, ordered by price (the raw bits of an I80F48 order like it).
type Edges = HashMap<u16, BTreeSet<(i128, Pubkey)>>;

/// How an account is re-scored.
enum Placement {
    /// When a mark leaves one of its bands, or after `expires` (unix seconds).
    Banded { bands: Vec<Band>, expires: i64 },
    /// On every pass: liquidatable, being liquidated, unpriced, or too close to call.
    Always,
}

struct Entry {
    view: SubAccountView,
    placement: Placement,
    candidate: Option<Candidate>,
}

/// The work one pass did, for counters and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// (account, market) pairs whose band edge the market's mark had passed.
    pub crossed: usize,
    /// Accounts whose bands had outlived their horizon.
    pub expired: usize,
    /// Accounts re-scored on every pass.
    pub always: usize,
    /// Distinct accounts re-scored with `assess`.
    pub rescored: usize,
}

/// What one pass found.
#[derive(Debug, Clone, Default)]
pub struct Pass {
    /// Liquidatable accounts, worst first.
    pub candidates: Vec<Candidate>,
    /// Re-scored accounts that could not be priced.
    pub unpriced: Vec<Unpriced>,
    /// Work done.
    pub work: Work,
}

/// Sub-accounts with positions, indexed by the prices at which they must be looked at again.
pub struct LiquidationIndex {
    horizon_s: i64,
    entries: HashMap<Pubkey, Entry>,
    lows: Edges,
    highs: Edges,
    expiries: BTreeSet<(i64, Pubkey)>,
    always: BTreeSet<Pubkey>,
}

fn bits(price: I80F48) -> i128 {
    price.to_bits()
}

fn record(pass: &mut Pass, score: Result<Option<Candidate>, Unpriced>) {
    match score {
        Ok(Some(candidate)) => pass.candidates.push(candidate),
        Ok(None) => {}
        Err(unpriced) => pass.unpriced.push(unpriced),
    }
}

impl LiquidationIndex {
    /// An empty index whose bands hold for `horizon_s` seconds (funding moves equity with time).
    pub fn new(horizon_s: i64) -> Self {
        Self {
            horizon_s: horizon_s.max(0),
            entries: HashMap::new(),
            lows: HashMap::new(),
            highs: HashMap::new(),
            expiries: BTreeSet::new(),
            always: BTreeSet::new(),
        }
    }

    /// Accounts held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no account is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Replaces the whole index by `accounts` (a full scan) scored at `markets` and `now`.
    pub fn rebuild(
        &mut self,
        accounts: &[(Pubkey, SubAccountView)],
        markets: &[PricedMarket],
        now: i64,
    ) -> Pass {
        *self = Self::new(self.horizon_s);
        let mut pass = Pass::default();
        for (key, view) in accounts {
            pass.work.rescored += 1;
            let score = self.put(*key, view.clone(), markets, now);
            record(&mut pass, score);
        }
        worst_first(&mut pass.candidates);
        pass
    }

    /// Takes in a changed account (a notification): re-scores it and places its new bands; an
    /// account without open positions leaves the index. Returns it when liquidatable.
    pub fn upsert(
        &mut self,
        key: Pubkey,
        view: SubAccountView,
        markets: &[PricedMarket],
        now: i64,
    ) -> Result<Option<Candidate>, Unpriced> {
        self.remove(&key);
        if view.open_positions().next().is_none() {
            return Ok(None);
        }
        self.put(key, view, markets, now)
    }

    /// Forgets an account (closed, or seen without positions).
    pub fn remove(&mut self, key: &Pubkey) {
        self.take(key);
    }

    /// After marks or time moved: re-scores the accounts a mark in `markets` has left the band
    /// of, those whose horizon has passed at `now`, and those re-scored on every pass.
    pub fn reprice(&mut self, markets: &[PricedMarket], now: i64) -> Pass {
        let (due, work) = self.due(markets, now);
        let mut pass = self.rescore(&due, markets, now);
        pass.work = work;
        pass
    }

    /// Re-scores `keys` (those still held) at `markets` and `now`, re-places them, and returns
    /// the liquidatable ones, worst first.
    pub fn rescore(&mut self, keys: &[Pubkey], markets: &[PricedMarket], now: i64) -> Pass {
        let mut pass = Pass::default();
        for key in keys {
            if let Some(view) = self.take(key) {
                pass.work.rescored += 1;
                let score = self.put(*key, view, markets, now);
                record(&mut pass, score);
            }
        }
        worst_first(&mut pass.candidates);
        pass
    }

    /// The accounts last found liquidatable, worst first.
    pub fn liquidatable(&self) -> Vec<Candidate> {
        let mut found: Vec<Candidate> = self
            .always
            .iter()
            .filter_map(|k| self.entries.get(k)?.candidate.clone())
            .collect();
        worst_first(&mut found);
        found
    }

    /// Every account due for re-scoring at `markets` and `now`, most urgent first, and why: the
    /// accounts re-scored on every pass (the liquidatable are among them), then those whose band
    /// a mark has left, the most of their slack the moves consumed first (`Band::consumed`,
    /// summed over the crossed markets), then those whose horizon has passed.
    pub fn due(&self, markets: &[PricedMarket], now: i64) -> (Vec<Pubkey>, Work) {
        let mut work = Work::default();
        let mut urgency: HashMap<Pubkey, f64> = HashMap::new();
        for priced in markets {
            let Ok(mark) = &priced.mark else { continue };
            let at = bits(*mark);
            let index = priced.market.index;
            let lows = self
                .lows
                .get(&index)
                .into_iter()
                .flat_map(|lows| lows.range((at.saturating_add(1), Pubkey::default())..));
            let highs = self
                .highs
                .get(&index)
                .into_iter()
                .flat_map(|highs| highs.range(..(at, Pubkey::default())));
            for (_, key) in lows.chain(highs) {
                work.crossed += 1;
                *urgency.entry(*key).or_default() += self.consumed(key, index, *mark);
            }
        }
        for (_, key) in self.expiries.range(..(now, Pubkey::default())) {
            work.expired += 1;
            urgency.entry(*key).or_insert(-1.0);
        }
        work.always = self.always.len();
        for key in &self.always {
            urgency.insert(*key, f64::INFINITY);
        }
        let mut due: Vec<(Pubkey, f64)> = urgency.into_iter().collect();
        due.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        work.rescored = due.len();
        (due.into_iter().map(|(key, _)| key).collect(), work)
    }

    /// `Band::consumed` of `key`'s band in market `index` at `mark` (0 without one).
    fn consumed(&self, key: &Pubkey, index: u16, mark: I80F48) -> f64 {
        match self.entries.get(key).map(|e| &e.placement) {
            Some(Placement::Banded { bands, .. }) => bands
                .iter()
                .find(|b| b.market_index == index)
                .map_or(0.0, |b| b.consumed(mark)),
            _ => 0.0,
        }
    }

    /// Scores `view` and places it; the key must not be held.
    fn put(
        &mut self,
        key: Pubkey,
        view: SubAccountView,
        markets: &[PricedMarket],
        now: i64,
    ) -> Result<Option<Candidate>, Unpriced> {
        let score = assess(key, &view, markets, now);
        let placement = match &score {
            Ok(None) => match bands(&view, markets, now, self.horizon_s) {
                Some(bands) => Placement::Banded {
                    bands,
                    expires: self.expiry(&key, now),
                },
                None => Placement::Always,
            },
            _ => Placement::Always,
        };
        self.place(key, &placement);
        let candidate = score.as_ref().ok().cloned().flatten();
        self.entries.insert(
            key,
            Entry {
                view,
                placement,
                candidate,
            },
        );
        score
    }

    /// When `key`'s bands, placed at `now`, must be re-checked: within the horizon, spread over
    /// its second half by the key, so the accounts one scan placed do not all expire at once.
    /// (Earlier is always safe: the bands allow for the whole horizon's funding.)
    fn expiry(&self, key: &Pubkey, now: i64) -> i64 {
        let spread = self.horizon_s / 2 + 1;
        let offset = i64::from(u16::from_le_bytes([key.as_ref()[0], key.as_ref()[1]])) % spread;
        now.saturating_add(self.horizon_s - offset)
    }

    fn place(&mut self, key: Pubkey, placement: &Placement) {
        match placement {
            Placement::Always => {
                self.always.insert(key);
            }
            Placement::Banded { bands, expires } => {
                for band in bands {
                    if let Some(low) = band.low {
                        let edges = self.lows.entry(band.market_index).or_default();
                        edges.insert((bits(low), key));
                    }
                    if let Some(high) = band.high {
                        let edges = self.highs.entry(band.market_index).or_default();
                        edges.insert((bits(high), key));
                    }
                }
                self.expiries.insert((*expires, key));
            }
        }
    }

    /// Removes an account and its edges; returns its view.
    fn take(&mut self, key: &Pubkey) -> Option<SubAccountView> {
        let entry = self.entries.remove(key)?;
        match &entry.placement {
            Placement::Always => {
                self.always.remove(key);
            }
            Placement::Banded { bands, expires } => {
                for band in bands {
                    let market = band.market_index;
                    if let (Some(low), Some(edges)) = (band.low, self.lows.get_mut(&market)) {
                        edges.remove(&(bits(low), *key));
                    }
                    if let (Some(high), Some(edges)) = (band.high, self.highs.get_mut(&market)) {
                        edges.remove(&(bits(high), *key));
                    }
                }
                self.expiries.remove(&(*expires, *key));
            }
        }
        Some(entry.view)
    }
}
