// Findings as severity badges and genre targets for the band charts (suggested questions come from the server).

import { byId, h, replace } from "../dom.js";
import { clock, num } from "../format.js";

export const SEVERITY_ORDER = ["CRITICAL", "MAJOR", "MINOR", "INFO"];
const SEVERITY_LABEL = { CRITICAL: "Critical", MAJOR: "Major", MINOR: "Minor", INFO: "Info" };

function sorted(findings) {
  return [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

function targetText(target) {
  if (!target) return null;
  const { low, high, unit } = target;
  if (Number.isFinite(low) && Number.isFinite(high)) return `target ${num(low)} to ${num(high, { unit })}`;
  if (Number.isFinite(low)) return `target at least ${num(low, { unit })}`;
  if (Number.isFinite(high)) return `target at most ${num(high, { unit })}`;
  return null;
}

/** A span as "0:23–0:31", or one position when both ends show the same second (never "0:23–0:23"). */
function span(t) {
  const a = clock(t.startS);
  const b = clock(t.endS);
  return a === b ? a : `${a}–${b}`;
}

/** The first four spans, then "and N more" for the rest (those not shown and those the server only counted). */
function spans(f) {
  const all = f.timeRanges || [];
  const rest = Math.max(0, all.length - 4) + (f.moreSpans || 0);
  const text = all.slice(0, 4).map(span).join(", ");
  return rest ? `${text} and ${rest} more` : text;
}

/** The same spans as buttons that play from each one (workspace/player.js seeks on any data-seek). */
function spanButtons(f) {
  const all = f.timeRanges || [];
  const rest = Math.max(0, all.length - 4) + (f.moreSpans || 0);
  const buttons = all.slice(0, 4).flatMap((t, i) => [
    i ? ", " : null,
    h("button", { type: "button", class: "seek-time", dataset: { seek: t.startS }, title: `Play from ${clock(t.startS)}`, text: span(t) }),
  ]);
  return [...buttons, rest ? ` and ${rest} more` : null];
}

function findingItem(f) {
  const measured = (f.measured || []).map((m) => `${m.label} ${num(m.value, { unit: m.unit })}`).join(" · ");
  const times = spans(f);
  return h(
    "li",
    { class: `finding sev-${f.severity.toLowerCase()}`, dataset: { finding: f.id, severity: f.severity } },
    h("span", { class: `badge sev-${f.severity.toLowerCase()}`, text: SEVERITY_LABEL[f.severity] || f.severity }),
    h("div", { class: "finding-body" },
      h("strong", { class: "finding-title", text: f.title }),
      h("p", { class: "finding-detail", text: f.detail }),
      measured || f.target ? h("p", { class: "muted small", text: [measured, targetText(f.target)].filter(Boolean).join(" · ") }) : null,
      times ? h("p", { class: "muted small" }, "at ", spanButtons(f)) : null,
    ),
  );
}

/** Render a FindingReport ({genre, type, findings}): severity counts at the top, the full list below the charts. */
export function renderFindings(report) {
  const el = byId("findings");
  const summary = byId("findings-summary");
  if (!report) {
    replace(el);
    replace(summary);
    return;
  }
  const genre = report.genre || {};
  const judged = genre.matched === false && genre.note
    ? genre.note
    : `Judged as ${genre.genre || "general"}${genre.subgenre ? ` / ${genre.subgenre}` : ""}, ${String(report.type).toLowerCase().replace("_", " ")}.`;
  const counts = SEVERITY_ORDER.map((s) => [s, report.findings.filter((f) => f.severity === s).length]).filter(([, n]) => n);
  replace(
    summary,
    counts.length
      ? h("a", { href: "#findings", class: "summary-link" },
          counts.map(([s, n]) => h("span", { class: `badge sev-${s.toLowerCase()}`, text: `${n} ${SEVERITY_LABEL[s].toLowerCase()}` })),
          h("span", { class: "muted small", text: ` ${judged} See the findings.` }))
      : h("span", { class: "muted", text: `${judged} Nothing to flag.` }),
  );
  const verdict = report.verdict
    ? h("p", { class: "verdict", dataset: { ready: String(report.verdict.ready) } },
        h("strong", { text: report.verdict.ready ? "Ready to deliver." : "Not ready to deliver: " }),
        report.verdict.blockers.map((b) => b.reason).join(" "))
    : null;
  replace(
    el,
    h("h3", { text: "Findings" }),
    h("p", { class: "muted small", text: judged }),
    verdict,
    h("ul", { class: "finding-list" }, sorted(report.findings).map(findingItem)),
  );
}

/**
 * The genre's target range for every band, from the report's `targets.bandLevelsDb` (stage-adjusted by the server,
 * the same ranges the findings judge against): band -> {low, high, unit, lowHz, highHz}.
 */
export function bandTargets(targets) {
  return new Map(((targets && targets.bandLevelsDb) || []).map((b) => [b.band, b]));
}
