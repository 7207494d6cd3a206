//! Event types kept as boolean members: a vendor whose webhook holds `push_events: true,
//! issues_events: false` rather than a list of event types. The canonical `events` is the
//! list of the types whose member is `true`; a request that names only some members switches
//! those types on or off and leaves the others as they are.

use super::json_path::FieldPath;
use serde_json::Value;

/// The boolean members of one rule, each with the event type it stands for, ordered by event
/// type.
#[derive(Debug, Clone, PartialEq)]
pub struct Flags {
    members: Vec<(String, FieldPath)>,
}

/// What a vendor request says of the flags.
#[derive(Debug, PartialEq)]
pub enum Given {
    /// None of them.
    Nothing,
    /// Every one of them: the event types switched on.
    All(Vec<String>),
    /// Some of them: each type named, switched on (`true`) or off.
    Some(Vec<(String, bool)>),
}

impl Flags {
    /// The flags of `members` (event type, path), at least one.
    pub fn new(members: Vec<(String, FieldPath)>) -> Flags {
        Flags { members }
    }

    /// The event types, in order.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(t, _)| t.as_str())
    }

    /// Where the members are.
    pub fn paths(&self) -> impl Iterator<Item = &FieldPath> {
        self.members.iter().map(|(_, p)| p)
    }

    /// The event types an answer has switched on; `None` where it holds none of the members.
    /// A member that is not a boolean counts as not switched on.
    pub fn read(&self, object: &Value) -> Option<Value> {
        let mut present = false;
        let mut on = Vec::new();
        for (kind, path) in &self.members {
            let value = path.get(object);
            present |= value.is_some();
            if value == Some(&Value::Bool(true)) {
                on.push(Value::from(kind.as_str()));
            }
        }
        present.then_some(Value::Array(on))
    }

    /// What a client's request says of the flags; `Err` says why it says nothing readable: a
    /// member that is not a boolean, or one that holds flags and is not an object
    /// (`"event_types": ["form_response"]`), which would otherwise read as none given.
    pub fn given(&self, object: &Value) -> Result<Given, String> {
        let mut named = Vec::new();
        for (kind, path) in &self.members {
            let steps = path.steps();
            for len in 1..steps.len() {
                let holder = FieldPath::of_steps(steps[..len].to_vec());
                if holder.get(object).is_some_and(|v| !v.is_object()) {
                    return Err(format!("`{holder}` must be an object"));
                }
            }
            match path.get(object) {
                None => {}
                Some(Value::Bool(on)) => named.push((kind.clone(), *on)),
                Some(_) => return Err(format!("`{path}` must be a boolean")),
            }
        }
        Ok(if named.is_empty() {
            Given::Nothing
        } else if named.len() == self.members.len() {
            Given::All(
                named
                    .into_iter()
                    .filter(|(_, on)| *on)
                    .map(|(k, _)| k)
                    .collect(),
            )
        } else {
            Given::Some(named)
        })
    }

    /// Writes every member into `out`: `true` for the event types `events` lists, `false` for
    /// the others. `Err` says why `events` cannot be spelt so.
    pub fn write(&self, out: &mut Value, events: &Value) -> Result<(), String> {
        let Some(list) = events.as_array() else {
            return Err("must be an array of strings".into());
        };
        let mut named = Vec::with_capacity(list.len());
        for item in list {
            let Some(kind) = item.as_str() else {
                return Err("must be an array of strings".into());
            };
            if !self.members.iter().any(|(k, _)| k == kind) {
                return Err(format!(
                    "`{kind}` is not an event type of this API; it has: {}",
                    self.types().collect::<Vec<_>>().join(", ")
                ));
            }
            named.push(kind);
        }
        for (kind, path) in &self.members {
            path.set(out, Value::Bool(named.contains(&kind.as_str())));
        }
        Ok(())
    }
}

/// The event types a webhook has once `switched` (each type on or off) applies to `current`,
/// its list as it is: kept in their order, those switched off removed, those switched on and
/// not there yet added after them.
pub fn switch(current: Option<&Value>, switched: &[(String, bool)]) -> Value {
    let mut events: Vec<Value> = current
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (kind, on) in switched {
        let at = events.iter().position(|e| e.as_str() == Some(kind));
        match (at, on) {
            (Some(i), false) => {
                events.remove(i);
            }
            (None, true) => events.push(Value::from(kind.as_str())),
            _ => {}
        }
    }
    Value::Array(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flags() -> Flags {
        let at = |p: &str| FieldPath::parse(p).unwrap();
        Flags::new(vec![
            ("issues".into(), at("$.issues_events")),
            ("push".into(), at("$.push_events")),
            ("tag".into(), at("$.triggers.tag.enabled")),
        ])
    }

    #[test]
    fn an_answer_reads_as_the_types_switched_on() {
        let f = flags();
        let answer = json!({"push_events": true, "issues_events": false, "triggers": {"tag": {"enabled": true}}});
        assert_eq!(f.read(&answer), Some(json!(["push", "tag"])));
        assert_eq!(f.read(&json!({"push_events": "yes"})), Some(json!([])));
        assert_eq!(f.read(&json!({"url": "x"})), None);
    }

    #[test]
    fn a_request_names_all_some_or_none_of_the_flags() {
        let f = flags();
        let all = json!({"push_events": true, "issues_events": false, "triggers": {"tag": {"enabled": false}}});
        assert_eq!(f.given(&all), Ok(Given::All(vec!["push".into()])));
        let some = json!({"issues_events": true, "push_events": false});
        assert_eq!(
            f.given(&some),
            Ok(Given::Some(vec![
                ("issues".into(), true),
                ("push".into(), false)
            ]))
        );
        assert_eq!(f.given(&json!({})), Ok(Given::Nothing));
        assert_eq!(
            f.given(&json!({"triggers": {"tag": {"enabled": 1}}})),
            Err("`triggers.tag.enabled` must be a boolean".into())
        );
        for holder in [
            json!({"triggers": ["tag"]}),
            json!({"triggers": {"tag": 3}}),
        ] {
            assert!(
                f.given(&holder)
                    .is_err_and(|e| e.ends_with("must be an object")),
                "{holder}"
            );
        }
    }

    #[test]
    fn a_list_is_written_as_every_flag() {
        let f = flags();
        let mut out = json!({"url": "x"});
        f.write(&mut out, &json!(["tag", "push"])).unwrap();
        assert_eq!(
            out,
            json!({"url": "x", "issues_events": false, "push_events": true, "triggers": {"tag": {"enabled": true}}})
        );
        let unknown = f.write(&mut out, &json!(["note"])).unwrap_err();
        assert_eq!(
            unknown,
            "`note` is not an event type of this API; it has: issues, push, tag"
        );
        assert!(f.write(&mut out, &json!("push")).is_err());
        assert!(f.write(&mut out, &json!([1])).is_err());
    }

    #[test]
    fn switching_keeps_the_order_and_adds_after_it() {
        let switched = [
            ("b".to_owned(), false),
            ("d".to_owned(), true),
            ("a".to_owned(), true),
        ];
        assert_eq!(
            switch(Some(&json!(["a", "b", "c"])), &switched),
            json!(["a", "c", "d"])
        );
        assert_eq!(switch(None, &switched), json!(["d", "a"]));
    }
}
