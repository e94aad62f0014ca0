// The backup page of one account, for its super-administrator. Plain browser JavaScript: no build step.
"use strict";

const state = { token: null, account: null, texts: window.TEXTS.en, locale: "en", timeZone: "UTC",
                saved: null, connections: [], dirty: false };
const $ = (id) => document.getElementById(id);
const t = (key) => state.texts[key] || window.TEXTS.en[key] || key;

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (e) {
    return null;
  }
}

async function api(method, path, body) {
  const response = await fetch(`/api/accounts/${encodeURIComponent(state.account)}${path}`, {
    method,
    headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(json && json.message ? json.message : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return json;
}

function formatDate(iso) {
  if (!iso) return t("never");
  return new Intl.DateTimeFormat(state.locale, { dateStyle: "medium", timeStyle: "short", timeZone: state.timeZone })
    .format(new Date(iso));
}

function formatSize(bytes) {
  if (bytes == null) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function translatePage() {
  document.documentElement.lang = state.locale;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("accessKey").placeholder = $("connectionId").value ? t("keyKept") : "";
}

function showMessage(id, text, isError) {
  const el = $(id);
  el.textContent = text || "";
  el.className = isError ? "error" : "ok";
}

// ---- Database backup ----

function renderDestinations() {
  const select = $("destination");
  const chosen = select.value || (state.saved && state.saved.destinationConnectionId) || "";
  select.innerHTML = "";
  const none = document.createElement("option");
  none.value = "";
  none.textContent = t("noDestination");
  select.appendChild(none);
  state.connections.filter((c) => c.enabledForAutomaticBackup).forEach((c) => {
    const option = document.createElement("option");
    option.value = c.connectionId;
    option.textContent = c.description || `${c.storageAccountName}/${c.containerName}`;
    select.appendChild(option);
  });
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
}

function renderSettings(settings) {
  state.saved = settings;
  $("accountName").textContent = settings.displayName || settings.accountId;
  $("lastBackup").textContent = formatDate(settings.lastBackupAt);
  $("lastVerifiedRestore").textContent = formatDate(settings.lastVerifiedRestoreAt);
  $("state").textContent = t(settings.state);
  $("nextDue").textContent = settings.nextDueAt ? `(${t("nextDue")} ${formatDate(settings.nextDueAt)})` : "";
  $("createBackup").disabled = settings.state === "RUNNING";
  if (!state.dirty) {
    $("backupType").value = settings.backupType;
    renderDestinations();
    $("destination").value = settings.destinationConnectionId || "";
    $("restoreDrill").value = settings.restoreDrill || "WEEKLY";
  }
}

function markDirty() {
  const saved = state.saved || {};
  state.dirty = $("backupType").value !== saved.backupType
    || ($("destination").value || null) !== (saved.destinationConnectionId || null)
    || $("restoreDrill").value !== (saved.restoreDrill || "WEEKLY");
  $("pending").hidden = !state.dirty;
  $("save").disabled = !state.dirty;
}

async function saveSettings() {
  try {
    const saved = state.saved || {};
    const settings = await api("PUT", "/backup-settings", {
      backupType: $("backupType").value,
      destinationConnectionId: $("destination").value || null,
      notifyEmails: saved.notifyEmails || [],
      encryptionRecipients: saved.encryptionRecipients || [],
      retention: saved.retention || null,
      restoreDrill: $("restoreDrill").value
    });
    state.dirty = false;
    renderSettings(settings);
    markDirty();
    showMessage("message", t("saved"));
  } catch (e) {
    showMessage("message", e.message, true);
  }
}

async function createBackup() {
  try {
    await api("POST", "/backups");
    showMessage("message", t("backupStarted"));
    $("createBackup").disabled = true;
    await refresh();
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
    [c.description || "", c.storageAccountName, c.containerName, c.path || "", c.enabledForAutomaticBackup ? t("yes") : t("no")]
      .forEach((value) => { row.insertCell().textContent = value; });
    const actions = row.insertCell();
    const result = document.createElement("span");
    result.className = "test-result";
    [["edit", () => editConnection(c)], ["test", () => testConnection(c, result)], ["remove", () => deleteConnection(c)]]
      .forEach(([key, action]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `connection-${key}`;
        button.textContent = t(key);
        button.addEventListener("click", action);
        actions.appendChild(button);
      });
    actions.appendChild(result);
  });
  renderDestinations();
}

function editConnection(c) {
  $("connectionId").value = c ? c.connectionId : "";
  $("connectionFormTitle").textContent = t(c ? "editConnection" : "newConnection");
  $("description").value = c ? c.description || "" : "";
  $("storageAccountName").value = c ? c.storageAccountName : "";
  $("containerName").value = c ? c.containerName : "";
  $("path").value = c ? c.path || "" : "";
  $("accessKey").value = "";
  $("accessKey").placeholder = c ? `${c.accessKeyHint} — ${t("keyKept")}` : "";
  $("endpoint").value = c ? c.endpoint || "" : "";
  $("enabledForAutomaticBackup").checked = c ? c.enabledForAutomaticBackup : false;
  showMessage("connectionMessage", "");
}

async function saveConnection(event) {
  event.preventDefault();
  const id = $("connectionId").value;
  const body = {
    type: "AZURE_BLOB",
    description: $("description").value,
    storageAccountName: $("storageAccountName").value.trim(),
    containerName: $("containerName").value.trim(),
    path: $("path").value.trim(),
    accessKey: $("accessKey").value || null,
    enabledForAutomaticBackup: $("enabledForAutomaticBackup").checked,
    endpoint: $("endpoint").value.trim() || null
  };
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
    result.textContent = answer.ok ? t("testOk") : answer.reason;
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
  const body = $("history").querySelector("tbody");
  body.innerHTML = "";
  backups.forEach((b) => {
    const row = body.insertRow();
    row.dataset.backupId = b.backupId;
    const stateKey = b.state === "RUNNING" ? "RUNNING_BACKUP" : b.state;
    const triggerKey = b.trigger === "MANUAL" ? "MANUAL_TRIGGER" : b.trigger === "SCHEDULED" ? "SCHEDULED_TRIGGER" : b.trigger;
    [formatDate(b.endedAt || b.requestedAt), t(triggerKey), t(stateKey), formatSize(b.sizeBytes), b.blobName || "",
     b.failureReason || "", restoreCheck(b.restoreCheck)].forEach((value) => { row.insertCell().textContent = value; });
    if (b.restoreCheck) row.cells[6].title = b.restoreCheck.detail; // what was restored, or why only the checksum
    const actions = row.insertCell();
    if (b.state === "SUCCEEDED" && b.blobName) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "download";
      button.textContent = t("download");
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

// A short-lived read-only link from the API; shown (the history is redrawn, this is not) and followed.
async function downloadBackup(backupId) {
  const link = $("downloadLink");
  try {
    const answer = await api("POST", `/backups/${encodeURIComponent(backupId)}/download`);
    link.href = answer.url;
    link.textContent = `${t("downloadReady")} ${formatDate(answer.expiresAt)}`;
    link.dataset.backupId = backupId;
    $("downloadMessage").hidden = false;
    link.click();
  } catch (e) {
    showMessage("message", e.message, true);
  }
}

async function refresh() {
  try {
    const settings = await api("GET", "/backup-settings");
    if (settings.locale !== state.locale || settings.timeZone !== state.timeZone) {
      state.locale = settings.locale || "en";
      state.timeZone = settings.timeZone || "UTC";
      state.texts = window.TEXTS[state.locale.substring(0, 2)] || window.TEXTS.en;
      translatePage();
      renderConnections();
    }
    renderSettings(settings);
    renderHistory(await api("GET", "/backups"));
  } catch (e) {
    showMessage("message", e.message, true);
    if (e.status === 401) signIn();
  }
}

function signIn() {
  $("app").hidden = true;
  $("signin").hidden = false;
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
  await loadConnections();
  await refresh();
  setInterval(refresh, 3000);
}

$("backupType").addEventListener("change", markDirty);
$("restoreDrill").addEventListener("change", markDirty);
$("destination").addEventListener("change", markDirty);
$("save").addEventListener("click", saveSettings);
$("createBackup").addEventListener("click", createBackup);
$("connectionForm").addEventListener("submit", saveConnection);
$("cancelConnection").addEventListener("click", () => editConnection(null));
$("useToken").addEventListener("click", () => start($("tokenInput").value.trim()));

// A token handed over in the address (#token=…) is moved to this tab's session storage and out of the address bar.
const fromHash = new URLSearchParams(location.hash.substring(1)).get("token");
if (fromHash) history.replaceState(null, "", location.pathname);
const token = fromHash || sessionStorage.getItem("backuprelay.token");
token ? start(token) : signIn();
