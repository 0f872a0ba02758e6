// Export: the session as a Markdown or JSON report (from the API, so it matches what the coach was given), and
// the browser's print dialog for a PDF (the print stylesheet keeps the analysis, findings and conversation).

import { gql } from "../auth.js";
import { byId } from "../dom.js";
import { showError } from "../errors.js";
import { readRoute } from "../route.js";
import { REPORT_JSON, REPORT_MARKDOWN } from "./operations.js";

function fileName(title, ext) {
  const stem = (title || "mixcoach-report").replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80) || "mixcoach-report";
  return `${stem}.${ext}`;
}

function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function exportAs(kind) {
  const { session } = readRoute();
  if (!session) {
    showError({ message: "Ask for feedback first: the report exports a conversation.", code: "BAD_USER_INPUT" });
    return;
  }
  try {
    if (kind === "md") {
      const data = await gql(REPORT_MARKDOWN, { id: session });
      download(data.session.reportMarkdown, fileName(data.session.title, "md"), "text/markdown");
    } else {
      const data = await gql(REPORT_JSON, { id: session });
      download(JSON.stringify(data.session.reportJson, null, 2), fileName(data.session.title, "json"), "application/json");
    }
  } catch (error) {
    showError(error, "Could not export the report.");
  }
}

export function initExport() {
  byId("export-md").addEventListener("click", () => exportAs("md"));
  byId("export-json").addEventListener("click", () => exportAs("json"));
  byId("export-print").addEventListener("click", () => window.print());
}
