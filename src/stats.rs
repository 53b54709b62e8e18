//! Round-trip statistics: min/avg/max/mdev as iputils computes them, percentiles, and loss.
//! Pure: no I/O; output/ decides how the numbers are printed.

use serde::Serialize;

/// Summary of RTT samples, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RttSummary {
    pub min: f64,
    pub avg: f64,
    pub max: f64,
    /// iputils' mdev: sqrt(mean(x^2) - mean(x)^2), the population standard deviation.
    pub mdev: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Summarises samples (ms); `None` when there are none.
pub fn summarize(samples: &[f64]) -> Option<RttSummary> {
    if samples.is_empty() {
        return None;
    }
    let n = samples.len() as f64;
    let sum: f64 = samples.iter().sum();
    let sum_sq: f64 = samples.iter().map(|x| x * x).sum();
    let avg = sum / n;
    let mdev = (sum_sq / n - avg * avg).max(0.0).sqrt();
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(RttSummary {
        min: sorted[0],
        avg,
        max: sorted[sorted.len() - 1],
        mdev,
        p50: percentile(&sorted, 50.0),
        p95: percentile(&sorted, 95.0),
        p99: percentile(&sorted, 99.0),
    })
}

/// RTT samples as they come, in memory that does not grow with their number: every sample
/// while there are at most `EXACT` (the summary is then exactly `summarize`'s), after that a
/// log-scale histogram whose percentiles are within half a bucket (0.5%) of the exact ones;
/// min, max, average and mdev stay exact.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    exact: Vec<f64>,
    histogram: Vec<u64>,
    count: u64,
    sum: f64,
    sum_sq: f64,
    min: f64,
    max: f64,
}

/// Samples kept one by one before the histogram takes over.
const EXACT: usize = 100_000;
/// Histogram range and resolution: 0.1 µs to 10^6 ms, buckets 1% wide.
const LOWEST_MS: f64 = 1e-4;
const BUCKET_GROWTH: f64 = 1.01;
const BUCKETS: usize = 2_320;

impl Samples {
    /// Adds one RTT in milliseconds.
    pub fn push(&mut self, ms: f64) {
        if self.count == 0 {
            (self.min, self.max) = (ms, ms);
        }
        self.count += 1;
        self.sum += ms;
        self.sum_sq += ms * ms;
        self.min = self.min.min(ms);
        self.max = self.max.max(ms);
        if self.histogram.is_empty() && self.exact.len() < EXACT {
            self.exact.push(ms);
            return;
        }
        if self.histogram.is_empty() {
            self.histogram = vec![0; BUCKETS];
            for x in std::mem::take(&mut self.exact) {
                self.histogram[bucket(x)] += 1;
            }
        }
        self.histogram[bucket(ms)] += 1;
    }

    /// How many samples were added.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// The largest sample so far; `None` before the first.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// The summary; `None` when there are no samples.
    pub fn summary(&self) -> Option<RttSummary> {
        if self.histogram.is_empty() {
            return summarize(&self.exact);
        }
        let n = self.count as f64;
        let avg = self.sum / n;
        let at = |p: f64| {
            let rank = ((p / 100.0) * n).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (i, c) in self.histogram.iter().enumerate() {
                seen += c;
                if seen >= rank {
                    return bucket_middle(i).clamp(self.min, self.max);
                }
            }
            self.max
        };
        Some(RttSummary {
            min: self.min,
            avg,
            max: self.max,
            mdev: (self.sum_sq / n - avg * avg).max(0.0).sqrt(),
            p50: at(50.0),
            p95: at(95.0),
            p99: at(99.0),
        })
    }
}

/// The histogram bucket of `ms`: bucket i holds [LOWEST * GROWTH^i, LOWEST * GROWTH^(i+1)).
fn bucket(ms: f64) -> usize {
    if ms.is_nan() || ms <= LOWEST_MS {
        return 0;
    }
    ((ms / LOWEST_MS).ln() / BUCKET_GROWTH.ln()).min((BUCKETS - 1) as f64) as usize
}

/// The geometric middle of bucket `i`.
fn bucket_middle(i: usize) -> f64 {
    LOWEST_MS * BUCKET_GROWTH.powf(i as f64 + 0.5)
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Percentage of probes without an answer.
pub fn loss_percent(transmitted: u64, received: u64) -> f64 {
    if transmitted == 0 {
        return 0.0;
    }
    transmitted.saturating_sub(received) as f64 * 100.0 / transmitted as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn min_avg_max_mdev_as_iputils() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap_or_else(|| panic!("samples"));
        assert!(close(s.min, 1.0) && close(s.max, 4.0) && close(s.avg, 2.5));
        // sqrt((1+4+9+16)/4 - 2.5^2) = sqrt(7.5 - 6.25)
        assert!(close(s.mdev, 1.25f64.sqrt()), "{}", s.mdev);
        let one = summarize(&[0.045]).unwrap_or_else(|| panic!("one"));
        assert!(close(one.mdev, 0.0) && close(one.p99, 0.045));
        assert!(summarize(&[]).is_none());
    }

    #[test]
    fn loss_is_the_share_without_an_answer() {
        assert_eq!(loss_percent(4, 3), 25.0);
        assert_eq!(loss_percent(3, 0), 100.0);
        assert_eq!(loss_percent(0, 0), 0.0);
    }

    #[test]
    fn samples_are_exact_while_few_and_close_when_many() {
        let mut few = Samples::default();
        for x in [3.0, 1.0, 2.0] {
            few.push(x);
        }
        assert_eq!(few.summary(), summarize(&[3.0, 1.0, 2.0]));
        assert_eq!(few.len(), 3);
        assert_eq!(few.max(), Some(3.0));
        assert!(Samples::default().summary().is_none());
        assert_eq!(Samples::default().max(), None);

        let values: Vec<f64> = (0..300_000)
            .map(|i| 0.05 + f64::from(i % 1000) * 0.01)
            .collect();
        let mut many = Samples::default();
        for &x in &values {
            many.push(x);
        }
        let exact = summarize(&values).unwrap_or_else(|| panic!("samples"));
        let got = many.summary().unwrap_or_else(|| panic!("samples"));
        assert_eq!((got.min, got.max), (exact.min, exact.max));
        assert!(close(got.avg, exact.avg) || (got.avg - exact.avg).abs() < 1e-6);
        assert!(
            (got.mdev - exact.mdev).abs() < 1e-6,
            "{} {}",
            got.mdev,
            exact.mdev
        );
        for (g, e) in [
            (got.p50, exact.p50),
            (got.p95, exact.p95),
            (got.p99, exact.p99),
        ] {
            assert!((g - e).abs() <= e * 0.006, "percentile {g} vs {e}");
        }
        assert!(
            many.exact.is_empty(),
            "the samples gave way to the histogram"
        );
        assert_eq!(many.histogram.len(), BUCKETS);
    }

    #[test]
    fn the_histogram_covers_its_range() {
        assert_eq!(bucket(0.0), 0);
        assert_eq!(bucket(f64::NAN), 0);
        assert_eq!(bucket(1e9), BUCKETS - 1);
        let top = LOWEST_MS * BUCKET_GROWTH.powf(BUCKETS as f64);
        assert!(top >= 1e6, "{top}");
        for ms in [0.001, 0.5, 20.0, 3000.0] {
            let b = bucket(ms);
            let (lo, hi) = (bucket_middle(b) / 1.005, bucket_middle(b) * 1.005);
            assert!(lo <= ms * 1.0001 && ms <= hi * 1.0001, "{ms} in bucket {b}");
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&samples).unwrap_or_else(|| panic!("samples"));
        assert!(close(s.p50, 50.0) && close(s.p95, 95.0) && close(s.p99, 99.0));
        let few = summarize(&[3.0, 1.0, 2.0]).unwrap_or_else(|| panic!("few"));
        assert!(close(few.p50, 2.0) && close(few.p95, 3.0));
    }
}
