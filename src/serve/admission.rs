//! The AdmissionReview (`admission.k8s.io/v1`) wire types we read and write, and where each
//! workload kind keeps its pod template.
//!
//! Spec: <https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request-and-response>.
//! Read: `request.uid`, `request.kind.kind`, `request.namespace`, `request.operation`,
//! `request.object` (`metadata.ownerReferences` and `spec` down to the containers' `image`)
//! and `request.oldObject` (its images, on an UPDATE). Written: `response.uid`, `allowed`,
//! `status` (code and message on a denial), `warnings` and `auditAnnotations`.
//!
//! What we ignore (and why): `userInfo`, `dryRun`, `options` (the decision depends only on the
//! images that would run, and on whether an image is new to the object); `request.resource`/
//! `subResource` (the kind names the shape; `pods/ephemeralcontainers` updates carry a whole
//! Pod and are read as one).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `admission.k8s.io/v1`.
pub const API_VERSION: &str = "admission.k8s.io/v1";

/// Why a body is not an AdmissionReview we can answer (HTTP 400).
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Not JSON, or not the shape of an AdmissionReview.
    #[error("the body is not an AdmissionReview")]
    Malformed(#[source] serde_json::Error),
    /// Another `apiVersion` or `kind`.
    #[error("expected `{API_VERSION}` `AdmissionReview`, got `{api_version}` `{kind}`")]
    Version {
        /// As sent.
        api_version: String,
        /// As sent.
        kind: String,
    },
    /// No `request`, or a request without `uid`.
    #[error("the AdmissionReview has no `request.uid`")]
    NoRequest,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireReview {
    api_version: String,
    kind: String,
    request: Option<WireRequest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest {
    uid: String,
    kind: WireKind,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    object: Option<Value>,
    #[serde(default)]
    old_object: Option<Value>,
}

#[derive(Deserialize)]
struct WireKind {
    kind: String,
}

/// A checked admission request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request's uid, echoed in the response.
    pub uid: String,
    /// The object's kind (`Pod`, `Deployment`, ...).
    pub kind: String,
    /// The namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT`.
    pub operation: String,
    /// The object, when the operation carries one.
    pub object: Option<Value>,
    /// The object before an UPDATE.
    pub old_object: Option<Value>,
}

impl Request {
    /// Parses an AdmissionReview body.
    pub fn parse(body: &[u8]) -> Result<Request, ReviewError> {
        let review: WireReview = serde_json::from_slice(body).map_err(ReviewError::Malformed)?;
        if review.api_version != API_VERSION || review.kind != "AdmissionReview" {
            return Err(ReviewError::Version {
                api_version: review.api_version,
                kind: review.kind,
            });
        }
        let request = review.request.ok_or(ReviewError::NoRequest)?;
        if request.uid.is_empty() {
            return Err(ReviewError::NoRequest);
        }
        Ok(Request {
            uid: request.uid,
            kind: request.kind.kind,
            namespace: request.namespace.unwrap_or_default(),
            operation: request.operation,
            object: request.object,
            old_object: request.old_object,
        })
    }
}

/// Where one image is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUse {
    /// `containers`, `initContainers` or `ephemeralContainers`.
    pub field: &'static str,
    /// The container's name.
    pub container: String,
    /// The image reference as written.
    pub image: String,
}

/// The kinds whose images are checked.
pub const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];

/// The pod spec of `object` of `kind`, or `None` for a kind we do not know.
pub fn pod_spec<'a>(kind: &str, object: &'a Value) -> Option<&'a Value> {
    let spec = object.get("spec")?;
    match kind {
        "Pod" => Some(spec),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
            spec.get("template")?.get("spec")
        }
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        _ => None,
    }
}

/// Whether `object` names a controlling owner (`metadata.ownerReferences[]` with
/// `controller: true`): the pods of a ReplicaSet, the ReplicaSet of a Deployment, the Job of a
/// CronJob. A client can write this field too: it lifts only the age limit, never the need for
/// a verified, passing result (see deploy/README.md).
pub fn controller_owned(object: &Value) -> bool {
    object
        .get("metadata")
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|owners| {
            owners
                .iter()
                .any(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        })
}

/// Every image in a pod spec: containers, initContainers and ephemeralContainers.
///
/// A spec that does not have the shape Kubernetes gives every pod — `containers` a non-empty
/// array, the other two absent or arrays, each container an object with a string `image` — is
/// an error (the webhook denies it): with `containers: []` or an object there, no image would
/// be checked and the pod allowed (issue #12).
pub fn images(spec: &Value) -> Result<Vec<ImageUse>, String> {
    let mut out = Vec::new();
    for field in ["containers", "initContainers", "ephemeralContainers"] {
        let list = match spec.get(field) {
            None | Some(Value::Null) if field != "containers" => continue,
            Some(Value::Array(list)) if !list.is_empty() || field != "containers" => list,
            Some(Value::Array(_)) => return Err("`containers` is empty".to_owned()),
            None | Some(Value::Null) => return Err("the pod spec has no `containers`".to_owned()),
            Some(_) => return Err(format!("`{field}` is not an array")),
        };
        for (index, container) in list.iter().enumerate() {
            if !container.is_object() {
                return Err(format!("`{field}[{index}]` is not an object"));
            }
            let name = container
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let Some(image) = container.get("image").and_then(Value::as_str) else {
                return Err(format!("`{field}[{index}]` has no string `image`"));
            };
            out.push(ImageUse {
                field,
                container: name,
                image: image.to_owned(),
            });
        }
    }
    Ok(out)
}

/// The response review.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseReview {
    api_version: &'static str,
    kind: &'static str,
    response: Response,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    uid: String,
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    audit_annotations: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
struct Status {
    code: u16,
    message: String,
    reason: &'static str,
}

impl ResponseReview {
    /// Allowed, with warnings (audit mode puts its findings here).
    pub fn allow(uid: &str, warnings: Vec<String>) -> Self {
        ResponseReview {
            api_version: API_VERSION,
            kind: "AdmissionReview",
            response: Response {
                uid: uid.to_owned(),
                allowed: true,
                status: None,
                warnings,
                audit_annotations: BTreeMap::new(),
            },
        }
    }

    /// Denied with HTTP-style code 403 and a message naming each rejected image.
    pub fn deny(uid: &str, message: String) -> Self {
        ResponseReview {
            api_version: API_VERSION,
            kind: "AdmissionReview",
            response: Response {
                uid: uid.to_owned(),
                allowed: false,
                status: Some(Status {
                    code: 403,
                    message,
                    reason: "Forbidden",
                }),
                warnings: Vec::new(),
                audit_annotations: BTreeMap::new(),
            },
        }
    }

    /// Adds `auditAnnotations`. Keys are bare (`stage`, `decision`): the API server prefixes
    /// each with the webhook's name and drops a key that has a `/` of its own.
    pub fn annotated(mut self, annotations: BTreeMap<String, String>) -> Self {
        self.response.audit_annotations = annotations;
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pass() {
        let cronjob = json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "a", "image": "x@sha256:1"}],
            "initContainers": [{"name": "i", "image": "y:1"}]
        }}}}}});
        let spec = pod_spec("CronJob", &cronjob).unwrap();
        let found = images(spec).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].field, "initContainers");
        let body = json!({"apiVersion": API_VERSION, "kind": "AdmissionReview",
            "request": {"uid": "u", "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "namespace": "prod", "operation": "CREATE", "object": {}}});
        let request = Request::parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(request.namespace, "prod");
    }

    /// Regression for issue #12 point 14: `containers: []` or an object was allowed.
    #[test]
    fn pod_specs_without_containers_are_errors() {
        for spec in [
            json!({"containers": []}),
            json!({"containers": {"a": {"image": "x:1"}}}),
            json!({}),
            json!({"containers": [{"name": "a", "image": "x@sha256:1"}], "initContainers": {"i": 1}}),
            json!({"containers": ["x:1"]}),
            json!({"containers": [{"name": "a", "image": 7}]}),
        ] {
            assert!(images(&spec).is_err(), "{spec}");
        }
        let ok = json!({"containers": [{"name": "a", "image": "x:1"}], "initContainers": null});
        assert_eq!(images(&ok).map(|u| u.len()), Ok(1));
    }

    #[test]
    fn fail() {
        assert!(matches!(
            Request::parse(b"{"),
            Err(ReviewError::Malformed(_))
        ));
        assert!(matches!(
            Request::parse(
                br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"}"#
            ),
            Err(ReviewError::Version { .. })
        ));
        assert!(matches!(
            Request::parse(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#),
            Err(ReviewError::NoRequest)
        ));
        assert!(pod_spec("Service", &json!({"spec": {}})).is_none());
        // An owner that is not the controller does not make a pod controller-made.
        let owned = |controller: Value| {
            json!({"metadata": {"ownerReferences": [{"kind": "ReplicaSet", "name": "web-1",
                "uid": "u", "controller": controller}]}})
        };
        assert!(controller_owned(&owned(json!(true))));
        assert!(!controller_owned(&owned(json!(false))));
        assert!(!controller_owned(&owned(json!("true"))));
        assert!(!controller_owned(&json!({"metadata": {}})));
    }
}
