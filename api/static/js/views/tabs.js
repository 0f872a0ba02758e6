// Phone tabs (Overview, Charts, Findings, Coach): one workspace pane at a time below 900 px; wider, all show.
// The choice lives on #workspace[data-tab]; CSS hides the other panes only inside the phone media query.

import { byId } from "../dom.js";

const PHONE_QUERY = "(max-width: 899px)";
let onShow = () => {};

/** True while the phone layout (tabs) is in use. */
export function isPhone() {
  return window.matchMedia(PHONE_QUERY).matches;
}

function tabs() {
  return [...byId("tabs").querySelectorAll("[role=tab]")];
}

/** Show pane `name` ("overview" | "charts" | "findings" | "coach"); `focus` moves the focus to its tab. */
export function showTab(name, { focus = false } = {}) {
  byId("workspace").dataset.tab = name;
  for (const tab of tabs()) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  onShow(name);
}

/** The pane shown now. */
export function currentTab() {
  return byId("workspace").dataset.tab;
}

/** Wire the tab bar: click, and arrow keys / Home / End as in the ARIA tabs pattern. `shown(name)` runs on change. */
export function initTabs({ shown = () => {} } = {}) {
  onShow = shown;
  byId("tabs").addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) showTab(tab.dataset.tab);
  });
  byId("tabs").addEventListener("keydown", (event) => {
    const all = tabs();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    showTab(all[(next + all.length) % all.length].dataset.tab, { focus: true });
  });
}

/** The tab bar shows once there is a workspace to switch between (CSS keeps it to phones). */
export function setTabsAvailable(available) {
  byId("tabs").hidden = !available;
  if (!available) showTab("overview");
}
