/*
 * The clinic's price estimator: plain JavaScript, no build step.
 *
 * Embedding: copy index.html to the clinic's site and load this script from
 * the API server; it calls the API at the script's own origin, or at
 * data-api="https://..." on the script tag.
 *
 * Languages: Turkish (default) and English. The page's language comes from
 * ?lang=, else data-lang on the script tag, else Turkish; the visitor can
 * switch. Texts are gettext message ids (data-i18n in the page, t() here),
 * translated from /estimator/messages/<lang>.json, the server's catalogue.
 * Money and dates follow the language (4.800,00 ₺ and 25.11.2026 in Turkish);
 * data-locale on the script tag overrides the number format.
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

  // A message in the page's language: the id is the English text, with {placeholders}.
  function t(msgid, values = {}) {
    const text = MESSAGES[msgid] || msgid;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  async function loadMessages() {
    MESSAGES = {};
    if (LANG !== "en") {
      try {
        const response = await fetch(`${API}/estimator/messages/${LANG}.json`);
        if (response.ok) MESSAGES = await response.json();
      } catch (_) {
        MESSAGES = {};
      }
    }
    document.documentElement.lang = LANG;
    for (const node of $$("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const button of $$(".language")) button.setAttribute("aria-pressed", String(button.dataset.lang === LANG));
  }

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const form = $("#estimate-form");
  const quoteForm = $("#quote-form");
  let catalog = null;
  let money = (value) => value;
  let lastBody = null;
  let sequence = 0;
  let idempotencyKey = newKey();

  function newKey() {
    return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  async function api(path, options = {}) {
    const response = await fetch(API + path, {
      ...options,
      headers: {
        Accept: "application/json",
        "Accept-Language": LANG,
        ...(options.body ? { "Content-Type": "application/json" } : {}),
        ...(options.headers || {}),
      },
    });
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

  async function loadClinics() {
    const { status, body } = await api("/api/v1/clinics");
    if (status !== 200) return showGeneral(problemText(status, body));
    const select = $("#clinic");
    select.replaceChildren(...body.map((c) => el("option", { value: c.code, text: `${c.name} (${c.city})` })));
    const wanted = new URLSearchParams(location.search).get("clinic");
    if (wanted && body.some((c) => c.code === wanted)) select.value = wanted;
    await loadCatalog(select.value);
  }

  async function loadCatalog(code) {
    const { status, body } = await api(`/api/v1/catalog?clinic=${encodeURIComponent(code)}`);
    if (status !== 200) return showGeneral(problemText(status, body));
    const chosen = currentChoices();
    catalog = body;
    money = moneyFormat(body.currency);
    renderAreas(chosen);
    renderProducts(chosen);
    renderLevels(chosen);
    update();
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

  function day(iso) {
    return new Date(`${iso}T12:00:00`).toLocaleDateString(locale(), LANG === "tr" ? { day: "2-digit", month: "2-digit", year: "numeric" } : { dateStyle: "medium" });
  }

  function currentChoices() {
    return {
      areas: new Map($$('input[name="area"]:checked').map((box) => [box.value, $(`#size-${CSS.escape(box.value)}`)?.value || ""])),
      products: new Set($$('input[name="product"]:checked').map((box) => box.value)),
      level: $('input[name="level"]:checked')?.value,
    };
  }

  function renderAreas(chosen) {
    const list = $("#area-list");
    list.replaceChildren(
      ...catalog.areas.map((area, index) => {
        const id = `area-${area.code}`;
        const box = el("input", { type: "checkbox", name: "area", value: area.code, id, checked: chosen.areas.size ? chosen.areas.has(area.code) : index === 0 });
        const option = el("label", { class: "option", for: id }, box, el("span", { text: area.name }), el("span", { class: "price" }, money(area.price), el("span", { class: "per", text: " " + t("/ session") })));
        const wrapper = el("div", { class: "area-option" }, option);
        if (area.size_priced) {
          const sizeId = `size-${area.code}`;
          const size = el("input", {
            type: "number", id: sizeId, name: "size", min: "1", step: "1", inputmode: "numeric",
            placeholder: String(area.size_cm2), value: chosen.areas.get(area.code) || "",
            "aria-describedby": `error-area-${area.code}`,
          });
          wrapper.append(el("label", { class: "size", for: sizeId }, t("Measured size in cm² (reference {size}, {price} per extra cm²)", { size: area.size_cm2, price: money(area.extra_cm2_price) }), size));
        }
        wrapper.append(el("p", { class: "error", id: `error-area-${area.code}`, "data-error-for": `area:${area.code}`, role: "alert" }));
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

  function renderLevels(chosen) {
    const codes = catalog.specialist_levels.map((level) => level.code);
    const selected = codes.includes(chosen.level) ? chosen.level : codes[0];
    $("#level-list").replaceChildren(
      ...catalog.specialist_levels.map((level) => {
        const id = `level-${level.code}`;
        const extra = Number(level.multiplier) > 1 ? `+${Math.round((Number(level.multiplier) - 1) * 100)}\u00a0%` : "";
        return el(
          "label", { class: "option", for: id },
          el("input", { type: "radio", name: "level", value: level.code, id, checked: level.code === selected }),
          el("span", { text: level.name }),
          el("span", { class: "price", text: extra }),
        );
      }),
    );
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
    const body = estimateBody();
    const mine = ++sequence;
    const { status, body: answer } = await api("/api/v1/estimates", { method: "POST", body: JSON.stringify(body) });
    if (mine !== sequence) return; // a newer estimate is on its way
    clearErrors(form);
    showGeneral("");
    if (status === 200) {
      lastBody = body;
      render(answer);
    } else if (status === 422 && answer) {
      lastBody = null;
      showErrors(answer.errors, body);
      $("#summary").classList.add("stale");
    } else {
      lastBody = null;
      showGeneral(problemText(status, answer));
    }
  }

  function render(estimate) {
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
    $("#bar-total").textContent = money(estimate.total);
    $("#bar-per-session").textContent = t("{amount} per session", { amount: money(estimate.per_session) });
    $("#total-bar").hidden = false;
    const discounts = $("#discount_total");
    discounts.textContent = Number(estimate.discount_total) ? money(-Number(estimate.discount_total)) : money(0);
    discounts.dataset.amount = estimate.discount_total;
    const included = estimate.total === estimate.net;
    const rate = new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(Number(estimate.tax_rate) * 100);
    $("#tax-label").textContent = included ? t("VAT {rate} % (included)", { rate }) : t("VAT {rate} % (added)", { rate });
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

  function renderHints(hints) {
    const box = $("#hints");
    box.hidden = !hints.length;
    $("#hint-list").replaceChildren(
      ...hints.map((hint) => {
        const button = el("button", { type: "button", "data-sessions": String(hint.sessions), text: hint.text + " " + t("Total {amount}.", { amount: money(hint.total) }) });
        button.addEventListener("click", () => {
          $("#sessions").value = String(hint.sessions);
          update();
          $("#sessions").focus();
        });
        return el("li", {}, button);
      }),
    );
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

  function boundStartDate() {
    // The API takes today up to 365 days ahead (the clinic's local date).
    const today = new Date();
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
  }

  function errorTarget(path, body) {
    // areas.1.code and areas.1.size_cm2 belong to the area chosen second.
    const area = /^areas\.(\d+)\./.exec(path);
    if (area && body && body.areas && body.areas[Number(area[1])]) {
      return `area:${body.areas[Number(area[1])].code}`;
    }
    if (path.startsWith("products.")) return "products";
    if (path.startsWith("client.") && path !== "client.age") return "client";
    return path;
  }

  function showErrors(errors, body) {
    const unplaced = [];
    for (const [path, messages] of Object.entries(errors || {})) {
      const node = $(`.error[data-error-for="${CSS.escape(errorTarget(path, body))}"]`);
      if (!node) {
        unplaced.push(messages.join(" "));
        continue;
      }
      node.textContent = [node.textContent, ...messages].filter(Boolean).join(" ");
      const input = document.querySelector(`[aria-describedby~="${CSS.escape(node.id)}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
    }
    if (unplaced.length) showGeneral(unplaced.join(" "));
  }

  function showGeneral(text) {
    $("#general-error").textContent = text;
  }

  function problemText(status, body) {
    if (status === 429) return t("Too many requests from your address; please wait a minute and try again.");
    return (body && body.detail) || t("The price could not be calculated right now; please try again.");
  }

  // --- Send me this quote ------------------------------------------------------------------

  async function sendQuote(event) {
    event.preventDefault();
    clearErrors(quoteForm);
    const sent = $("#sent");
    sent.hidden = true;
    if (!lastBody) {
      showGeneral(t("Please correct the estimate first."));
      return;
    }
    const customer = { name: quoteForm.elements.name.value.trim(), email: quoteForm.elements.email.value.trim() };
    if (quoteForm.elements.phone.value.trim()) customer.phone = quoteForm.elements.phone.value.trim();
    const body = { ...lastBody, customer, consent: quoteForm.elements.consent.checked };
    const button = $("#send");
    button.disabled = true;
    try {
      const { status, body: answer } = await api("/api/v1/quote-requests", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "Idempotency-Key": idempotencyKey },
      });
      if (status === 201) {
        sent.textContent = t("Thank you! Your quote number is {number}. We will contact you soon.", { number: answer.number });
        sent.dataset.number = answer.number;
        sent.hidden = false;
        idempotencyKey = newKey();
      } else if (status === 422 && answer) {
        showErrors(answer.errors, body);
      } else {
        showGeneral(problemText(status, answer));
      }
    } finally {
      button.disabled = false;
    }
  }

  // --- Wiring -------------------------------------------------------------------------------

  form.addEventListener("input", (event) => {
    if (event.target.id === "clinic") return;
    if (event.target.name === "size") {
      const box = $(`#area-${CSS.escape(event.target.id.replace(/^size-/, ""))}`);
      if (event.target.value && box && !box.checked) box.checked = true;
    }
    update();
  });
  form.addEventListener("change", (event) => {
    if (event.target.id === "clinic") loadCatalog(event.target.value);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  quoteForm.addEventListener("submit", sendQuote);
  boundStartDate();
  quoteForm.addEventListener("input", () => {
    idempotencyKey = newKey(); // another request from now on
  });
  for (const button of $$(".language")) {
    button.addEventListener("click", async () => {
      if (button.dataset.lang === LANG) return;
      LANG = button.dataset.lang;
      await loadMessages();
      await loadClinics();
    });
  }
  loadMessages().then(loadClinics);
})();
