// The accessible table behind a chart: the same numbers as rows, in a <details> the keyboard reaches (its
// <summary> is a tab stop), so nothing on a chart is only a picture.

import { h } from "../dom.js";

/** `caption` names the table; `head` the column titles; `rows` arrays of cells (the first is the row header). */
export function chartTable(caption, head, rows, { id = null } = {}) {
  const table = h(
    "table",
    { class: "data-table" },
    h("caption", { class: "visually-hidden", text: caption }),
    h("thead", {}, h("tr", {}, head.map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => (i === 0 ? h("th", { scope: "row", text: c }) : h("td", { text: c })))))),
  );
  return h(
    "details",
    { class: "chart-table", id },
    h("summary", { text: `Table: ${caption}` }),
    h("div", { class: "table-wrap" }, table),
  );
}
