/*
 * The clinic's price estimator: plain JavaScript, no build step.
 *
 * Embedding: copy index.html to the clinic's site and load this script from
 * the API server; it calls the API at the script's own origin, or at
 * data-api="https://..." on the script tag.
 *
 * Languages: Turkish (default) and English. The page's language comes from
 * ?lang=, else data-lang on the script tag, else Turkish; the visitor can
 * switch. Texts are gettext message ids (data-i18n in the page, and
 * data-i18n-<attribute> for an attribute such as aria-label; t() here),
 * translated from /estimator/messages/<lang>.json, the server's catalogue.
 * Money and dates follow the language (4.800,00 ₺ and 25.11.2026 in Turkish);
 * data-locale on the script tag overrides the number format.
 *
 * Layout: on a phone each choice is a collapsed step whose summary line says
 * what is chosen; a bar at the bottom keeps the total in sight while the
 * estimate and the send form are out of view. Nothing moves when prices
 * arrive: the page keeps their space (skeletons) until then.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const API = (script && script.dataset.api) || (script ? new URL(script.src, location.href).origin : "");
  const LANGUAGES = ["tr", "en"];
  const asked = new URLSearchParams(location.search).get("lang");
  let LANG = LANGUAGES.includes(asked) ? asked : LANGUAGES.includes(script && script.dataset.lang) ? script.dataset.lang : "tr";
  let MESSAGES = {};
  const FIXED_LOCALE = script && script.dataset.locale;
  const locale = () => FIXED_LOCALE || (LANG === "tr" ? "tr-TR" : "en-GB");
  const WIDE = window.matchMedia("(min-width: 900px)");

  // A message in the page's language: the id is the English text, with {placeholders}.
  function t(msgid, values = {}) {
    const text = MESSAGES[msgid] || msgid;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  async function loadMessages() {
    let messages = {};
    if (LANG !== "en") {
      try {
        // The same request as the page's <link rel="preload">, so the preloaded answer is used.
        const response = await fetch(`${API}/estimator/messages/${LANG}.json`, { mode: "cors", credentials: "same-origin" });
        if (response.ok) messages = await response.json();
      } catch (_) {
        messages = {};
      }
    }
    MESSAGES = messages;
    translatePage();
  }

  function translatePage() {
    document.documentElement.lang = LANG;
    for (const node of $$("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    // data-i18n-content, data-i18n-aria-label, ...: the attribute after the prefix.
    for (const name of ["content", "aria-label"]) {
      for (const node of $$(`[data-i18n-${name}]`)) node.setAttribute(name, t(node.getAttribute(`data-i18n-${name}`)));
    }
    for (const button of $$(".language")) button.setAttribute("aria-pressed", String(button.dataset.lang === LANG));
    document.documentElement.classList.remove("i18n-pending");
  }

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const form = $("#estimate-form");
  const quoteForm = $("#quote-form");
  let clinics = [];
  let catalog = null;
  let money = (value) => value;
  let lastBody = null;
  let lastEstimate = null;
  let sequence = 0;
  let idempotencyKey = newKey();

  function newKey() {
    return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  // status 0: the server could not be reached.
  async function api(path, options = {}) {
    let response;
    try {
      response = await fetch(API + path, {
        ...options,
        headers: {
          Accept: "application/json",
          "Accept-Language": LANG,
          ...(options.body ? { "Content-Type": "application/json" } : {}),
          ...(options.headers || {}),
        },
      });
    } catch (_) {
      return { status: 0, body: null, headers: new Headers() };
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    return { status: response.status, body, headers: response.headers };
  }

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === false || value === null || value === undefined) continue;
      if (key === "text") node.textContent = value;
      else if (key in node && typeof value !== "string") node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  // --- The form from the catalogue ---------------------------------------------------

  async function loadClinics(answer) {
    const { status, body } = answer || (await api("/api/v1/clinics"));
    if (status !== 200 || !Array.isArray(body)) return showGeneral(problemText(status, body));
    clinics = body;
    const select = $("#clinic");
    const current = select.value;
    select.replaceChildren(...body.map((c) => el("option", { value: c.code, text: clinicLabel(c) })));
    const wanted = current || new URLSearchParams(location.search).get("clinic");
    if (wanted && body.some((c) => c.code === wanted)) select.value = wanted;
    await loadCatalog(select.value);
  }

  function clinicLabel(clinic) {
    return clinic.name.includes(clinic.city) ? clinic.name : `${clinic.name} (${clinic.city})`;
  }

  function currentClinic() {
    return clinics.find((c) => c.code === $("#clinic").value) || null;
  }

  async function loadCatalog(code) {
    const { status, body } = await api(`/api/v1/catalog?clinic=${encodeURIComponent(code)}`);
    if (status !== 200 || !body) return showGeneral(problemText(status, body));
    const chosen = currentChoices();
    catalog = body;
    money = moneyFormat(body.currency);
    renderConcerns(chosen);
    renderAreas(chosen);
    renderProducts(chosen);
    renderLevels(chosen);
    const clinic = currentClinic();
    $("#summary-clinic").textContent = `${t("Clinic")}: ${clinicLabel(clinic || { name: body.clinic_name, city: body.city })}`;
    summarise();
    await runEstimate(); // at once: the first price is what the visitor waits for
  }

  // One format per language; the minus sign is always U+2212.
  function moneyFormat(currency) {
    const number = new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const symbol = new Intl.NumberFormat("en", { style: "currency", currency, currencyDisplay: "narrowSymbol" })
      .formatToParts(0).find((part) => part.type === "currency").value;
    return (value) => {
      const amount = Number(value);
      const text = number.format(Math.abs(amount));
      const sign = amount < 0 ? "\u2212" : "";
      return LANG === "tr" ? `${sign}${text}\u00a0${symbol}` : `${sign}${symbol}${text}`;
    };
  }

  // The API's hint writes its amounts bare ("204,00 less per session"): the page writes them as money.
  function withCurrency(text) {
    const figure = LANG === "tr" ? /(^|[\s(])([−-]?\d{1,3}(?:\.\d{3})*,\d{2})(?![\d\u00a0 ]*₺)/g
      : /(^|[\s(])([−-]?\d{1,3}(?:,\d{3})*\.\d{2})(?!\d)/g;
    return text.replace(figure, (all, before, amount) => {
      const plain = LANG === "tr" ? amount.replace(/\./g, "").replace(",", ".") : amount.replace(/,/g, "");
      return before + money(plain.replace("−", "-"));
    });
  }

  function day(iso) {
    return new Date(`${iso}T12:00:00`).toLocaleDateString(locale(), LANG === "tr" ? { day: "2-digit", month: "2-digit", year: "numeric" } : { dateStyle: "medium" });
  }

  function sessionsText(count) {
    return count === 1 ? t("1 session") : t("{count} sessions", { count });
  }

  function currentChoices() {
    return {
      concerns: new Map(chosenConcerns().map((c) => [c.code, c.severity])),
      areas: new Map($$('input[name="area"]:checked').map((box) => [box.value, $(`#size-${CSS.escape(box.value)}`)?.value || ""])),
      products: new Set($$('input[name="product"]:checked').map((box) => box.value)),
      level: $('input[name="level"]:checked')?.value,
    };
  }

  // --- Skin concerns (issue 28): what the customer wants to improve suggests the course ---------

  const MAX_CONCERNS = 3;
  // Severity in plain words, each with a short description a customer can judge by.
  const SEVERITIES = () => [
    ["mild", t("Mild"), t("Noticeable only up close; make-up covers it easily.")],
    ["moderate", t("Moderate"), t("Visible at a normal distance, in everyday life.")],
    ["pronounced", t("Pronounced"), t("Clearly visible: deep, or over a wide area.")],
  ];
  // The products ticked because the concerns suggest them (the customer may untick them).
  let suggestedProducts = new Set();

  function chosenConcerns() {
    return $$('input[name="concern"]:checked').map((box) => ({
      code: box.value,
      severity: $(`input[name="severity-${CSS.escape(box.value)}"]:checked`)?.value || "moderate",
    }));
  }

  function renderConcerns(chosen) {
    const concerns = (catalog && catalog.concerns) || [];
    $("#step-concerns").hidden = !concerns.length;
    const options = concerns.map((concern) => {
      const id = `concern-${concern.code}`;
      const checked = chosen.concerns.has(concern.code);
      const box = el("input", { type: "checkbox", name: "concern", value: concern.code, id, checked });
      const wrapper = el("div", { class: "concern-option" }, el("label", { class: "option", for: id }, box, el("span", { text: concern.name })));
      const group = el("fieldset", { class: "severity", id: `severity-${concern.code}`, hidden: !checked });
      group.append(el("legend", { text: t("How noticeable is it?") }));
      const severity = chosen.concerns.get(concern.code) || "moderate";
      for (const [value, label, description] of SEVERITIES()) {
        const radioId = `severity-${concern.code}-${value}`;
        group.append(el(
          "label", { class: "option severity-option", for: radioId },
          el("input", { type: "radio", name: `severity-${concern.code}`, value, id: radioId, checked: value === severity }),
          el("span", { class: "severity-text" }, el("span", { class: "severity-label", text: label }), el("span", { class: "severity-description", text: description })),
        ));
      }
      wrapper.append(group);
      return wrapper;
    });
    const unsure = el("label", { class: "option unsure", for: "concern-unsure" },
      el("input", { type: "checkbox", id: "concern-unsure", name: "concern-unsure", checked: concerns.length > 0 && !chosen.concerns.size }),
      el("span", { text: t("I'm not sure (skip)") }));
    $("#concern-list").replaceChildren(...options, unsure);
    limitConcerns();
  }

  // At most three: the others wait, disabled, until one is unticked.
  function limitConcerns() {
    const full = $$('input[name="concern"]:checked').length >= MAX_CONCERNS;
    for (const box of $$('input[name="concern"]')) box.disabled = full && !box.checked;
  }

  // The course the concerns suggest, worked out as the API does: the largest of each figure, the products together.
  function suggestionFor(concerns) {
    const found = concerns
      .map((c) => [(catalog.concerns || []).find((x) => x.code === c.code), c.severity])
      .filter(([concern]) => concern);
    if (!found.length) return null;
    const courses = found.map(([concern, severity]) => concern.severities[severity]);
    const most = (name) => Math.max(...courses.map((course) => course[name]));
    const named = new Set(found.flatMap(([concern]) => concern.products));
    return {
      sessions_min: most("sessions_min"), sessions_max: most("sessions_max"), recommended: most("recommended"),
      products: catalog.products.filter((p) => named.has(p.code)).map((p) => p.code),
    };
  }

  // After a change of concerns: the recommended sessions and the suggested products, preselected.
  function applySuggestion() {
    const suggestion = suggestionFor(chosenConcerns());
    const wanted = new Set(suggestion ? suggestion.products : []);
    for (const code of suggestedProducts) {
      const box = $(`#product-${CSS.escape(code)}`);
      if (box && !wanted.has(code)) box.checked = false;
    }
    for (const code of wanted) {
      const box = $(`#product-${CSS.escape(code)}`);
      if (box) box.checked = true;
    }
    suggestedProducts = wanted;
    if (suggestion) $("#sessions").value = String(suggestion.recommended);
  }

  function concernChanged(target) {
    if (target.id === "concern-unsure") {
      if (target.checked) for (const box of $$('input[name="concern"]:checked')) box.checked = false;
    } else if (target.name === "concern") {
      if (target.checked) $("#concern-unsure").checked = false;
      else if (!$$('input[name="concern"]:checked').length) $("#concern-unsure").checked = true;
    }
    for (const box of $$('input[name="concern"]')) $(`#severity-${CSS.escape(box.value)}`).hidden = !box.checked;
    limitConcerns();
    applySuggestion();
  }

  function renderSuggestion(suggestion, sessions) {
    const note = $("#suggestion");
    note.hidden = !suggestion;
    note.textContent = suggestion ? suggestion.text : "";
    const near = $("#sessions-suggestion");
    near.hidden = !suggestion;
    near.classList.toggle("outside", Boolean(suggestion && !suggestion.within));
    if (!suggestion) return near.replaceChildren();
    const range = { low: suggestion.sessions_min, high: suggestion.sessions_max, recommended: suggestion.recommended };
    near.textContent = suggestion.within
      ? t("Suggested for your skin: {low} to {high} sessions ({recommended} recommended).", range)
      : t("{count} sessions is outside the {low} to {high} suggested for your skin. You can still see the price; your specialist decides after a skin analysis.", { ...range, count: sessions });
  }

  function renderAreas(chosen) {
    const list = $("#area-list");
    list.replaceChildren(
      ...catalog.areas.map((area, index) => {
        const id = `area-${area.code}`;
        const errorId = `error-area-${area.code}`;
        const box = el("input", {
          type: "checkbox", name: "area", value: area.code, id, "aria-describedby": errorId,
          checked: chosen.areas.size ? chosen.areas.has(area.code) : index === 0,
        });
        const option = el("label", { class: "option", for: id }, box, el("span", { text: area.name }), el("span", { class: "price" }, money(area.price), el("span", { class: "per", text: " " + t("/ session") })));
        const wrapper = el("div", { class: "area-option" }, option);
        if (area.size_priced) {
          const sizeId = `size-${area.code}`;
          const size = el("input", {
            type: "number", id: sizeId, name: "size", min: "1", step: "1", inputmode: "numeric",
            placeholder: String(area.size_cm2), value: chosen.areas.get(area.code) || "",
            "aria-describedby": errorId,
          });
          wrapper.append(el("label", { class: "size", for: sizeId }, t("Measured size in cm² (reference {size}, {price} per extra cm²)", { size: area.size_cm2, price: money(area.extra_cm2_price) }), size));
        }
        wrapper.append(el("p", { class: "error", id: errorId, "data-error-for": `area:${area.code}`, role: "alert" }));
        return wrapper;
      }),
    );
  }

  function renderProducts(chosen) {
    $("#product-list").replaceChildren(
      ...catalog.products.map((product) => {
        const id = `product-${product.code}`;
        return el(
          "label", { class: "option", for: id },
          el("input", { type: "checkbox", name: "product", value: product.code, id, checked: chosen.products.has(product.code) }),
          el("span", { text: product.name }),
          el("span", { class: "price", text: money(product.price) }),
        );
      }),
    );
  }

  function levelExtra(level) {
    // A percentage as the language writes it: "+%15" in Turkish, "+15%" in English.
    if (!(Number(level.multiplier) > 1)) return "";
    const figure = Math.round((Number(level.multiplier) - 1) * 100);
    return LANG === "tr" ? `+%${figure}` : `+${figure}%`;
  }

  function renderLevels(chosen) {
    const codes = catalog.specialist_levels.map((level) => level.code);
    const selected = codes.includes(chosen.level) ? chosen.level : codes[0];
    $("#level-list").replaceChildren(
      ...catalog.specialist_levels.map((level) => {
        const id = `level-${level.code}`;
        return el(
          "label", { class: "option", for: id },
          el("input", { type: "radio", name: "level", value: level.code, id, checked: level.code === selected }),
          el("span", { text: level.name }),
          el("span", { class: "price", text: levelExtra(level) }),
        );
      }),
    );
  }

  // --- The steps: one line each says what is chosen --------------------------------------

  function summarise() {
    if (!catalog) return;
    const names = (list, name) => list.filter((item) => name.has(item.code)).map((item) => item.name);
    const labels = Object.fromEntries(SEVERITIES().map(([value, label]) => [value, label]));
    const concerns = chosenConcerns().map((c) => {
      const concern = (catalog.concerns || []).find((x) => x.code === c.code);
      return `${concern ? concern.name : c.code} (${labels[c.severity].toLocaleLowerCase(locale())})`;
    });
    $("#choice-concerns").textContent = concerns.length ? concerns.join(" + ") : t("Not sure");
    const areas = names(catalog.areas, new Set($$('input[name="area"]:checked').map((box) => box.value)));
    const areaChoice = $("#choice-areas");
    areaChoice.textContent = areas.length ? areas.join(" + ") : t("No area chosen yet");
    areaChoice.classList.toggle("empty", !areas.length);
    const products = names(catalog.products, new Set($$('input[name="product"]:checked').map((box) => box.value)));
    $("#choice-products").textContent = products.length ? products.join(" + ") : t("None");
    const level = catalog.specialist_levels.find((l) => l.code === $('input[name="level"]:checked')?.value);
    $("#choice-level").textContent = level ? [level.name, levelExtra(level)].filter(Boolean).join(" · ") : "";
    const count = Number.parseInt($("#sessions").value, 10);
    const start = $("#start_date").value;
    $("#choice-sessions").textContent = [
      Number.isNaN(count) ? "" : sessionsText(count),
      start ? t("first on {date}", { date: day(start) }) : t("from today"),
    ].filter(Boolean).join(" · ");
    $("#choice-coupon").textContent = $("#coupon").value.trim().toUpperCase() || t("None");
    const answered = $("#age").value !== "" || ["pregnant", "active_skin_infection", "open_wounds", "serious_skin_condition"].some((name) => form.elements[name].checked);
    $("#choice-health").textContent = answered ? t("Answered") : t("Not answered");
  }

  function openSteps() {
    // Wide screens show every step; a phone shows the summary lines only.
    if (WIDE.matches) for (const step of $$(".step")) step.open = true;
  }

  function goToNext(button) {
    const step = button.closest(".step");
    const target = button.dataset.next === "summary" ? $("#summary") : $(`#${button.dataset.next}`);
    if (step) step.open = false;
    if (target.matches(".step")) target.open = true;
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    target.scrollIntoView({ block: "start", behavior: reduced ? "auto" : "smooth" });
    const focusable = target.matches(".step") ? $("summary", target) : $("#summary-title");
    focusable.focus({ preventScroll: true });
  }

  // --- The estimate ---------------------------------------------------------------------

  function estimateBody() {
    const body = {
      clinic: $("#clinic").value,
      areas: $$('input[name="area"]:checked').map((box) => {
        const size = $(`#size-${CSS.escape(box.value)}`)?.value;
        return size ? { code: box.value, size_cm2: Number(size) } : { code: box.value };
      }),
      products: $$('input[name="product"]:checked').map((box) => box.value),
      specialist_level: $('input[name="level"]:checked')?.value || "",
      sessions: Number.parseInt($("#sessions").value, 10),
    };
    if (Number.isNaN(body.sessions)) body.sessions = $("#sessions").value;
    const concerns = chosenConcerns();
    if (concerns.length) body.concerns = concerns;
    if ($("#start_date").value) body.start_date = $("#start_date").value;
    if ($("#coupon").value.trim()) body.coupon = $("#coupon").value.trim();
    const age = $("#age").value;
    const answers = ["pregnant", "active_skin_infection", "open_wounds", "serious_skin_condition"];
    if (age !== "" || answers.some((name) => form.elements[name].checked)) {
      body.client = { age: age === "" ? null : Number(age) };
      for (const name of answers) body.client[name] = form.elements[name].checked;
    }
    return body;
  }

  let timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(runEstimate, 150);
  }

  async function runEstimate() {
    if (!catalog) return;
    clearTimeout(timer);
    const body = estimateBody();
    const mine = ++sequence;
    const { status, body: answer } = await api("/api/v1/estimates", { method: "POST", body: JSON.stringify(body) });
    if (mine !== sequence) return; // a newer estimate is on its way
    clearErrors(form);
    showGeneral("");
    if (status === 200 && answer) {
      lastBody = body;
      render(answer);
    } else if (status === 422 && answer) {
      lastBody = null;
      showErrors(answer.errors, body, showGeneral);
      if (lastEstimate && !$("#general-error").textContent) {
        showGeneral(t("The price below is for your previous choices: correct the step marked in red to update it."));
      }
      $("#summary").classList.add("stale");
    } else {
      lastBody = null;
      showGeneral(problemText(status, answer));
    }
    placeBar();
  }

  function render(estimate) {
    lastEstimate = estimate;
    $("#summary").classList.remove("stale");
    idempotencyKey = newKey(); // a new estimate is a new request to send
    $("#lines tbody").replaceChildren(
      ...estimate.lines.map((line) =>
        el(
          "tr", { class: line.amount.startsWith("-") ? "discount" : "" },
          el("td", { text: line.description }),
          el("td", { class: "num", text: String(line.quantity) }),
          el("td", { class: "num", text: money(line.amount), "data-amount": line.amount }),
        ),
      ),
    );
    for (const key of ["subtotal", "tax_total", "total", "per_session"]) {
      const cell = $(`#${key}`);
      cell.textContent = money(estimate[key]);
      cell.dataset.amount = estimate[key];
    }
    const discounts = $("#discount_total");
    discounts.textContent = Number(estimate.discount_total) ? money(-Number(estimate.discount_total)) : money(0);
    discounts.dataset.amount = estimate.discount_total;
    const included = estimate.total === estimate.net;
    const rate = new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(Number(estimate.tax_rate) * 100);
    $("#tax-label").textContent = included ? t("VAT {rate} % (included)", { rate }) : t("VAT {rate} % (added)", { rate });
    $("#per-session-label").textContent = t("Per session ({sessions})", { sessions: sessionsText(estimate.sessions) });
    $("#bar-total").textContent = money(estimate.total);
    $("#bar-tax").textContent = included ? "· " + t("VAT included") : "";
    $("#bar-sessions").textContent = t("Per session ({sessions})", { sessions: sessionsText(estimate.sessions) });
    $("#bar-per-session").textContent = money(estimate.per_session);
    $("#total-bar").setAttribute("aria-label", t("Total {total}, {amount} per session: see the details", { total: money(estimate.total), amount: money(estimate.per_session) }));
    $("#announce").textContent = t("Total {total}, {amount} per session", { total: money(estimate.total), amount: money(estimate.per_session) });
    const running = (catalog.campaigns || []).filter((c) => estimate.applied_campaigns.includes(c.code)).map((c) => c.name);
    $("#campaigns").textContent = estimate.applied_campaigns.length
      ? t("Campaign applied: {names}.", { names: running.length ? running.join(", ") : estimate.applied_campaigns.join(", ") })
      : "";
    $("#schedule").replaceChildren(
      ...estimate.schedule.map((iso) => el("li", { text: day(iso) })),
    );
    $("#advice").replaceChildren(...estimate.advice.map((line) => el("li", { text: line })));
    renderEligibility(estimate.eligibility);
    renderCoupon(estimate.coupon);
    renderHints(estimate.hints);
    renderSuggestion(estimate.suggestion || null, estimate.sessions);
    renderExplanation(estimate);
  }

  function renderCoupon(coupon) {
    const box = $("#coupon-outcome");
    box.hidden = !coupon;
    if (!coupon) return;
    box.dataset.status = coupon.status;
    const label = { applied: t("Coupon applied"), not_applied: t("Coupon not applied"), invalid: t("Coupon not valid") }[coupon.status];
    box.textContent = `${label} (${coupon.code}): ${coupon.reason}`;
  }

  let keepFocusInHints = false;
  function renderHints(hints) {
    const box = $("#hints");
    box.hidden = !hints.length;
    const refocus = keepFocusInHints;
    keepFocusInHints = false;
    $("#hint-list").replaceChildren(
      ...hints.map((hint) => {
        const button = el("button", { type: "button", "data-sessions": String(hint.sessions), text: withCurrency(hint.text) + " " + t("Total {amount}.", { amount: money(hint.total) }) });
        button.addEventListener("click", () => {
          $("#sessions").value = String(hint.sessions);
          keepFocusInHints = true; // the buttons are drawn anew with the new estimate
          summarise();
          update();
        });
        return el("li", {}, button);
      }),
    );
    if (refocus) ($("#hint-list button") || $("#summary-title")).focus({ preventScroll: true });
  }

  function renderExplanation(estimate) {
    $("#basis tbody").replaceChildren(
      ...estimate.lines.map((line) => el("tr", {}, el("td", { text: line.description }), el("td", { text: line.basis }))),
    );
    const names = new Map((catalog.campaigns || []).map((c) => [c.code, c.name]));
    $("#offers").replaceChildren(
      ...(estimate.offers.length
        ? estimate.offers.map((offer) =>
            el("li", {
              class: offer.chosen ? "chosen" : "",
              text: offer.campaigns.map((code) => names.get(code) || code).join(" + ") + ": " + money(-Number(offer.discount))
                + (offer.chosen ? " " + t("(applied)") : ""),
            }),
          )
        : [el("li", { text: t("No campaign applies to this course.") })]),
    );
  }

  function isoDay(day) {
    return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
  }

  function clinicToday() {
    // Today at the clinics (Europe/Istanbul), wherever the visitor's device is: what the API counts from.
    try {
      const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Istanbul", year: "numeric", month: "2-digit", day: "2-digit" })
        .formatToParts(new Date());
      const part = (type) => Number(parts.find((p) => p.type === type).value);
      return new Date(part("year"), part("month") - 1, part("day"));
    } catch (error) {
      return new Date();  // no time-zone data in this browser: the device's own date
    }
  }

  function boundStartDate() {
    // The API takes today up to 365 days ahead (the clinics' local date).
    const today = clinicToday();
    const last = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 365);
    $("#start_date").min = isoDay(today);
    $("#start_date").max = isoDay(last);
  }

  const ELIGIBILITY = {
    not_eligible: () => t("This treatment is not for you right now:"),
    postpone: () => t("We would postpone your treatment:"),
    needs_doctor_review: () => t("A doctor will see you before the first session:"),
  };

  function renderEligibility(eligibility) {
    const box = $("#eligibility");
    const heading = ELIGIBILITY[eligibility.status] && ELIGIBILITY[eligibility.status]();
    box.hidden = !heading;
    box.dataset.status = eligibility.status;
    if (!heading) return box.replaceChildren();
    box.replaceChildren(el("p", { text: heading }), el("ul", {}, ...eligibility.reasons.map((reason) => el("li", { text: reason }))));
  }

  // --- Errors next to their fields ---------------------------------------------------------

  function clearErrors(root) {
    for (const node of $$(".error[data-error-for]", root)) node.textContent = "";
    for (const node of $$('[aria-invalid="true"]', root)) node.removeAttribute("aria-invalid");
    for (const step of $$(".step", root)) markStep(step, false);
  }

  function markStep(step, wrong) {
    step.classList.toggle("has-error", wrong);
    $(".step-alert", step).hidden = !wrong;
  }

  function errorTarget(path, body) {
    // areas.1.code and areas.1.size_cm2 belong to the area chosen second.
    const area = /^areas\.(\d+)\./.exec(path);
    if (area && body && body.areas && body.areas[Number(area[1])]) {
      return `area:${body.areas[Number(area[1])].code}`;
    }
    if (path.startsWith("products.")) return "products";
    if (path.startsWith("concerns")) return "concerns";
    if (path.startsWith("client.") && path !== "client.age") return "client";
    if (path.startsWith("customer.") && !["customer.name", "customer.email", "customer.phone"].includes(path)) return "customer.name";
    return path;
  }

  // Each message under its field; those that name no field on the page go to `general`.
  function showErrors(errors, body, general) {
    const unplaced = [];
    for (const [path, messages] of Object.entries(errors || {})) {
      const texts = (Array.isArray(messages) ? messages : [messages]).map(String);
      const node = $(`.error[data-error-for="${CSS.escape(errorTarget(path, body))}"]`);
      if (!node) {
        unplaced.push(texts.join(" "));
        continue;
      }
      fieldError(node, texts.join(" "));
    }
    if (unplaced.length) general(unplaced.join(" "));
  }

  function fieldError(node, text) {
    node.textContent = [node.textContent, text].filter(Boolean).join(" ");
    for (const input of $$(`[aria-describedby~="${CSS.escape(node.id)}"]`)) {
      if (input.matches("input, select, textarea")) input.setAttribute("aria-invalid", "true");
    }
    const step = node.closest(".step");
    if (step) markStep(step, true);
  }

  // After a failed send: the first message on the page, its step opened, its field focused.
  function focusFirstError() {
    const first = $$(".error").find((node) => node.textContent.trim() && !node.closest("[hidden]"));
    if (!first) return;
    const step = first.closest(".step");
    if (step) step.open = true;
    let control = first.id ? $$(`[aria-describedby~="${CSS.escape(first.id)}"]`)[0] : null;
    if (control && !control.matches("input, select, textarea, button")) control = $("input, select, textarea", control);
    if (!control) control = first.closest(".field, fieldset")?.querySelector("input, select, textarea") || null;
    const target = control && !control.disabled ? control : first;
    if (target === first && !first.hasAttribute("tabindex")) first.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    (target.closest(".field, .area-option, fieldset") || target).scrollIntoView({ block: "center" });
  }

  function showGeneral(text) {
    $("#general-error").textContent = text;
  }

  function showSendError(text) {
    $("#send-error").textContent = text;
  }

  function problemText(status, body) {
    if (status === 0) return t("We could not reach the clinic. Please check your internet connection and try again.");
    if (status === 429) return t("Too many requests from your address; please wait a minute and try again.");
    if (status >= 500) return t("Our price service is busy right now. Please try again in a minute.");
    return (body && body.detail) || t("The price could not be calculated right now; please try again.");
  }

  // --- Send me this quote ------------------------------------------------------------------

  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const PHONE = /^\+?[0-9 ()./-]{5,40}$/;

  // What the visitor can correct before anything is sent, in plain words.
  function checkCustomer(customer, consent) {
    const errors = {};
    if (!customer.name) errors["customer.name"] = [t("Please enter your name.")];
    if (!customer.email) errors["customer.email"] = [t("Please enter your e-mail address.")];
    else if (!EMAIL.test(customer.email)) errors["customer.email"] = [t("Please check your e-mail address: it looks like name@example.com.")];
    if (customer.phone && !PHONE.test(customer.phone)) errors["customer.phone"] = [t("Please check the phone number: digits, spaces and + ( ) . / - only.")];
    if (!consent) errors.consent = [t("Please tick this box: the clinic needs your consent to store the quote and contact you.")];
    return errors;
  }

  async function sendQuote(event) {
    event.preventDefault();
    clearErrors(quoteForm);
    showSendError("");
    const customer = { name: quoteForm.elements.name.value.trim(), email: quoteForm.elements.email.value.trim() };
    if (quoteForm.elements.phone.value.trim()) customer.phone = quoteForm.elements.phone.value.trim();
    const consent = quoteForm.elements.consent.checked;
    const mistakes = checkCustomer(customer, consent);
    if (!lastBody) {
      if ($(".step.has-error")) showSendError(t("Please correct the estimate first: the steps marked in red."));
      else {
        showSendError($("#general-error").textContent || t("The price could not be calculated right now; please try again."));
        runEstimate(); // perhaps the server answers again
      }
    }
    showErrors(mistakes, null, showSendError);
    if (!lastBody || Object.keys(mistakes).length) return focusFirstError();
    const body = { ...lastBody, customer, consent };
    const button = $("#send");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      const { status, body: answer } = await api("/api/v1/quote-requests", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "Idempotency-Key": idempotencyKey },
      });
      if (status === 201 && answer) {
        showSent(answer.number, customer, body.clinic);
        idempotencyKey = newKey();
      } else if (status === 422 && answer) {
        showErrors(answer.errors, body, showSendError);
        if (!Object.keys(answer.errors || {}).length) showSendError(problemText(status, answer));
        focusFirstError();
      } else {
        showSendError(problemText(status, answer));
        focusFirstError();
      }
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  let lastSent = null;
  function showSent(number, customer, code, quietly = false) {
    lastSent = { number, customer, code };
    const clinic = clinics.find((c) => c.code === code) || currentClinic() || { name: catalog.clinic_name, city: catalog.city };
    const sent = $("#sent");
    sent.dataset.number = number;
    $("#sent-number").textContent = number;
    $("#sent-call").textContent = customer.phone
      ? t("{clinic} will call you or e-mail you within one working day to answer your questions and book your first session.", { clinic: clinic.name })
      : t("{clinic} will e-mail you within one working day to answer your questions and book your first session.", { clinic: clinic.name });
    $("#sent-clinic-name").textContent = clinic.name;
    $("#sent-clinic-city").textContent = clinic.name.includes(clinic.city) ? "" : `, ${clinic.city}`;
    // Optional clinic fields: the price list does not give them yet.
    const address = $("#sent-clinic-address");
    address.textContent = clinic.address || "";
    address.hidden = !clinic.address;
    const phone = $("#sent-clinic-phone");
    phone.replaceChildren(...(clinic.phone ? [el("a", { href: `tel:${clinic.phone.replace(/[^\d+]/g, "")}`, text: clinic.phone })] : []));
    phone.hidden = !clinic.phone;
    quoteForm.hidden = true;
    sent.hidden = false;
    if (quietly) return;
    $("#sent-title").focus({ preventScroll: true });
    $("#send-section").scrollIntoView({ block: "start" });
  }

  function sendAnother() {
    lastSent = null;
    $("#sent").hidden = true;
    quoteForm.hidden = false;
    idempotencyKey = newKey();
    const first = $(".step");
    if (first) first.open = true;
    $("#estimate-form").scrollIntoView({ block: "start" });
    $("summary", first || document).focus({ preventScroll: true });
  }

  // --- The total bar on a phone ------------------------------------------------------------

  const inView = new Set();
  function placeBar() {
    const bar = $("#total-bar");
    bar.hidden = !lastEstimate;
    bar.dataset.away = String(inView.size > 0 || !lastBody);
  }

  function watchBar() {
    if (!("IntersectionObserver" in window)) return;
    // The bar goes away as soon as the price itself or the send form is on the screen. The
    // estimate's heading (taller than the bar) is what it may cover, never a control.
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) inView.add(entry.target.id);
        else inView.delete(entry.target.id);
      }
      placeBar();
    });
    observer.observe($("#result"));
    observer.observe($("#send-section"));
  }

  // --- Wiring -------------------------------------------------------------------------------

  form.addEventListener("input", (event) => {
    if (event.target.id === "clinic") return;
    if (event.target.name === "concern" || event.target.id === "concern-unsure" || (event.target.name || "").startsWith("severity-")) {
      concernChanged(event.target);
    }
    if (event.target.name === "size") {
      const box = $(`#area-${CSS.escape(event.target.id.replace(/^size-/, ""))}`);
      if (event.target.value && box && !box.checked) box.checked = true;
    }
    summarise();
    update();
  });
  form.addEventListener("change", (event) => {
    if (event.target.id === "clinic") loadCatalog(event.target.value);
  });
  form.addEventListener("click", (event) => {
    const next = event.target.closest(".next");
    if (next) return goToNext(next);
    const stepper = event.target.closest("[data-step-by]");
    if (stepper) {
      const input = $("#sessions");
      const value = Number.parseInt(input.value, 10);
      const changed = Math.min(Number(input.max), Math.max(Number(input.min), (Number.isNaN(value) ? 3 : value) + Number(stepper.dataset.stepBy)));
      input.value = String(changed);
      summarise();
      update();
    }
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  quoteForm.addEventListener("submit", sendQuote);
  quoteForm.addEventListener("input", () => {
    idempotencyKey = newKey(); // another request from now on
  });
  $("#send-another").addEventListener("click", sendAnother);
  boundStartDate();
  for (const button of $$(".language")) {
    button.addEventListener("click", async () => {
      if (button.dataset.lang === LANG) return;
      LANG = button.dataset.lang;
      const url = new URL(location.href);
      url.searchParams.set("lang", LANG);
      history.replaceState(null, "", url);
      clearErrors(quoteForm);
      showSendError("");
      await loadMessages();
      await loadClinics();
      if (!$("#sent").hidden && lastSent) showSent(lastSent.number, lastSent.customer, lastSent.code, true); // its sentences anew
    });
  }
  openSteps();
  watchBar();
  // The texts and the clinics at the same time; the page shows once it speaks its language.
  const clinicsAnswer = api("/api/v1/clinics");
  loadMessages().then(async () => loadClinics(await clinicsAnswer));
})();
