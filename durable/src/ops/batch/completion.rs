//! When a batch completes: [`CompletionConfig`], and the decision it makes as outcomes are
//! counted in input order.

use super::result::CompletionReason;

/// When a map or parallel completes before every item has run.
///
/// By default ([`CompletionConfig::new`]) the first failure completes the batch with
/// [`CompletionReason::FailureToleranceExceeded`] and the remaining items do not start. A
/// config that sets only [`min_successful`](CompletionConfig::min_successful) tolerates any
/// number of failures. Tolerances compare strictly: with `tolerated_failure_count(1)` the second
/// failure completes the batch, and with `tolerated_failure_percentage(25.0)` over four items one
/// failure (exactly 25 %) is tolerated and the second (50 %) is not. Percentages are of the
/// whole input, not of the items run so far.
///
/// ```
/// use lambda_sdk_durable::CompletionConfig;
///
/// // Stop once three items succeeded, or as soon as more than one failed.
/// let config = CompletionConfig::new().min_successful(3).tolerated_failure_count(1);
/// # let _ = config;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompletionConfig {
    min_successful: Option<usize>,
    tolerated_failure_count: Option<usize>,
    tolerated_failure_percentage: Option<f64>,
}

impl CompletionConfig {
    /// The default: the first failure completes the batch.
    pub fn new() -> Self {
        CompletionConfig::default()
    }

    /// Every item runs, whatever fails (100 % of failures tolerated).
    pub fn all_completed() -> Self {
        CompletionConfig::new().tolerated_failure_percentage(100.0)
    }

    /// The first success completes the batch; failures are tolerated until then.
    pub fn first_successful() -> Self {
        CompletionConfig::new().min_successful(1)
    }

    /// Completes once this many items succeeded (at least 1, at most the number of items).
    pub fn min_successful(mut self, count: usize) -> Self {
        self.min_successful = Some(count);
        self
    }

    /// Completes once more than this many items failed.
    pub fn tolerated_failure_count(mut self, count: usize) -> Self {
        self.tolerated_failure_count = Some(count);
        self
    }

    /// Completes once more than this percentage (0 to 100) of all items failed.
    pub fn tolerated_failure_percentage(mut self, percent: f64) -> Self {
        self.tolerated_failure_percentage = Some(percent);
        self
    }

    /// Checks the config against the number of items: what makes it invalid, if anything.
    pub(crate) fn validate(&self, total: usize) -> Result<(), String> {
        if let Some(min) = self.min_successful {
            if min == 0 {
                return Err("min_successful must be at least 1, got 0".into());
            }
            if min > total {
                return Err(format!(
                    "min_successful ({min}) is more than the number of items ({total}), so it \
                     could never be reached"
                ));
            }
        }
        if let Some(percent) = self.tolerated_failure_percentage
            && !(0.0..=100.0).contains(&percent)
        {
            return Err(format!(
                "tolerated_failure_percentage must be between 0 and 100, got {percent}"
            ));
        }
        Ok(())
    }

    fn has_tolerance(&self) -> bool {
        self.tolerated_failure_count.is_some() || self.tolerated_failure_percentage.is_some()
    }

    fn tolerance_exceeded(&self, failed: usize, total: usize) -> bool {
        if !self.has_tolerance() {
            // Nothing configured at all: fail fast. Only a minimum: failures never stop it.
            return self.min_successful.is_none() && failed > 0;
        }
        if self.tolerated_failure_count.is_some_and(|n| failed > n) {
            return true;
        }
        match self.tolerated_failure_percentage {
            Some(percent) if total > 0 => failed as f64 * 100.0 / total as f64 > percent,
            _ => false,
        }
    }

    /// Whether the batch is complete after `succeeded` and `failed` outcomes (counted in input
    /// order) out of `total` items, and why.
    pub(crate) fn decide(
        &self,
        succeeded: usize,
        failed: usize,
        total: usize,
    ) -> Option<CompletionReason> {
        if self.tolerance_exceeded(failed, total) {
            Some(CompletionReason::FailureToleranceExceeded)
        } else if succeeded + failed >= total {
            Some(CompletionReason::AllCompleted)
        } else if self.min_successful.is_some_and(|min| succeeded >= min) {
            Some(CompletionReason::MinSuccessfulReached)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CompletionReason::*;

    /// Feeds outcomes in order (true = success) and returns the decision and how many counted.
    fn run(config: &CompletionConfig, outcomes: &[bool]) -> (CompletionReason, usize) {
        let total = outcomes.len();
        let (mut ok, mut failed) = (0, 0);
        if let Some(reason) = config.decide(0, 0, total) {
            return (reason, 0);
        }
        for (i, success) in outcomes.iter().enumerate() {
            if *success {
                ok += 1
            } else {
                failed += 1
            }
            if let Some(reason) = config.decide(ok, failed, total) {
                return (reason, i + 1);
            }
        }
        unreachable!("every item counted without a decision")
    }

    #[test]
    fn the_default_fails_fast() {
        let c = CompletionConfig::new();
        assert_eq!(run(&c, &[true, false, true]), (FailureToleranceExceeded, 2));
        assert_eq!(run(&c, &[true, true]), (AllCompleted, 2));
        assert_eq!(run(&c, &[]), (AllCompleted, 0));
    }

    #[test]
    fn tolerated_counts_and_percentages_compare_strictly() {
        let one = CompletionConfig::new().tolerated_failure_count(1);
        assert_eq!(run(&one, &[true, false, true]), (AllCompleted, 3));
        assert_eq!(
            run(&one, &[false, false, true]),
            (FailureToleranceExceeded, 2)
        );
        let all = CompletionConfig::new().tolerated_failure_count(3);
        assert_eq!(run(&all, &[false, false, false]), (AllCompleted, 3));
        let pct = CompletionConfig::new().tolerated_failure_percentage(25.0);
        assert_eq!(run(&pct, &[false, true, true, true]), (AllCompleted, 4));
        assert_eq!(
            run(&pct, &[false, false, true, true]),
            (FailureToleranceExceeded, 2)
        );
        assert_eq!(
            run(&CompletionConfig::all_completed(), &[false, false]),
            (AllCompleted, 2)
        );
    }

    #[test]
    fn minimum_successes_complete_early_and_tolerate_failures_alone() {
        let min2 = CompletionConfig::new().min_successful(2);
        assert_eq!(
            run(&min2, &[true, true, true, true]),
            (MinSuccessfulReached, 2)
        );
        // Reaching the minimum on the last item is completing them all.
        let min3 = CompletionConfig::new().min_successful(3);
        assert_eq!(run(&min3, &[true, false, true]), (AllCompleted, 3));
        let combined = CompletionConfig::new()
            .min_successful(3)
            .tolerated_failure_count(1);
        assert_eq!(
            run(&combined, &[false, false, true, true]),
            (FailureToleranceExceeded, 2)
        );
        assert_eq!(
            run(
                &CompletionConfig::first_successful(),
                &[false, false, true, true]
            ),
            (MinSuccessfulReached, 3)
        );
    }

    #[test]
    fn invalid_configs_say_why() {
        assert!(
            CompletionConfig::new()
                .min_successful(0)
                .validate(3)
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            CompletionConfig::new()
                .min_successful(4)
                .validate(3)
                .unwrap_err()
                .contains("(4)")
        );
        assert!(
            CompletionConfig::new()
                .tolerated_failure_percentage(101.0)
                .validate(3)
                .is_err()
        );
        assert!(
            CompletionConfig::new()
                .tolerated_failure_percentage(f64::NAN)
                .validate(3)
                .is_err()
        );
        assert!(
            CompletionConfig::new()
                .min_successful(3)
                .validate(3)
                .is_ok()
        );
    }
}
