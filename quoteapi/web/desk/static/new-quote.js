// The live price of the estimate forms: the new-quote form and the quote page's revision form
// (templates/desk/_estimate_fields.html). Each <aside class="preview" data-form="..."> prices its form
// as an estimate request with its manual discount, sent to the console's POST /desk/estimate (the
// session's cookie and the page's CSRF token): the same engine as the saved quote. Only a preview:
// the form itself posts to the desk. A revision form says what a revision keeps that it does not
// show (data-concerns, data-discount); the figures are the server's (money_text), as the saved page.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');

  // A number as typed the page's way (1.800 or 12,5 in Turkish, 1,800 in English) or the API's (1800.5):
  // as a plain decimal, as the desk's own post reads it (common.typed_decimal); else as typed.
  var PLAIN = /^-?\d+(\.\d+)?$/;
  var TR_THOUSANDS = /^-?\d{1,3}(\.\d{3})+$/;
  var GROUPED = { tr: /^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/, en: /^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/ };
  var MARKS = { tr: [".", ","], en: [",", "."] };

  function plainIn(typed, lang) {
    if (PLAIN.test(typed) && !(lang === "tr" && TR_THOUSANDS.test(typed))) return typed;
    if (GROUPED[lang] && GROUPED[lang].test(typed)) {
      return typed.split(MARKS[lang][0]).join("").replace(MARKS[lang][1], ".");
    }
    return null;
  }

  function plainDecimal(text, lang) {
    var typed = text.replace(/₺/g, "").replace(/[\s\u00a0]/g, "");
    var found = plainIn(typed, lang);
    if (found === null) found = plainIn(typed, lang === "tr" ? "en" : "tr");
    return found === null ? text.trim() : found;
  }

  function livePrice(box) {
    var form = document.getElementById(box.dataset.form);
    if (!form) return;
    var prefix = box.id.slice(0, box.id.length - "preview".length);
    var out = document.getElementById(prefix + "preview-body");
    var lang = box.dataset.lang;
    var timer = null;
    var asked = 0;

    function value(name) {
      var el = form.elements.namedItem(name);
      return el && el.value ? el.value.trim() : "";
    }

    function answer(name) {
      var v = value(name);
      return v === "yes" ? true : v === "no" ? false : null;
    }

    function kept(name) {
      var raw = form.dataset[name];
      if (!raw) return null;
      try { return JSON.parse(raw); } catch (e) { return null; }
    }

    function body() {
      var areas = [];
      form.querySelectorAll('input[name="area"]:checked').forEach(function (el) {
        var size = value("size-" + el.value);
        areas.push({ code: el.value, size_cm2: size ? plainDecimal(size, lang) : null });
      });
      var products = [];
      form.querySelectorAll('input[name="product"]:checked').forEach(function (el) { products.push(el.value); });
      var sessions = parseInt(value("sessions"), 10);
      var age = value("age");
      var client = {
        age: age === "" ? null : parseInt(age, 10),
        pregnant: answer("pregnant"),
        active_skin_infection: answer("active_skin_infection"),
        open_wounds: answer("open_wounds"),
        serious_skin_condition: answer("serious_skin_condition"),
      };
      var request = {
        clinic: value("clinic"),
        specialist_level: value("specialist_level"),
        start_date: value("start_date") || null,
        coupon: value("coupon") || null,
        areas: areas,
        products: products,
        client: client,
      };
      if (!isNaN(sessions)) request.sessions = sessions;
      var concerns = kept("concerns");
      if (concerns && concerns.length) request.concerns = concerns;
      else if (isNaN(sessions)) request.sessions = null;
      var discount = value("discount_value");
      var reason = value("discount_reason");
      var remove = form.elements.namedItem("discount_remove");
      if (discount || reason) {
        var kind = value("discount_kind") === "amount" ? "amount" : "percent";
        if (kind === "percent") discount = discount.replace(/%/g, "").trim();
        var manual = { reason: reason };
        manual[kind] = discount ? plainDecimal(discount, lang) : discount;
        request.manual_discount = manual;
      } else if (!(remove && remove.checked) && kept("discount")) {
        request.manual_discount = kept("discount");  // a revision keeps its discount while the fields are empty
      }
      return request;
    }

    function cell(tag, text, cls) {
      var el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      return el;
    }

    function show(estimate) {
      var table = document.createElement("table");
      table.className = "lines";
      var head = document.createElement("tr");
      head.appendChild(cell("th", box.dataset.textLine));
      head.appendChild(cell("th", box.dataset.textAmount, "num"));
      var thead = document.createElement("thead");
      thead.appendChild(head);
      table.appendChild(thead);
      var tbody = document.createElement("tbody");
      estimate.lines.forEach(function (line) {
        var tr = document.createElement("tr");
        tr.appendChild(cell("td", line.description));
        tr.appendChild(cell("td", line.amount_text, "num"));
        tbody.appendChild(tr);
      });
      table.appendChild(tbody);
      var total = document.createElement("p");
      total.className = "preview-total";
      total.id = prefix + "preview-total";
      total.dataset.amount = estimate.total;
      total.textContent = box.dataset.textTotal + ": " + estimate.total_text;
      var shown = [total];
      if (estimate.approval_needed) {
        var note = cell("p", box.dataset.textApproval, "preview-approval");
        note.id = prefix + "preview-approval";
        shown.push(note);
      }
      shown.push(table);
      out.replaceChildren.apply(out, shown);
    }

    function problem(answer) {
      // The server's words: each message with its field's name, never the API's path.
      var p = cell("p", box.dataset.textFix, "muted");
      var list = document.createElement("ul");
      (answer.messages || [answer.detail]).forEach(function (text) { if (text) list.appendChild(cell("li", text)); });
      out.replaceChildren(p, list);
    }

    function price() {
      var mine = ++asked;
      var url = new URL(box.dataset.api, window.location.href);  // it may carry ?lang= already
      url.searchParams.set("lang", lang);
      fetch(url.toString(), {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": token ? token.content : "",
        },
        body: JSON.stringify(body()),
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (mine !== asked) return;  // a newer request is on its way
        if (result.ok) show(result.data); else problem(result.data);
      }).catch(function () {
        if (mine === asked) out.replaceChildren(cell("p", box.dataset.textFix, "muted"));
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(price, 250);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    price();
  }

  document.querySelectorAll("aside.preview[data-form]").forEach(livePrice);
})();
