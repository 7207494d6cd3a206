//! The Kubernetes manifests in `deploy/kubernetes/`, checked offline: every file parses, every
//! kustomization names files that exist, the gateway is probed, limited and unprivileged, and
//! the configuration each Pod is given passes `hookgate check` with the environment the Pod
//! gives it (vendor tokens and API keys from the Secret) and the mapping files of its ConfigMap.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_hookgate");

fn path(rel: &str) -> PathBuf {
    Path::new(ROOT).join(rel)
}

/// Every YAML document of a file, as JSON values.
fn documents(rel: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_norway::Deserializer::from_str(&text)
        .map(|d| {
            serde::Deserialize::deserialize(d).unwrap_or_else(|e| panic!("{rel} is not YAML: {e}"))
        })
        .collect()
}

fn one(rel: &str) -> Value {
    let mut docs = documents(rel);
    assert_eq!(docs.len(), 1, "{rel}");
    docs.remove(0)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

/// The uid:gid the Dockerfile runs as.
fn image_user() -> (i64, i64) {
    let dockerfile = std::fs::read_to_string(path("Dockerfile")).unwrap();
    let user = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the Dockerfile names a USER");
    let (uid, gid) = user.trim().split_once(':').unwrap();
    (uid.parse().unwrap(), gid.parse().unwrap())
}

/// A kustomization's resources and generated ConfigMaps (name → files) exist.
fn kustomization(dir: &str) -> Vec<(String, Vec<String>)> {
    let k = one(&format!("{dir}/kustomization.yaml"));
    assert_eq!(k["kind"], "Kustomization", "{dir}");
    for resource in strings(&k["resources"]) {
        let p = path(dir).join(&resource);
        assert!(
            p.is_file() || p.join("kustomization.yaml").is_file(),
            "{dir}: resource {resource} does not exist"
        );
        if p.is_file() {
            for doc in documents(&format!("{dir}/{resource}")) {
                assert!(doc["apiVersion"].is_string() && doc["kind"].is_string());
                assert!(doc["metadata"]["name"].is_string(), "{dir}/{resource}");
            }
        }
    }
    k["configMapGenerator"]
        .as_array()
        .map(|gens| {
            gens.iter()
                .map(|g| {
                    let files = strings(&g["files"]);
                    for f in &files {
                        assert!(path(dir).join(f).is_file(), "{dir}: {f} does not exist");
                    }
                    (g["name"].as_str().unwrap().to_owned(), files)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn kustomizations_name_what_exists() {
    for dir in ["deploy/kubernetes", "deploy/kubernetes/sidecar"] {
        let generated = kustomization(dir);
        assert_eq!(generated.len(), 1, "{dir}");
    }
}

/// The gateway's container in a Pod template, and the Pod spec.
fn gateway_container(deployment: &Value) -> (Value, Value) {
    let pod = deployment["spec"]["template"]["spec"].clone();
    let all: Vec<Value> = ["containers", "initContainers"]
        .iter()
        .flat_map(|k| pod[*k].as_array().cloned().unwrap_or_default())
        .collect();
    let container = all
        .into_iter()
        .find(|c| c["image"] == "hookgate")
        .expect("a hookgate container");
    (pod, container)
}

fn env_value(container: &Value, name: &str) -> Option<String> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)?["value"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn the_deployment_is_probed_limited_and_unprivileged() {
    let deployment = one("deploy/kubernetes/deployment.yaml");
    assert_eq!(deployment["kind"], "Deployment");
    let (pod, c) = gateway_container(&deployment);
    let port = c["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "http")
        .expect("a port named http")["containerPort"]
        .as_i64()
        .unwrap();
    let listen = env_value(&c, "HOOKGATE__LISTEN").unwrap();
    assert_eq!(listen, format!("0.0.0.0:{port}"));
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    for probe in ["readinessProbe", "livenessProbe"] {
        assert_eq!(c[probe]["httpGet"]["port"], "http");
    }
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                c["resources"][kind][resource].is_string(),
                "{kind}.{resource}"
            );
        }
    }
    let (uid, gid) = image_user();
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], uid);
    assert_eq!(pod["securityContext"]["runAsGroup"], gid);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
    // Longer than the drain deadline, so that in-flight requests finish.
    assert!(pod["terminationGracePeriodSeconds"].as_i64().unwrap() * 1000 > 30_000);

    let service = one("deploy/kubernetes/service.yaml");
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    for (k, v) in service["spec"]["selector"].as_object().unwrap() {
        assert_eq!(&labels[k], v, "the Service selects the Pods");
    }

    let sidecar = one("deploy/kubernetes/sidecar/deployment.yaml");
    let (pod, c) = gateway_container(&sidecar);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(c["securityContext"]["runAsUser"], uid);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["restartPolicy"], "Always", "a native sidecar");
    assert_eq!(pod["containers"].as_array().unwrap().len(), 1, "one app");
    let app = &pod["containers"][0];
    let listen = env_value(&c, "HOOKGATE__LISTEN").unwrap();
    assert_eq!(
        env_value(app, "HOOKGATE_URL").unwrap(),
        format!("http://{listen}")
    );
}

/// Runs `hookgate check` on the configuration a Pod is given, with the Pod's environment;
/// values from Secrets are stand-ins. Returns the exit code and stderr.
fn check_pod(dir: &str, with_secrets: bool) -> (Option<i32>, String) {
    let deployment = one(&format!("{dir}/deployment.yaml"));
    let generated = kustomization(dir);
    let (pod, c) = gateway_container(&deployment);
    let volumes = pod["volumes"].as_array().unwrap();
    let mount_of = |configmap: &str| -> String {
        let volume = volumes
            .iter()
            .find(|v| v["configMap"]["name"] == configmap)
            .unwrap_or_else(|| panic!("{dir}: no volume of ConfigMap {configmap}"));
        c["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == volume["name"])
            .unwrap_or_else(|| panic!("{dir}: {configmap} is not mounted"))["mountPath"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The configuration file: the one the args name, from the ConfigMap mounted there.
    let args = strings(&c["args"]);
    let config_arg = &args[args.iter().position(|a| a == "--config").unwrap() + 1];
    let (config_map, files) = generated
        .iter()
        .find(|(name, _)| config_arg.starts_with(&format!("{}/", mount_of(name))))
        .unwrap_or_else(|| panic!("{dir}: {config_arg} is in no generated ConfigMap"));
    let file = config_arg.rsplit('/').next().unwrap();
    assert!(
        files.iter().any(|f| f == file),
        "{config_map} has no {file}"
    );
    let config_text = std::fs::read_to_string(path(dir).join(file)).unwrap();
    let config: toml::Value = toml::from_str(&config_text).unwrap();

    // The mapping files are the ones the binary ships: no folder is named or mounted.
    assert!(
        env_value(&c, "HOOKGATE__MAPPINGS_DIR").is_none() && config.get("mappings_dir").is_none(),
        "{dir}: the shipped mapping files are in the binary"
    );

    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .arg("check")
        .arg("--config")
        .arg(path(dir).join(file));
    let mut from_secrets = BTreeSet::new();
    for e in c["env"].as_array().unwrap() {
        let name = e["name"].as_str().unwrap();
        if let Some(v) = e["value"].as_str() {
            cmd.env(name, v);
        } else if e["valueFrom"]["secretKeyRef"].is_object() {
            from_secrets.insert(name.to_owned());
            if with_secrets {
                cmd.env(name, stand_in(name));
            }
        }
    }
    // Every token the configuration reads comes from the Secret.
    for upstream in config["upstreams"].as_table().unwrap().values() {
        if let Some(var) = upstream
            .get("auth")
            .and_then(|a| a.get("token_env"))
            .and_then(|v| v.as_str())
        {
            assert!(
                from_secrets.contains(var),
                "{dir}: {var} is not from a Secret"
            );
        }
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn stand_in(name: &str) -> String {
    if name == "HOOKGATE__INBOUND_AUTH__KEYS" {
        let sha = "ab".repeat(32);
        format!(r#"[{{name="app",sha256="{sha}",scopes=["webhooks:read","webhooks:write"]}}]"#)
    } else {
        format!("stand-in-for-{name}")
    }
}

#[test]
fn the_configuration_each_pod_is_given_passes_check() {
    for dir in ["deploy/kubernetes", "deploy/kubernetes/sidecar"] {
        let (code, stderr) = check_pod(dir, true);
        assert_eq!(code, Some(0), "{dir}: {stderr}");
        let files = std::fs::read_dir(path("mappings"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "toml")
            })
            .count();
        assert!(
            stderr.contains(&format!("{files} dialects")),
            "{dir}: {stderr}"
        );
    }
    // Without its Secret the standalone gateway does not start, and says why.
    let (code, stderr) = check_pod("deploy/kubernetes", false);
    assert_eq!(code, Some(64), "{stderr}");
    assert!(stderr.contains("TALKOVER_TOKEN"), "{stderr}");
}
