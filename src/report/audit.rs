//! Renderings of [`PromotionMetrics`]: text for a terminal, JSON, and one self-contained HTML
//! page (inline CSS and SVG, no script, no network) with three charts: results per day,
//! lead-time distribution and the most violated rules. Renderers compute nothing.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::fmt::Write as _;

use crate::audit::metrics::{Percentiles, PromotionMetrics};

/// The metrics as pretty-printed JSON.
pub fn render_json(metrics: &PromotionMetrics) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(metrics)?;
    text.push('\n');
    Ok(text)
}

/// `1 decision`, `2 decisions`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A time as a reader wants it: to the second (`2026-11-27T12:00:00Z`), whatever precision
/// the record holds.
fn when(time: &str) -> String {
    match crate::time::parse_rfc3339(time) {
        Ok(t) => crate::time::format_rfc3339(t),
        Err(_) => time.to_owned(),
    }
}

/// The y-axis of a count chart: a round step (1, 2 or 5 × 10^k) and the axis top, a multiple
/// of it, so that every gridline is labelled with a whole number it really marks.
fn count_axis(max: u64) -> (u64, u64) {
    let max = max.max(1);
    let rough = max.div_ceil(4);
    let mut magnitude = 1u64;
    while magnitude.saturating_mul(10) <= rough {
        magnitude = magnitude.saturating_mul(10);
    }
    let step = [1u64, 2, 5, 10]
        .into_iter()
        .map(|m| m.saturating_mul(magnitude))
        .find(|&s| s >= rough)
        .unwrap_or(rough);
    (step, max.div_ceil(step).saturating_mul(step))
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn hours(value: f64) -> String {
    if value < 1.0 {
        format!("{:.0} min", value * 60.0)
    } else if value < 48.0 {
        format!("{value:.1} h")
    } else {
        format!("{:.1} d", value / 24.0)
    }
}

fn spread(p: Option<&Percentiles>) -> String {
    match p {
        Some(p) => format!(
            "median {}, p90 {} (n={})",
            hours(p.median_hours),
            hours(p.p90_hours),
            p.count
        ),
        None => "no data".to_owned(),
    }
}

/// The metrics as text.
pub fn render_text(m: &PromotionMetrics) -> String {
    let mut out = String::new();
    let window = m
        .since
        .as_deref()
        .map_or_else(|| "all records".to_owned(), |s| format!("since {s}"));
    let _ = writeln!(
        out,
        "Promotion report ({window}), generated {}\n",
        when(&m.generated_at)
    );
    let rows = [
        (
            "Decisions",
            format!("{} ({})", m.decisions, count(m.subjects, "subject")),
        ),
        ("Success rate", percent(m.success_rate)),
        (
            "Lead time",
            format!(
                "{} (first gate → `{}` pass)",
                spread(m.lead_time.as_ref()),
                m.production_stage
            ),
        ),
        ("Approval latency", spread(m.approval_latency.as_ref())),
        (
            "Provenance completeness",
            percent(m.provenance_completeness),
        ),
        ("Violation rate", percent(m.violation_rate)),
        (
            "Waivers",
            format!(
                "{} in force, {} expiring; {} used one",
                m.waivers_in_force.len(),
                m.waivers_in_force.iter().filter(|w| w.expiring).count(),
                count(m.waived_decisions, "decision")
            ),
        ),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<24} {value}");
    }
    if !m.stages.is_empty() {
        out.push_str("\nStages\n");
        for (stage, results) in &m.stages {
            let _ = writeln!(
                out,
                "  {stage:<24} {} of {} passed ({})",
                results.passed,
                results.decisions,
                percent(results.rate)
            );
        }
    }
    if !m.top_rules.is_empty() {
        out.push_str("\nMost violated rules\n");
        for rule in &m.top_rules {
            let _ = writeln!(
                out,
                "  {:>6}  {}  ({})",
                rule.violations,
                rule.rule,
                count(rule.decisions, "decision")
            );
        }
    }
    if !m.waivers_in_force.is_empty() {
        out.push_str("\nWaivers in force\n");
        for waiver in &m.waivers_in_force {
            let _ = writeln!(
                out,
                "  {}  {}  until {}  ({}; {}){}",
                waiver.id,
                waiver.rules.join(", "),
                when(&waiver.expires),
                waiver.ticket,
                count(waiver.uses, "use"),
                if waiver.expiring { "  EXPIRING" } else { "" }
            );
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const PASS: &str = "#2e9e5b";
const FAIL: &str = "#d64541";
const ACCENT: &str = "#3b6fd8";
const WARN: &str = "#e0a526";

/// Stacked bars: passes and failures per day.
fn results_chart(m: &PromotionMetrics) -> String {
    let (width, height, left, bottom, top) = (720.0, 240.0, 40.0, 36.0, 12.0);
    let days = &m.results_per_day;
    let (step, axis_top) =
        count_axis(days.iter().map(|d| d.pass + d.fail).max().unwrap_or(0) as u64);
    let max = axis_top as f64;
    let plot_h = height - bottom - top;
    let slot = (width - left - 8.0) / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Results per day\">"
    );
    for value in (0..=axis_top).step_by(usize::try_from(step).unwrap_or(1).max(1)) {
        let y = top + plot_h - plot_h * value as f64 / max;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{width}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e6ea\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{value}</text>",
            left - 6.0,
            y + 4.0,
        );
    }
    let label_every = (days.len() / 8).max(1);
    for (i, day) in days.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let pass_h = plot_h * day.pass as f64 / max;
        let fail_h = plot_h * day.fail as f64 / max;
        let base = top + plot_h;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{pass_h:.1}\" fill=\"{PASS}\"><title>{}: {} passed</title></rect>",
            base - pass_h,
            esc(&day.day),
            day.pass
        );
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{fail_h:.1}\" fill=\"{FAIL}\"><title>{}: {} failed</title></rect>",
            base - pass_h - fail_h,
            esc(&day.day),
            day.fail
        );
        if i % label_every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                height - bottom + 16.0,
                esc(day.day.get(5..).unwrap_or(&day.day))
            );
        }
    }
    if days.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"empty\" text-anchor=\"middle\">no decisions</text>",
            width / 2.0,
            height / 2.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars: lead times per bucket.
fn lead_time_chart(m: &PromotionMetrics) -> String {
    let (width, height, bottom, top) = (360.0, 220.0, 36.0, 18.0);
    let buckets = &m.lead_time_histogram;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let plot_h = height - bottom - top;
    let slot = (width - 16.0) / buckets.len().max(1) as f64;
    let bar = slot * 0.72;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Lead-time distribution\">"
    );
    for (i, (label, count)) in buckets.iter().enumerate() {
        let x = 8.0 + slot * i as f64 + (slot - bar) / 2.0;
        let h = plot_h * *count as f64 / max;
        let y = top + plot_h - h;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" rx=\"3\" fill=\"{ACCENT}\"><title>{}: {count}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"value\" text-anchor=\"middle\">{count}</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
            esc(label),
            x + bar / 2.0,
            y - 4.0,
            x + bar / 2.0,
            height - bottom + 16.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars: the most violated rules.
fn rules_chart(m: &PromotionMetrics) -> String {
    let row = 26.0;
    let (width, label_w) = (1080.0, 320.0);
    let height = (m.top_rules.len().max(1) as f64) * row + 8.0;
    let max = m
        .top_rules
        .iter()
        .map(|r| r.violations)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = format!(
        "<svg viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Most violated rules\">"
    );
    for (i, rule) in m.top_rules.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = (width - label_w - 60.0) * rule.violations as f64 / max;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"label\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{FAIL}\"><title>{}: {} in {}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" class=\"value\">{}</text>",
            label_w - 8.0,
            y + row * 0.62,
            esc(&rule.rule),
            row - 8.0,
            esc(&rule.rule),
            count(rule.violations, "violation"),
            count(rule.decisions, "decision"),
            label_w + w + 6.0,
            y + row * 0.62,
            rule.violations
        );
    }
    if m.top_rules.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"20\" class=\"empty\" text-anchor=\"middle\">no violations</text>",
            width / 2.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One self-contained HTML page.
pub fn render_html(m: &PromotionMetrics) -> String {
    let window = m
        .since
        .as_deref()
        .map_or_else(|| "all records".to_owned(), |s| format!("since {s}"));
    let lead = m.lead_time.as_ref();
    let approval = m.approval_latency.as_ref();
    let expiring = m.waivers_in_force.iter().filter(|w| w.expiring).count();
    let tile = |title: &str, value: String, note: String, color: &str| {
        format!(
            "<div class=\"tile\"><div class=\"t\">{}</div><div class=\"v\" style=\"color:{color}\">{}</div><div class=\"n\">{}</div></div>",
            esc(title),
            esc(&value),
            esc(&note)
        )
    };
    let rate_color = |rate: f64| {
        if rate >= 0.9 {
            PASS
        } else if rate >= 0.7 {
            WARN
        } else {
            FAIL
        }
    };
    let tiles = [
        tile(
            "Success rate",
            percent(m.success_rate),
            format!(
                "{}, {}",
                count(m.decisions, "decision"),
                count(m.subjects, "subject")
            ),
            rate_color(m.success_rate),
        ),
        tile(
            "Lead time to production",
            lead.map_or("—".to_owned(), |p| hours(p.median_hours)),
            lead.map_or("no production pass yet".to_owned(), |p| {
                format!("median; p90 {} (n={})", hours(p.p90_hours), p.count)
            }),
            ACCENT,
        ),
        tile(
            "Approval latency",
            approval.map_or("—".to_owned(), |p| hours(p.median_hours)),
            approval.map_or("no verified approvals".to_owned(), |p| {
                format!("median; p90 {} (n={})", hours(p.p90_hours), p.count)
            }),
            ACCENT,
        ),
        tile(
            "Provenance completeness",
            percent(m.provenance_completeness),
            "decisions with verified SLSA provenance".to_owned(),
            rate_color(m.provenance_completeness),
        ),
        tile(
            "Violation rate",
            percent(m.violation_rate),
            "decisions with at least one violation".to_owned(),
            if m.violation_rate <= 0.1 { PASS } else { FAIL },
        ),
        tile(
            "Waivers in force",
            m.waivers_in_force.len().to_string(),
            format!(
                "{expiring} expiring soon; {} waived",
                count(m.waived_decisions, "decision")
            ),
            if expiring > 0 { WARN } else { PASS },
        ),
    ];
    let mut stages = String::new();
    for (stage, results) in &m.stages {
        let _ = write!(
            stages,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(stage),
            results.decisions,
            results.passed,
            percent(results.rate)
        );
    }
    let mut waivers = String::new();
    for waiver in &m.waivers_in_force {
        let _ = write!(
            waivers,
            "<tr{}><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if waiver.expiring {
                " class=\"expiring\""
            } else {
                ""
            },
            esc(&waiver.id),
            esc(&waiver.rules.join(", ")),
            esc(&when(&waiver.expires)),
            esc(&waiver.ticket),
            waiver.uses
        );
    }
    if waivers.is_empty() {
        waivers.push_str("<tr><td colspan=\"5\" class=\"empty\">no waivers in force</td></tr>");
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stagegate promotion report</title>
<style>
body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430; background: #f5f7fa; margin: 0; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }}
h2 {{ font-size: 16px; margin: 0 0 12px; }}
.sub {{ color: #5b6573; margin-bottom: 22px; }}
.tiles {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 14px; margin-bottom: 18px; }}
.tile, .card {{ background: #fff; border: 1px solid #e1e5eb; border-radius: 10px; padding: 16px 18px; }}
.tile .t {{ color: #5b6573; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }}
.tile .v {{ font-size: 30px; font-weight: 650; margin: 4px 0; }}
.tile .n {{ color: #5b6573; font-size: 12px; }}
.grid {{ display: grid; grid-template-columns: 2fr 1fr; gap: 14px; margin-bottom: 14px; }}
.card {{ margin-bottom: 14px; }}
svg text {{ font: 11px system-ui, sans-serif; fill: #5b6573; }}
svg text.label {{ font-size: 12px; fill: #1d2430; }}
svg text.value {{ font-size: 11px; fill: #1d2430; font-weight: 600; }}
svg text.empty, td.empty {{ fill: #8a94a3; color: #8a94a3; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #edf0f3; }}
th {{ color: #5b6573; font-weight: 600; font-size: 12px; }}
tr.expiring td {{ background: #fff6e0; }}
.legend span {{ display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 12px; }}
</style>
</head>
<body>
<main>
<h1>stagegate promotion report</h1>
<div class="sub">{window} · generated {generated} · lead time ends at the first <code>{prod}</code> pass</div>
<section class="tiles">{tiles}</section>
<section class="grid">
<div class="card"><h2>Results per day <span class="legend"><span style="background:{PASS}"></span>pass<span style="background:{FAIL}"></span>fail</span></h2>{results}</div>
<div class="card"><h2>Lead-time distribution</h2>{lead_chart}</div>
</section>
<section class="card"><h2>Most violated rules</h2>{rules}</section>
<section class="grid">
<div class="card"><h2>Waivers in force</h2><table><tr><th>Waiver</th><th>Rules</th><th>Expires</th><th>Ticket</th><th>Uses</th></tr>{waivers}</table></div>
<div class="card"><h2>Stages</h2><table><tr><th>Stage</th><th>Decisions</th><th>Passed</th><th>Rate</th></tr>{stages}</table></div>
</section>
</main>
</body>
</html>
"#,
        window = esc(&window),
        generated = esc(&when(&m.generated_at)),
        prod = esc(&m.production_stage),
        tiles = tiles.join(""),
        results = results_chart(m),
        lead_chart = lead_time_chart(m),
        rules = rules_chart(m),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_has_no_script_or_network() {
        let mut m = PromotionMetrics::compute(
            &[],
            None,
            "2026-11-27T12:00:00Z".parse().unwrap_or_default(),
            "prod",
            chrono::Duration::days(14),
        );
        m.top_rules.push(crate::audit::metrics::RuleCount {
            rule: "<script>alert(1)</script>".into(),
            violations: 1,
            decisions: 1,
        });
        let html = render_html(&m);
        assert!(!html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(html.contains("&lt;script&gt;"));
        assert_eq!(html.matches("<svg").count(), 3);
        // Issue 16: one of a thing is singular; times to the second.
        assert!(html.contains("0 decisions, 0 subjects"), "{html}");
        assert!(html.contains("generated 2026-11-27T12:00:00Z"));
    }

    #[test]
    fn count_axis_labels_whole_steps() {
        assert_eq!(count_axis(0), (1, 1));
        assert_eq!(count_axis(3), (1, 3));
        assert_eq!(count_axis(10), (5, 10));
        assert_eq!(count_axis(7), (2, 8));
        assert_eq!(count_axis(37), (10, 40));
        assert_eq!(count_axis(1234), (500, 1500));
    }

    #[test]
    fn plurals_and_times() {
        assert_eq!(count(1, "subject"), "1 subject");
        assert_eq!(count(2, "decision"), "2 decisions");
        assert_eq!(
            when("2026-11-27T12:00:00.123456789Z"),
            "2026-11-27T12:00:00Z"
        );
        assert_eq!(when("not a time"), "not a time");
    }
}
