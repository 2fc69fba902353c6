//! AWS partitions: which DNS suffixes and capabilities a region has, as the endpoint rules'
//! `aws.partition` function returns them.
//!
//! The facts below come from botocore's `partitions.json` (its `"version": "1.1"`), the same
//! file the AWS SDKs and Smithy's `aws.partition` use. They are carried here as Rust statics:
//! the JSON file itself is not part of this repository. Each partition's `regionRegex` there
//! has the shape `^PREFIX\-\w+\-\d+$`, where `PREFIX` is a literal or a group of alternatives
//! (`^(us|eu|…)\-\w+\-\d+$`, `^cn\-\w+\-\d+$`, `^eusc\-(de)\-\w+\-\d+$`); it is kept as the
//! list of prefixes it accepts ([`Partition::region_prefixes`]) and matched by
//! [`Partition::matches_region_pattern`], not by a regex engine.
//!
//! `runtime/tests/partitions.rs` compares every fact here with the JSON file, so a newer
//! `partitions.json` that adds a region or changes a suffix makes that test fail until this
//! file is updated.
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

/// The version field of the `partitions.json` these facts were taken from.
pub const PARTITIONS_VERSION: &str = "1.1";

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
    /// The regions listed explicitly, in the order of `partitions.json`.
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

/// The partition of `region`, with `aws.partition` semantics: a region listed explicitly in
/// a partition belongs to it; otherwise the first partition (in [`PARTITIONS`] order) whose
/// region pattern matches; otherwise the `aws` partition.
pub fn partition_for(region: &str) -> &'static Partition {
    if let Some(partition) = PARTITIONS.iter().find(|p| p.region(region).is_some()) {
        return partition;
    }
    PARTITIONS
        .iter()
        .find(|p| p.matches_region_pattern(region))
        .copied()
        .unwrap_or(&AWS)
}

/// What `aws.partition` returns for `region`: the outputs of [`partition_for`], with the
/// region's own overrides applied when it is listed with any.
pub fn outputs_for(region: &str) -> PartitionOutputs {
    let partition = partition_for(region);
    match partition.region(region) {
        Some(listed) => listed.overrides.apply(partition.outputs),
        None => partition.outputs,
    }
}

/// A listed region without overrides.
const fn region(id: &'static str, description: &'static str) -> Region {
    Region {
        id,
        description: Some(description),
        overrides: NO_OVERRIDES,
    }
}

/// Every partition, in the order of `partitions.json` (which is the order pattern matching
/// tries them in).
pub static PARTITIONS: &[&Partition] = &[
    &AWS,
    &AWS_CN,
    &AWS_EUSC,
    &AWS_ISO,
    &AWS_ISO_B,
    &AWS_ISO_E,
    &AWS_ISO_F,
    &AWS_US_GOV,
];

/// The `aws` partition (region pattern `^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`).
pub static AWS: Partition = Partition {
    id: "aws",
    outputs: PartitionOutputs {
        name: "aws",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        implicit_global_region: "us-east-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
    regions: &[
        region("af-south-1", "Africa (Cape Town)"),
        region("ap-east-1", "Asia Pacific (Hong Kong)"),
        region("ap-east-2", "Asia Pacific (Taipei)"),
        region("ap-northeast-1", "Asia Pacific (Tokyo)"),
        region("ap-northeast-2", "Asia Pacific (Seoul)"),
        region("ap-northeast-3", "Asia Pacific (Osaka)"),
        region("ap-south-1", "Asia Pacific (Mumbai)"),
        region("ap-south-2", "Asia Pacific (Hyderabad)"),
        region("ap-southeast-1", "Asia Pacific (Singapore)"),
        region("ap-southeast-2", "Asia Pacific (Sydney)"),
        region("ap-southeast-3", "Asia Pacific (Jakarta)"),
        region("ap-southeast-4", "Asia Pacific (Melbourne)"),
        region("ap-southeast-5", "Asia Pacific (Malaysia)"),
        region("ap-southeast-6", "Asia Pacific (New Zealand)"),
        region("ap-southeast-7", "Asia Pacific (Thailand)"),
        region("aws-global", "aws global region"),
        region("ca-central-1", "Canada (Central)"),
        region("ca-west-1", "Canada West (Calgary)"),
        region("eu-central-1", "Europe (Frankfurt)"),
        region("eu-central-2", "Europe (Zurich)"),
        region("eu-north-1", "Europe (Stockholm)"),
        region("eu-south-1", "Europe (Milan)"),
        region("eu-south-2", "Europe (Spain)"),
        region("eu-west-1", "Europe (Ireland)"),
        region("eu-west-2", "Europe (London)"),
        region("eu-west-3", "Europe (Paris)"),
        region("il-central-1", "Israel (Tel Aviv)"),
        region("me-central-1", "Middle East (UAE)"),
        region("me-south-1", "Middle East (Bahrain)"),
        region("me-west-1", "Middle East (Saudi Arabia)"),
        region("mx-central-1", "Mexico (Central)"),
        region("sa-east-1", "South America (Sao Paulo)"),
        region("sa-west-1", "South America (Chile)"),
        region("us-east-1", "US East (N. Virginia)"),
        region("us-east-2", "US East (Ohio)"),
        region("us-west-1", "US West (N. California)"),
        region("us-west-2", "US West (Oregon)"),
    ],
};

/// The `aws-cn` partition (region pattern `^cn\-\w+\-\d+$`).
pub static AWS_CN: Partition = Partition {
    id: "aws-cn",
    outputs: PartitionOutputs {
        name: "aws-cn",
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
        implicit_global_region: "cn-northwest-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["cn"],
    regions: &[
        region("aws-cn-global", "aws-cn global region"),
        region("cn-north-1", "China (Beijing)"),
        region("cn-northwest-1", "China (Ningxia)"),
    ],
};

/// The `aws-eusc` partition (region pattern `^eusc\-(de)\-\w+\-\d+$`).
pub static AWS_EUSC: Partition = Partition {
    id: "aws-eusc",
    outputs: PartitionOutputs {
        name: "aws-eusc",
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
        implicit_global_region: "eusc-de-east-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["eusc-de"],
    regions: &[region(
        "eusc-de-east-1",
        "AWS European Sovereign Cloud (Germany)",
    )],
};

/// The `aws-iso` partition (region pattern `^us\-iso\-\w+\-\d+$`).
pub static AWS_ISO: Partition = Partition {
    id: "aws-iso",
    outputs: PartitionOutputs {
        name: "aws-iso",
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
        implicit_global_region: "us-iso-east-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["us-iso"],
    regions: &[
        region("aws-iso-global", "aws-iso global region"),
        region("us-iso-east-1", "US ISO East"),
        region("us-iso-west-1", "US ISO WEST"),
    ],
};

/// The `aws-iso-b` partition (region pattern `^us\-isob\-\w+\-\d+$`).
pub static AWS_ISO_B: Partition = Partition {
    id: "aws-iso-b",
    outputs: PartitionOutputs {
        name: "aws-iso-b",
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
        implicit_global_region: "us-isob-east-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["us-isob"],
    regions: &[
        region("aws-iso-b-global", "aws-iso-b global region"),
        region("us-isob-east-1", "US ISOB East (Ohio)"),
        region("us-isob-west-1", "US ISOB West"),
    ],
};

/// The `aws-iso-e` partition (region pattern `^eu\-isoe\-\w+\-\d+$`).
pub static AWS_ISO_E: Partition = Partition {
    id: "aws-iso-e",
    outputs: PartitionOutputs {
        name: "aws-iso-e",
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
        implicit_global_region: "eu-isoe-west-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["eu-isoe"],
    regions: &[
        region("aws-iso-e-global", "aws-iso-e global region"),
        region("eu-isoe-west-1", "EU ISOE West"),
    ],
};

/// The `aws-iso-f` partition (region pattern `^us\-isof\-\w+\-\d+$`).
pub static AWS_ISO_F: Partition = Partition {
    id: "aws-iso-f",
    outputs: PartitionOutputs {
        name: "aws-iso-f",
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
        implicit_global_region: "us-isof-south-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["us-isof"],
    regions: &[
        region("aws-iso-f-global", "aws-iso-f global region"),
        region("us-isof-east-1", "US ISOF EAST"),
        region("us-isof-south-1", "US ISOF SOUTH"),
    ],
};

/// The `aws-us-gov` partition (region pattern `^us\-gov\-\w+\-\d+$`).
pub static AWS_US_GOV: Partition = Partition {
    id: "aws-us-gov",
    outputs: PartitionOutputs {
        name: "aws-us-gov",
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
        implicit_global_region: "us-gov-west-1",
        supports_fips: true,
        supports_dual_stack: true,
    },
    region_prefixes: &["us-gov"],
    regions: &[
        region("aws-us-gov-global", "aws-us-gov global region"),
        region("us-gov-east-1", "AWS GovCloud (US-East)"),
        region("us-gov-west-1", "AWS GovCloud (US-West)"),
    ],
};
