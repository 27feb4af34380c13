// The status page of `revalidate serve`: recent jobs, each path's verdict, and per path the
// verdict of every pod for every variant a browser fetches and of the edge.
//
// Every element is built with createElement and filled with textContent (through `el`): a path,
// a pod name or a reason is data and is never parsed as HTML. The page follows the server's
// events (/api/events) and falls back to polling /api/jobs every 2 s when they fail. The
// Content-Security-Policy allows this file and the stylesheet only: no inline code, no eval.
"use strict";

(() => {
  const MAX_JOBS = 100;
  const POLL_MS = 2000;
  const EVENTS_RETRY_MS = 30000;

  /** Words people read for each verdict, outcome and status (colour comes with it, never alone). */
  const WORDS = {
    fresh: "fresh",
    converged: "converged",
    unchanged: "unchanged",
    unproven: "unproven",
    stale: "stale",
    unreachable: "unreachable",
    failed: "failed",
    queued: "queued",
    running: "running",
    done: "done",
    cleared: "cleared",
    "left-alone": "left alone",
    "not-run": "not run",
    none: "no answer",
  };

  const state = {
    jobs: new Map(), // id -> Job (without reports)
    details: new Map(), // id -> Job with reports, once fetched
    fetching: new Set(), // ids whose details are being fetched
    open: new Set(), // keys of the <details> people opened
    nodes: new Map(), // id -> <li>
    events: null,
    pollTimer: null,
    retryTimer: null,
  };

  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /** A coloured word: `kind` picks the colour (data-verdict), the word says it. */
  function badge(kind, word, extraClass) {
    const k = kind || "none";
    return el(
      "span",
      { class: extraClass ? `badge ${extraClass}` : "badge", "data-verdict": k },
      word || WORDS[k] || k,
    );
  }

  function time(s) {
    if (!s) return "";
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) return s;
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString() : d.toLocaleString();
  }

  function took(job) {
    if (!job.started_at) return null;
    const end = job.finished_at ? new Date(job.finished_at) : null;
    if (!end) return null;
    const ms = end - new Date(job.started_at);
    if (!(ms >= 0)) return null;
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  function setConnection(kind, text) {
    const c = $("connection");
    c.dataset.state = kind;
    c.textContent = text;
  }

  function setProblem(text) {
    const p = $("problem");
    p.textContent = text || "";
    p.hidden = !text;
  }

  async function getJson(url) {
    const r = await fetch(url, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }

  // ---- the jobs -------------------------------------------------------------------------------

  function newestFirst(a, b) {
    const t = String(b.accepted_at || "").localeCompare(String(a.accepted_at || ""));
    return t !== 0 ? t : String(b.id).localeCompare(String(a.id));
  }

  function upsert(job) {
    if (!job || typeof job.id !== "string") return;
    state.jobs.set(job.id, job);
    const detail = state.details.get(job.id);
    if (detail && detail.status !== job.status) state.details.delete(job.id);
    draw(job.id);
  }

  /** Redraws one job and puts every job in order, keeping the newest MAX_JOBS. */
  function draw(id) {
    const job = state.jobs.get(id);
    const fresh = renderJob(job, state.details.get(id));
    const old = state.nodes.get(id);
    if (old) old.replaceWith(fresh);
    state.nodes.set(id, fresh);
    order();
    wantDetails(job);
  }

  function order() {
    const list = $("jobs");
    const sorted = [...state.jobs.values()].sort(newestFirst);
    for (const gone of sorted.splice(MAX_JOBS)) {
      state.jobs.delete(gone.id);
      state.details.delete(gone.id);
      const n = state.nodes.get(gone.id);
      if (n) n.remove();
      state.nodes.delete(gone.id);
    }
    sorted.forEach((job, i) => {
      const n = state.nodes.get(job.id);
      if (list.children[i] !== n) list.insertBefore(n, list.children[i] || null);
    });
    $("empty").hidden = sorted.length > 0;
  }

  /** A finished job's reports are fetched once, when it is on screen. */
  function wantDetails(job) {
    if (job.status !== "done" || state.details.has(job.id) || state.fetching.has(job.id)) return;
    const node = state.nodes.get(job.id);
    if (!node) return;
    if ("IntersectionObserver" in window) {
      const seen = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          seen.disconnect();
          loadDetails(job.id);
        }
      });
      seen.observe(node);
    } else {
      loadDetails(job.id);
    }
  }

  async function loadDetails(id) {
    if (state.details.has(id) || state.fetching.has(id)) return;
    state.fetching.add(id);
    try {
      const detail = await getJson(`api/jobs/${encodeURIComponent(id)}`);
      state.fetching.delete(id);
      if (detail && detail.id === id) {
        state.details.set(id, detail);
        const summary = { ...detail };
        summary.runs = (detail.runs || []).map(({ report, ...rest }) => rest);
        state.jobs.set(id, state.jobs.get(id) ? { ...state.jobs.get(id), ...summary } : summary);
        draw(id);
      }
    } catch (e) {
      state.fetching.delete(id);
      setProblem(`Could not load job ${id}: ${e.message}`);
    }
  }

  function openable(key, summary, ...body) {
    const d = el("details", { "data-key": key }, el("summary", {}, summary), ...body);
    d.open = state.open.has(key);
    d.addEventListener("toggle", () => {
      if (d.open) state.open.add(key);
      else state.open.delete(key);
    });
    return d;
  }

  function renderJob(job, detail) {
    const verdict = job.status === "done" ? job.outcome || "failed" : job.status;
    const paths = job.paths || [];
    const shown = paths.slice(0, 3).join(", ") + (paths.length > 3 ? ` and ${paths.length - 3} more` : "");
    const meta = [
      job.id,
      job.source && job.source !== "paths" ? job.source : null,
      `accepted ${time(job.accepted_at)}`,
      took(job) ? `took ${took(job)}` : null,
      job.exit_code !== null && job.exit_code !== undefined ? `exit ${job.exit_code}` : null,
    ].filter(Boolean);
    return el(
      "li",
      { class: "job", "data-job-id": job.id, "data-status": job.status, "data-outcome": job.outcome },
      el(
        "div",
        { class: "job-head" },
        badge(verdict, null, "job-verdict"),
        el("span", { class: "job-paths" }, shown || "(no paths)"),
      ),
      el("p", { class: "job-meta" }, meta.join(" · ")),
      job.summary ? el("p", { class: "summary" }, job.summary) : null,
      renderRuns(job, detail),
    );
  }

  /** Each path's verdict; before the reports are in, the job's state for each of its paths. */
  function renderRuns(job, detail) {
    if (!detail) {
      // The list says each path's outcome once the job is done (`results`); the tables wait
      // for the reports.
      return el(
        "ul",
        { class: "paths" },
        (job.paths || []).map((p) => {
          const r = job.results && job.results[p];
          const b = r
            ? badge(r.outcome, null, "path-verdict")
            : badge(job.status === "done" ? "none" : job.status, job.status === "done" ? "loading…" : null, "path-verdict");
          return el("li", { class: "path", "data-path": p, "data-verdict": r ? r.outcome : null },
            el("div", { class: "path-head" }, b, el("code", {}, p)),
            r && r.reason ? el("p", { class: "reason" }, r.reason) : null);
        }),
      );
    }
    const runs = detail.runs || [];
    const out = el("div", { class: "runs" });
    for (const run of runs) {
      if (runs.length > 1) {
        out.append(
          el("h3", { class: "run-title" }, `run ${run.id}`, " ", badge(run.status),
            run.exit_code !== null && run.exit_code !== undefined ? ` exit ${run.exit_code}` : ""),
        );
      }
      out.append(renderReport(job, run));
    }
    return out;
  }

  // ---- a run's report (the JSON document of `revalidate run -o json`) -------------------------

  function lastStep(steps, pred) {
    for (let i = steps.length - 1; i >= 0; i--) if (pred(steps[i])) return steps[i];
    return null;
  }

  function renderReport(job, run) {
    const doc = run.report;
    // A run may hold paths of other jobs (a path already waiting joins the waiting run): only
    // this job's are shown.
    const mine = (p) => !job.paths || job.paths.length === 0 || job.paths.includes(p);
    if (!doc || !Array.isArray(doc.steps)) {
      const why = run.status === "done" ? `no report (exit ${run.exit_code ?? "unknown"})` : WORDS[run.status] || run.status;
      return el("div", { class: "report" },
        run.error ? el("p", { class: "problem" }, run.error) : null,
        el("ul", { class: "paths" },
          (run.paths || []).filter(mine).map((p) =>
            el("li", { class: "path", "data-path": p },
              el("div", { class: "path-head" }, badge(run.status === "done" ? "failed" : run.status, why, "path-verdict"),
                el("code", {}, p))))));
    }
    const steps = doc.steps;
    const runStep = lastStep(steps, (s) => s.step === "run");
    const pods = lastStep(steps, (s) => s.step === "verify" && !s.through);
    const edge = lastStep(steps, (s) => s.step === "verify" && s.through);
    const box = el("div", { class: "report" });
    if (!runStep) {
      box.append(el("p", { class: "problem" },
        `The run ended before it judged any path (exit ${doc.exit_code ?? run.exit_code ?? "unknown"}).`));
      return box;
    }
    if (runStep.error) box.append(el("p", { class: "problem" }, runStep.error));
    const notes = [...(runStep.warnings || [])];
    if (runStep.fallback) notes.push(`Revalidated ${runStep.fallback.to} instead of ${runStep.fallback.from}: ${runStep.fallback.reason}`);
    if (runStep.cdn_left_alone) notes.push(`CDN left alone: ${runStep.cdn_left_alone}`);
    for (const n of notes) box.append(el("p", { class: "warning" }, String(n)));
    const list = el("ul", { class: "paths" });
    for (const p of (runStep.paths || []).filter((x) => mine(x.path))) {
      list.append(renderPath(job, run, p, findVerdict(pods, p.path), findVerdict(edge, p.path), pods, edge));
    }
    box.append(list);
    return box;
  }

  function findVerdict(step, path) {
    if (!step || !Array.isArray(step.verdicts)) return null;
    return step.verdicts.find((v) => v.path === path) || null;
  }

  function renderPath(job, run, p, podVerdict, edgeVerdict, podStep, edgeStep) {
    const verdict = p.verdict || "unproven";
    const facts = el("ul", { class: "facts" });
    if (p.revalidated) facts.append(el("li", {}, `revalidated on ${p.revalidated[0]} of ${p.revalidated[1]} pods`));
    else facts.append(el("li", {}, "not revalidated"));
    if (p.gone) facts.append(el("li", {}, "gone (404 on every pod)"));
    facts.append(el("li", {}, "pods ", p.pods ? badge(p.pods) : badge("none", "not checked")));
    facts.append(el("li", {}, "CDN ", badge(p.cdn === "cleared" ? "fresh" : p.cdn === "failed" ? "stale" : "none", WORDS[p.cdn] || p.cdn)));
    facts.append(el("li", {}, "edge ", p.edge ? badge(p.edge) : badge("none", "not checked")));
    const key = `${job.id} ${run.id} ${p.path}`;
    return el(
      "li",
      { class: "path", "data-path": p.path, "data-verdict": verdict },
      openable(
        key,
        el("span", { class: "path-head" }, badge(verdict, null, "path-verdict"), el("code", {}, p.path)),
        facts,
        renderGrid(p, podVerdict, edgeVerdict, podStep, edgeStep),
      ),
      p.reason ? el("p", { class: "reason" }, p.reason) : null,
    );
  }

  /** Rows: every pod, then the edge; columns: the variants (page, data JSON, RSC, prefetch). */
  function renderGrid(p, podVerdict, edgeVerdict, podStep, edgeStep) {
    if (!podVerdict && !edgeVerdict) return el("p", { class: "note" }, "No pod or edge was checked for this path.");
    const variants = [];
    const addVariant = (name) => { if (name && !variants.includes(name)) variants.push(name); };
    for (const v of (podVerdict && podVerdict.variants) || []) addVariant(v.variant);
    for (const v of (edgeVerdict && edgeVerdict.variants) || []) addVariant(v.variant);
    const cells = (podVerdict && podVerdict.cells) || [];
    for (const c of cells) addVariant(c.variant || "html");
    if (variants.length === 0) addVariant("html");
    const pods = [];
    for (const t of (podStep && podStep.targets) || []) if (t && t.name && !pods.includes(t.name)) pods.push(t.name);
    for (const c of cells) if (c.pod && !pods.includes(c.pod)) pods.push(c.pod);

    const head = el("tr", {}, el("th", { scope: "col" }, "pod"), variants.map((v) => el("th", { scope: "col" }, variantName(v))));
    const body = el("tbody", {});
    if (podVerdict) {
      body.append(el("tr", { class: "all" }, el("th", { scope: "row" }, "all pods"),
        variants.map((v) => {
          const vv = (podVerdict.variants || []).find((x) => x.variant === v);
          const why = vv && vv.reason && vv.reason !== p.reason ? el("span", { class: "why" }, vv.reason) : null;
          return el("td", {}, vv ? badge(vv.verdict, null) : badge("none", "—"), why);
        })));
      for (const pod of pods) {
        body.append(el("tr", { "data-pod": pod }, el("th", { scope: "row" }, pod),
          variants.map((v) => {
            const c = cells.find((x) => x.pod === pod && (x.variant || "html") === v);
            const vv = (podVerdict.variants || []).find((x) => x.variant === v);
            return el("td", {}, cellBadge(c, vv && vv.verdict === "unchanged"));
          })));
      }
    }
    const edgeRow = el("tr", { class: "edge" }, el("th", { scope: "row" }, "edge"));
    for (const v of variants) {
      const vv = edgeVerdict && (edgeVerdict.variants || []).find((x) => x.variant === v);
      const t = vv && vv.through;
      edgeRow.append(el("td", {},
        vv ? badge(vv.verdict) : badge("none", "not checked"),
        t ? el("span", { class: "why" }, `${t.ok} of ${t.samples} samples fresh${t.stale ? `, ${t.stale} stale` : ""}`) : null));
    }
    body.append(edgeRow);
    return el("div", { class: "grid-wrap" }, el("table", { class: "grid" }, el("thead", {}, head), body));
  }

  function variantName(v) {
    return { html: "page", data: "data JSON", rsc: "RSC", prefetch: "prefetch" }[v] || v;
  }

  /** One pod's response to one variant: its state, or why there was none. In a variant judged
   *  unchanged, a pod serving what it served at the baseline says so rather than "stale". */
  function cellBadge(c, unchanged) {
    if (!c) return badge("none", "—");
    const title = [c.status ? `HTTP ${c.status}` : null, c.nextjs_cache ? `x-nextjs-cache ${c.nextjs_cache}` : null, c.error]
      .filter(Boolean).join(", ");
    let b;
    if (unchanged && c.changed === false && c.state === "stale") b = badge("unchanged");
    else if (c.state) b = badge(c.state);
    else b = badge("unreachable", c.error ? "no answer" : c.outcome || "no answer");
    if (title) b.setAttribute("title", title);
    return b;
  }

  // ---- keeping up to date ---------------------------------------------------------------------

  async function refresh() {
    try {
      const body = await getJson("api/jobs");
      for (const job of body.jobs || []) {
        const known = state.jobs.get(job.id);
        const changed = !known || ["status", "outcome", "finished_at", "summary"].some((k) => known[k] !== job[k]);
        if (changed) {
          upsert(job);
        }
      }
      setProblem("");
      return true;
    } catch (e) {
      setProblem(`Could not load the jobs: ${e.message}`);
      return false;
    }
  }

  function startPolling() {
    if (state.pollTimer !== null) return;
    setConnection("polling", `polling every ${POLL_MS / 1000} s`);
    const tick = async () => {
      const ok = await refresh();
      if (state.pollTimer === null) return;
      if (!ok) setConnection("offline", "offline, retrying");
      else setConnection("polling", `polling every ${POLL_MS / 1000} s`);
      state.pollTimer = setTimeout(tick, POLL_MS);
    };
    state.pollTimer = setTimeout(tick, 0);
  }

  function stopPolling() {
    if (state.pollTimer !== null) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  function listen() {
    state.retryTimer = null;
    if (!("EventSource" in window)) {
      startPolling();
      return;
    }
    const es = new EventSource("api/events");
    state.events = es;
    es.addEventListener("open", () => {
      stopPolling();
      setConnection("live", "live");
      refresh(); // what changed while the stream was down
    });
    es.addEventListener("job", (e) => {
      try {
        upsert(JSON.parse(e.data));
      } catch (_) {
        // a malformed event is skipped; the next poll or event carries the state
      }
    });
    es.addEventListener("error", () => {
      es.close();
      if (state.events === es) state.events = null;
      startPolling();
      if (state.retryTimer === null) state.retryTimer = setTimeout(listen, EVENTS_RETRY_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    refresh();
    listen();
  });
})();
