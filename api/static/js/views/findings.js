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

function findingItem(f) {
  const measured = (f.measured || []).map((m) => `${m.label} ${num(m.value, { unit: m.unit })}`).join(" · ");
  const times = (f.timeRanges || []).slice(0, 4).map((t) => `${clock(t.startS)}–${clock(t.endS)}`).join(", ");
  return h(
    "li",
    { class: `finding sev-${f.severity.toLowerCase()}`, dataset: { finding: f.id, severity: f.severity } },
    h("span", { class: `badge sev-${f.severity.toLowerCase()}`, text: SEVERITY_LABEL[f.severity] || f.severity }),
    h("div", { class: "finding-body" },
      h("strong", { class: "finding-title", text: f.title }),
      h("p", { class: "finding-detail", text: f.detail }),
      measured || f.target ? h("p", { class: "muted small", text: [measured, targetText(f.target)].filter(Boolean).join(" · ") }) : null,
      times ? h("p", { class: "muted small", text: `at ${times}` }) : null,
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
  replace(
    el,
    h("h3", { text: "Findings" }),
    h("p", { class: "muted small", text: judged }),
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
