//! Reading a vendor's reply: whether it is a success, and what it holds in canonical terms (a
//! webhook, a page, a test result, a resource's fields); a failure becomes the vendor's
//! problem in canonical terms, and an answer hookgate cannot read a 502 that says so.

use super::Context;
use crate::exchange::Reply;
use crate::json::{
    self,
    doubt::{Doubt, Doubtful},
};
use crate::mapping::codec::Codec;
use crate::mapping::errors::{Failure, Naming};
use crate::mapping::id_header::Named;
use crate::mapping::json_path::{FieldPath, Step};
use crate::mapping::model::{Endpoint, FlagAbsent, Paging, Resource, ResourceEndpoint, Role};
use crate::mapping::rules::{Item, Misread, Target};
use crate::mapping::template::Template;
use crate::model::{self, Action, ListQuery, Listed, Members, Object};
use crate::problem::{Code, Problem, UpstreamInfo};
use serde_json::{Map, Value};

/// A successful answer: its body and, when the webhook (or a list's items) was read while the
/// body was parsed, what was found there (the body then holds a `null` in its place).
pub(super) struct Parsed {
    body: Body,
    item: Option<Item>,
    items: Option<Listed>,
    /// What the answer's headers name of the webhook, where its endpoint declares headers
    /// that name it (`response_headers`).
    named: Option<Named>,
}

/// An answer's body: parsed whole, or what was left when the webhook or the items were read
/// from it as it was parsed, made a value only where something other than the failure flag is
/// looked up in it.
enum Body {
    Whole(Value),
    Rest(json::Rest),
}

impl Body {
    /// The body as a value, left where it is.
    fn to_value(&self) -> std::borrow::Cow<'_, Value> {
        match self {
            Body::Whole(value) => std::borrow::Cow::Borrowed(value),
            Body::Rest(rest) => std::borrow::Cow::Owned(rest.value().unwrap_or(Value::Null)),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Body::Whole(value) => value,
            // The scan that left it found a JSON document: a parse that fails anyway leaves
            // nothing to find in it (a problem saying what is missing follows).
            Body::Rest(rest) => rest.value().unwrap_or(Value::Null),
        }
    }
}

/// A webhook answered that cannot be passed on: the problem, and what was read of it, which
/// names what a create so answered made (its id, a secret minted).
pub(super) struct Unusable {
    pub(super) problem: Problem,
    pub(super) read: Option<Members>,
    /// The answer says a webhook was made, though not which (its body and a header name two):
    /// the change was made, which a refusal of a create says.
    pub(super) made: bool,
}

/// The webhook an answer to a call on one webhook holds, and whether the answer named no id
/// (`unnamed`): it then held the webhook in part, and the id is the one its call named.
pub(super) struct Answered {
    pub(super) webhook: Members,
    pub(super) unnamed: bool,
}

impl Unusable {
    /// Boxed: a problem is large, and a webhook is answered far more often than refused.
    fn boxed(problem: Problem, read: Option<Members>) -> Box<Unusable> {
        Box::new(Unusable {
            problem,
            read,
            made: false,
        })
    }

    /// A webhook made, whose answer names it twice over, in two ways.
    fn made_twice(problem: Problem) -> Box<Unusable> {
        Box::new(Unusable {
            problem,
            read: None,
            made: true,
        })
    }
}

impl From<Box<Unusable>> for Problem {
    fn from(unusable: Box<Unusable>) -> Problem {
        unusable.problem
    }
}

/// Whom a page of a vendor's list is read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadFor {
    /// A client's list (or a walk to a client's page): it holds the named owner's webhooks
    /// only, and a page shorter than the page size asked for is its last where the vendor
    /// marks none, as its clients read it.
    Client,
    /// A read of one webhook from the list (the walk's `Find`): the page size is hookgate's
    /// choice, which a vendor may serve less of, so only an empty page (or the vendor's own
    /// marker) ends the list; another owner's webhook of the id is passed over, and the
    /// webhook found is the vendor's read of it, its secret shown or withheld as a read's.
    Find,
}

impl Parsed {
    fn whole(body: Value) -> Parsed {
        Parsed {
            body: Body::Whole(body),
            item: None,
            items: None,
            named: None,
        }
    }
}

impl Context<'_> {
    /// Who answered, for problems.
    pub(super) fn info(&self) -> UpstreamInfo {
        UpstreamInfo {
            name: self.upstream.to_owned(),
            dialect: self.dialect.name.clone(),
            ..UpstreamInfo::default()
        }
    }

    /// A 502 for an answer hookgate cannot read; counted as a translation error.
    pub(super) fn malformed(&self, what: &str, status: Option<u16>) -> Problem {
        let mut p = Problem::new(
            Code::UpstreamError,
            format!("upstream {} sent {what}", self.upstream),
        );
        let mut info = self.info();
        info.status = status;
        p.upstream = Some(Box::new(info));
        p.untranslatable = true;
        p
    }

    /// `problem`, of a success answered to a create that names no webhook made, with the
    /// vendor's words for it where the answer holds any at the places the file's `errors`
    /// section reads (its message, its field errors): a vendor whose bulk call answers 200
    /// with each item's failure (Jira's `{"webhookRegistrationResult": [{"errors": ["Invalid
    /// JQL"]}]}`) says there why it made none, which the client is told as the vendor said it.
    pub(super) fn with_words_of(&self, mut problem: Problem, reply: &Reply) -> Problem {
        let Ok(body) = json::from_slice_lenient(&reply.body) else {
            return problem;
        };
        let failure = Failure {
            status: reply.status.as_u16(),
            body: Some(&body),
            header_request_id: None,
            retry_after: None,
            text: None,
            raw: &reply.body,
        };
        let read = self
            .dialect
            .errors
            .read(&failure, &self.dialect.webhook, self.info());
        let said = read.upstream.as_deref().and_then(|u| u.message.as_ref());
        if said.is_none() && read.errors.is_empty() {
            return problem;
        }
        problem.detail = format!("{}, saying: {}", problem.detail, read.detail);
        if let (Some(info), Some(vendor)) = (problem.upstream.as_deref_mut(), read.upstream) {
            info.status = vendor.status;
            info.message = vendor.message;
            info.code = vendor.code;
        }
        problem
    }

    /// Refuses a list answered in part by a vendor that pages by a request header (Heroku's
    /// `Range` and `Next-Range`): a 206 Partial Content, a `Next-Range`, or a `Content-Range`
    /// whose total is past the page's end. A mapping file has no way to send the next range,
    /// and the page alone, passed on as the whole list, would hide the webhooks after it.
    pub(super) fn whole_list(&self, reply: &Reply) -> Result<(), Problem> {
        if !reply.status.is_success() {
            return Ok(());
        }
        let next_range = reply
            .headers
            .text("next-range")
            .filter(|v| !v.trim().is_empty());
        let range = reply
            .headers
            .text("content-range")
            .filter(|v| more_follows(v));
        let why = if reply.status == http::StatusCode::PARTIAL_CONTENT {
            "206 Partial Content".to_owned()
        } else if let Some(next) = next_range {
            format!("`Next-Range: {next}`")
        } else if let Some(range) = range {
            format!("`Content-Range: {range}`")
        } else {
            return Ok(());
        };
        Err(self.malformed(
            &format!(
                "a list in part ({why}): it pages by a request header, which its mapping file cannot follow, and a list cut short is not passed on"
            ),
            Some(reply.status.as_u16()),
        ))
    }

    /// Reads a reply to `endpoint`: a success as parsed, with what its headers name of the
    /// webhook where the endpoint declares headers that name it; a failure as its problem.
    pub(super) fn read(&self, endpoint: &Endpoint, reply: &Reply) -> Result<Parsed, Problem> {
        let mut parsed = self.read_as(endpoint, reply, ReadFor::Client)?;
        if !endpoint.response_headers.is_empty() {
            let values = |name: &http::HeaderName| {
                (reply.headers.texts(name.as_str()))
                    .map(|line| line.map(str::to_owned))
                    .collect()
            };
            parsed.named = Some(self.dialect.named_in_headers(endpoint, values));
        }
        Ok(parsed)
    }

    /// [`Self::read`], for whom a list's page is read: a client's list shows no secret, where
    /// a read of one webhook from it is the vendor's read of it ([`ReadFor`]).
    pub(super) fn read_as(
        &self,
        endpoint: &Endpoint,
        reply: &Reply,
        read_for: ReadFor,
    ) -> Result<Parsed, Problem> {
        let status = reply.status.as_u16();
        let success = reply.status.is_success();
        let flag_is_result =
            endpoint.role.action() == Action::Test && self.test_reads_flag(endpoint);
        if let (true, false, Some((keys, reader))) = (
            success,
            reply.body.is_empty(),
            self.dialect.webhook_reader(endpoint),
        ) {
            // The usual success: the webhook is read as the answer is parsed. Anything else
            // (not JSON, a failure flag, a repeated key) is looked at whole below.
            let read = json::read_at(&reply.body, keys, |scan| reader.read(scan, &reply.body));
            if let Ok((rest, item)) = read {
                let settled = !matches!(item, Some(Item::Ambiguous));
                if settled && matches!(self.dialect.errors.flags_failure(status, &rest), Ok(false))
                {
                    return Ok(Parsed {
                        body: Body::Rest(rest),
                        item,
                        items: None,
                        named: None,
                    });
                }
            }
        } else if let (true, false, Some((keys, reader))) = (
            success,
            reply.body.is_empty(),
            self.dialect.list_reader(endpoint),
        ) {
            // A list's items, likewise read as they are parsed and written at once as
            // canonical webhooks: no object of the vendor's list is built only to be taken
            // apart. A canonical webhook is about as long as the vendor's. A webhook of a
            // client's list holds no secret, whatever the vendor lists (one that shows it on
            // every read): a list is a read, and a secret is shown only in the answer that
            // made it. One read from the list for itself is the vendor's read of it, whose
            // secret is the plan's to show or withhold as a read's.
            let mut page = Listed::with_capacity(reply.body.len() + 64);
            let answers_secret =
                read_for == ReadFor::Client && self.dialect.webhook.answered_secret().is_some();
            // Looked up once a page, not once a webhook. A read of one webhook from the list
            // learns whether the vendor said whose each is: it gives the owner itself
            // ([`Plan::found`]).
            let told = read_for == ReadFor::Client && self.owner_told(endpoint);
            let read = json::read_at(&reply.body, keys, |scan| {
                reader.read(scan, &mut page, |webhook| {
                    self.complete(webhook, told);
                    if answers_secret {
                        model::withhold_secret(webhook);
                    }
                    // Another owner's webhook is read again whole, where a client's page
                    // refuses it by name.
                    self.addressable(webhook).is_ok() && self.of_owner(webhook)
                })
            });
            if let Ok((rest, items)) = read
                && matches!(self.dialect.errors.flags_failure(status, &rest), Ok(false))
            {
                return Ok(Parsed {
                    body: Body::Rest(rest),
                    item: None,
                    items: items.map(|()| page),
                    named: None,
                });
            }
        }
        match self.read_whole(reply, flag_is_result, endpoint.body.as_ref()) {
            // An answer whose body hookgate reads nothing from (a delete's, one read again
            // after, a template of constants) may be anything a vendor sends with a success:
            // `OK`, a page of its own.
            Err(p) if success && p.untranslatable && !endpoint.reads_answer() => {
                Ok(Parsed::whole(Value::Null))
            }
            read => read,
        }
    }

    /// What a success answered to `endpoint` shows of the webhook it wrote, read by the
    /// dialect's rules as a planned call's answer is: `None` where the endpoint's answer holds
    /// no webhook (a rotation's 204), and what was read of one that cannot be passed on (a
    /// create's id, a secret minted), as a refusal names it. A relayed change's answer is read
    /// so, for the secret it shows. A failure, or an answer nothing of the webhook could be
    /// read from, is the problem.
    pub fn changed_webhook(
        &self,
        endpoint: &Endpoint,
        reply: &Reply,
    ) -> Result<Option<Members>, Problem> {
        let parsed = self.read(endpoint, reply)?;
        if !endpoint.answers_webhook() {
            return Ok(None);
        }
        match self.webhook(endpoint, parsed) {
            Ok(webhook) => Ok(Some(webhook)),
            Err(unusable) => match unusable.read {
                Some(read) => Ok(Some(read)),
                None => Err(unusable.problem),
            },
        }
    }

    /// The refusal of an answer whose headers name two webhooks (`Resource-ID: 123, 124`, two
    /// `Location` lines that differ), where `named` says so: which webhook the change made
    /// or changed is not known. A relayed answer is held to it as a translated one is.
    pub fn named_twice(&self, named: &Named) -> Option<Problem> {
        let conflict = named.conflict.as_ref()?;
        Some(self.malformed(&format!("an answer {conflict}"), None))
    }

    /// What the webhook at `keys` (object keys and array indexes from the root) of a reply
    /// says doubtfully ([`json::doubt`]), placed in the webhook as the vendor wrote it; a key
    /// on the way to it given twice makes the whole webhook doubtful (the place of no member).
    /// Looked for in the read before a change alone, which is composed from it: a read shows
    /// the answer as it is read. `None` where the text could not be read so.
    pub(super) fn doubts_at(&self, reply: &Reply, keys: &[String]) -> Option<Vec<Doubtful>> {
        let text = std::str::from_utf8(&reply.body).ok()?;
        let doubts = json::doubt::doubts(text).ok()?;
        let found = (doubts.into_iter())
            .filter_map(|mut d| {
                if d.place.starts_with(keys) {
                    d.place.drain(..keys.len());
                    return Some(d);
                }
                let on_the_way = d.doubt == Doubt::Repeated && keys.starts_with(&d.place);
                on_the_way.then(|| Doubtful {
                    place: Vec::new(),
                    doubt: Doubt::Repeated,
                })
            })
            .collect();
        Some(found)
    }

    /// The problem of a reply that cannot be passed on as it is: the vendor's failure as far as
    /// its status and body tell it, or a success hookgate could not read.
    pub fn problem_of(&self, reply: &Reply) -> Problem {
        let status = Some(reply.status.as_u16());
        match self.read_whole(reply, false, None) {
            Err(problem) => problem,
            Ok(_) if reply.body.is_empty() => {
                self.malformed("an empty answer, where its answer is read", status)
            }
            Ok(_) => {
                let what = format!("an answer with {}", json::not_json(&reply.body));
                self.malformed(&what, status)
            }
        }
    }

    /// Reads a reply to a resource's verb.
    pub(super) fn read_plain(&self, reply: &Reply) -> Result<Value, Problem> {
        self.read_whole(reply, false, None)
            .map(|p| p.body.into_value())
    }

    /// Reads a reply whole; a failure's field errors are named against `sent`, the template of
    /// the body the call sent, where it sent one.
    fn read_whole(
        &self,
        reply: &Reply,
        flag_is_result: bool,
        sent: Option<&Template>,
    ) -> Result<Parsed, Problem> {
        let status = reply.status.as_u16();
        let success = reply.status.is_success();
        if reply.status.is_redirection() {
            // Not followed: the vendor's API is at its base URL, and a `Location` elsewhere
            // could send hookgate's credential there. Its body says nothing of the webhook.
            return Err(self.malformed(
                &format!("a redirect ({status}), which hookgate does not follow"),
                Some(status),
            ));
        }
        let parsed = if reply.body.is_empty() {
            None
        } else {
            json::from_slice_lenient(&reply.body).ok()
        };
        let parsed = match parsed {
            Some(body)
                if !self.dialect.errors.is_failure(status, &body)
                    || (success && flag_is_result) =>
            {
                return Ok(Parsed::whole(body));
            }
            None if success && reply.body.is_empty() => {
                return Ok(Parsed::whole(Value::Null));
            }
            None if success => {
                let what = match out_of_range(&reply.body) {
                    Some(found) => format!("a success whose {found}"),
                    None => format!("a success with {}", json::not_json(&reply.body)),
                };
                return Err(self.malformed(&what, Some(status)));
            }
            failed => failed,
        };
        let header = |name: &str| reply.headers.text(name);
        // A refusal's words are the vendor's; a 5xx's text as often an intermediary's
        // (`no healthy upstream`), which says nothing the client can act on. Looked for only
        // where the body is no JSON: most failures' are.
        let plain = || {
            header("content-type").is_some_and(|t| {
                t.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/plain"))
            })
        };
        let text = (parsed.is_none() && reply.status.is_client_error() && plain())
            .then(|| std::str::from_utf8(&reply.body).ok())
            .flatten();
        let failure = Failure {
            status,
            body: parsed.as_ref(),
            header_request_id: header("x-request-id"),
            retry_after: reply.retry_after(),
            text,
            raw: &reply.body,
        };
        let naming = Naming {
            fields: &self.dialect.webhook,
            sent,
        };
        Err(self
            .dialect
            .errors
            .read_sent(&failure, &naming, self.info()))
    }

    /// Whether a test's result reads the vendor's failure flag as its own member (a test whose
    /// delivery failed answers `success: false`): such an answer is a result, not a failure.
    fn test_reads_flag(&self, endpoint: &Endpoint) -> bool {
        let Some(flag) = &self.dialect.errors.flag else {
            return false;
        };
        endpoint.item_paths.iter().any(|at| {
            self.dialect.test_result.rules.iter().any(|r| {
                r.path.as_ref().is_some_and(|p| {
                    let mut whole = at.clone();
                    for step in p.steps() {
                        whole = whole.child(step.clone());
                    }
                    &whole == flag
                })
            })
        })
    }

    /// The webhook an answer to `endpoint` holds, in canonical terms and order: as it was
    /// read, its strings still the vendor's text where they can be written as they are.
    /// A webhook no later call could reach (no id, or one no path carries) or holding a value
    /// its field cannot be is refused, with what was read of it.
    pub(super) fn webhook(
        &self,
        endpoint: &Endpoint,
        parsed: Parsed,
    ) -> Result<Members, Box<Unusable>> {
        self.webhook_of(endpoint, parsed, None)
            .map(|answered| answered.webhook)
    }

    /// The webhook an answer to a call on webhook `asked` holds (the id its request named,
    /// where the answer is that webhook's: a change's, not a create's), read as
    /// [`Context::webhook`] reads one. An answer that names no id is that webhook's: a
    /// rotation answered with its new key alone is of the webhook rotated, and keeps the key.
    /// One that names another webhook is refused. Where a header the endpoint declares names
    /// the webhook (`Location`), a body that names no id is that webhook's (a create answered
    /// 201 with no body); a body or another header that names another is refused.
    pub(super) fn webhook_of(
        &self,
        endpoint: &Endpoint,
        mut parsed: Parsed,
        asked: Option<&str>,
    ) -> Result<Answered, Box<Unusable>> {
        let headed = parsed.named.take().unwrap_or_default();
        // A create's answer that names two webhooks made one of them, or both: which is not
        // known, and neither is named as the one made. A change's names another than asked.
        let refused = |what: String| {
            let problem = self.malformed(&what, None);
            match asked {
                Some(_) => Unusable::boxed(problem, None),
                None => Unusable::made_twice(problem),
            }
        };
        if let Some(problem) = self.named_twice(&headed) {
            return Err(match asked {
                Some(_) => Unusable::boxed(problem, None),
                None => Unusable::made_twice(problem),
            });
        }
        let found = headed.found.as_ref();
        let mut webhook = match self.read_webhook(endpoint, parsed)? {
            Some(webhook) => webhook,
            // Nothing of the webhook the call named (a 204, `{}`, a placed secret `null`): the
            // change is that webhook's all the same, and a read after it gives the webhook.
            // So is an answer whose header names the webhook (a create's 201 with no body).
            None if asked.is_some() || found.is_some() => Members::default(),
            None => {
                let without = self.named_nowhere("an answer without the webhook", &headed);
                return Err(Unusable::boxed(self.malformed(&without, None), None));
            }
        };
        let bare = names_no_id(&webhook);
        if let Some(found) = found {
            let header = &found.by;
            // Compared as the vendor reads ids: `0123` is its webhook 123.
            let same = |id: &str| self.dialect.same_id(id, &found.id);
            if let Some(asked) = asked.filter(|asked| !same(asked)) {
                return Err(refused(format!(
                    "an answer whose `{header}` header names webhook {}, where its call named webhook {asked}",
                    self.as_sent(&found.id)
                )));
            }
            match webhook.text("id").filter(|_| !bare) {
                Some(id) if !same(&id) => {
                    return Err(refused(format!(
                        "an answer whose body names webhook {} and whose `{header}` header names webhook {}",
                        self.as_sent(&id),
                        self.as_sent(&found.id)
                    )));
                }
                Some(_) => {}
                None => {
                    webhook.remove_member("id");
                    webhook.insert_in_order(model::WEBHOOK_FIELDS, "id", Value::from(&*found.id));
                }
            }
            if let Some(owner) = &found.owner {
                match webhook.text("owner").filter(|_| !webhook.is_null("owner")) {
                    // Neither owner is named: another owner's is not the client's to learn.
                    Some(held) if held != *owner => {
                        return Err(refused(format!(
                            "an answer whose body and `{header}` header name webhook {} under two owners",
                            self.as_sent(&found.id)
                        )));
                    }
                    Some(_) => {}
                    None => {
                        webhook.remove_member("owner");
                        webhook.insert_in_order(
                            model::WEBHOOK_FIELDS,
                            "owner",
                            Value::from(owner.as_str()),
                        );
                    }
                }
            }
        }
        self.complete(&mut webhook, self.owner_told(endpoint));
        let named = match asked {
            Some(asked) if bare && found.is_none() => {
                webhook.remove_member("id");
                webhook.insert_in_order(model::WEBHOOK_FIELDS, "id", Value::from(asked));
                Ok(())
            }
            Some(asked) => self.named_as_asked(&webhook, asked),
            None => Ok(()),
        };
        // An answer naming another webhook shows nothing of it: not the changed webhook's,
        // its members (a secret among them) are no client's to be shown.
        if let Err(problem) = named {
            return Err(Unusable::boxed(problem, None));
        }
        // An answer that names the webhook and says nothing else of it (`{"id": …}`) is read
        // back as one that names nothing: it is no webhook to answer with. So is a create's
        // whose body names no id where a header names it: what the body holds completes the
        // webhook the read answers.
        let unnamed = match asked {
            Some(_) => bare || names_only(&webhook),
            None => found.is_some() && bare,
        };
        match self.addressable(&webhook) {
            Ok(()) => Ok(Answered { webhook, unnamed }),
            Err(mut problem) => {
                if !webhook.has("id") || webhook.is_null("id") {
                    problem.detail = self.named_nowhere(&problem.detail, &headed);
                }
                Err(Unusable::boxed(problem, Some(webhook)))
            }
        }
    }

    /// `what` an answer is (`an answer without the webhook`), and, where the endpoint declares
    /// headers that name the webhook, why none did: missing, or not of their form. A header's
    /// value is not quoted: it may hold anything (another host, a credential).
    fn named_nowhere(&self, what: &str, headed: &Named) -> String {
        match headed.why_none() {
            Some(why) => format!("{what}, nor a header that names its id ({why})"),
            None => what.to_owned(),
        }
    }

    /// What an answer holds of the webhook: the object where `{{webhook}}` stands, with the
    /// fields the response places by their own placeholders (`{{webhook.secret}}`) that it
    /// does not hold; `None` where it holds neither (no body, `{}`, a placed member `null`, a
    /// value that is no object where `{{webhook}}` stands), which only an answer to a change
    /// of a webhook its call named may be.
    fn read_webhook(
        &self,
        endpoint: &Endpoint,
        parsed: Parsed,
    ) -> Result<Option<Members>, Box<Unusable>> {
        let placed = match endpoint.placed_fields.is_empty() {
            true => Map::new(),
            false => self
                .placed_fields(endpoint, &parsed.body.to_value())
                .map_err(|p| Unusable::boxed(p, None))?,
        };
        let read = match parsed.item {
            Some(Item::Read(webhook)) => Ok(webhook),
            Some(Item::Misread(misread)) => Err(*misread),
            // `null`, `[]`, `""` where the webhook stands hold nothing of it.
            Some(Item::NotAnObject) => return Ok(None),
            Some(Item::Ambiguous) | None => {
                let answer = parsed.body.into_value();
                let at = endpoint
                    .item_paths
                    .iter()
                    .find(|p| p.get(&answer).is_some_and(Value::is_object));
                match at.and_then(|p| Some((p, p.extract(answer)?))) {
                    Some((at, found)) => {
                        let rules = endpoint.item_map(at, &self.dialect.webhook);
                        rules.read_owned(found).map(Members::from)
                    }
                    None if !placed.is_empty() => Ok(Members::default()),
                    None => return Ok(None),
                }
            }
        };
        let mut webhook = read.map_err(|misread| {
            Unusable::boxed(self.misread("a webhook", &misread), Some(misread.read))
        })?;
        for (name, value) in placed {
            if !webhook.has(&name) {
                webhook.insert_in_order(model::WEBHOOK_FIELDS, &name, value);
            }
        }
        Ok(Some(webhook))
    }

    /// The fields an answer holds where its response places them by their own placeholders
    /// (`{ signature_key = "{{webhook.secret}}" }`): each value as it lies there, as the
    /// surfaces of the dialect write it. One of another kind than its field's is refused by
    /// name (a secret's value is not shown); an integer is an identifier's decimal text, and
    /// `null` no value, unless the field may be `null`.
    fn placed_fields(
        &self,
        endpoint: &Endpoint,
        answer: &Value,
    ) -> Result<Map<String, Value>, Problem> {
        let mut out = Map::new();
        for (field, at) in &endpoint.placed_fields {
            let value = match at.get(answer) {
                None => continue,
                Some(Value::Null) if !field.nullable => continue,
                Some(Value::Number(n)) if field.identifier && (n.is_i64() || n.is_u64()) => {
                    Value::from(n.to_string())
                }
                Some(value) => value.clone(),
            };
            if let Some(why) = (!value.is_null())
                .then(|| model::type_error(field.kind, &value, false))
                .flatten()
            {
                let shown = match field.name {
                    "secret" => json::kind(&value).to_owned(),
                    _ => value.to_string(),
                };
                return Err(self.malformed(
                    &format!(
                        "an answer whose `{at}` (`{{{{webhook.{}}}}}`) is {shown}: it {why}",
                        field.name
                    ),
                    None,
                ));
            }
            out.insert(field.name.to_owned(), value);
        }
        Ok(out)
    }

    /// Refuses an answer to a call on webhook `asked` that names another: the change it
    /// answers is not known to be this webhook's, and passed on as this one's it would show
    /// another's fields (or secret) under the id the client named.
    fn named_as_asked(&self, webhook: &Members, asked: &str) -> Result<(), Problem> {
        self.the_one_asked(webhook, asked, "its call named")
    }

    /// Refuses a webhook that a read of one by its id (`asked`) answered, which is another.
    /// Taken, another webhook would be shown as the one asked, and an update that reads
    /// before it writes would write that webhook's members into the one its client named.
    pub(super) fn found_as_asked(
        &self,
        webhook: &Members,
        asked: Option<&str>,
    ) -> Result<(), Problem> {
        match asked {
            Some(asked) => self.the_one_asked(webhook, asked, "its read asked for"),
            None => Ok(()),
        }
    }

    /// Refuses a webhook that is not the one `asked` ([`Context::is_the_one`]).
    fn the_one_asked(&self, webhook: &Members, asked: &str, how: &str) -> Result<(), Problem> {
        // One that names no id is the one asked: its call named it.
        let id = match webhook.text_is("id", asked) {
            None | Some(true) => return Ok(()),
            Some(false) if self.is_the_one(webhook, asked) => return Ok(()),
            Some(false) => webhook.text("id").unwrap_or_default(),
        };
        Err(self.malformed(
            &format!(
                "a webhook whose `id` is {}, where {how} webhook {asked}",
                self.as_sent(&id)
            ),
            None,
        ))
    }

    /// Whether `webhook` is the one of id `asked`: its id names it under the vendor's rule
    /// ([`Dialect::same_id`](crate::mapping::model::Dialect::same_id): a UUID in either
    /// letter case, an `int_string` id written with leading zeros), or a field by which its
    /// vendor also finds webhooks (`also_found_by`, Svix's `uid`) does. A read of one
    /// webhook, a change's answer and a read from the list (`from = "list"`) each find it so.
    pub(super) fn is_the_one(&self, webhook: &Members, asked: &str) -> bool {
        // Compared where it lies first: the answer of almost every call.
        if webhook.text_is("id", asked) == Some(true) {
            return true;
        }
        let named = webhook
            .text("id")
            .is_some_and(|id| self.dialect.same_id(&id, asked));
        named || {
            let names = &self.dialect.emulator.also_found_by;
            names.iter().any(|name| webhook.field_is(name, asked))
        }
    }

    /// A 502 for an object the vendor answered (`what`: `a webhook`) holding a value its
    /// field cannot be.
    fn misread(&self, what: &str, misread: &Misread) -> Problem {
        self.malformed(&format!("{what} whose {misread}"), None)
    }

    /// Refuses a webhook that no later call could reach: one without an id, or whose id no
    /// path (or header) can carry or the vendor's own `id_format` does not admit, which a
    /// client's request naming it would be refused for. Its client could read it in a list,
    /// or be told it was created, and then never reach it again.
    fn addressable(&self, webhook: &impl Object) -> Result<(), Problem> {
        let Some(id) = webhook.string("id") else {
            return Err(self.malformed("a webhook that names no id", None));
        };
        let Some(why) = self.dialect.id_unfit_why(&id) else {
            return Ok(());
        };
        Err(self.malformed(
            &format!("a webhook whose `id` is {}, {why}", self.as_sent(&id)),
            None,
        ))
    }

    /// A webhook's id as the vendor sent it, for a refusal: a number where the id's rule
    /// reads integers (`int_string`) and the id is an integer's text, which a string the
    /// vendor wrote seldom is (`-1`, not `"-1"`); else the string, quoted.
    fn as_sent(&self, id: &str) -> String {
        let integers = self.dialect.webhook.rules.iter().any(|r| {
            matches!(r.target, Target::Field(f) if f.name == "id")
                && matches!(r.codec, Codec::IntString)
        });
        let digits = id.strip_prefix('-').unwrap_or(id);
        let integer = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        match integers && integer {
            true => id.to_owned(),
            false => Value::from(id).to_string(),
        }
    }

    /// A list's page: its webhooks and the next page's cursor, unless the vendor says this page
    /// is the last (a `done` flag set, or a `has_more` flag cleared, or a `Link` whose next
    /// link's parameters say it names no next page). The cursor is the one the
    /// answer gives, or one computed from the page as the list's `paging` says (`asked`: the
    /// page that was asked for; `read_for`: whom, which says what ends the list and what
    /// another owner's webhook in it is).
    pub(super) fn page(
        &self,
        endpoint: &Endpoint,
        parsed: Parsed,
        asked: &ListQuery,
        link: Option<&str>,
        read_for: ReadFor,
    ) -> Result<super::Page, Problem> {
        let answer = parsed.body.into_value();
        let done = self.page_flag(endpoint.done_path.as_ref(), endpoint.done_absent, &answer)?;
        let more = self.page_flag(endpoint.more_path.as_ref(), endpoint.more_absent, &answer)?;
        // Whether the vendor says this page is the last, where it says.
        let last = match (done, more) {
            (Some(true), _) | (_, Some(false)) => Some(true),
            (Some(false), _) | (_, Some(true)) => Some(false),
            (None, None) => None,
        };
        let given = match endpoint.paging {
            // A next link whose parameters say it names no next page ends the list, as a
            // missing one does.
            Paging::Link => link
                .and_then(|header| endpoint.next_link(header))
                .and_then(|next| cursor_in(next.target, endpoint.param_of("cursor")?)),
            _ => endpoint
                .cursor_path
                .as_ref()
                .and_then(|p| p.get(&answer))
                .and_then(|v| match v {
                    // A next page named by its URL is its cursor parameter's value there.
                    Value::String(s) if s.contains('?') => endpoint
                        .param_of("cursor")
                        .and_then(|param| cursor_in(s, param))
                        .or_else(|| Some(s.clone())),
                    Value::String(s) if !s.is_empty() => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }),
        }
        .filter(|_| last != Some(true));
        let items = match (parsed.items, endpoint.items_paths.as_slice()) {
            // No body (a 204, as a vendor with nothing to list may answer): no items, and so
            // no page after.
            (None, _) if answer.is_null() => return Ok((Listed::default(), None)),
            // Items read while parsing count where their place still holds the `null` left
            // for them: a repeated key after them may have put something else there, and of
            // repeated keys the last one counts.
            (Some(items), [at]) if at.get(&answer) == Some(&Value::Null) => items,
            _ => {
                // A vendor that leaves out an empty array answers a list of none so, where
                // its file says that is what the absence means (`{{items|[]}}`): the object
                // that would hold them is there, without them.
                let left_out = endpoint.items_absent_none
                    && (endpoint.items_paths.iter()).all(|p| left_out_of(p, &answer));
                let found = endpoint
                    .items_paths
                    .iter()
                    .find(|p| p.get(&answer).is_some_and(Value::is_array))
                    .and_then(|p| p.extract(answer));
                let items = match found {
                    Some(Value::Array(items)) => items,
                    _ if left_out => Vec::new(),
                    _ => {
                        return Err(self.malformed(
                            "a list without an array of its items where its mapping file reads them",
                            None,
                        ));
                    }
                };
                let mut page = Listed::default();
                for (at, item) in items.into_iter().enumerate() {
                    // An item that is no object is no webhook: the page is not answered
                    // without it, as if the vendor had listed one less.
                    if !item.is_object() {
                        let what = format!(
                            "a list whose item {} is no webhook but {}",
                            at + 1,
                            crate::json::kind(&item)
                        );
                        return Err(self.malformed(&what, None));
                    }
                    let told = read_for == ReadFor::Client && self.owner_told(endpoint);
                    let mut webhook = self.canonical(item, told)?;
                    if read_for == ReadFor::Client && !self.of_owner(&webhook) {
                        return Err(self.of_another_owner(at + 1));
                    }
                    // Without its secret, as above.
                    if read_for == ReadFor::Client {
                        model::withhold_secret(&mut webhook);
                    }
                    page.push(&webhook);
                }
                page
            }
        };
        // A vendor that names the page just asked for as the next one would have a client
        // that follows its cursors ask for it forever (a walk to a client's page stops at its
        // most pages).
        if let (Some(next), Some(sent)) = (&given, asked.cursor.as_deref())
            && endpoint.paging.is_given()
            && next == sent
        {
            let what = format!(
                "a page whose next page is the one asked for (cursor {}): following it would never end",
                Value::from(sent)
            );
            return Err(self.malformed(&what, None));
        }
        let next = match endpoint.paging {
            paging if paging.is_given() => given,
            paging => {
                computed_next(paging, &items, asked, endpoint, last, read_for).map_err(|_| {
                    self.malformed(
                        "a page whose last webhook has no id, after which its next page begins",
                        None,
                    )
                })?
            }
        };
        Ok((items, next))
    }

    /// What the page flag at `path` says, where the list's answers hold one: its value, or,
    /// where the answer leaves it out, what the file says that means. A flag of another
    /// kind (`"true"`, `null`, `1`), or left out where the file says every answer holds it, is
    /// refused by name: read as more pages, a client would be sent for pages that are not
    /// there, and read as the last, the rest of the list would be lost.
    fn page_flag(
        &self,
        path: Option<&FieldPath>,
        absent: FlagAbsent,
        answer: &Value,
    ) -> Result<Option<bool>, Problem> {
        let Some(path) = path else {
            return Ok(None);
        };
        match (path.get(answer), absent) {
            (Some(Value::Bool(b)), _) => Ok(Some(*b)),
            (Some(other), _) => {
                let shown = match other {
                    Value::Array(_) | Value::Object(_) => json::kind(other).to_owned(),
                    Value::String(text) if text.chars().count() > 64 => "a long string".to_owned(),
                    scalar => scalar.to_string(),
                };
                Err(self.malformed(
                    &format!("a list whose `{path}` is {shown}, which is not a boolean"),
                    None,
                ))
            }
            (None, FlagAbsent::Means(b)) => Ok(Some(b)),
            (None, FlagAbsent::Unsaid) => Ok(None),
            (None, FlagAbsent::Refused) => Err(self.malformed(
                &format!("a list without `{path}`, which says whether more pages follow"),
                None,
            )),
        }
    }

    /// A test's result.
    pub(super) fn test_result(
        &self,
        endpoint: &Endpoint,
        parsed: Parsed,
    ) -> Result<Map<String, Value>, Problem> {
        let answer = parsed.body.into_value();
        let at = endpoint
            .item_paths
            .iter()
            .find(|p| p.get(&answer).is_some());
        let (at, found) = at
            .and_then(|p| Some((p, p.extract(answer)?)))
            .ok_or_else(|| self.malformed("a test result without its body", None))?;
        endpoint
            .item_map(at, &self.dialect.test_result)
            .read_owned(found)
            .map_err(|misread| self.misread("a test result", &misread))
    }

    /// The canonical fields the answer to a write of a resource holds, where its `response`
    /// places the resource (`"{{resource}}"`) and the answer has it there: `None` for a write
    /// that answers without it (no body, `null`), as one whose file places nothing.
    pub(super) fn resource_answered(
        &self,
        resource: &Resource,
        endpoint: &ResourceEndpoint,
        body: Value,
    ) -> Result<Option<Map<String, Value>>, Problem> {
        let held = (endpoint.response.as_ref().zip(endpoint.item_path.as_ref()))
            .and_then(|(_, at)| at.get(&body))
            .is_some_and(|found| !found.is_null());
        match held {
            true => self.resource_fields(resource, endpoint, body).map(Some),
            false => Ok(None),
        }
    }

    /// The canonical fields a resource's answer holds.
    pub(super) fn resource_fields(
        &self,
        resource: &Resource,
        endpoint: &ResourceEndpoint,
        body: Value,
    ) -> Result<Map<String, Value>, Problem> {
        let found = endpoint.item_path.as_ref().and_then(|p| p.extract(body));
        let found = match found {
            Some(found @ Value::Object(_)) => found,
            // A resource is an object whose members the rules read: a list (or any other
            // value) where the file places it holds none of them.
            Some(other) => {
                let what = format!(
                    "an answer whose {} is {}, where its mapping file places a resource: an object, whose members its rules read",
                    resource.name,
                    json::kind(&other)
                );
                return Err(self.malformed(&what, None));
            }
            None => {
                return Err(
                    self.malformed(&format!("an answer without its {}", resource.name), None)
                );
            }
        };
        let mut fields = resource
            .fields
            .read_owned(found)
            .map_err(|misread| self.misread(&format!("its {}", resource.name), &misread))?;
        // A masked value is none: the header is known by its name alone.
        resource.fields.unmask(&mut fields);
        // A resource's own members that no rule names are not the webhook's extensions.
        if let Some(Value::Object(ext)) = fields.get_mut("extensions") {
            ext.retain(|key, _| resource.fields.names_extension(key));
            if ext.is_empty() {
                fields.shift_remove("extensions");
            }
        }
        Ok(fields)
    }

    /// A vendor's listed webhook in canonical terms and order, with the owner it was asked
    /// under when the vendor does not say and the list told it (`told`, as
    /// [`Context::complete`] gives it); refused as [`Context::webhook`] refuses one.
    fn canonical(&self, dialect: Value, told: bool) -> Result<Map<String, Value>, Problem> {
        let mut webhook = self
            .dialect
            .webhook
            .read_owned(dialect)
            .map_err(|misread| self.misread("a webhook", &misread))?;
        self.complete(&mut webhook, told);
        self.addressable(&webhook)?;
        Ok(webhook)
    }

    /// Whether a listed webhook may be the owner's whose list was asked for: its answer names
    /// no other (a vendor's list should keep to the owner it is sent, but one that does not
    /// answers every owner's webhooks).
    fn of_owner(&self, webhook: &impl Object) -> bool {
        match self.owner.as_deref() {
            Some(asked) => webhook.string_is("owner", asked) != Some(false),
            None => true,
        }
    }

    /// A client's page of the named owner's list holding a webhook the vendor's answer says is
    /// another owner's (`at`: its place, from 1): the vendor's error, a 502, rather than
    /// another owner's webhook shown, or one dropped from the page unsaid. The other owner
    /// and the webhook are not named: they are not the client's to learn.
    fn of_another_owner(&self, at: usize) -> Problem {
        let owner = self.owner.as_deref().unwrap_or_default();
        self.malformed(
            &format!(
                "a list of owner {owner} whose item {at} is another owner's webhook: its list does not keep to the owner it is sent"
            ),
            None,
        )
    }

    /// Whether the owner asked under is a webhook's where its answer does not say whose it is:
    /// where no rule reads an owner from answers, or the call that answered told the vendor
    /// whose it is ([`Context::tells_owner`]). Where answers say it and one of a call that found
    /// the webhook by its id alone does not, the webhook is not the owner's the request named:
    /// a change that left the vendor's webhook without its owner is not answered as if it had
    /// kept it.
    pub(super) fn owner_told(&self, endpoint: &Endpoint) -> bool {
        self.tells_owner(endpoint) || self.dialect.webhook.reading("owner").is_none()
    }

    /// Whether a call tells the vendor whose the webhook is, wherever it names the owner: in
    /// its path, a query parameter or a header (the vendor then finds the webhook under it),
    /// or, a create, in its body where a `[fields.owner]` rule carries it (the vendor makes
    /// the webhook the owner's). A create's answer that leaves the owner out is of a webhook
    /// made for the owner it was sent.
    pub(super) fn tells_owner(&self, endpoint: &Endpoint) -> bool {
        endpoint.names_owner
            || (endpoint.role == Role::Action(Action::Create)
                && self.dialect.webhook.carries("owner", Action::Create))
    }

    /// Adds what a webhook read from the vendor lacks: the owner it was asked under where that
    /// is its owner (`told`: [`Context::owner_told`]), else none, as a read of it shows it
    /// (which [`super::Plan::confirm_owner`] refuses); a status derived from `enabled`. An
    /// owner `null` does not say whose the webhook is, as a missing one does not: it is given
    /// the owner asked under where a missing one would be.
    pub(super) fn complete(&self, webhook: &mut impl Object, told: bool) {
        let held = webhook.has("owner");
        if !held || webhook.holds_null("owner") {
            match self.owner.as_deref().filter(|_| told) {
                Some(owner) => {
                    webhook.remove_member("owner");
                    webhook.insert_in_order(model::WEBHOOK_FIELDS, "owner", Value::from(owner));
                }
                None if !held => {
                    webhook.insert_in_order(model::WEBHOOK_FIELDS, "owner", Value::Null);
                }
                None => {}
            }
        }
        // A vendor that reports a status of its own says what it is: one its rule cannot read
        // (a state its map does not list) is no status, never one derived from `enabled`.
        if !self.dialect.webhook.reports("status") {
            model::derive_status(webhook);
        }
    }
}

/// Whether a webhook read names no id: none is there, or `null`.
fn names_no_id(webhook: &Members) -> bool {
    !webhook.has("id") || webhook.is_null("id")
}

/// Whether an answer's webhook holds its names alone (its id, its owner) and nothing of what
/// it is.
fn names_only(webhook: &Members) -> bool {
    webhook.names().all(|name| matches!(name, "id" | "owner"))
}

/// The next page's cursor of a vendor that names none (`paging`), from the page just read:
/// where it began and how many items it held, its number, or its last item. There is a next
/// page where the vendor says so; where it has no flag to say it, after a page that is not
/// empty and, for a client, not shorter than the page size asked for (when that is known), so
/// that a client pages on until an empty page rather than stop short. A read of one webhook
/// asks for a page size of its own choosing, which a vendor may serve less of than its mapping
/// file says: a short page ends nothing there, an empty one does. A next page after a last
/// webhook without an id cannot be asked for (`Err`): the list is not ended there.
fn computed_next(
    paging: Paging,
    items: &Listed,
    asked: &ListQuery,
    endpoint: &Endpoint,
    last: Option<bool>,
    read_for: ReadFor,
) -> Result<Option<String>, NoLastId> {
    let full = || {
        let size = asked.limit.or_else(|| endpoint.default_limit());
        read_for == ReadFor::Find || size.is_none_or(|size| items.len() as u64 >= size)
    };
    if items.is_empty() || last.unwrap_or_else(|| !full()) {
        return Ok(None);
    }
    paging
        .following(asked.cursor.as_deref(), items.len(), || items.last_id())
        .map(Some)
        .ok_or(NoLastId)
}

/// A page whose next page begins after its last webhook, which has no id.
struct NoLastId;

/// Whether the member `at` ends in is left out of the object that would hold it: that object
/// is there (the answer's own, or one inside it), the member is not.
fn left_out_of(at: &FieldPath, answer: &Value) -> bool {
    let Some((Step::Key(name), parent)) = at.steps().split_last() else {
        return false;
    };
    let parent = FieldPath::of_steps(parent.to_vec());
    matches!(parent.get(answer), Some(Value::Object(members)) if !members.contains_key(name))
}

/// The value of the query parameter `param` in a URL (absolute or relative): how a vendor
/// that names its next page by a URL gives its cursor (`…/hooks?limit=50&page_info=abc`).
fn cursor_in(url: &str, param: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == param)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

/// The first member of a JSON text that holds a number beyond a double's range (`1e400`),
/// which serde_json refuses though the grammar allows it, as a refusal names it (``member
/// `a.b` holds the number 1e400, which is out of range``).
fn out_of_range(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let doubts = json::doubt::doubts(text).ok()?;
    let found = doubts
        .iter()
        .find(|d| matches!(d.doubt, Doubt::OutOfRange(_)))?;
    Some(match found.place.is_empty() {
        true => format!("body {}", found.what()),
        false => format!("member `{}` {}", found.dotted(), found.what()),
    })
}

/// Whether a `Content-Range` (`items 0-99/250`, RFC 9110 §14.4) says more follows the range
/// answered: its total is known and past the range's last item.
fn more_follows(content_range: &str) -> bool {
    let Some((range, total)) = content_range.rsplit_once('/') else {
        return false;
    };
    let last = range
        .rsplit_once('-')
        .and_then(|(_, last)| last.trim().parse::<u64>().ok());
    match (last, total.trim().parse::<u64>()) {
        (Some(last), Ok(total)) => last.saturating_add(1) < total,
        _ => false,
    }
}
