//! `DURABLE_RESULTS.md` and `durable-chart.svg` from the measurements of `harness durable`.

use std::fmt::Write as _;
use std::time::Duration;

use crate::durable::{Measured, RUNTIMES};

/// A headline ratio (lambda-sdk-durable ÷ the preview) and its target.
struct Headline {
    label: &'static str,
    ours: f64,
    preview: f64,
    /// The largest ratio that meets the target.
    target: f64,
    /// Also, the most lambda-sdk-durable may measure (checkpoint calls per step: 1).
    ours_at_most: Option<f64>,
}

impl Headline {
    fn ratio(&self) -> Option<f64> {
        (self.preview > 0.0).then(|| self.ours / self.preview)
    }

    fn met(&self) -> Option<bool> {
        let absolute = self
            .ours_at_most
            .is_none_or(|most| self.ours <= most + 1e-9);
        self.ratio().map(|r| r <= self.target + 1e-9 && absolute)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn headlines(m: &[Measured; 2]) -> Vec<Headline> {
    let [ours, preview] = m;
    let mut rows = Vec::new();
    if let (Some(a), Some(b)) = (ours.crates, preview.crates) {
        rows.push(Headline {
            label: "crates",
            ours: a as f64,
            preview: b as f64,
            target: 0.7,
            ours_at_most: None,
        });
    }
    if let (Some(a), Some(b)) = (ours.size, preview.size) {
        rows.push(Headline {
            label: "stripped size",
            ours: a as f64,
            preview: b as f64,
            target: 0.4,
            ours_at_most: None,
        });
    }
    if let (Some(a), Some(b)) = (ours.build, preview.build) {
        rows.push(Headline {
            label: "clean build",
            ours: a.as_secs_f64(),
            preview: b.as_secs_f64(),
            target: 0.4,
            ours_at_most: None,
        });
    }
    rows.push(Headline {
        label: "cold start",
        ours: ms(ours.cold_start),
        preview: ms(preview.cold_start),
        target: 0.5,
        ours_at_most: None,
    });
    rows.push(Headline {
        label: "checkpoint calls per step",
        ours: ours.steps100.stats.checkpoint_calls as f64 / 100.0,
        preview: preview.steps100.stats.checkpoint_calls as f64 / 100.0,
        target: 0.5,
        ours_at_most: Some(1.0),
    });
    rows.push(Headline {
        label: "100 steps, wall time",
        ours: ms(ours.steps100.wall),
        preview: ms(preview.steps100.wall),
        target: 0.5,
        ours_at_most: None,
    });
    rows.push(Headline {
        label: "replay of 1,000 steps, wall time",
        ours: ms(ours.replay.wall),
        preview: ms(preview.replay.wall),
        target: 0.5,
        ours_at_most: None,
    });
    rows
}

pub fn markdown(m: &[Measured; 2], quick: bool) -> String {
    let [ours, preview] = m;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# lambda-sdk-durable against aws-durable-execution-sdk 0.1.0\n\n\
         Written by `bench/durable.sh` (`harness durable`{}); see `bench/README.md`, section \
         \"Durable runtimes\", for what each figure is and how it is taken. Both runtimes run as \
         release-built function processes on `lambda_runtime` 1.x against the same fast local \
         service (`tests/durable-service`), one after the other, in one run.\n\n\
         ![ratios](durable-chart.svg)\n",
        if quick { " --quick" } else { "" }
    );
    let _ = writeln!(
        s,
        "## Headline ratios (lambda-sdk-durable ÷ aws-durable-execution-sdk)\n"
    );
    let _ = writeln!(
        s,
        "| figure | lambda-sdk-durable | aws-durable-execution-sdk | ratio | target | met |\n|---|---:|---:|---:|---:|:---:|"
    );
    for h in headlines(m) {
        let (a, b) = match h.label {
            "crates" => (format!("{}", h.ours), format!("{}", h.preview)),
            "stripped size" => (
                format!("{:.2} MB", h.ours / 1e6),
                format!("{:.2} MB", h.preview / 1e6),
            ),
            "clean build" => (format!("{:.1} s", h.ours), format!("{:.1} s", h.preview)),
            "checkpoint calls per step" => (format!("{:.2}", h.ours), format!("{:.2}", h.preview)),
            _ => (format!("{:.1} ms", h.ours), format!("{:.1} ms", h.preview)),
        };
        let ratio = h.ratio().map_or("—".into(), |r| format!("{r:.2}"));
        let met = match h.met() {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "—",
        };
        let target = if h.label == "checkpoint calls per step" {
            "1 call (≤ 0.5)".to_string()
        } else {
            format!("≤ {:.1}", h.target)
        };
        let _ = writeln!(
            s,
            "| {} | {a} | {b} | {ratio} | {target} | {met} |",
            h.label
        );
    }
    let _ = writeln!(s, "\n## Every figure\n");
    let _ = writeln!(
        s,
        "| scenario | figure | lambda-sdk-durable | aws-durable-execution-sdk |\n|---|---|---:|---:|"
    );
    // Each figure as one function, given each runtime's measurements in turn.
    type Figure = fn(&Measured) -> String;
    let rows: [(&str, &str, Figure); 11] = [
        (
            "cold start",
            "process start to the first answer (median)",
            |m| format!("{:.1} ms", ms(m.cold_start)),
        ),
        ("100 steps", "wall time of the invocation (median)", |m| {
            format!("{:.2} ms", ms(m.steps100.wall))
        }),
        ("100 steps", "CheckpointDurableExecution calls", |m| {
            m.steps100.stats.checkpoint_calls.to_string()
        }),
        ("100 steps", "bytes sent in checkpoints", |m| {
            m.steps100.stats.checkpoint_bytes.to_string()
        }),
        (
            "replay",
            "wall time of the replaying invocation (median)",
            |m| format!("{:.2} ms", ms(m.replay.wall)),
        ),
        ("replay", "GetDurableExecutionState calls", |m| {
            m.replay.stats.state_calls.to_string()
        }),
        ("replay", "CheckpointDurableExecution calls", |m| {
            m.replay.stats.checkpoint_calls.to_string()
        }),
        (
            "map of 100, 10 at a time",
            "wall time of the invocation (median)",
            |m| format!("{:.2} ms", ms(m.map100.wall)),
        ),
        (
            "map of 100, 10 at a time",
            "CheckpointDurableExecution calls",
            |m| m.map100.stats.checkpoint_calls.to_string(),
        ),
        (
            "map of 100, 10 at a time",
            "bytes sent in checkpoints",
            |m| m.map100.stats.checkpoint_bytes.to_string(),
        ),
        (
            "runs",
            "executions measured (100 steps / replay / map)",
            |m| {
                format!(
                    "{} / {} / {}",
                    m.steps100.runs, m.replay.runs, m.map100.runs
                )
            },
        ),
    ];
    for (scenario, figure, value) in rows {
        let (a, b) = (value(ours), value(preview));
        let _ = writeln!(s, "| {scenario} | {figure} | {a} | {b} |");
    }
    let _ = writeln!(
        s,
        "\nFootprint programs: `bench/durable/{}` and `bench/durable/{}` (the preview README's \
         first example; only the import differs), each built alone in its own clean target \
         folder, release with `strip = true`; crates are the unique lines of `cargo tree -e \
         normal`. Scenario functions: `bench/durable/ours` and `bench/durable/preview`.",
        RUNTIMES[0].hello, RUNTIMES[1].hello
    );
    s
}

/// A horizontal bar per headline ratio, with the target marked and 1.0 (parity) drawn.
pub fn chart(m: &[Measured; 2]) -> String {
    let rows = headlines(m);
    let (left, width, row_h, top) = (250.0, 420.0, 34.0, 54.0);
    let max = rows
        .iter()
        .filter_map(Headline::ratio)
        .fold(1.2_f64, f64::max)
        .min(4.0);
    let x = |ratio: f64| left + width * (ratio.min(max) / max);
    let height = top + row_h * rows.len() as f64 + 40.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"{height:.0}\" \
         font-family=\"sans-serif\" font-size=\"13\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"16\" y=\"24\" font-size=\"15\" font-weight=\"bold\">lambda-sdk-durable ÷ \
         aws-durable-execution-sdk 0.1.0 (shorter is better)</text>\n\
         <text x=\"16\" y=\"42\" fill=\"#555\">bars: the ratio; ticks: the target; dashed: parity (1.0)</text>"
    );
    for (i, h) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = writeln!(
            s,
            "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{}</text>",
            left - 10.0,
            y + 17.0,
            h.label
        );
        if let Some(ratio) = h.ratio() {
            let color = if h.met() == Some(true) {
                "#2f7d32"
            } else {
                "#c62828"
            };
            let _ = writeln!(
                s,
                "<rect x=\"{left:.0}\" y=\"{:.0}\" width=\"{:.1}\" height=\"22\" fill=\"{color}\"/>\n\
                 <text x=\"{:.1}\" y=\"{:.0}\">{ratio:.2}</text>",
                y + 2.0,
                (x(ratio) - left).max(1.0),
                x(ratio) + 6.0,
                y + 17.0
            );
        }
        let tx = x(h.target);
        let _ = writeln!(
            s,
            "<line x1=\"{tx:.1}\" y1=\"{:.0}\" x2=\"{tx:.1}\" y2=\"{:.0}\" stroke=\"black\" stroke-width=\"2\"/>",
            y - 1.0,
            y + 27.0
        );
    }
    let px = x(1.0);
    let bottom = top + row_h * rows.len() as f64;
    let _ = writeln!(
        s,
        "<line x1=\"{px:.1}\" y1=\"{:.0}\" x2=\"{px:.1}\" y2=\"{bottom:.0}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n\
         <text x=\"{px:.1}\" y=\"{:.0}\" text-anchor=\"middle\" fill=\"#555\">1.0</text>\n</svg>",
        top - 4.0,
        bottom + 16.0
    );
    s
}
