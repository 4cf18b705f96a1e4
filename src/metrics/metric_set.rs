//! A set of gauges, encoded in the Prometheus text format by `prometheus-client`. Figures
//! of a batch job are gauges: each run sets them once and exits.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

type Labels = Vec<(String, String)>;
type GaugeFamily = Family<Labels, Gauge<f64, AtomicU64>>;

/// Gauges named `activity_sync_<name>`, with labels every series carries (the scope, in a
/// textfile; none on a Pushgateway, where the grouping key carries it). Extend a set with
/// [`MetricSet::gauge`]: a name registers once, each label set is one series.
pub struct MetricSet {
    registry: Registry,
    families: BTreeMap<&'static str, GaugeFamily>,
}

pub const PREFIX: &str = "activity_sync";

impl MetricSet {
    pub fn new(const_labels: &[(&str, &str)]) -> MetricSet {
        let labels = const_labels
            .iter()
            .map(|(k, v)| (k.to_string().into(), v.to_string().into()))
            .collect::<Vec<_>>();
        MetricSet {
            registry: Registry::with_prefix_and_labels(PREFIX, labels.into_iter()),
            families: BTreeMap::new(),
        }
    }

    /// Sets the series `name{labels}` to `value`.
    pub fn gauge(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: &[(&str, &str)],
        value: f64,
    ) {
        let family = self.families.entry(name).or_insert_with(|| {
            let family = GaugeFamily::default();
            self.registry.register(name, help, family.clone());
            family
        });
        let labels: Labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        family.get_or_create(&labels).set(value);
    }

    /// The text exposition (OpenMetrics flavour, which Prometheus' text parsers read), the
    /// series of each metric sorted (a family keeps them in a hash map): the same figures
    /// give the same bytes, so files diff cleanly.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        let mut out = String::with_capacity(text.len());
        let mut series: Vec<&str> = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') {
                series.sort_unstable();
                for s in series.drain(..) {
                    out.push_str(s);
                    out.push('\n');
                }
                out.push_str(line);
                out.push('\n');
            } else {
                series.push(line);
            }
        }
        series.sort_unstable();
        for s in series {
            out.push_str(s);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_gauges_with_prefix_and_labels() {
        let mut set = MetricSet::new(&[("scope", "ops")]);
        set.gauge(
            "lock_skipped",
            "Whether another run held the scope.",
            &[],
            0.0,
        );
        set.gauge(
            "schedules",
            "Schedules by action.",
            &[("action", "created")],
            2.0,
        );
        set.gauge(
            "schedules",
            "Schedules by action.",
            &[("action", "deleted")],
            1.0,
        );
        let text = set.encode();
        assert!(
            text.contains("# TYPE activity_sync_lock_skipped gauge\n"),
            "{text}"
        );
        assert!(
            text.contains("activity_sync_schedules{scope=\"ops\",action=\"created\"} 2.0\n"),
            "{text}"
        );
        assert!(
            text.contains("activity_sync_schedules{scope=\"ops\",action=\"deleted\"} 1.0\n"),
            "{text}"
        );
        assert_eq!(text.matches("# TYPE activity_sync_schedules").count(), 1);
    }
}
