//! The Kubernetes manifests of `k8s/` (SPEC §8). Every YAML document there, and everything
//! kustomize renders from the base and the example overlay, is deserialized into the
//! Kubernetes API types (`k8s-openapi`) and serialized back: the two must be equal, so a
//! field the API does not know (a typo such as `readOnlyRootFilesystm`, which a cluster
//! would silently drop) fails here. Then the safety settings the runbook promises are
//! asserted on what a cluster would receive, and the pods' arguments and environment
//! are checked against the binary's own command line.
//!
//! Rendering needs `kustomize` or `kubectl` (which carries kustomize); without either the
//! rendering tests fail, they never skip.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use activity_sync::cli::{Cli, Command as Sub};
use activity_sync::definition::yaml::{self, Limits};
use activity_sync::source::SourceSpec;
use clap::{CommandFactory, Parser};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Container, PodSpec, Secret, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use common::{bin, repo_root};

const OVERLAY_NAMESPACE: &str = "platform-automation";

/// The objects of one manifest set, typed.
#[derive(Default)]
struct Objects {
    cron_jobs: Vec<CronJob>,
    jobs: Vec<Job>,
    service_accounts: Vec<ServiceAccount>,
    roles: Vec<Role>,
    role_bindings: Vec<RoleBinding>,
    config_maps: Vec<ConfigMap>,
    network_policies: Vec<NetworkPolicy>,
    /// Raw documents, for the checks that need the input as written.
    docs: Vec<Value>,
}

/// Deserializes `doc` into `T` and back; any difference is a field `T` does not know or a
/// value of the wrong shape.
fn round_trip<T: DeserializeOwned + Serialize>(doc: &Value, origin: &str) -> T {
    let typed: T = serde_json::from_value(doc.clone())
        .unwrap_or_else(|e| panic!("{origin}: not a valid {}: {e}", type_name::<T>()));
    let back = serde_json::to_value(&typed).expect("serializes");
    let mut differences = Vec::new();
    differ(doc, &back, String::new(), &mut differences);
    assert!(
        differences.is_empty(),
        "{origin}: the Kubernetes API type {} does not keep:\n  {}",
        type_name::<T>(),
        differences.join("\n  ")
    );
    typed
}

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("?")
}

/// The paths where `written` and `kept` differ, `a.b[0].c` style.
fn differ(written: &Value, kept: &Value, path: String, out: &mut Vec<String>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (written, kept) {
        (Value::Object(w), Value::Object(k)) => {
            for (key, value) in w {
                match k.get(key) {
                    Some(kv) => differ(value, kv, at(key), out),
                    None => out.push(format!("`{}`: unknown field (dropped)", at(key))),
                }
            }
            for key in k.keys().filter(|key| !w.contains_key(*key)) {
                out.push(format!("`{}`: added by the type", at(key)));
            }
        }
        (Value::Array(w), Value::Array(k)) if w.len() == k.len() => {
            for (i, (wv, kv)) in w.iter().zip(k).enumerate() {
                differ(wv, kv, format!("{path}[{i}]"), out);
            }
        }
        _ if written != kept => out.push(format!("`{path}`: {written} became {kept}")),
        _ => {}
    }
}

impl Objects {
    fn add(&mut self, doc: Value, origin: &str) {
        let api_version = doc["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = doc["kind"].as_str().unwrap_or_default().to_string();
        match (api_version.as_str(), kind.as_str()) {
            ("batch/v1", "CronJob") => self.cron_jobs.push(round_trip(&doc, origin)),
            ("batch/v1", "Job") => self.jobs.push(round_trip(&doc, origin)),
            ("v1", "ServiceAccount") => self.service_accounts.push(round_trip(&doc, origin)),
            ("v1", "ConfigMap") => self.config_maps.push(round_trip(&doc, origin)),
            ("networking.k8s.io/v1", "NetworkPolicy") => {
                self.network_policies.push(round_trip(&doc, origin))
            }
            ("rbac.authorization.k8s.io/v1", "Role") => self.roles.push(round_trip(&doc, origin)),
            ("rbac.authorization.k8s.io/v1", "RoleBinding") => {
                self.role_bindings.push(round_trip(&doc, origin))
            }
            ("v1", "Secret") => {
                let _: Secret = round_trip(&doc, origin);
                panic!(
                    "{origin}: a Secret in k8s/: secrets are created in the cluster, never committed"
                )
            }
            _ => panic!(
                "{origin}: `{api_version}` `{kind}` has no check here; add its API type to tests/manifests.rs"
            ),
        }
        self.docs.push(doc);
    }

    fn load(text: &str, origin: &str) -> Objects {
        let mut objects = Objects::default();
        let docs = yaml::load_all(text, Limits::MANIFEST)
            .unwrap_or_else(|e| panic!("{origin}: {e} (line {})", e.pos().line));
        for (i, doc) in docs.iter().enumerate() {
            objects.add(doc.to_json(), &format!("{origin} (document {})", i + 1));
        }
        objects
    }

    fn pods(&self) -> Vec<(String, &PodSpec)> {
        let cron = self.cron_jobs.iter().map(|c| {
            let pod = c
                .spec
                .as_ref()
                .and_then(|s| s.job_template.spec.as_ref())
                .and_then(|j| j.template.spec.as_ref());
            (format!("CronJob `{}`", name(&c.metadata)), pod)
        });
        let jobs = self.jobs.iter().map(|j| {
            let pod = j.spec.as_ref().and_then(|s| s.template.spec.as_ref());
            (format!("Job `{}`", name(&j.metadata)), pod)
        });
        cron.chain(jobs)
            .map(|(what, pod)| {
                (
                    what.clone(),
                    pod.unwrap_or_else(|| panic!("{what}: no pod")),
                )
            })
            .collect()
    }

    fn cron_job(&self) -> &CronJob {
        assert_eq!(self.cron_jobs.len(), 1, "exactly one CronJob");
        &self.cron_jobs[0]
    }

    fn config_map(&self, name: &str) -> &ConfigMap {
        self.config_maps
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no ConfigMap `{name}`"))
    }
}

fn name(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("?")
}

fn k8s_dir() -> PathBuf {
    repo_root().join("k8s")
}

/// Every `*.yaml` / `*.yml` under `k8s/`, except the kustomization files (kustomize reads
/// those strictly itself; what they produce is checked in the rendered output).
fn manifest_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(k8s_dir())
        .into_iter()
        .map(|e| e.expect("k8s/ is readable").into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .filter(|p| p.file_name().and_then(|n| n.to_str()) != Some("kustomization.yaml"))
        .collect();
    files.sort();
    files
}

/// `kustomize build DIR`, or `kubectl kustomize DIR` where only kubectl is installed.
fn kustomize(dir: &Path) -> String {
    let tries: [(&str, &[&str]); 2] = [("kustomize", &["build"]), ("kubectl", &["kustomize"])];
    for (tool, args) in tries {
        let out = match Command::new(tool).args(args).arg(dir).output() {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("`{tool}` cannot run: {e}"),
        };
        assert!(
            out.status.success(),
            "`{tool} {} {}` failed:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        return String::from_utf8(out.stdout).expect("UTF-8 manifests");
    }
    panic!(
        "neither `kustomize` nor `kubectl` is installed: the rendered manifests cannot be checked"
    )
}

fn rendered(dir: &str) -> Objects {
    let path = k8s_dir().join(dir);
    Objects::load(&kustomize(&path), &format!("k8s/{dir} (rendered)"))
}

#[test]
fn every_manifest_file_is_made_of_known_kubernetes_fields() {
    let files = manifest_files();
    assert!(files.len() >= 6, "the manifests of k8s/base: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let origin = file
            .strip_prefix(repo_root())
            .unwrap()
            .display()
            .to_string();
        let objects = Objects::load(&text, &origin);
        assert!(!objects.docs.is_empty(), "{origin}: no document");
    }
}

#[test]
fn base_renders_to_safe_objects() {
    let base = rendered("base");
    assert_safe(&base);
}

#[test]
fn example_overlay_renders_to_safe_objects_in_its_namespace() {
    let overlay = rendered("overlays/example");
    assert_safe(&overlay);

    // Everything lands in the overlay's namespace, the RoleBinding's subject too.
    for doc in &overlay.docs {
        assert_eq!(
            doc["metadata"]["namespace"], OVERLAY_NAMESPACE,
            "{} `{}`",
            doc["kind"], doc["metadata"]["name"]
        );
    }
    for binding in &overlay.role_bindings {
        for subject in binding.subjects.iter().flatten() {
            assert_eq!(subject.namespace.as_deref(), Some(OVERLAY_NAMESPACE));
        }
    }

    // What the overlay is there to set.
    let cron = overlay.cron_job();
    assert_eq!(cron.spec.as_ref().unwrap().schedule, "*/10 * * * *");
    let settings = settings_of(&overlay, cron);
    assert_eq!(settings["ACTIVITY_SYNC_SCOPE"], "custodian");
    assert_eq!(settings["TEMPORAL_NAMESPACE"], "platform");
    assert!(settings.contains_key("TEMPORAL_ADDRESS"));
    for (what, pod) in overlay.pods() {
        for container in &pod.containers {
            let image = container.image.as_deref().unwrap_or_default();
            assert!(
                image.starts_with("registry.example.com/"),
                "{what}: the overlay sets the image: {image}"
            );
        }
    }
}

/// The overlay's definitions ConfigMap is one the binary reads as a manifest source.
#[test]
fn example_definitions_configmap_is_valid_for_the_binary() {
    let overlay = rendered("overlays/example");
    let volume_name = definitions_volume(overlay.cron_job()).0;
    let doc = overlay
        .docs
        .iter()
        .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == volume_name.as_str())
        .expect("the overlay brings the definitions ConfigMap");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("definitions.yaml");
    std::fs::write(&file, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    let out = bin()
        .args(["validate", "--source"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Valid: 2 activity definitions"), "{stdout}");
}

/// The settings a pod takes from `envFrom` ConfigMaps, by key.
fn settings_of(objects: &Objects, cron: &CronJob) -> BTreeMap<String, String> {
    let pod = pod_of(cron);
    let mut settings = BTreeMap::new();
    for container in &pod.containers {
        for from in container.env_from.iter().flatten() {
            let reference = from.config_map_ref.as_ref().expect("envFrom a ConfigMap");
            let map = objects.config_map(&reference.name);
            settings.extend(map.data.clone().unwrap_or_default());
        }
    }
    settings
}

fn pod_of(cron: &CronJob) -> &PodSpec {
    cron.spec
        .as_ref()
        .and_then(|s| s.job_template.spec.as_ref())
        .and_then(|j| j.template.spec.as_ref())
        .expect("a pod template")
}

/// The CronJob's definitions volume: (ConfigMap name, mount path).
fn definitions_volume(cron: &CronJob) -> (String, String) {
    let pod = pod_of(cron);
    let run = parse_args(&pod.containers[0]);
    let Sub::Apply(apply) = run.command else {
        panic!("the CronJob runs `apply`")
    };
    let [SourceSpec::Path(source)] = apply.run.sources.as_slice() else {
        panic!("the CronJob reads one directory source")
    };
    let mount = pod.containers[0]
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| Path::new(&m.mount_path) == source)
        .unwrap_or_else(|| panic!("no volume mounted at the source `{}`", source.display()));
    assert_eq!(mount.read_only, Some(true), "definitions mounted read-only");
    let volume = pod
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name == mount.name)
        .expect("the mounted volume");
    let config_map = volume
        .config_map
        .as_ref()
        .expect("the definitions volume is a ConfigMap");
    (config_map.name.clone(), mount.mount_path.clone())
}

/// The container's arguments, parsed by the binary's own command line.
fn parse_args(container: &Container) -> Cli {
    let args = container.args.clone().unwrap_or_default();
    assert!(
        container.command.is_none(),
        "`{}`: the image's entrypoint is the binary; give `args`",
        container.name
    );
    Cli::try_parse_from(std::iter::once("activity-sync".to_string()).chain(args.clone()))
        .unwrap_or_else(|e| panic!("`{}` args {args:?}: {e}", container.name))
}

/// The environment variables a subcommand reads (`[env: …]` of its flags).
fn env_read_by(subcommand: &str) -> BTreeSet<String> {
    let cli = Cli::command();
    let sub = cli
        .find_subcommand(subcommand)
        .unwrap_or_else(|| panic!("no subcommand `{subcommand}`"));
    sub.get_arguments()
        .filter_map(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .collect()
}

fn subcommand_name(cli: &Cli) -> &'static str {
    match cli.command {
        Sub::Validate(_) => "validate",
        Sub::Plan(_) => "plan",
        Sub::Apply(_) => "apply",
        Sub::Status(_) => "status",
        Sub::Migrate(_) => "migrate",
        Sub::Export(_) => "export",
        Sub::Upcoming(_) => "upcoming",
        Sub::Diff(_) => "diff",
        Sub::Audit(_) => "audit",
        Sub::Import(_) => "import",
    }
}

fn assert_safe(objects: &Objects) {
    assert_cron_job(objects);
    assert_migrate_job(objects);
    for (what, pod) in objects.pods() {
        assert_pod(objects, &what, pod);
    }
    assert_rbac(objects);
    assert_no_ingress(objects);
    for account in &objects.service_accounts {
        assert_eq!(
            account.automount_service_account_token,
            Some(false),
            "ServiceAccount `{}`: no token unless a pod asks for one",
            name(&account.metadata)
        );
    }
}

fn assert_cron_job(objects: &Objects) {
    let cron = objects.cron_job();
    assert_eq!(name(&cron.metadata), "activity-sync");
    let spec = cron.spec.as_ref().unwrap();
    assert_eq!(spec.concurrency_policy.as_deref(), Some("Forbid"));
    let starting = spec
        .starting_deadline_seconds
        .expect("startingDeadlineSeconds");
    assert!(
        (10..=300).contains(&starting),
        "startingDeadlineSeconds {starting}"
    );
    assert!(spec.successful_jobs_history_limit.is_some_and(|n| n >= 1));
    assert!(spec.failed_jobs_history_limit.is_some_and(|n| n >= 1));
    assert_eq!(
        spec.suspend, None,
        "a base that deploys suspended deploys nothing"
    );

    let job = spec.job_template.spec.as_ref().unwrap();
    let backoff = job.backoff_limit.expect("backoffLimit");
    assert!((0..=3).contains(&backoff), "backoffLimit {backoff}");
    // The binary's own deadline comes first, so the run is recorded and reported; the
    // Job's deadline is the backstop.
    let pod = pod_of(cron);
    let Sub::Apply(apply) = parse_args(&pod.containers[0]).command else {
        panic!("the CronJob runs `apply`")
    };
    let active = job.active_deadline_seconds.expect("activeDeadlineSeconds");
    assert!(
        Duration::from_secs(u64::try_from(active).unwrap())
            >= apply.run.deadline + Duration::from_secs(60),
        "activeDeadlineSeconds {active} leaves the run's --deadline {:?} no time to report",
        apply.run.deadline
    );
    // Refused (3) and invalid (4) fail the Job without a retry that cannot help.
    let rules = &job
        .pod_failure_policy
        .as_ref()
        .expect("podFailurePolicy")
        .rules;
    let fail_job: BTreeSet<i32> = rules
        .iter()
        .filter(|r| r.action == "FailJob")
        .filter_map(|r| r.on_exit_codes.as_ref())
        .filter(|c| c.operator == "In")
        .flat_map(|c| c.values.clone())
        .collect();
    assert_eq!(fail_job, BTreeSet::from([3, 4]));
}

fn assert_migrate_job(objects: &Objects) {
    let [job] = objects.jobs.as_slice() else {
        panic!("exactly one Job (migrate), found {}", objects.jobs.len())
    };
    let spec = job.spec.as_ref().unwrap();
    assert!(spec.backoff_limit.is_some());
    assert!(spec.active_deadline_seconds.is_some());
    let pod = spec.template.spec.as_ref().unwrap();
    let cli = parse_args(&pod.containers[0]);
    assert!(
        matches!(cli.command, Sub::Migrate(_)),
        "the Job runs `migrate`"
    );
}

fn assert_pod(objects: &Objects, what: &str, pod: &PodSpec) {
    assert_eq!(pod.restart_policy.as_deref(), Some("Never"), "{what}");
    assert!(
        pod.service_account_name.is_some(),
        "{what}: its own ServiceAccount"
    );
    assert_ne!(pod.host_network, Some(true), "{what}");
    assert_ne!(pod.host_pid, Some(true), "{what}");
    assert_ne!(pod.host_ipc, Some(true), "{what}");
    let security = pod.security_context.as_ref().expect("pod securityContext");
    assert_eq!(security.run_as_non_root, Some(true), "{what}: runAsNonRoot");
    assert!(
        security.run_as_user.is_some_and(|uid| uid > 0),
        "{what}: a numeric non-root runAsUser"
    );
    assert_eq!(
        security.seccomp_profile.as_ref().map(|p| p.type_.as_str()),
        Some("RuntimeDefault"),
        "{what}: seccomp"
    );
    assert_eq!(pod.containers.len(), 1, "{what}: one container");
    assert!(pod.init_containers.is_none(), "{what}");

    let container = &pod.containers[0];
    let cli = parse_args(container);
    // The token only where the binary calls the Kubernetes API: a `configmap:` source.
    let live_configmap = match &cli.command {
        Sub::Apply(a) => a.run.sources.iter().any(is_live_configmap),
        Sub::Plan(a) => a.run.sources.iter().any(is_live_configmap),
        _ => false,
    };
    if !live_configmap {
        assert_eq!(
            pod.automount_service_account_token,
            Some(false),
            "{what}: no Kubernetes API call, no token"
        );
    }

    let image = container.image.as_deref().expect("an image");
    let tag = image
        .rsplit_once('/')
        .map_or(image, |(_, last)| last)
        .split_once(':')
        .map(|(_, tag)| tag);
    assert!(
        image.contains("@sha256:") || tag.is_some_and(|t| t != "latest"),
        "{what}: image `{image}` needs a pinned tag or digest, never `latest`"
    );

    let security = container
        .security_context
        .as_ref()
        .expect("container securityContext");
    assert_eq!(
        security.read_only_root_filesystem,
        Some(true),
        "{what}: read-only root"
    );
    assert_eq!(security.allow_privilege_escalation, Some(false), "{what}");
    assert_ne!(security.privileged, Some(true), "{what}");
    assert_ne!(security.run_as_user, Some(0), "{what}");
    let capabilities = security.capabilities.as_ref().expect("capabilities");
    assert_eq!(
        capabilities.drop.as_deref(),
        Some(&["ALL".to_string()][..]),
        "{what}"
    );
    assert!(capabilities.add.is_none(), "{what}: no capability added");

    let resources = container.resources.as_ref().expect("resources");
    for (kind, list) in [
        ("requests", &resources.requests),
        ("limits", &resources.limits),
    ] {
        let list = list.as_ref().unwrap_or_else(|| panic!("{what}: no {kind}"));
        for resource in ["cpu", "memory"] {
            assert!(list.contains_key(resource), "{what}: {kind}.{resource}");
        }
    }

    // A read-only root needs a writable /tmp (git sources fetch into a temporary directory).
    let tmp = container
        .volume_mounts
        .iter()
        .flatten()
        .find(|m| m.mount_path == "/tmp");
    if let Sub::Apply(_) = cli.command {
        let tmp = tmp.unwrap_or_else(|| panic!("{what}: /tmp is not writable"));
        let volume = pod
            .volumes
            .iter()
            .flatten()
            .find(|v| v.name == tmp.name)
            .unwrap();
        assert!(
            volume
                .empty_dir
                .as_ref()
                .is_some_and(|e| e.size_limit.is_some()),
            "{what}: /tmp is a size-limited emptyDir"
        );
    }

    // Secrets only by reference; every variable is one the binary reads.
    let reads = env_read_by(subcommand_name(&cli));
    for var in container.env.iter().flatten() {
        let secret = [
            "DATABASE_URL",
            "KEY",
            "TOKEN",
            "PASSWORD",
            "SECRET",
            "PASSPHRASE",
        ]
        .iter()
        .any(|s| var.name.contains(s));
        if secret {
            assert!(
                var.value.is_none(),
                "{what}: `{}` written in the manifest",
                var.name
            );
            assert!(
                var.value_from
                    .as_ref()
                    .is_some_and(|f| f.secret_key_ref.is_some()),
                "{what}: `{}` comes from a Secret",
                var.name
            );
        }
        assert!(
            reads.contains(&var.name) || var.name == "TMPDIR",
            "{what}: `{}` is read by no flag of `{}`",
            var.name,
            subcommand_name(&cli)
        );
    }
    for from in container.env_from.iter().flatten() {
        assert!(
            from.secret_ref.is_none(),
            "{what}: secrets by key, not whole"
        );
        let map = objects.config_map(&from.config_map_ref.as_ref().unwrap().name);
        for key in map.data.iter().flatten().map(|(k, _)| k) {
            assert!(
                !["DATABASE_URL", "KEY", "TOKEN", "PASSWORD", "SECRET"]
                    .iter()
                    .any(|s| key.contains(s)),
                "{what}: `{key}` is a secret in a ConfigMap"
            );
            // The shared settings serve the sync's flags; the migrate Job ignores the scope.
            assert!(
                env_read_by("apply").contains(key),
                "{what}: setting `{key}` is read by no flag of `apply`"
            );
        }
    }
}

/// The sync pods serve nothing: a NetworkPolicy selects every one of them and admits no
/// ingress.
fn assert_no_ingress(objects: &Objects) {
    let templates = objects
        .cron_jobs
        .iter()
        .filter_map(|c| c.spec.as_ref()?.job_template.spec.as_ref())
        .map(|j| (&j.template, "the CronJob's pod"))
        .chain(
            objects
                .jobs
                .iter()
                .filter_map(|j| j.spec.as_ref())
                .map(|j| (&j.template, "the Job's pod")),
        );
    for (template, what) in templates {
        let labels = template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let covered = objects.network_policies.iter().any(|policy| {
            let spec = policy.spec.as_ref().expect("a NetworkPolicy spec");
            // No selector selects every pod of the namespace.
            let selector = spec.pod_selector.clone().unwrap_or_default();
            let selects = selector
                .match_labels
                .iter()
                .flatten()
                .all(|(k, v)| labels.get(k) == Some(v))
                && selector.match_expressions.is_none();
            let denies = spec.policy_types.iter().flatten().any(|t| t == "Ingress")
                && spec.ingress.as_ref().is_none_or(Vec::is_empty);
            selects && denies
        });
        assert!(covered, "{what} (labels {labels:?}) is open to ingress");
    }
}

fn is_live_configmap(source: &SourceSpec) -> bool {
    matches!(source, SourceSpec::ConfigMap { .. })
}

fn assert_rbac(objects: &Objects) {
    let cron = objects.cron_job();
    let (definitions, _) = definitions_volume(cron);
    let [role] = objects.roles.as_slice() else {
        panic!("exactly one Role")
    };
    let expected = PolicyRule {
        api_groups: Some(vec![String::new()]),
        resources: Some(vec!["configmaps".into()]),
        resource_names: Some(vec![definitions.clone()]),
        verbs: vec!["get".into()],
        non_resource_urls: None,
    };
    assert_eq!(
        role.rules.as_deref(),
        Some(&[expected][..]),
        "the Role grants `get` on the definitions ConfigMap `{definitions}` and nothing else"
    );
    let [binding] = objects.role_bindings.as_slice() else {
        panic!("exactly one RoleBinding")
    };
    assert_eq!(binding.role_ref.kind, "Role");
    assert_eq!(binding.role_ref.name, name(&role.metadata));
    let account = pod_of(cron).service_account_name.clone().unwrap();
    let subjects = binding.subjects.as_deref().unwrap_or_default();
    assert!(
        subjects.len() == 1 && subjects[0].kind == "ServiceAccount" && subjects[0].name == account,
        "the Role is bound to the CronJob's ServiceAccount `{account}` only"
    );
    assert!(
        objects
            .service_accounts
            .iter()
            .any(|a| name(&a.metadata) == account),
        "the ServiceAccount `{account}` is part of the manifests"
    );
}

/// The round trip is what catches a misspelt field: prove it does on a copy of the CronJob.
#[test]
fn a_misspelt_field_fails_the_round_trip() {
    let text = std::fs::read_to_string(k8s_dir().join("base/cronjob.yaml")).unwrap();
    let typo = text.replacen("readOnlyRootFilesystem:", "readOnlyRootFilesystm:", 1);
    assert_ne!(text, typo);
    let panic = std::panic::catch_unwind(|| Objects::load(&typo, "typo.yaml"))
        .err()
        .expect("an unknown field fails");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains(
            "`spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystm`: unknown field"
        ),
        "{message}"
    );
}

/// The image's user is the pods' user: the pods' `fsGroup` is what lets that user read
/// mounted secret files (`defaultMode: 0440`), and `runAsNonRoot` needs a numeric user.
#[test]
fn the_image_runs_as_the_user_the_pods_run_as() {
    let dockerfile = std::fs::read_to_string(repo_root().join("Dockerfile")).unwrap();
    let user = dockerfile
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the Dockerfile sets a USER");
    let (uid, gid) = user.trim().split_once(':').expect("USER uid:gid");
    let (uid, gid): (i64, i64) = (uid.parse().unwrap(), gid.parse().unwrap());
    assert!(uid > 0, "a non-root numeric user");
    for (what, pod) in rendered("overlays/example").pods() {
        let security = pod.security_context.as_ref().unwrap();
        assert_eq!(security.run_as_user, Some(uid), "{what}");
        assert_eq!(security.run_as_group, Some(gid), "{what}");
        assert_eq!(security.fs_group, Some(gid), "{what}");
    }
}

/// Everything the build stage copies is in the build context `.dockerignore` leaves.
#[test]
fn the_build_context_holds_what_the_dockerfile_copies() {
    let root = repo_root();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let ignore = std::fs::read_to_string(root.join(".dockerignore")).unwrap();
    let kept: BTreeSet<&str> = ignore
        .lines()
        .filter_map(|l| l.strip_prefix('!'))
        .map(|p| p.trim_end_matches('/'))
        .collect();
    let copied: Vec<&str> = dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|args| !args.starts_with("--from"))
        .flat_map(|args| {
            let words: Vec<&str> = args.split_whitespace().collect();
            words[..words.len() - 1].to_vec()
        })
        .collect();
    assert!(copied.contains(&"src"), "{copied:?}");
    for path in copied {
        assert!(
            kept.contains(path),
            "`COPY {path}` but .dockerignore leaves it out"
        );
        assert!(root.join(path).exists(), "`COPY {path}`: no such path");
    }
}
