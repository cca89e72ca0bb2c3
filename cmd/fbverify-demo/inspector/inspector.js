// The token inspector: sends the pasted token to POST /explain on this
// server and shows the report. Every value from the token is written with
// textContent, never as HTML: a token's claims are anyone's text.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // What people paste around a token: an Authorization line, a Bearer
  // scheme, quotes. Only the decoded view looks past them; the server
  // judges exactly what was pasted.
  function bare(token) {
    let t = token.trim();
    const colon = t.indexOf(":");
    if (colon > 0 && t.slice(0, colon).trim().toLowerCase() === "authorization") t = t.slice(colon + 1).trim();
    if (t.toLowerCase().startsWith("bearer ")) t = t.slice(7).trim();
    return t.replace(/^["']|["']$/g, "");
  }

  // decodeSegment returns a base64url segment as indented JSON, or null.
  function decodeSegment(seg) {
    try {
      let s = seg.replace(/-/g, "+").replace(/_/g, "/");
      while (s.length % 4) s += "=";
      const bin = atob(s);
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      return null;
    }
  }

  function showError(message) {
    const e = $("error");
    e.textContent = message;
    e.hidden = !message;
  }

  let seq = 0;

  async function inspect() {
    const token = $("token").value.trim();
    showError("");
    if (!token) {
      $("result").hidden = true;
      return;
    }
    const mine = ++seq;
    let rep;
    try {
      const resp = await fetch("/explain", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: token }),
        cache: "no-store",
        credentials: "omit",
      });
      rep = await resp.json();
      if (!resp.ok) throw new Error(rep.error || resp.statusText);
    } catch (e) {
      if (mine === seq) showError("Could not inspect the token: " + e.message);
      return;
    }
    if (mine === seq) render(rep, token);
  }

  const outcomeText = { pass: "pass", fail: "FAIL", not_checked: "not checked" };

  function render(rep, token) {
    const verdict = $("verdict");
    verdict.className = "verdict " + (rep.valid ? "valid" : "refused");
    verdict.textContent = rep.valid ? "✓ valid — uid " + rep.uid : "✗ refused — " + rep.error;

    $("kind").textContent = "";
    $("kind").append(el("span", "kind", rep.kind));
    $("accepts").textContent = rep.accepts;
    let project = rep.project || "none named";
    if (rep.other_project) project += " — not a project this server accepts";
    $("project").textContent = project;
    $("now").textContent = rep.now;

    const instead = $("instead");
    instead.textContent = rep.send_instead || "";
    instead.hidden = !rep.send_instead;
    const clock = $("clock");
    clock.textContent = rep.clock || "";
    clock.hidden = !rep.clock;

    const body = $("rules").tBodies[0];
    body.textContent = "";
    for (const r of rep.rules || []) {
      const tr = el("tr", r.outcome);
      tr.dataset.rule = r.rule;
      tr.dataset.outcome = r.outcome;
      tr.append(el("td", "", r.rule));
      const result = el("td");
      result.dataset.label = "Result";
      result.append(el("span", "outcome", outcomeText[r.outcome] + (r.first ? " (first)" : "")));
      tr.append(result);
      const expected = el("td", "", r.expected);
      expected.dataset.label = "Expected";
      tr.append(expected);
      const found = el("td", "", r.found);
      found.dataset.label = "Found";
      if (r.when) found.append(el("span", "when", r.when));
      tr.append(found);
      const fix = el("td", "", r.fix);
      fix.dataset.label = "Fix";
      tr.append(fix);
      body.append(tr);
    }

    const times = $("times");
    times.textContent = "";
    for (const t of rep.times || []) {
      times.append(el("li", "", t.claim + ": " + t.time + " (" + t.relative + ")"));
    }
    if (!times.children.length) times.append(el("li", "", "none"));

    const parts = bare(token).split(".");
    $("header").textContent = (parts.length === 3 && decodeSegment(parts[0])) || "not a JSON header";
    $("payload").textContent = (parts.length === 3 && decodeSegment(parts[1])) || "not a JSON payload";
    $("result").hidden = false;
  }

  async function mint(kind) {
    showError("");
    try {
      const resp = await fetch("/dev/token", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ uid: "alice", kind: kind }),
        cache: "no-store",
        credentials: "omit",
      });
      const out = await resp.json();
      if (!resp.ok) throw new Error(out.error || resp.statusText);
      $("token").value = out.token;
      await inspect();
    } catch (e) {
      showError("Could not mint a token: " + e.message);
    }
  }

  async function init() {
    let timer;
    $("token").addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(inspect, 250);
    });
    $("inspect").addEventListener("click", inspect);
    $("clear").addEventListener("click", () => {
      // A pending or in-flight inspection must not show its report
      // after the page was cleared.
      clearTimeout(timer);
      seq++;
      $("token").value = "";
      $("result").hidden = true;
      showError("");
      $("token").focus();
    });
    for (const b of document.querySelectorAll("#mint button[data-kind]")) {
      b.addEventListener("click", () => mint(b.dataset.kind));
    }
    try {
      const resp = await fetch("/healthz", { cache: "no-store", credentials: "omit" });
      const health = await resp.json();
      const offline = health.mode === "offline";
      $("mode").textContent = offline
        ? "offline mode: tokens of the demo's own issuer, project demo-fbverify"
        : "project mode: Firebase tokens checked with Google's keys";
      $("mint").hidden = !offline;
    } catch (e) {
      $("mode").textContent = "";
    }
  }

  init();
})();
