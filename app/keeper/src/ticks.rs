//! A measurement hook: what each of the last few price updates cost the liquidation index (the
//! reads before it, its scoring work, its CPU time), for the keeper-at-scale benchmark.

use crate::index::Work;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Price updates remembered (older ones are dropped, so memory stays bounded).
pub const TICK_LOG: usize = 64;

/// One price update the liquidation index handled.
#[derive(Debug, Clone, Copy)]
pub struct TickRecord {
    /// When the keeper took the oracle notification up.
    pub started: Instant,
    /// Reading every market, oracle and the clock before scoring (wall time).
    pub fetch: Duration,
    /// The reprice itself, from the reads to the last chunk scored (wall time).
    pub reprice: Duration,
    /// CPU time of the reprice: finding what is due and scoring each chunk, each under the
    /// index's lock without awaiting, so this is the index's own cost.
    pub reprice_cpu: Duration,
    /// From taking the update up to handing the first liquidatable accounts to liquidation.
    pub first_dispatch: Option<Duration>,
    /// Work the index did.
    pub work: Work,
    /// Liquidatable sub-accounts the update found.
    pub candidates: usize,
}

/// The last `TICK_LOG` records, oldest first.
#[derive(Debug, Default)]
pub(crate) struct TickLog(VecDeque<TickRecord>);

impl TickLog {
    /// Remembers `record`, forgetting the oldest beyond `TICK_LOG`.
    pub(crate) fn push(&mut self, record: TickRecord) {
        if self.0.len() == TICK_LOG {
            self.0.pop_front();
        }
        self.0.push_back(record);
    }

    /// The records, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<TickRecord> {
        self.0.iter().copied().collect()
    }
}

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`).
pub fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to write; the clock id is a constant.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_last_records_in_order() {
        let mut log = TickLog::default();
        let started = Instant::now();
        for candidates in 0..TICK_LOG + 3 {
            log.push(TickRecord {
                started,
                fetch: Duration::ZERO,
                reprice: Duration::ZERO,
                reprice_cpu: Duration::ZERO,
                first_dispatch: None,
                work: Work::default(),
                candidates,
            });
        }
        let kept: Vec<usize> = log.to_vec().iter().map(|r| r.candidates).collect();
        assert_eq!(kept, (3..TICK_LOG + 3).collect::<Vec<_>>());
    }

    #[test]
    fn thread_cpu_time_advances_with_work() {
        let before = thread_cpu();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(thread_cpu() > before);
    }
}
