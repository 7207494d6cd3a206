//! What a request gives outside its path, and the rules every check of it keeps: its query's
//! parameters, decoded once and kept for each check that reads them (an owner or id, a list's
//! page, a field mask, a literal); a parameter or header given more than once, refused by one
//! rule wherever one value is read; and the literal values an operation sends (a scope, an API
//! version), which a client may leave out or give as they are, and nothing else.

use crate::frontend::query_pairs;
use crate::mapping::model::Endpoint;
use crate::mapping::template::Template;
use crate::problem::{FieldError, Problem};
use http::HeaderMap;
use serde_json::Value;
use std::sync::OnceLock;

/// A request's query string, read into its decoded parameters the first time a check asks for
/// them and kept for the others: a request no check reads the query of is never parsed.
#[derive(Debug)]
pub(super) struct Query {
    raw: Option<String>,
    pairs: OnceLock<Vec<(String, String)>>,
}

impl Query {
    /// The query string `raw`, not yet read.
    pub(super) fn new(raw: Option<&str>) -> Query {
        Query {
            raw: raw.map(str::to_owned),
            pairs: OnceLock::new(),
        }
    }

    /// The query string as the client sent it.
    pub(super) fn raw(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// Its parameters, decoded, in order.
    pub(super) fn pairs(&self) -> &[(String, String)] {
        self.pairs.get_or_init(|| match &self.raw {
            Some(raw) => query_pairs(Some(raw)),
            None => Vec::new(),
        })
    }

    /// The values given of the parameter `param`, in order.
    pub(super) fn values<'q>(&'q self, param: &'q str) -> impl Iterator<Item = &'q str> {
        (self.pairs().iter()).filter_map(move |(k, v)| (k == param).then_some(v.as_str()))
    }
}

/// A parameter or header a request gives more than once where one value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Twice;

impl Twice {
    /// What a refusal says of it.
    pub(super) const SAYS: &'static str = "is given more than once";
}

/// The one value of `values`, `None` where there is none. Several are refused, even alike:
/// clients', proxies' and vendors' parsers disagree on which of them counts (the first, the
/// last, all of them joined), so an answer by any one of them may not be the one the vendor
/// would give.
pub(super) fn once<T>(values: impl IntoIterator<Item = T>) -> Result<Option<T>, Twice> {
    let mut values = values.into_iter();
    let first = values.next();
    match values.next() {
        Some(_) => Err(Twice),
        None => Ok(first),
    }
}

/// Refuses a request that gives a query parameter or a header field that the operation sends
/// as literal text (`scope = "organization"`, `Stripe-Version = "2024-06-20"`) another value,
/// or gives it more than once: the vendor answers by it (another level's webhooks, another
/// version's shape), so a client asking for another is told the value it must have rather
/// than answered as if it had it. One left out is the literal, as hookgate sends the vendor.
/// Every such error is named at once, a validation error in the vendor's shape.
///
/// A parameter's values are compared as decoded, exactly; a header's as its bytes, exactly,
/// once the optional whitespace around a field value (spaces and tabs, RFC 9110 §5.5) is
/// trimmed from both: the same value however the field line is spaced, and nothing else
/// (neither another case nor a list of values in one field line).
pub(super) fn literals(
    endpoint: &Endpoint,
    query: &Query,
    headers: &HeaderMap,
) -> Result<(), Problem> {
    let mut errors = Vec::new();
    // Without a query, none of its parameters is given: it is not read.
    if query.raw().is_some() {
        for (param, literal) in literal_texts(&endpoint.query) {
            let given = || query.values(param).map(str::as_bytes);
            if let Some(why) = other_than(literal.as_bytes(), given) {
                errors.push(FieldError::in_query(param, why));
            }
        }
    }
    for (name, literal) in literal_texts(&endpoint.headers) {
        let given = || (headers.get_all(name).iter()).map(|v| v.as_bytes().trim_ascii());
        if let Some(why) = other_than(literal.trim_ascii().as_bytes(), given) {
            errors.push(FieldError::in_header(name.as_str(), why));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(errors))
    }
}

/// The literal headers and query parameters an operation sends that a request leaves out,
/// which a relay adds as hookgate's own call would send them: the vendor answers by them (an
/// API version, a level), and the answer relayed is the one the dialect describes, not the one
/// the vendor gives by its default.
pub(super) struct LeftOut<'e> {
    pub(super) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    pub(super) params: Vec<(&'e str, &'e str)>,
}

/// [`LeftOut`] of a request giving `query` and `headers` to `endpoint`.
pub(super) fn left_out<'e>(
    endpoint: &'e Endpoint,
    query: &Query,
    headers: &[(http::HeaderName, http::HeaderValue)],
) -> LeftOut<'e> {
    LeftOut {
        headers: literal_texts(&endpoint.headers)
            .filter(|(name, _)| !headers.iter().any(|(given, _)| given == *name))
            .filter_map(|(name, text)| Some(((*name).clone(), text.parse().ok()?)))
            .collect(),
        params: literal_texts(&endpoint.query)
            .filter(|(param, _)| query.values(param).next().is_none())
            .map(|(param, text)| (param.as_str(), text))
            .collect(),
    }
}

/// The names and texts of the literal ones among `templates`: a template with a placeholder,
/// alone or within text, is no literal.
fn literal_texts<K>(templates: &[(K, Template)]) -> impl Iterator<Item = (&K, &str)> {
    templates.iter().filter_map(|(name, t)| match t {
        Template::Literal(Value::String(text)) => Some((name, text.as_str())),
        _ => None,
    })
}

/// What is wrong with the values `given` where `literal` is sent: the first value other than
/// it, named, or the literal given more than once; nothing where it is given once or not at
/// all.
fn other_than<'v, I: Iterator<Item = &'v [u8]>>(
    literal: &[u8],
    given: impl Fn() -> I,
) -> Option<String> {
    if let Some(other) = given().find(|v| *v != literal) {
        let (literal, other) = (
            String::from_utf8_lossy(literal),
            String::from_utf8_lossy(other),
        );
        return Some(format!("must be `{literal}`, not `{other}`"));
    }
    once(given()).err().map(|Twice| Twice::SAYS.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_is_read_and_two_are_refused_alike_or_not() {
        assert_eq!(once(Vec::<&str>::new()), Ok(None));
        assert_eq!(once(["a"]), Ok(Some("a")));
        assert_eq!(once(["a", "a"]), Err(Twice));
        assert_eq!(once(["a", "b", "c"]), Err(Twice));
    }

    #[test]
    fn a_value_other_than_the_literal_is_named_before_a_repeat() {
        let said = |given: &[&str]| other_than(b"v1", || given.iter().map(|g| g.as_bytes()));
        assert_eq!(said(&[]), None);
        assert_eq!(said(&["v1"]), None);
        assert_eq!(said(&["v2"]).as_deref(), Some("must be `v1`, not `v2`"));
        assert_eq!(said(&[""]).as_deref(), Some("must be `v1`, not ``"));
        assert_eq!(
            said(&["v1", "V1"]).as_deref(),
            Some("must be `v1`, not `V1`")
        );
        assert_eq!(said(&["v1", "v1"]).as_deref(), Some(Twice::SAYS));
    }

    #[test]
    fn a_query_is_parsed_once_and_only_when_asked() {
        let query = Query::new(Some("a=1&b=2&a=3"));
        assert!(query.pairs.get().is_none());
        assert_eq!(query.values("a").collect::<Vec<_>>(), ["1", "3"]);
        let parsed = query.pairs().as_ptr();
        assert_eq!(query.values("b").collect::<Vec<_>>(), ["2"]);
        assert_eq!(query.pairs().as_ptr(), parsed);
        assert_eq!(Query::new(None).values("a").count(), 0);
    }
}
