// Where the account is told of its backups besides email: signed webhooks, Slack, Microsoft Teams and a
// heartbeat ping, each with what it is sent and a "Send test" that says what the endpoint answered. Loaded
// before app.js, whose state, api(), t() and $() these functions use when they are called.
"use strict";

const channelState = { channels: [] };

function channelName(c) {
  return c.description || `${t("channel" + c.kind)} · ${c.origin}`;
}

function renderChannels() {
  const body = $("channels").querySelector("tbody");
  body.innerHTML = "";
  channelState.channels.forEach((c) => {
    const row = body.insertRow();
    row.dataset.channelId = c.channelId;
    [t("channel" + c.kind), c.description, c.urlHint, c.kind === "HEARTBEAT" ? t("sendsHEARTBEAT") : t("sends" + c.sends)]
      .forEach((value) => { row.insertCell().textContent = value || ""; });
    const actions = row.insertCell();
    const result = document.createElement("span");
    result.className = "test-result";
    result.setAttribute("aria-live", "polite");
    [["sendTest", () => testChannel(c, result)], ["edit", () => editChannel(c)], ["remove", () => deleteChannel(c)]]
      .forEach(([key, action]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `channel-${key}`;
        button.textContent = t(key);
        button.setAttribute("aria-label", `${t(key)}: ${channelName(c)}`);
        button.addEventListener("click", action);
        actions.appendChild(button);
      });
    actions.appendChild(result);
  });
}

function showChannelKind() {
  $("channelSendsRow").hidden = $("channelKind").value === "HEARTBEAT";
  $("channelUrlHelp").textContent = t("channelUrlHelp" + $("channelKind").value);
}

function editChannel(c) {
  $("channelId").value = c ? c.channelId : "";
  $("channelKind").value = c ? c.kind : "WEBHOOK";
  $("channelKind").disabled = !!c;
  $("channelDescription").value = c ? c.description : "";
  $("channelUrl").value = "";
  $("channelUrl").placeholder = c ? c.urlHint : "https://";
  $("channelUrlKept").hidden = !c;
  $("channelSends").value = c ? c.sends : "ALL";
  $("channelSecret").hidden = true;
  showChannelKind();
  showMessage("channelMessage", "");
}

async function saveChannel(event) {
  event.preventDefault();
  const id = $("channelId").value;
  const kind = $("channelKind").value;
  const body = { description: $("channelDescription").value.trim(), url: $("channelUrl").value.trim() || null,
                 sends: kind === "HEARTBEAT" ? null : $("channelSends").value };
  if (!id) body.kind = kind;
  try {
    const saved = await api(id ? "PUT" : "POST", id ? `/channels/${encodeURIComponent(id)}` : "/channels", body);
    editChannel(null);
    if (saved.signingSecret) {
      // Shown once: the endpoint needs it to verify the signatures, and the page never has it again.
      $("channelSecretValue").textContent = saved.signingSecret;
      $("channelSecret").hidden = false;
    }
    showMessage("channelMessage", t("saved"));
    await loadChannels();
  } catch (e) {
    showMessage("channelMessage", e.message, true);
  }
}

async function testChannel(c, result) {
  result.textContent = "…";
  try {
    const answer = await api("POST", `/channels/${encodeURIComponent(c.channelId)}/test`);
    result.textContent = answer.delivered ? t("testDelivered", answer.status, answer.tookMs)
      : answer.status ? t("testAnswered", answer.status, answer.answered || "") : t("testNoAnswer", answer.error || "");
    result.className = `test-result ${answer.delivered ? "ok" : "error"}`;
  } catch (e) {
    result.textContent = e.message;
    result.className = "test-result error";
  }
}

async function deleteChannel(c) {
  try {
    await api("DELETE", `/channels/${encodeURIComponent(c.channelId)}`);
    await loadChannels();
  } catch (e) {
    showMessage("channelMessage", e.message, true);
  }
}

async function loadChannels() {
  channelState.channels = await api("GET", "/channels");
  renderChannels();
}

function wireChannels() {
  $("channelForm").addEventListener("submit", saveChannel);
  $("cancelChannel").addEventListener("click", () => editChannel(null));
  $("channelKind").addEventListener("change", showChannelKind);
  showChannelKind();
}
