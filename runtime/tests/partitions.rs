//! `partitions.rs` compared fact by fact with botocore's `partitions.json`
//! (`../../shared/models/partitions.json`), so drift is caught, and the lookups that are easy
//! to get wrong.
//!
//! The shared file lives outside the repository. When it is missing the test that needs it
//! says why and passes, except under `CI=true`, where it fails.

#![forbid(unsafe_code)]

use lambda_sdk_runtime::partitions::{
    self, NO_OVERRIDES, Overrides, PARTITIONS, PARTITIONS_VERSION, Partition, outputs_for,
    partition_for,
};
use serde_json::{Value, json};

mod common;
use common::shared_json;

// ---------------------------------------------------------------------------------------------
// Shared model files
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// partitions.rs against partitions.json
// ---------------------------------------------------------------------------------------------

/// The region prefixes a `partitions.json` region regex accepts. Every regex there has the
/// shape `^BODY\-\w+\-\d+$`, where BODY is literal characters, `\-` escapes and `(a|b|…)`
/// groups of such literals; anything else is an error, so a new shape fails the test.
fn regex_prefixes(regex: &str) -> Result<Vec<String>, String> {
    let body = regex
        .strip_prefix('^')
        .and_then(|r| r.strip_suffix(r"\-\w+\-\d+$"))
        .ok_or_else(|| format!(r"`{regex}` is not of the form ^PREFIX\-\w+\-\d+$"))?;
    let literal = |text: &str| -> Result<String, String> {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('-') => out.push('-'),
                    other => return Err(format!("`{regex}`: unexpected escape \\{other:?}")),
                },
                c if c.is_ascii_alphanumeric() => out.push(c),
                c => return Err(format!("`{regex}`: unexpected character `{c}`")),
            }
        }
        Ok(out)
    };
    let mut prefixes = vec![String::new()];
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(group) = rest.strip_prefix('(') {
            let (inner, after) = group
                .split_once(')')
                .ok_or_else(|| format!("`{regex}`: unclosed group"))?;
            let alternatives = inner
                .split('|')
                .map(literal)
                .collect::<Result<Vec<_>, _>>()?;
            prefixes = prefixes
                .iter()
                .flat_map(|p| alternatives.iter().map(move |a| format!("{p}{a}")))
                .collect();
            rest = after;
        } else {
            let end = rest.find('(').unwrap_or(rest.len());
            let text = literal(&rest[..end])?;
            prefixes.iter_mut().for_each(|p| p.push_str(&text));
            rest = &rest[end..];
        }
    }
    Ok(prefixes)
}

const OUTPUT_KEYS: [&str; 6] = [
    "dnsSuffix",
    "dualStackDnsSuffix",
    "implicitGlobalRegion",
    "name",
    "supportsDualStack",
    "supportsFIPS",
];

/// Overrides as the JSON members `partitions.json` would write for them.
fn overrides_json(overrides: &Overrides) -> Value {
    let mut map = serde_json::Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            map.insert(key.to_string(), value);
        }
    };
    put("name", overrides.name.map(Value::from));
    put("dnsSuffix", overrides.dns_suffix.map(Value::from));
    put(
        "dualStackDnsSuffix",
        overrides.dual_stack_dns_suffix.map(Value::from),
    );
    put(
        "implicitGlobalRegion",
        overrides.implicit_global_region.map(Value::from),
    );
    put("supportsFIPS", overrides.supports_fips.map(Value::from));
    put(
        "supportsDualStack",
        overrides.supports_dual_stack.map(Value::from),
    );
    Value::Object(map)
}

#[test]
fn partitions_match_partitions_json() {
    let Some(json) = shared_json("partitions.json") else {
        return;
    };
    let mut drift: Vec<String> = Vec::new();
    if json["version"] != PARTITIONS_VERSION {
        drift.push(format!(
            "version: partitions.json has {}, partitions.rs {PARTITIONS_VERSION}",
            json["version"]
        ));
    }
    let entries = json["partitions"].as_array().expect("`partitions` array");
    let json_ids: Vec<&str> = entries.iter().filter_map(|p| p["id"].as_str()).collect();
    let our_ids: Vec<&str> = PARTITIONS.iter().map(|p| p.id).collect();
    if json_ids != our_ids {
        drift.push(format!(
            "partition ids (in order): partitions.json {json_ids:?}, partitions.rs {our_ids:?}"
        ));
    }
    for entry in entries {
        let id = entry["id"].as_str().unwrap_or("?");
        let Some(ours) = PARTITIONS.iter().find(|p| p.id == id) else {
            drift.push(format!("partition `{id}` is missing from partitions.rs"));
            continue;
        };
        compare_partition(entry, ours, &mut drift);
    }
    assert!(
        drift.is_empty(),
        "partitions.rs differs from partitions.json:\n  {}",
        drift.join("\n  ")
    );
}

fn compare_partition(entry: &Value, ours: &Partition, drift: &mut Vec<String>) {
    let id = ours.id;
    // Outputs.
    let outputs = &entry["outputs"];
    let o = &ours.outputs;
    let expected = [
        ("dnsSuffix", json!(o.dns_suffix)),
        ("dualStackDnsSuffix", json!(o.dual_stack_dns_suffix)),
        ("implicitGlobalRegion", json!(o.implicit_global_region)),
        ("name", json!(o.name)),
        ("supportsDualStack", json!(o.supports_dual_stack)),
        ("supportsFIPS", json!(o.supports_fips)),
    ];
    for (key, value) in expected {
        if outputs[key] != value {
            drift.push(format!(
                "{id}.outputs.{key}: partitions.json {}, partitions.rs {value}",
                outputs[key]
            ));
        }
    }
    for key in outputs.as_object().map(|o| o.keys()).into_iter().flatten() {
        if !OUTPUT_KEYS.contains(&key.as_str()) {
            drift.push(format!("{id}.outputs: new key `{key}` in partitions.json"));
        }
    }
    // Region pattern.
    let regex = entry["regionRegex"].as_str().unwrap_or("");
    match regex_prefixes(regex) {
        Ok(prefixes) => {
            if prefixes != ours.region_prefixes {
                drift.push(format!(
                    "{id}.regionRegex `{regex}` accepts the prefixes {prefixes:?}, partitions.rs has {:?}",
                    ours.region_prefixes
                ));
            }
        }
        Err(e) => drift.push(format!("{id}.regionRegex: {e}")),
    }
    // Regions, their descriptions and overrides.
    let regions = entry["regions"].as_object().cloned().unwrap_or_default();
    for (name, region) in &regions {
        let at = format!("{id}.regions.{name}");
        let Some(our_region) = ours.region(name) else {
            drift.push(format!("{at}: missing from partitions.rs"));
            continue;
        };
        if region["description"].as_str() != our_region.description {
            drift.push(format!(
                "{at}.description: partitions.json {}, partitions.rs {:?}",
                region["description"], our_region.description
            ));
        }
        // Everything but the description overrides the partition's outputs.
        let mut overrides = region.as_object().cloned().unwrap_or_default();
        overrides.remove("description");
        let overrides = Value::Object(overrides);
        let ours = overrides_json(&our_region.overrides);
        if overrides != ours {
            drift.push(format!(
                "{at}: overrides in partitions.json {overrides}, partitions.rs {ours}"
            ));
        }
    }
    for our_region in ours.regions {
        if !regions.contains_key(our_region.id) {
            drift.push(format!(
                "{id}.regions.{}: in partitions.rs but not partitions.json",
                our_region.id
            ));
        }
    }
}

#[test]
fn regex_prefix_expansion() {
    assert_eq!(
        regex_prefixes(r"^(us|eu|ap)\-\w+\-\d+$"),
        Ok(vec!["us".into(), "eu".into(), "ap".into()])
    );
    assert_eq!(regex_prefixes(r"^cn\-\w+\-\d+$"), Ok(vec!["cn".into()]));
    assert_eq!(
        regex_prefixes(r"^us\-iso\-\w+\-\d+$"),
        Ok(vec!["us-iso".into()])
    );
    assert_eq!(
        regex_prefixes(r"^eusc\-(de|fr)\-\w+\-\d+$"),
        Ok(vec!["eusc-de".into(), "eusc-fr".into()])
    );
    assert!(regex_prefixes(r"^us\-\w+$").is_err());
    assert!(regex_prefixes(r"^u.s\-\w+\-\d+$").is_err());
}

#[test]
fn partition_for_prefers_listed_regions_then_patterns_then_aws() {
    // Listed explicitly, although no pattern matches.
    assert_eq!(partition_for("aws-global").id, "aws");
    assert_eq!(partition_for("aws-cn-global").id, "aws-cn");
    assert_eq!(partition_for("aws-us-gov-global").id, "aws-us-gov");
    assert_eq!(partition_for("aws-iso-b-global").id, "aws-iso-b");
    // Not listed: the first partition whose pattern matches.
    assert_eq!(partition_for("us-west-9").id, "aws");
    assert_eq!(partition_for("cn-south-7").id, "aws-cn");
    assert_eq!(partition_for("us-gov-central-3").id, "aws-us-gov");
    assert_eq!(partition_for("us-iso-north-2").id, "aws-iso");
    assert_eq!(partition_for("us-isob-south-4").id, "aws-iso-b");
    assert_eq!(partition_for("eu-isoe-north-2").id, "aws-iso-e");
    assert_eq!(partition_for("us-isof-west-5").id, "aws-iso-f");
    assert_eq!(partition_for("eusc-de-west-2").id, "aws-eusc");
    assert_eq!(partition_for("us-a_b-12").id, "aws");
    // `\w+` has no hyphen: `us-gov-…` is not an `aws` region by pattern.
    assert!(!partitions::AWS.matches_region_pattern("us-gov-west-1"));
    assert!(partitions::AWS_US_GOV.matches_region_pattern("us-gov-west-1"));
    assert!(!partitions::AWS.matches_region_pattern("us-east-"));
    assert!(!partitions::AWS.matches_region_pattern("us-east-1a"));
    assert!(!partitions::AWS.matches_region_pattern("us--1"));
    assert!(!partitions::AWS_EUSC.matches_region_pattern("eusc-fr-east-1"));
    // Neither: the `aws` partition.
    for region in [
        "",
        "local",
        "mars-east-1",
        "us-east",
        "US-EAST-1",
        "cn-north-1-x",
    ] {
        assert_eq!(partition_for(region).id, "aws", "{region:?}");
    }
    assert_eq!(outputs_for("mars-east-1").dns_suffix, "amazonaws.com");
    assert_eq!(
        outputs_for("cn-north-1").dual_stack_dns_suffix,
        "api.amazonwebservices.com.cn"
    );
    assert_eq!(
        outputs_for("us-isob-east-1").implicit_global_region,
        "us-isob-east-1"
    );
    // The canonical regex form of a prefix list.
    assert_eq!(
        partitions::AWS_ISO.region_regex(),
        r"^(us\-iso)\-\w+\-\d+$".to_string()
    );
}

#[test]
fn overrides_replace_only_what_they_name() {
    let base = partitions::AWS.outputs;
    let overrides = Overrides {
        dns_suffix: Some("example.internal"),
        supports_fips: Some(false),
        ..NO_OVERRIDES
    };
    let applied = overrides.apply(base);
    assert_eq!(applied.dns_suffix, "example.internal");
    assert!(!applied.supports_fips);
    assert_eq!(applied.name, base.name);
    assert_eq!(applied.dual_stack_dns_suffix, base.dual_stack_dns_suffix);
    assert_eq!(NO_OVERRIDES.apply(base), base);
}
