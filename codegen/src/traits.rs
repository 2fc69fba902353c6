//! The trait allowlist. A trait that changes what goes on the wire and that the generator does
//! not implement is an error naming the shape: silently ignoring it would produce a client that
//! compiles and then sends the wrong bytes.

use crate::Error;
use crate::smithy::{Shape, Traits};

/// Traits the generator implements (they reach the IR).
const IMPLEMENTED: &[&str] = &[
    "smithy.api#clientOptional",
    "smithy.api#default",
    "smithy.api#deprecated",
    "smithy.api#documentation",
    "smithy.api#endpoint",
    "smithy.api#enumValue",
    "smithy.api#error",
    "smithy.api#eventHeader",
    "smithy.api#eventPayload",
    "smithy.api#hostLabel",
    "smithy.api#http",
    "smithy.api#httpChecksumRequired",
    "smithy.api#httpError",
    "smithy.api#httpHeader",
    "smithy.api#httpLabel",
    "smithy.api#httpPayload",
    "smithy.api#httpPrefixHeaders",
    "smithy.api#httpQuery",
    "smithy.api#httpQueryParams",
    "smithy.api#httpResponseCode",
    "smithy.api#idempotencyToken",
    "smithy.api#idempotent",
    "smithy.api#input",
    "smithy.api#jsonName",
    "smithy.api#mediaType",
    "smithy.api#mixin",
    "smithy.api#output",
    "smithy.api#paginated",
    "smithy.api#readonly",
    "smithy.api#requestCompression",
    "smithy.api#requiresLength",
    "smithy.api#required",
    "smithy.api#retryable",
    "smithy.api#sensitive",
    "smithy.api#sparse",
    "smithy.api#streaming",
    "smithy.api#timestampFormat",
    "smithy.api#unitType",
    "aws.protocols#restJson1",
    "aws.auth#sigv4",
    "aws.api#service",
];

/// Traits that constrain or describe a shape without changing the wire format a client sends
/// or accepts (a client does not validate constraints: the service does).
const DESCRIPTIVE: &[&str] = &[
    "smithy.api#addedDefault",
    "smithy.api#auth",
    "smithy.api#authDefinition",
    "smithy.api#examples",
    "smithy.api#externalDocumentation",
    "smithy.api#idRef",
    "smithy.api#internal",
    "smithy.api#length",
    "smithy.api#noReplace",
    "smithy.api#notProperty",
    "smithy.api#optionalAuth",
    "smithy.api#pattern",
    "smithy.api#private",
    "smithy.api#property",
    "smithy.api#protocolDefinition",
    "smithy.api#range",
    "smithy.api#recommended",
    "smithy.api#references",
    "smithy.api#resourceIdentifier",
    "smithy.api#since",
    "smithy.api#suppress",
    "smithy.api#tags",
    "smithy.api#title",
    "smithy.api#trait",
    "smithy.api#uniqueItems",
    "smithy.api#unstable",
    "smithy.api#xmlAttribute",
    "smithy.api#xmlFlattened",
    "smithy.api#xmlName",
    "smithy.api#xmlNamespace",
];

/// Namespaces whose traits can change the wire; anything there must be listed above.
const WIRE_NAMESPACES: &[&str] = &["smithy.api", "aws.protocols", "aws.auth"];

fn check_traits(id: &str, traits: &Traits) -> Result<(), Error> {
    for name in traits.keys() {
        if IMPLEMENTED.contains(&name.as_str()) || DESCRIPTIVE.contains(&name.as_str()) {
            continue;
        }
        let namespace = name.split_once('#').map_or("", |(ns, _)| ns);
        if WIRE_NAMESPACES.contains(&namespace) {
            return Err(Error::shape(
                id,
                format!("trait `{name}` is not supported by the generator"),
            ));
        }
    }
    Ok(())
}

/// Checks a shape's own traits.
pub fn check(id: &str, shape: &Shape) -> Result<(), Error> {
    check_traits(id, &shape.traits)
}

/// Checks a member's traits.
pub fn check_member(member_id: &str, traits: &Traits) -> Result<(), Error> {
    check_traits(member_id, traits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_wire_trait_names_the_shape() {
        let mut t = Traits::new();
        t.insert("smithy.api#httpFancy".into(), json!({}));
        let err = check_member("ex#Shape$member", &t).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ex#Shape$member: trait `smithy.api#httpFancy` is not supported by the generator"
        );
        let mut t = Traits::new();
        t.insert("aws.iam#iamAction".into(), json!({}));
        assert!(check_member("ex#Shape$member", &t).is_ok());
    }
}
