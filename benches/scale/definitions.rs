//! Synthetic definition files for the scale benchmark: a mix of cron (70 %), event (15 %)
//! and once (15 %) triggers, about one in nine disabled, six time zones, the three misfire
//! policies, catchup windows and jitter; three EventType files for the event ones. Each
//! definition is a value ([`Def`]) so that a change is an edit of the value, written again.

use std::path::{Path, PathBuf};

pub const ZONES: [&str; 6] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
];
const POLICIES: [&str; 3] = ["skip", "catchup_all", "catchup_latest"];
pub const EVENT_TYPES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cron,
    Event,
    Once,
}

/// One generated definition; its file is `shard-{i % 20}/def-{i:05}.md` under the root.
#[derive(Debug, Clone)]
pub struct Def {
    pub i: usize,
    pub kind: Kind,
    pub enabled: bool,
    pub minute: usize,
    pub zone: usize,
}

/// How a change edits a cron definition: each changes exactly its one schedule.
#[derive(Debug, Clone, Copy)]
pub enum Edit {
    /// The cron's minute: an update.
    Minute,
    /// The time zone: an update.
    Zone,
    /// `enabled` flipped: a pause or an unpause.
    Enabled,
}

impl Def {
    pub fn new(i: usize) -> Def {
        let kind = match i % 20 {
            0..=13 => Kind::Cron,
            14..=16 => Kind::Event,
            _ => Kind::Once,
        };
        Def {
            i,
            kind,
            enabled: i % 9 != 4,
            minute: (i * 7) % 60,
            zone: (i / 3) % ZONES.len(),
        }
    }

    pub fn has_schedule(&self) -> bool {
        self.kind != Kind::Event
    }

    pub fn rel_path(&self) -> PathBuf {
        PathBuf::from(format!("shard-{:02}/def-{:05}.md", self.i % 20, self.i))
    }

    pub fn edit(&mut self, edit: Edit) {
        match edit {
            Edit::Minute => self.minute = (self.minute + 1) % 60,
            Edit::Zone => self.zone = (self.zone + 1) % ZONES.len(),
            Edit::Enabled => self.enabled = !self.enabled,
        }
    }

    /// The file text; `prefix` makes the keys (and so the ids) distinct per set.
    pub fn text(&self, prefix: &str) -> String {
        let i = self.i;
        let trigger = match self.kind {
            Kind::Cron => {
                // Hours 4–23 only: no daylight-saving warnings to dwarf the output.
                let hour = 4 + i % 20;
                let cron = match i % 4 {
                    0 => format!("{} {hour} * * *", self.minute),
                    1 => format!("{} */2 * * *", self.minute),
                    2 => format!("{} {hour} * * 1-5", self.minute),
                    _ => format!("{} {hour} 1 * *", self.minute),
                };
                let mut t = format!(
                    "  type: cron\n  cron: \"{cron}\"\n  timezone: {}\n  misfire_policy: {}\n",
                    ZONES[self.zone],
                    POLICIES[i % POLICIES.len()]
                );
                if i % 5 == 1 {
                    t.push_str("  catchup_window_seconds: 300\n");
                }
                // Jitter shorter than the shortest gap (two hours for `*/2`).
                match i % 6 {
                    1 => t.push_str("  jitter_seconds: 60\n"),
                    3 => t.push_str("  jitter_seconds: 600\n"),
                    _ => {}
                }
                t
            }
            Kind::Event => format!(
                "  type: event\n  event_type: bench.event-{}\n  filters: {{branch: main, shard: \"{}\"}}\n",
                i % EVENT_TYPES,
                i % 20
            ),
            Kind::Once => format!(
                "  type: once\n  at: \"2027-{:02}-{:02}T{:02}:{:02}:00+01:00\"\n",
                1 + i % 12,
                1 + i % 28,
                8 + i % 10,
                self.minute
            ),
        };
        format!(
            "---\nkey: {prefix}.def-{i:05}\nname: Scale benchmark definition {i}\nenabled: {}\ntrigger:\n{trigger}on_failure: log_and_continue\ncontext:\n  - resolver: consistency_sweep_remote_all\n    required: true\n    args: {{ max_seconds: 300, repos: [a, b, c] }}\nreport:\n  sinks: [state-hub-progress]\n---\nReconcile the read model for shard {i}.\n\nCheck every registered repository and report drift.\n",
            self.enabled
        )
    }
}

/// The definitions of one set, written under `root`.
pub struct DefinitionSet {
    pub root: PathBuf,
    pub prefix: String,
    pub defs: Vec<Def>,
}

impl DefinitionSet {
    /// Generates `n` definitions and the event types under `root`.
    pub fn write(root: &Path, prefix: &str, n: usize) -> DefinitionSet {
        std::fs::create_dir_all(root.join("events")).unwrap();
        for shard in 0..20 {
            std::fs::create_dir_all(root.join(format!("shard-{shard:02}"))).unwrap();
        }
        for e in 0..EVENT_TYPES {
            std::fs::write(
                root.join(format!("events/event-{e}.md")),
                format!(
                    "---\nkind: EventType\nname: bench.event-{e}\ndescription: Benchmark event {e}.\n---\n"
                ),
            )
            .unwrap();
        }
        let set = DefinitionSet {
            root: root.to_path_buf(),
            prefix: prefix.to_string(),
            defs: (0..n).map(Def::new).collect(),
        };
        for d in &set.defs {
            set.write_one(d);
        }
        set
    }

    fn write_one(&self, d: &Def) {
        std::fs::write(self.root.join(d.rel_path()), d.text(&self.prefix)).unwrap();
    }

    pub fn schedules(&self) -> usize {
        self.defs.iter().filter(|d| d.has_schedule()).count()
    }

    /// Edits `count` cron definitions spread over the set (starting at `offset` within the
    /// stride, so two changes with different offsets touch different definitions), rotating
    /// minute / zone / enabled; rewrites their files. Returns how many it changed.
    pub fn change(&mut self, count: usize, offset: usize) -> usize {
        let crons: Vec<usize> = (0..self.defs.len())
            .filter(|&i| self.defs[i].kind == Kind::Cron)
            .collect();
        let count = count.clamp(1, crons.len());
        let stride = (crons.len() / count).max(1);
        let edits = [Edit::Minute, Edit::Zone, Edit::Enabled];
        let mut changed = 0;
        for j in 0..count {
            let Some(&index) = crons.get(j * stride + offset % stride) else {
                break;
            };
            self.defs[index].edit(edits[j % edits.len()]);
            let d = self.defs[index].clone();
            self.write_one(&d);
            changed += 1;
        }
        changed
    }
}
