// The backup page of one account, for its super-administrator. Plain browser JavaScript: no build step.
"use strict";

const LANGUAGES = ["en", "es", "fr", "pt"];
const state = { token: null, account: null, texts: window.TEXTS.en, language: "en", timeZone: "UTC",
                saved: null, connections: [], history: [], dirty: false, position: null, poll: null, pollDelay: 0 };
const $ = (id) => document.getElementById(id);
const t = (key, ...args) => (state.texts[key] || window.TEXTS.en[key] || key)
  .replace(/\{(\d)\}/g, (_, i) => (args[Number(i)] === undefined ? "" : args[Number(i)]));

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (e) {
    return null;
  }
}

// Every call presents the position of this page's last write, so a read shows what the page wrote.
async function api(method, path, body) {
  const headers = { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json" };
  if (state.position) headers["Backuprelay-Position"] = state.position;
  const response = await fetch(`/api/accounts/${encodeURIComponent(state.account)}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body)
  });
  const position = response.headers.get("Backuprelay-Position");
  if (position) state.position = position;
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(errorText(response.status, json));
    error.status = response.status;
    throw error;
  }
  if (method !== "GET") document.dispatchEvent(new Event("backuprelay:wrote")); // activity.js shows it
  return json;
}

// The server's error in the page's language: by its key, else by the field it names, else as sent.
function errorText(status, body) {
  if (body && body.key && state.texts["err_" + body.key] !== undefined) return t("err_" + body.key, ...(body.args || []));
  if (body && body.field) {
    // copies[0].retention.keepLast says what retention.keepLast says; immutability.days is immutability_days.
    const field = body.field.replace(/\[\d+\]/g, "").replace(/^copies\./, "").replace(/^retention\./, "").replace(/\./g, "_");
    if (window.TEXTS.en["invalid_" + field]) return t("invalid_" + field);
  }
  if (status === 401) return t("err_unauthorized");
  if (status === 403) return t("err_forbidden");
  return body && body.message ? body.message : `HTTP ${status}`;
}

function formatDate(iso) {
  if (!iso) return t("never");
  return new Intl.DateTimeFormat(state.language, { dateStyle: "medium", timeStyle: "short", timeZone: state.timeZone })
    .format(new Date(iso));
}

function formatSize(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function lines(id) {
  return $(id).value.split(/[\n,;]+/).map((s) => s.trim()).filter((s) => s);
}

function numberOrNull(id) {
  const value = $(id).value.trim();
  return value === "" ? null : Number(value);
}

// ---- Language ----

function chooseLanguage(language) {
  state.language = LANGUAGES.includes(language) ? language : "en";
  state.texts = window.TEXTS[state.language];
  $("language").value = state.language;
  translatePage();
  if (state.saved) renderSettings(state.saved);
  renderConnections();
  renderChannels();
  showChannelKind();
  renderHistory(state.history);
  renderActivity();
}

function translatePage() {
  document.documentElement.lang = state.language;
  document.querySelectorAll("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n) + (el.dataset.required ? " *" : "");
  });
  document.title = t("title");
  $("subtitle").textContent = subtitle(state.saved);
}

// The platform's name when the operators gave one; else a sentence of the page's language alone.
function subtitle(settings) {
  return settings && settings.platformName ? t("subtitle", settings.platformName) : t("subtitleNoPlatform");
}

function showMessage(id, text, isError) {
  const el = $(id);
  el.textContent = text || "";
  el.className = isError ? "error" : "ok";
  el.setAttribute("role", isError ? "alert" : "status");
}

// ---- Database backup ----

function connectionName(c) {
  return c.description || (isS3(c) ? `${c.bucket}${c.prefix ? "/" + c.prefix : ""}`
    : `${c.storageAccountName}/${c.containerName}${c.path ? "/" + c.path : ""}`);
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.appendChild(o);
}

function renderDestinations() {
  const select = $("destination");
  const chosen = state.dirty ? select.value : (state.saved && state.saved.destinationConnectionId) || "";
  select.innerHTML = "";
  option(select, "", t("noDestination"));
  state.connections.filter((c) => c.enabledForAutomaticBackup).forEach((c) => option(select, c.connectionId, connectionName(c)));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
  if (!state.dirty && state.saved) renderCopies(state.saved.copies);
  renderManualDestinations();
}

// A manual backup may go to any connection: one is used as it is, several are offered with the automatic one first.
function renderManualDestinations() {
  const select = $("manualDestination");
  const chosen = select.value;
  const automatic = state.saved && state.saved.destinationConnectionId;
  select.innerHTML = "";
  const ordered = [...state.connections].sort((a, b) => (b.connectionId === automatic) - (a.connectionId === automatic));
  ordered.forEach((c) => option(select, c.connectionId,
    connectionName(c) + (c.connectionId === automatic ? ` (${t("automaticDestination")})` : "")));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : (ordered[0] ? ordered[0].connectionId : "");
  $("manualDestinationRow").hidden = state.connections.length < 2;
  renderCreateButton();
}

function renderCreateButton() {
  const running = state.saved && state.saved.state === "RUNNING";
  const why = state.connections.length === 0 ? t("noConnectionYet") : running ? t("backupRunningWhy") : "";
  $("createBackup").disabled = why !== "";
  $("createBackupWhy").textContent = why;
  $("createBackupWhy").hidden = why === "";
}

// Why automatic backups are off, in the page's words; the server's sentence when the page cannot tell.
function pausedReason(settings) {
  if (settings.backupType === "MANUAL" || !settings.pausedReason) return null;
  const destination = settings.destinationConnectionId;
  if (!destination) return t("pausedNoDestination");
  const connection = state.connections.find((c) => c.connectionId === destination);
  if (!connection) return t("pausedDestinationGone");
  if (!connection.enabledForAutomaticBackup) return t("pausedDestinationDisabled");
  return settings.pausedReason;
}

function renderSettings(settings) {
  state.saved = settings;
  $("accountName").textContent = settings.displayName || settings.accountId;
  $("subtitle").textContent = subtitle(settings);
  $("lastBackup").textContent = formatDate(settings.lastBackupAt);
  $("lastVerifiedRestore").textContent = formatDate(settings.lastVerifiedRestoreAt);
  $("state").textContent = t(settings.state);
  $("nextDue").textContent = settings.nextDueAt && settings.window ? nextDueInWindow(settings)
    : settings.nextDueAt ? t("nextDue", formatDate(settings.nextDueAt))
    : settings.state === "AWAITING_FIRST_MANUAL_BACKUP" ? t("awaitingFirst") : "";
  $("state").classList.toggle("warning", settings.state === "WINDOW_TOO_SHORT");
  renderWindow(settings.window);
  const paused = pausedReason(settings);
  $("paused").textContent = paused ? t("pausedBecause", paused) : "";
  $("paused").hidden = !paused;
  if (!state.dirty) {
    $("backupType").value = settings.backupType;
    $("restoreDrill").value = settings.restoreDrill || "WEEKLY";
    $("notifyEmails").value = (settings.notifyEmails || []).join("\n");
    $("encryptionRecipients").value = (settings.encryptionRecipients || []).join("\n");
    $("keepLast").value = settings.retention && settings.retention.keepLast != null ? settings.retention.keepLast : "";
    $("maxAgeDays").value = settings.retention && settings.retention.maxAgeDays != null ? settings.retention.maxAgeDays : "";
  }
  renderDestinations();
}

function editedSettings() {
  const keepLast = numberOrNull("keepLast");
  const maxAgeDays = numberOrNull("maxAgeDays");
  return {
    backupType: $("backupType").value,
    destinationConnectionId: $("destination").value || null,
    notifyEmails: lines("notifyEmails"),
    encryptionRecipients: lines("encryptionRecipients"),
    retention: keepLast == null && maxAgeDays == null ? null : { keepLast, maxAgeDays },
    restoreDrill: $("restoreDrill").value,
    copies: editedCopies(),
    window: editedWindow()
  };
}

function markDirty() {
  const saved = state.saved || {};
  const edited = editedSettings();
  const retention = saved.retention || null;
  state.dirty = edited.backupType !== saved.backupType
    || edited.destinationConnectionId !== (saved.destinationConnectionId || null)
    || edited.restoreDrill !== (saved.restoreDrill || "WEEKLY")
    || edited.notifyEmails.join("\n") !== (saved.notifyEmails || []).join("\n")
    || edited.encryptionRecipients.join("\n") !== (saved.encryptionRecipients || []).join("\n")
    || JSON.stringify(edited.retention) !== JSON.stringify(retention && { keepLast: retention.keepLast, maxAgeDays: retention.maxAgeDays })
    || JSON.stringify(edited.copies) !== JSON.stringify(savedCopies(saved))
    || JSON.stringify(edited.window) !== JSON.stringify(savedWindow(saved));
  $("pending").hidden = !state.dirty;
  $("save").disabled = !state.dirty;
}

// ---- Backup window ----

// The next run in the window's own zone, named, so a person abroad reads the time the window means.
function nextDueInWindow(settings) {
  const zone = settings.window.timeZone;
  const when = new Intl.DateTimeFormat(state.language, { dateStyle: "medium", timeStyle: "short", timeZone: zone })
    .format(new Date(settings.nextDueAt));
  return t("nextDueIn", when, zone);
}

function renderWindow(backupWindow) {
  $("windowShown").textContent = backupWindow
    ? t("windowShown", backupWindow.start, t("windowLength", Math.floor(backupWindow.lengthMinutes / 60),
      backupWindow.lengthMinutes % 60), backupWindow.timeZone)
    : "";
  if (state.dirty) return;
  $("windowStart").value = backupWindow ? backupWindow.start : "";
  $("windowHours").value = backupWindow ? Math.floor(backupWindow.lengthMinutes / 60) : "";
  $("windowMinutes").value = backupWindow ? backupWindow.lengthMinutes % 60 : "";
  $("windowZone").value = backupWindow ? backupWindow.timeZone : "";
}

// No start: no window. The zone left empty is the account's, which the server fills in.
function editedWindow() {
  const start = $("windowStart").value;
  if (!start) return null;
  const hours = numberOrNull("windowHours") || 0;
  const minutes = numberOrNull("windowMinutes") || 0;
  return { start: start.substring(0, 5), lengthMinutes: hours * 60 + minutes, timeZone: $("windowZone").value.trim() || null };
}

function savedWindow(saved) {
  const w = saved.window;
  return w ? { start: w.start, lengthMinutes: w.lengthMinutes, timeZone: w.timeZone } : null;
}

async function saveSettings() {
  try {
    const settings = await api("PUT", "/backup-settings", editedSettings());
    state.dirty = false;
    renderSettings(settings);
    markDirty();
    showMessage("settingsMessage", t("saved"));
  } catch (e) {
    showMessage("settingsMessage", e.message, true);
  }
}

async function createBackup() {
  try {
    const body = state.connections.length > 1 ? { connectionId: $("manualDestination").value } : undefined;
    await api("POST", "/backups", body);
    showMessage("message", t("backupStarted"));
    $("createBackup").disabled = true;
    pollSoon();
  } catch (e) {
    showMessage("message", e.message, true);
  }
}

// ---- Connections ----

function renderConnections() {
  const body = $("connections").querySelector("tbody");
  body.innerHTML = "";
  state.connections.forEach((c) => {
    const row = body.insertRow();
    row.dataset.connectionId = c.connectionId;
    [...connectionCells(c), c.enabledForAutomaticBackup ? t("yes") : t("no")]
      .forEach((value) => { row.insertCell().textContent = value; });
    const actions = row.insertCell();
    const result = document.createElement("span");
    result.className = "test-result";
    result.setAttribute("aria-live", "polite");
    [["edit", () => editConnection(c)], ["test", () => testConnection(c, result)], ["remove", () => deleteConnection(c)]]
      .forEach(([key, action]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `connection-${key}`;
        button.textContent = t(key);
        button.setAttribute("aria-label", `${t(key)}: ${connectionName(c)}`);
        button.addEventListener("click", action);
        actions.appendChild(button);
      });
    actions.appendChild(result);
  });
  renderDestinations();
}

function credentialType() {
  return $("credentialSas").checked ? "SAS_TOKEN" : "ACCESS_KEY";
}

function showCredentialField() {
  const sas = credentialType() === "SAS_TOKEN";
  $("accessKeyField").hidden = sas;
  $("sasTokenField").hidden = !sas;
}

function editConnection(c) {
  $("connectionId").value = c ? c.connectionId : "";
  $("description").value = c ? c.description || "" : "";
  $("storageAccountName").value = c ? c.storageAccountName : "";
  $("containerName").value = c ? c.containerName : "";
  $("path").value = c ? c.path || "" : "";
  $("accessKey").value = "";
  $("sasToken").value = "";
  $("credentialSas").checked = c ? c.credentialType === "SAS_TOKEN" : false;
  $("credentialKey").checked = !$("credentialSas").checked;
  showCredentialField();
  $("accessKey").placeholder = c && c.accessKeyHint ? c.accessKeyHint : "";
  $("sasToken").placeholder = c && c.sasTokenExpiresAt ? t("sasExpires", formatDate(c.sasTokenExpiresAt)) : "";
  $("credentialKept").hidden = !c;
  $("accessTier").value = c && c.accessTier ? c.accessTier : "";
  $("endpoint").value = c ? c.endpoint || "" : "";
  $("enabledForAutomaticBackup").checked = c ? c.enabledForAutomaticBackup : false;
  editConnectionPlaces(c);
  showMessage("connectionMessage", "");
  if (c) $("description").focus();
}

async function saveConnection(event) {
  event.preventDefault();
  const id = $("connectionId").value;
  const sas = credentialType() === "SAS_TOKEN";
  const common = {
    description: $("description").value,
    enabledForAutomaticBackup: $("enabledForAutomaticBackup").checked,
    endpoint: $("endpoint").value.trim() || null,
    immutability: immutabilityBody()
  };
  const body = $("connectionType").value === "S3" ? s3Body(common) : Object.assign(common, {
    type: "AZURE_BLOB",
    storageAccountName: $("storageAccountName").value.trim(),
    containerName: $("containerName").value.trim(),
    path: $("path").value.trim(),
    accessKey: sas ? null : $("accessKey").value || null,
    sasToken: sas ? $("sasToken").value.trim() || null : null,
    accessTier: $("accessTier").value // "" is the account's default; an edit always says which
  });
  try {
    await api(id ? "PUT" : "POST", id ? `/connections/${encodeURIComponent(id)}` : "/connections", body);
    editConnection(null);
    showMessage("connectionMessage", t("saved"));
    await loadConnections();
  } catch (e) {
    showMessage("connectionMessage", e.message, true);
  }
}

async function testConnection(c, result) {
  result.textContent = "…";
  try {
    const answer = await api("POST", `/connections/${encodeURIComponent(c.connectionId)}/test`);
    result.textContent = (answer.ok ? t("testOk") : answer.key ? t("err_" + answer.key) : answer.reason)
      + (answer.immutability ? ` ${answer.immutability}` : "");
    result.className = `test-result ${answer.ok ? "ok" : "error"}`;
  } catch (e) {
    result.textContent = e.message;
    result.className = "test-result error";
  }
}

async function deleteConnection(c) {
  try {
    await api("DELETE", `/connections/${encodeURIComponent(c.connectionId)}`);
    await loadConnections();
  } catch (e) {
    showMessage("connectionMessage", e.message, true);
  }
}

async function loadConnections() {
  state.connections = await api("GET", "/connections");
  renderConnections();
}

// ---- History ----

function renderHistory(backups) {
  state.history = backups;
  const body = $("history").querySelector("tbody");
  body.innerHTML = "";
  backups.forEach((b) => {
    const row = body.insertRow();
    row.dataset.backupId = b.backupId;
    const stateKey = b.state === "RUNNING" ? "RUNNING_BACKUP" : b.state;
    const triggerKey = b.trigger === "MANUAL" ? "MANUAL_TRIGGER" : b.trigger === "SCHEDULED" ? "SCHEDULED_TRIGGER" : b.trigger;
    [formatDate(b.endedAt || b.requestedAt), t(triggerKey), t(stateKey), formatSize(b.sizeBytes), b.blobName || ""]
      .forEach((value) => { row.insertCell().textContent = value; });
    storedAtCell(row.insertCell(), b);
    [b.failureReason || "", restoreCheck(b.restoreCheck)].forEach((value) => { row.insertCell().textContent = value; });
    if (b.restoreCheck) row.cells[7].title = b.restoreCheck.detail; // what was restored, or why only the checksum
    const actions = row.insertCell();
    if (b.state === "SUCCEEDED" && b.blobName) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "download";
      button.textContent = t("download");
      button.setAttribute("aria-label", `${t("download")}: ${b.blobName}`);
      button.addEventListener("click", () => downloadBackup(b.backupId));
      actions.appendChild(button);
    }
    row.className = b.state.toLowerCase();
  });
}

// What the restore drill found of a backup: restored and compared, or (encrypted) checksum and header only.
function restoreCheck(check) {
  if (!check) return "";
  const what = check.passed ? t("drillPassed_" + check.kind) : `${t("drillFailed")}: ${check.detail}`;
  return `${what} (${formatDate(check.checkedAt)})`;
}

// A short-lived read-only link from the API, to the destination's blob or to a copy's; shown (the history is
// redrawn, this is not) and followed. Its fragment (#manifest=…) carries the manifest's own link: a browser never
// sends it, and `backuprelay restore --blob-url` reads it, as the hint under the link says.
async function downloadBackup(backupId, copy) {
  const link = $("downloadLink");
  try {
    const answer = await api("POST", `/backups/${encodeURIComponent(backupId)}/download`
      + (copy ? `?copy=${encodeURIComponent(copy)}` : ""));
    link.href = answer.url;
    link.textContent = `${t("downloadReady")} ${formatDate(answer.expiresAt)}`;
    link.dataset.backupId = backupId;
    $("downloadMessage").hidden = false;
    link.click();
  } catch (e) {
    showMessage("message", e.message, true);
  }
}

// ---- Refreshing ----

async function refresh() {
  try {
    const settings = await api("GET", "/backup-settings");
    const first = !state.saved;
    state.timeZone = settings.timeZone || "UTC";
    if (first) {
      const stored = localStorage.getItem("backuprelay.language");
      chooseLanguage(stored || (settings.locale || "en").substring(0, 2));
    }
    renderSettings(settings);
    renderHistory(await api("GET", "/backups"));
    document.body.dataset.loaded = "true"; // the page shows the account as the server has it
  } catch (e) {
    showMessage("message", e.message, true);
    if (e.status === 401) signIn();
  }
}

// A backup is requested or running, or one that ended in the last 10 minutes still awaits its restore check.
function busy() {
  if (!state.saved) return false;
  if (state.saved.state === "RUNNING" || state.history.some((b) => b.state === "REQUESTED" || b.state === "RUNNING")) return true;
  const latest = state.history.find((b) => b.state === "SUCCEEDED");
  return state.saved.restoreDrill !== "OFF" && latest && !latest.restoreCheck
    && Date.now() - new Date(latest.endedAt).getTime() < 10 * 60 * 1000;
}

// Polls only while a backup is requested or running: from 2 s, backing off to 30 s; never in a hidden tab.
function pollSoon() {
  state.pollDelay = 2000;
  schedulePoll();
}

function schedulePoll() {
  clearTimeout(state.poll);
  state.poll = null;
  if (document.hidden) return;
  state.poll = setTimeout(async () => {
    await refresh();
    if (busy()) {
      state.pollDelay = Math.min(30000, Math.round(state.pollDelay * 1.5));
      schedulePoll();
    } else {
      state.poll = null;
    }
  }, state.pollDelay);
}

function signIn() {
  $("app").hidden = true;
  $("signin").hidden = false;
  $("tokenInput").focus();
}

async function start(token) {
  const payload = claims(token);
  if (!payload || !payload.account) {
    signIn();
    return;
  }
  state.token = token;
  state.account = payload.account;
  sessionStorage.setItem("backuprelay.token", token);
  $("signin").hidden = true;
  $("app").hidden = false;
  try {
    await loadConnections();
    await loadChannels();
  } catch (e) {
    showMessage("message", e.message, true);
  }
  await refresh();
  loadActivity(false);
  if (busy()) pollSoon();
}

["backupType", "restoreDrill", "destination"].forEach((id) => $(id).addEventListener("change", markDirty));
["notifyEmails", "encryptionRecipients", "keepLast", "maxAgeDays"].forEach((id) => $(id).addEventListener("input", markDirty));
["windowStart", "windowHours", "windowMinutes", "windowZone"].forEach((id) => $(id).addEventListener("input", markDirty));
$("save").addEventListener("click", saveSettings);
$("createBackup").addEventListener("click", createBackup);
$("connectionForm").addEventListener("submit", saveConnection);
$("cancelConnection").addEventListener("click", () => editConnection(null));
$("credentialKey").addEventListener("change", showCredentialField);
$("credentialSas").addEventListener("change", showCredentialField);
$("connectionType").addEventListener("change", showConnectionKind);
$("immutable").addEventListener("change", showImmutabilityFields);
$("addCopy").addEventListener("click", () => { addCopyRow(null); markDirty(); });
wireChannels();
$("useToken").addEventListener("click", () => start($("tokenInput").value.trim()));
$("language").addEventListener("change", () => {
  localStorage.setItem("backuprelay.language", $("language").value);
  chooseLanguage($("language").value);
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && state.token) {
    refresh().then(() => { if (busy()) pollSoon(); });
  } else {
    clearTimeout(state.poll);
    state.poll = null;
  }
});

// A token handed over in the address (#token=…) is moved to this tab's session storage and out of the address bar.
const fromHash = new URLSearchParams(location.hash.substring(1)).get("token");
if (fromHash) history.replaceState(null, "", location.pathname);
const token = fromHash || sessionStorage.getItem("backuprelay.token");
translatePage();
token ? start(token) : signIn();
