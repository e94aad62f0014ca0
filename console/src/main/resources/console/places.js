// Where backups go besides the destination: the kinds of connection (Azure Blob, S3-compatible) and their
// immutability, the copy destinations of the settings, and where each backup is stored. Loaded before app.js,
// whose state, t() and $() these functions use when they are called.
"use strict";

// ---- Connections: kind and immutability ----

function isS3(c) {
  return c && c.type === "S3";
}

function showConnectionKind() {
  const s3 = $("connectionType").value === "S3";
  $("azureFields").hidden = s3;
  $("s3Fields").hidden = !s3;
  $("endpoint").placeholder = s3 ? "https://s3.eu-west-1.amazonaws.com" : "https://account.blob.core.windows.net";
}

function showImmutabilityFields() {
  $("immutabilityFields").hidden = !$("immutable").checked;
}

// The form's S3 and immutability fields from a connection (or emptied for a new one).
function editConnectionPlaces(c) {
  $("connectionType").value = isS3(c) ? "S3" : "AZURE_BLOB";
  $("bucket").value = isS3(c) ? c.bucket || "" : "";
  $("prefix").value = isS3(c) ? c.prefix || "" : "";
  $("region").value = isS3(c) ? c.region || "" : "";
  $("accessKeyId").value = isS3(c) ? c.accessKeyId || "" : "";
  $("secretAccessKey").value = "";
  $("secretAccessKey").placeholder = isS3(c) && c.secretAccessKeyHint ? c.secretAccessKeyHint : "";
  $("pathStyle").checked = isS3(c) ? !!c.pathStyle : false;
  const immutability = c ? c.immutability : null;
  $("immutable").checked = !!immutability;
  $("immutabilityDays").value = immutability ? immutability.days : "";
  $("immutabilityMode").value = immutability ? immutability.mode : "UNLOCKED";
  $("legalHold").checked = immutability ? immutability.legalHold : false;
  showConnectionKind();
  showImmutabilityFields();
}

// What the form sends for an S3 connection; {} clears the immutability, so an edit says which it wants.
function s3Body(common) {
  return Object.assign(common, {
    type: "S3",
    bucket: $("bucket").value.trim(),
    prefix: $("prefix").value.trim(),
    region: $("region").value.trim(),
    accessKeyId: $("accessKeyId").value.trim(),
    secretAccessKey: $("secretAccessKey").value || null,
    pathStyle: $("pathStyle").checked
  });
}

function immutabilityBody() {
  if (!$("immutable").checked) return {};
  const days = $("immutabilityDays").value.trim();
  return { days: days === "" ? null : Number(days), mode: $("immutabilityMode").value, legalHold: $("legalHold").checked };
}

function immutabilitySummary(immutability) {
  if (!immutability) return "—";
  const summary = t("immutabilitySummary", immutability.days, t(immutability.mode === "LOCKED" ? "lockedWord" : "unlockedWord"));
  return immutability.legalHold ? `${summary}, ${t("legalHoldWord")}` : summary;
}

// The table's cells of a connection: what identifies its storage, whatever the kind.
function connectionCells(c) {
  return isS3(c)
    ? [c.description || "", `S3 (${c.region})`, c.bucket, c.prefix || "", "—", immutabilitySummary(c.immutability)]
    : [c.description || "", c.storageAccountName, c.containerName, c.path || "",
       c.accessTier ? t("tier" + c.accessTier) : t("tierDefault"), immutabilitySummary(c.immutability)];
}

function connectionById(id) {
  const c = state.connections.find((x) => x.connectionId === id);
  return c ? connectionName(c) : `${id} (${t("connectionDeleted")})`;
}

// ---- Settings: copy destinations ----

function renderCopies(copies) {
  const list = $("copyList");
  list.innerHTML = "";
  (copies || []).forEach((copy) => addCopyRow(copy));
}

function addCopyRow(copy) {
  const index = $("copyList").children.length;
  const row = document.createElement("div");
  row.className = "row copy";
  const select = document.createElement("select");
  select.id = `copyConnection${index}`;
  select.className = "copy-connection";
  option(select, "", t("noDestination"));
  state.connections.forEach((c) => option(select, c.connectionId, connectionName(c)));
  if (copy && copy.connectionId && ![...select.options].some((o) => o.value === copy.connectionId)) {
    option(select, copy.connectionId, connectionById(copy.connectionId));
  }
  select.value = copy ? copy.connectionId : "";
  const retention = (copy && copy.retention) || {};
  row.append(labelled(select, "copyTo"),
    labelled(numberInput(`copyKeepLast${index}`, "copy-keep-last", 10000, retention.keepLast), "copyKeepLast"),
    labelled(numberInput(`copyMaxAgeDays${index}`, "copy-max-age-days", 36500, retention.maxAgeDays), "copyMaxAgeDays"));
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "copy-remove";
  remove.textContent = t("removeCopy");
  remove.addEventListener("click", () => { row.remove(); markDirty(); });
  row.appendChild(remove);
  row.addEventListener("input", markDirty);
  row.addEventListener("change", markDirty);
  $("copyList").appendChild(row);
  remove.setAttribute("aria-label", `${t("removeCopy")}: ${index + 1}`);
}

function numberInput(id, className, max, value) {
  const input = document.createElement("input");
  input.id = id;
  input.className = className;
  input.type = "number";
  input.min = "1";
  input.max = String(max);
  input.inputMode = "numeric";
  input.value = value == null ? "" : value;
  return input;
}

// A field with its own visible label, as every field of the page has.
function labelled(field, key) {
  const wrapper = document.createElement("span");
  wrapper.className = "copy-field";
  const label = document.createElement("label");
  label.htmlFor = field.id;
  label.className = "inline";
  label.dataset.i18n = key;
  label.textContent = t(key);
  wrapper.append(label, field);
  return wrapper;
}

function editedCopies() {
  return [...$("copyList").children].map((row) => {
    const value = (selector) => row.querySelector(selector).value.trim();
    const keepLast = value(".copy-keep-last") === "" ? null : Number(value(".copy-keep-last"));
    const maxAgeDays = value(".copy-max-age-days") === "" ? null : Number(value(".copy-max-age-days"));
    return { connectionId: value(".copy-connection") || null,
             retention: keepLast == null && maxAgeDays == null ? null : { keepLast, maxAgeDays } };
  });
}

function savedCopies(settings) {
  return (settings.copies || []).map((c) => ({ connectionId: c.connectionId,
    retention: c.retention && (c.retention.keepLast != null || c.retention.maxAgeDays != null)
      ? { keepLast: c.retention.keepLast, maxAgeDays: c.retention.maxAgeDays } : null }));
}

// ---- Backups: where each one is ----

// The destination, then each copy: its state, until when it cannot be deleted, and why it is not stored yet.
function storedAtCell(cell, b) {
  if (!b.destination && !(b.copies || []).length) return;
  const list = document.createElement("ul");
  list.className = "stored-at";
  if (b.destination) {
    const item = document.createElement("li");
    const where = b.destination.connectionId ? connectionById(b.destination.connectionId) : b.destination.blobName;
    item.textContent = `${where} (${t("destinationWord")})`
      + (b.destination.immutableUntil ? ` — ${t("immutableUntil", formatDate(b.destination.immutableUntil))}` : "");
    list.appendChild(item);
  }
  (b.copies || []).forEach((copy) => {
    const item = document.createElement("li");
    item.className = `copy-${copy.state.toLowerCase()}`;
    item.dataset.connectionId = copy.connectionId;
    const parts = [t("copyState_" + copy.state)];
    if (copy.state !== "STORED" && copy.attempt) parts.push(t("attemptNumber", copy.attempt));
    if (copy.immutableUntil) parts.push(t("immutableUntil", formatDate(copy.immutableUntil)));
    if (copy.nextAttemptAt) parts.push(t("nextAttempt", formatDate(copy.nextAttemptAt)));
    if (copy.reason) parts.push(copy.reason);
    item.textContent = `${connectionById(copy.connectionId)}: ${parts.join(", ")}`;
    if (copy.state === "STORED" && copy.blobName) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "download-copy";
      button.textContent = t("downloadCopy");
      button.setAttribute("aria-label", `${t("downloadCopy")}: ${connectionById(copy.connectionId)}`);
      button.addEventListener("click", () => downloadBackup(b.backupId, copy.connectionId));
      item.append(" ", button);
    }
    list.appendChild(item);
  });
  cell.appendChild(list);
}
