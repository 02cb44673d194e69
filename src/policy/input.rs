//! The document policies evaluate, in the form each engine reads it.
//!
//! Rego reads a `regorus::Value`, CEL and the `require_evidence` checks a `serde_json::Value`.
//! A large evidence document is expensive to turn into either (10,000 components: ~15 ms
//! each), so a [`PolicyInput`] keeps the JSON text and builds each form only when an engine
//! asks for it, once. [`PolicyInput::parse_ahead`] starts building the Rego form on another
//! thread while the caller validates the document and loads the policies.

use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::policy::error::{Located, PolicyError};

/// The document policies evaluate: `input` for Rego, `evidence` for CEL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The JSON text, when the document came as JSON.
    text: Option<Arc<[u8]>>,
    /// The `serde_json` form, built on first use (or given).
    json: OnceLock<Result<Json, String>>,
    /// The regorus form.
    rego: Mutex<RegoForm>,
    /// The document cut down to a reach, when it was cut while the document was read.
    pruned: Option<(crate::policy::reach::Reach, PolicyInput)>,
}

/// The regorus form of the document, as far as it got.
#[derive(Debug)]
enum RegoForm {
    NotStarted,
    Parsing(JoinHandle<Result<regorus::Value, String>>),
    Ready(regorus::Value),
}

impl PolicyInput {
    /// A document already parsed (a YAML input, or evidence collected in this process).
    pub fn from_json(json: Json) -> PolicyInput {
        PolicyInput::new(None, OnceLock::from(Ok(json)))
    }

    /// A JSON document already parsed, with its text: Rego then reads the text (faster than
    /// converting the parsed form), CEL the parsed form.
    pub fn from_json_with_text(json: Json, text: impl Into<Arc<[u8]>>) -> PolicyInput {
        PolicyInput::new(Some(text.into()), OnceLock::from(Ok(json)))
    }

    /// A document as JSON text. The text must be JSON; it is parsed into each engine's form
    /// only when that engine needs it (a syntax error is then an evaluation error).
    pub fn from_json_text(text: impl Into<Arc<[u8]>>) -> PolicyInput {
        PolicyInput::new(Some(text.into()), OnceLock::new())
    }

    fn new(text: Option<Arc<[u8]>>, json: OnceLock<Result<Json, String>>) -> PolicyInput {
        PolicyInput {
            inner: Arc::new(Inner {
                text,
                json,
                rego: Mutex::new(RegoForm::NotStarted),
                pruned: None,
            }),
        }
    }

    /// A document as JSON text (as [`PolicyInput::from_json_text`]) with its part for
    /// `reach` already cut, by the pass that checked the document as it was read:
    /// [`PolicyInput::pruned`] for that reach gives `pruned` without another pass.
    pub fn from_json_text_pruned(
        text: impl Into<Arc<[u8]>>,
        reach: crate::policy::reach::Reach,
        pruned: PolicyInput,
    ) -> PolicyInput {
        PolicyInput {
            inner: Arc::new(Inner {
                text: Some(text.into()),
                json: OnceLock::new(),
                rego: Mutex::new(RegoForm::NotStarted),
                pruned: Some((reach, pruned)),
            }),
        }
    }

    /// Starts building the Rego form on another thread, so that it is ready (or nearly) when
    /// the policies run. Does nothing if it was started already or there is no JSON text.
    pub fn parse_ahead(&self) {
        let Some(text) = self.inner.text.clone() else {
            return;
        };
        let Ok(mut form) = self.inner.rego.lock() else {
            return;
        };
        if !matches!(*form, RegoForm::NotStarted) {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("stagegate-parse".to_owned())
            .spawn(move || rego_from_text(&text));
        if let Ok(handle) = spawned {
            *form = RegoForm::Parsing(handle);
        }
    }

    /// The document cut down to what `reach` keeps ([`crate::policy::reach`]): parsed from
    /// the text skipping what is left out, or pruned from the parsed form when there is no
    /// text. The document itself when `reach` is whole, or when its text is not JSON (the
    /// engines then report that as they always did).
    pub fn pruned(&self, reach: &crate::policy::reach::Reach) -> PolicyInput {
        if reach.is_whole() {
            return self.clone();
        }
        if let Some((cut, pruned)) = &self.inner.pruned
            && cut == reach
        {
            return pruned.clone();
        }
        match &self.inner.text {
            Some(text) => match crate::policy::reach::pruned::prune_text(text, reach) {
                Ok(pruned) => PolicyInput::from_json_text(pruned),
                Err(_) => self.clone(),
            },
            None => match self.json() {
                Ok(json) => PolicyInput::from_json(reach.prune(json)),
                Err(_) => self.clone(),
            },
        }
    }

    /// The document as `serde_json` reads it.
    pub fn json(&self) -> Result<&Json, PolicyError> {
        let parsed = self.inner.json.get_or_init(|| match &self.inner.text {
            Some(text) => serde_json::from_slice(text).map_err(|err| err.to_string()),
            None => Err("the input has neither text nor a parsed form".to_owned()),
        });
        parsed.as_ref().map_err(|err| document_error(err))
    }

    /// The document as regorus reads it (shared, not copied: regorus values are reference
    /// counted).
    pub(crate) fn rego(&self) -> Result<regorus::Value, PolicyError> {
        let mut form = self
            .inner
            .rego
            .lock()
            .map_err(|_| document_error("a thread reading the input panicked"))?;
        let value = match std::mem::replace(&mut *form, RegoForm::NotStarted) {
            RegoForm::Ready(value) => value,
            RegoForm::Parsing(handle) => handle
                .join()
                .map_err(|_| document_error("the thread reading the input panicked"))?
                .map_err(|err| document_error(&err))?,
            RegoForm::NotStarted => match &self.inner.text {
                Some(text) => rego_from_text(text).map_err(|err| document_error(&err))?,
                None => regorus::Value::deserialize(self.json()?)
                    .map_err(|err| document_error(&err.to_string()))?,
            },
        };
        *form = RegoForm::Ready(value.clone());
        Ok(value)
    }
}

fn rego_from_text(text: &[u8]) -> Result<regorus::Value, String> {
    let text = std::str::from_utf8(text).map_err(|err| err.to_string())?;
    regorus::Value::from_json_str(text).map_err(|err| err.to_string())
}

fn document_error(message: &str) -> PolicyError {
    PolicyError::Document(Located::new(
        std::path::Path::new("<input>"),
        0,
        0,
        message.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_come_from_the_text_and_agree() {
        let input = PolicyInput::from_json_text(&br#"{"a": [1, "x", {"b": null}]}"#[..]);
        input.parse_ahead();
        let rego = input.rego().unwrap_or(regorus::Value::Undefined);
        let json = input.json().cloned().unwrap_or_default();
        assert_eq!(serde_json::to_value(&rego).unwrap_or_default(), json);
        // A second request gives the same value without parsing again.
        assert_eq!(input.rego().unwrap_or(regorus::Value::Undefined), rego);
    }

    #[test]
    fn a_parsed_document_gives_a_rego_form_too() {
        let input = PolicyInput::from_json(serde_json::json!({"kind": "Pod"}));
        let rego = input.rego().unwrap_or(regorus::Value::Undefined);
        assert_eq!(rego["kind"], regorus::Value::from("Pod"));
    }

    #[test]
    fn a_pruned_input_keeps_what_is_reached_in_both_forms() {
        let mut reach = crate::policy::reach::Reach::default();
        let path = |s: &[&str]| -> Vec<crate::policy::reach::Step> {
            s.iter()
                .map(|f| crate::policy::reach::Step::Field((*f).to_owned()))
                .collect()
        };
        reach.mark(&path(&["a", "b"]), true);
        let text = &br#"{"a": {"b": [1], "c": 2}, "raw": {"x": "y"}}"#[..];
        let expected = serde_json::json!({"a": {"b": [1]}});
        for input in [
            PolicyInput::from_json_text(text),
            PolicyInput::from_json(serde_json::from_slice(text).unwrap_or_default()),
        ] {
            let pruned = input.pruned(&reach);
            assert_eq!(pruned.json().cloned().unwrap_or_default(), expected);
            let rego = pruned.rego().unwrap_or(regorus::Value::Undefined);
            assert_eq!(serde_json::to_value(&rego).unwrap_or_default(), expected);
            // The document itself is untouched, and the whole reach prunes nothing.
            assert_eq!(input.json().cloned().unwrap_or_default()["raw"]["x"], "y");
            let whole = input.pruned(&crate::policy::reach::Reach::whole());
            assert_eq!(whole.json().cloned().unwrap_or_default()["raw"]["x"], "y");
        }
        // Text that is not JSON is handed on as it is: the engines report it.
        let bad = PolicyInput::from_json_text(&b"{"[..]).pruned(&reach);
        assert!(matches!(bad.rego(), Err(PolicyError::Document(_))));
    }

    #[test]
    fn text_that_is_not_json_is_an_error_in_both_forms() {
        let input = PolicyInput::from_json_text(&b"{"[..]);
        input.parse_ahead();
        assert!(matches!(input.rego(), Err(PolicyError::Document(_))));
        assert!(matches!(input.json(), Err(PolicyError::Document(_))));
    }
}
