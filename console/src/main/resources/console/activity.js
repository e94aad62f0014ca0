// The account's activity log: who did what to it, newest first, a page at a time ("Older" adds the next
// page). It reloads after each change the page makes (app.js's api() announces them). Loaded before app.js,
// whose state, api(), t(), $(), formatDate() and showMessage() these functions use when they are called.
"use strict";

const ACTIVITY_PAGE = 20;
const activityLog = { entries: [], next: null, loads: 0 };

// The newest page (older: the next page after those shown). A load started later wins over an earlier one.
async function loadActivity(older) {
  const load = ++activityLog.loads;
  const cursor = older && activityLog.next ? `&before=${encodeURIComponent(activityLog.next)}` : "";
  try {
    const page = await api("GET", `/activity?limit=${ACTIVITY_PAGE}${cursor}`);
    if (load !== activityLog.loads) return;
    activityLog.entries = older ? activityLog.entries.concat(page.entries) : page.entries;
    activityLog.next = page.next;
    renderActivity();
    showMessage("activityMessage", "");
  } catch (e) {
    if (load === activityLog.loads) showMessage("activityMessage", e.message, true);
  }
}

function renderActivity() {
  const body = $("activity").querySelector("tbody");
  body.innerHTML = "";
  activityLog.entries.forEach((entry) => {
    const row = body.insertRow();
    row.dataset.entryId = entry.entryId;
    row.dataset.action = entry.action;
    [formatDate(entry.at), activityActor(entry.actor), t("activity_" + entry.action), activityTarget(entry)]
      .forEach((value) => { row.insertCell().textContent = value; });
    const details = document.createElement("ul");
    details.className = "activity-details";
    activityDetails(entry).forEach((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      details.appendChild(item);
    });
    row.insertCell().appendChild(details);
  });
  $("activityEmpty").hidden = activityLog.entries.length > 0;
  $("activityOlder").hidden = !activityLog.next;
}

function activityActor(actor) {
  const who = actor.email || actor.subject || "";
  return actor.role === "operator" ? `${who} (${t("activityOperator")})` : who;
}

// A connection or a channel by its name while it exists; a backup or a gone one by its id.
function activityTarget(entry) {
  if (!entry.target) return "";
  const connection = entry.action.startsWith("CONNECTION_")
    && state.connections.find((c) => c.connectionId === entry.target);
  const channel = entry.action.startsWith("CHANNEL_")
    && channelState.channels.find((c) => c.channelId === entry.target);
  return connection ? connectionName(connection) : channel ? channelName(channel) : entry.target;
}

// Each change as "field: before → after" ("field: changed" for a secret), then what else the entry says.
function activityDetails(entry) {
  const shown = (value) => (value == null || value === "" ? "—" : value);
  const lines = (entry.changes || []).map((c) => (c.secret ? `${c.field}: ${t("activityChanged")}`
    : `${c.field}: ${shown(c.from)} → ${shown(c.to)}`));
  const details = entry.details || {};
  if (details.result && entry.action === "CHANNEL_TESTED") {
    lines.push(t(details.result === "ok" ? "activityDelivered" : "activityNotDelivered", details.answered || ""));
  } else if (details.result) {
    lines.push(details.result === "ok" ? t("testOk") : t("activityTestFailed"));
  }
  if (details.connection) lines.push(t("activityTo", connectionById(details.connection)));
  if (details.copy) lines.push(t("activityCopyAt", connectionById(details.copy)));
  if (details.expiresAt) lines.push(t("activityValidUntil", formatDate(details.expiresAt)));
  return lines;
}

// At load app.js has not run yet: no $() here.
document.getElementById("activityOlder").addEventListener("click", () => loadActivity(true));
document.addEventListener("backuprelay:wrote", () => loadActivity(false));
