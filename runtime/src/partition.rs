//! The types of the partition data in [`crate::partitions`] (generated from botocore's
//! `partitions.json` by `cargo xtask codegen`) and the lookups `aws.partition` needs, over
//! that data. Each partition's
//! `regionRegex` there has the shape `^PREFIX\-\w+\-\d+$`, where `PREFIX` is a literal or a
//! group of alternatives (`^(us|eu|…)\-\w+\-\d+$`, `^cn\-\w+\-\d+$`,
//! `^eusc\-(de)\-\w+\-\d+$`); the generator keeps it as the list of prefixes it accepts
//! ([`Partition::region_prefixes`]), matched by [`Partition::matches_region_pattern`], not by
//! a regex engine.
//!
//! ```
//! use lambda_sdk_runtime::partitions::{outputs_for, partition_for};
//!
//! assert_eq!(partition_for("eu-west-1").id, "aws");
//! assert_eq!(partition_for("cn-north-1").outputs.dns_suffix, "amazonaws.com.cn");
//! // Not listed, but matches the pattern of `aws-us-gov`:
//! assert_eq!(partition_for("us-gov-central-7").id, "aws-us-gov");
//! // Neither listed nor matching any pattern: the `aws` partition.
//! assert_eq!(outputs_for("mars-east-1").dns_suffix, "amazonaws.com");
//! ```

/// One AWS partition: a group of regions sharing DNS suffixes and capabilities.
#[derive(Debug, PartialEq, Eq)]
pub struct Partition {
    /// The partition id, e.g. `aws`, `aws-cn`, `aws-us-gov`.
    pub id: &'static str,
    /// What `aws.partition` returns for a region of this partition (before per-region
    /// overrides).
    pub outputs: PartitionOutputs,
    /// The prefixes of the partition's region pattern: a region not listed anywhere belongs
    /// to this partition when it reads `PREFIX-word-digits` for one of these prefixes.
    pub region_prefixes: &'static [&'static str],
    /// The regions listed explicitly, sorted by name.
    pub regions: &'static [Region],
}

/// The values `aws.partition` returns: a partition's outputs, with a region's overrides
/// applied when the region has any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionOutputs {
    /// The partition name (`name`), e.g. `aws`.
    pub name: &'static str,
    /// The DNS suffix of regular endpoints (`dnsSuffix`), e.g. `amazonaws.com`.
    pub dns_suffix: &'static str,
    /// The DNS suffix of dual-stack endpoints (`dualStackDnsSuffix`), e.g. `api.aws`.
    pub dual_stack_dns_suffix: &'static str,
    /// The region global services sign for (`implicitGlobalRegion`), e.g. `us-east-1`.
    pub implicit_global_region: &'static str,
    /// Whether FIPS endpoints exist (`supportsFIPS`).
    pub supports_fips: bool,
    /// Whether dual-stack endpoints exist (`supportsDualStack`).
    pub supports_dual_stack: bool,
}

/// A region listed explicitly in a partition.
#[derive(Debug, PartialEq, Eq)]
pub struct Region {
    /// The region name, e.g. `us-east-1`.
    pub id: &'static str,
    /// Its human-readable description, e.g. `US East (N. Virginia)`.
    pub description: Option<&'static str>,
    /// Outputs this region overrides; all `None` for most regions.
    pub overrides: Overrides,
}

/// Per-region overrides of a partition's outputs; `None` keeps the partition's value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Overrides [`PartitionOutputs::name`].
    pub name: Option<&'static str>,
    /// Overrides [`PartitionOutputs::dns_suffix`].
    pub dns_suffix: Option<&'static str>,
    /// Overrides [`PartitionOutputs::dual_stack_dns_suffix`].
    pub dual_stack_dns_suffix: Option<&'static str>,
    /// Overrides [`PartitionOutputs::implicit_global_region`].
    pub implicit_global_region: Option<&'static str>,
    /// Overrides [`PartitionOutputs::supports_fips`].
    pub supports_fips: Option<bool>,
    /// Overrides [`PartitionOutputs::supports_dual_stack`].
    pub supports_dual_stack: Option<bool>,
}

/// No overrides at all.
pub const NO_OVERRIDES: Overrides = Overrides {
    name: None,
    dns_suffix: None,
    dual_stack_dns_suffix: None,
    implicit_global_region: None,
    supports_fips: None,
    supports_dual_stack: None,
};

impl Overrides {
    /// `outputs` with these overrides applied.
    pub fn apply(&self, outputs: PartitionOutputs) -> PartitionOutputs {
        PartitionOutputs {
            name: self.name.unwrap_or(outputs.name),
            dns_suffix: self.dns_suffix.unwrap_or(outputs.dns_suffix),
            dual_stack_dns_suffix: self
                .dual_stack_dns_suffix
                .unwrap_or(outputs.dual_stack_dns_suffix),
            implicit_global_region: self
                .implicit_global_region
                .unwrap_or(outputs.implicit_global_region),
            supports_fips: self.supports_fips.unwrap_or(outputs.supports_fips),
            supports_dual_stack: self
                .supports_dual_stack
                .unwrap_or(outputs.supports_dual_stack),
        }
    }
}

impl Partition {
    /// The explicitly listed region named `region`, if this partition lists it.
    pub fn region(&self, region: &str) -> Option<&'static Region> {
        self.regions.iter().find(|r| r.id == region)
    }

    /// Whether `region` matches this partition's region pattern (`^PREFIX\-\w+\-\d+$` for one
    /// of [`Partition::region_prefixes`]), whether or not the region is listed.
    pub fn matches_region_pattern(&self, region: &str) -> bool {
        self.region_prefixes
            .iter()
            .any(|prefix| matches_prefix_word_digits(prefix, region))
    }

    /// A regular expression equivalent to this partition's `regionRegex`, in the canonical
    /// form `^(p1|p2|…)\-\w+\-\d+$` (hyphens inside prefixes escaped as `\-`).
    /// `partitions.json` may spell the same pattern differently, e.g. `^cn\-\w+\-\d+$` or
    /// `^eusc\-(de)\-\w+\-\d+$`.
    pub fn region_regex(&self) -> String {
        let alternatives: Vec<String> = self
            .region_prefixes
            .iter()
            .map(|prefix| prefix.replace('-', "\\-"))
            .collect();
        format!("^({})\\-\\w+\\-\\d+$", alternatives.join("|"))
    }
}

/// `^PREFIX\-\w+\-\d+$` for one literal prefix: the prefix, `-`, one or more word characters
/// (`[A-Za-z0-9_]`, so no `-`), `-`, one or more ASCII digits, and nothing else.
fn matches_prefix_word_digits(prefix: &str, region: &str) -> bool {
    let Some(rest) = region.strip_prefix(prefix) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    // `\w` cannot match `-`, so the one remaining hyphen separates the two runs.
    let Some((word, digits)) = rest.split_once('-') else {
        return false;
    };
    !word.is_empty()
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The partition of `region` among `partitions`, with `aws.partition` semantics: a region
/// listed explicitly in a partition belongs to it; otherwise the first partition (in the order
/// of `partitions`) whose region pattern matches; otherwise `fallback` (the `aws` partition).
pub fn partition_in(
    partitions: &'static [&'static Partition],
    fallback: &'static Partition,
    region: &str,
) -> &'static Partition {
    if let Some(partition) = partitions.iter().find(|p| p.region(region).is_some()) {
        return partition;
    }
    partitions
        .iter()
        .find(|p| p.matches_region_pattern(region))
        .copied()
        .unwrap_or(fallback)
}

/// What `aws.partition` returns for `region` in `partition` (from [`partition_in`]): its
/// outputs, with the region's own overrides applied when it is listed with any.
pub fn outputs_in(partition: &Partition, region: &str) -> PartitionOutputs {
    match partition.region(region) {
        Some(listed) => listed.overrides.apply(partition.outputs),
        None => partition.outputs,
    }
}

/// A listed region without overrides (for the generated data).
pub const fn region(id: &'static str, description: &'static str) -> Region {
    Region {
        id,
        description: Some(description),
        overrides: NO_OVERRIDES,
    }
}
