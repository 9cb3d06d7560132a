//! Scope patterns (API.md §10): their grammar, which pattern covers which, and the
//! intersection of two sets. Pure functions, shared by the configuration (`agent_scopes`) and
//! the token exchange (`app::delegation`), which decides what a delegation may hold.
//!
//! # The grammar
//! A scope is 1 to 256 visible ASCII characters other than `"`, `\`, `,`, `;` and `=` (RFC 6749
//! §3.3's scope-token, less the characters the settings' text form uses), split by `:` into
//! non-empty segments. `*` is allowed only as a whole last segment (`treasury:*`) or as the
//! whole scope (`*`); `a:*:c`, `a*` and `*:b` are refused, as pico-client-auth does not match
//! them either.
//!
//! # Invariants
//! - Coverage mirrors pico-client-auth's `scope_matches` (what a resource server grants): a
//!   held `p:*` covers `p`, `p:…` at any depth and the pattern `p:…:*`; `*` covers everything;
//!   anything else covers only itself. So a token holding a covered set satisfies, at any
//!   resource server, no requirement the holder's set would not.
//! - Nothing here allocates beyond its inputs' size; callers bound how many scopes they pass.

/// The longest scope accepted.
pub const MAX_SCOPE_LENGTH: usize = 256;

/// Checks one scope or pattern against the grammar.
///
/// # Errors
/// A sentence naming the scope and what is wrong with it.
pub fn check(scope: &str) -> Result<(), String> {
    if scope.is_empty() || scope.len() > MAX_SCOPE_LENGTH {
        return Err(format!(
            "a scope must have 1 to {MAX_SCOPE_LENGTH} characters: `{}`",
            scope.escape_default()
        ));
    }
    if let Some(bad) = scope
        .chars()
        .find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\\' | ',' | ';' | '='))
    {
        return Err(format!(
            "scope `{}` has a character scopes may not have: `{}`",
            scope.escape_default(),
            bad.escape_default()
        ));
    }
    let segments: Vec<&str> = scope.split(':').collect();
    if segments.iter().any(|segment| segment.is_empty()) {
        return Err(format!("scope `{scope}` has an empty segment"));
    }
    let last = segments.len() - 1;
    for (index, segment) in segments.iter().enumerate() {
        if segment.contains('*') && (*segment != "*" || index != last) {
            return Err(format!(
                "scope `{scope}`: `*` may only be a whole last segment (`treasury:*`)"
            ));
        }
    }
    Ok(())
}

/// Whether holding `held` covers holding `requested`: every requirement `requested` satisfies
/// at a resource server, `held` satisfies too. Both must have passed [`check`].
pub fn covers(held: &str, requested: &str) -> bool {
    if held == requested || held == "*" {
        return true;
    }
    match held.strip_suffix(":*") {
        Some(prefix) => {
            requested == prefix
                || requested
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(':'))
        }
        None => false,
    }
}

/// Whether some pattern of `held` covers `requested`.
pub fn any_covers(held: &[String], requested: &str) -> bool {
    held.iter().any(|pattern| covers(pattern, requested))
}

/// The largest set covered by both `a` and `b`: for each pair, the narrower of the two when
/// one covers the other. Sorted, without duplicates or patterns another of the set covers.
pub fn intersection(a: &[String], b: &[String]) -> Vec<String> {
    let mut common: Vec<String> = Vec::new();
    for left in a {
        for right in b {
            if covers(right, left) {
                common.push(left.clone());
            } else if covers(left, right) {
                common.push(right.clone());
            }
        }
    }
    minimal(common)
}

/// `scopes` sorted, without duplicates and without patterns that another of them covers.
pub fn minimal(mut scopes: Vec<String>) -> Vec<String> {
    scopes.sort();
    scopes.dedup();
    let kept: Vec<bool> = scopes
        .iter()
        .enumerate()
        .map(|(index, scope)| {
            !scopes
                .iter()
                .enumerate()
                .any(|(other, pattern)| other != index && covers(pattern, scope))
        })
        .collect();
    scopes
        .into_iter()
        .zip(kept)
        .filter_map(|(scope, kept)| kept.then_some(scope))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(scopes: &[&str]) -> Vec<String> {
        scopes.iter().map(|scope| (*scope).to_owned()).collect()
    }

    #[test]
    fn the_grammar_allows_a_star_only_as_a_whole_last_segment() {
        for good in [
            "treasury",
            "treasury:write",
            "treasury:write:*",
            "treasury:*",
            "*",
            "treasury:write:budget:opex",
            "read.all",
            "a-b_c/d",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "a:*:c",
            "a*",
            "*:b",
            "a:b*",
            "a::b",
            ":a",
            "a:",
            "a b",
            "a,b",
            "a;b",
            "a=b",
            "a\"b",
            "a\\b",
            "ä",
            "a\u{7}",
            &"a".repeat(MAX_SCOPE_LENGTH + 1),
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check(&"a".repeat(MAX_SCOPE_LENGTH)), Ok(()));
    }

    #[test]
    fn coverage_follows_pico_client_auths_matcher() {
        // The brief's examples: `treasury:write:*` only under itself or `treasury:*`.
        assert!(covers("treasury:write:*", "treasury:write:*"));
        assert!(covers("treasury:*", "treasury:write:*"));
        assert!(covers("*", "treasury:write:*"));
        assert!(!covers("treasury:write", "treasury:write:*"));
        assert!(!covers("treasury:write:budget:*", "treasury:write:*"));
        assert!(!covers("treasury:read:*", "treasury:write:*"));
        // A held pattern covers its prefix, anything below it, and narrower patterns.
        assert!(covers("treasury:*", "treasury"));
        assert!(covers("treasury:*", "treasury:write:budget:opex"));
        assert!(covers("treasury:write:*", "treasury:write:budget:*"));
        // Segments are whole: `treasury:*` is not `treasuryx:…`.
        assert!(!covers("treasury:*", "treasuryx:write"));
        assert!(!covers("treasury:*", "treasuryx"));
        // Exact scopes cover only themselves; nothing but `*` covers `*`.
        assert!(!covers("treasury", "treasury:write"));
        assert!(!covers("treasury:write", "treasury"));
        assert!(!covers("treasury:*", "*"));
        assert!(covers("*", "*"));
    }

    #[test]
    fn the_intersection_keeps_the_narrower_of_each_pair() {
        assert_eq!(
            intersection(
                &set(&["treasury:*", "docs:read"]),
                &set(&["treasury:write:*", "billing:*"])
            ),
            set(&["treasury:write:*"])
        );
        assert_eq!(
            intersection(&set(&["*"]), &set(&["b:read", "a:*"])),
            set(&["a:*", "b:read"])
        );
        assert_eq!(
            intersection(&set(&["a:x", "a:*"]), &set(&["a:*"])),
            set(&["a:*"]),
            "a:x is covered by a:*, which both hold"
        );
        assert!(intersection(&set(&["a:*"]), &set(&["b:*"])).is_empty());
        assert!(intersection(&[], &set(&["*"])).is_empty());
    }

    #[test]
    fn minimal_drops_duplicates_and_covered_patterns() {
        assert_eq!(
            minimal(set(&["b", "a:x", "a:*", "b", "a"])),
            set(&["a:*", "b"])
        );
        assert_eq!(minimal(set(&["x:y", "*"])), set(&["*"]));
    }
}
