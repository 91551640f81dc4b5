// The new-quote form's live price: the form as an estimate request with its manual discount, sent to
// the console's POST /desk/estimate (the session's cookie and the page's CSRF token), priced by the
// same engine as the final quote. Only a preview: the form itself posts to the desk.
(function () {
  "use strict";
  var form = document.getElementById("new-quote");
  var box = document.getElementById("preview");
  if (!form || !box) return;
  var out = document.getElementById("preview-body");
  var timer = null;
  var asked = 0;
  var token = document.querySelector('meta[name="csrf-token"]');

  function value(name) {
    var el = form.elements.namedItem(name);
    return el && el.value ? el.value.trim() : "";
  }

  function answer(name) {
    var v = value(name);
    return v === "yes" ? true : v === "no" ? false : null;
  }

  function body() {
    var areas = [];
    form.querySelectorAll('input[name="area"]:checked').forEach(function (el) {
      var size = value("size-" + el.value);
      areas.push({ code: el.value, size_cm2: size || null });
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
      sessions: isNaN(sessions) ? null : sessions,
      start_date: value("start_date") || null,
      coupon: value("coupon") || null,
      areas: areas,
      products: products,
      client: client,
    };
    var discount = value("discount_value");
    var reason = value("discount_reason");
    if (discount || reason) {
      // A decimal comma is read as a point, as the form's own post does.
      if (discount.indexOf(",") >= 0 && discount.indexOf(".") < 0) discount = discount.replace(",", ".");
      var manual = { reason: reason };
      manual[value("discount_kind") === "amount" ? "amount" : "percent"] = discount;
      request.manual_discount = manual;
    }
    return request;
  }

  // The same form as the pages' (adapters.i18n.money_text): "4.800,00 ₺" in Turkish, "₺4,800.00" in English.
  var SIGNS = { TRY: "₺", EUR: "€", USD: "$" };
  function money(amount, currency) {
    var turkish = box.dataset.lang === "tr";
    var value = Number(amount);
    var figure = new Intl.NumberFormat(turkish ? "tr-TR" : "en-GB",
      { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.abs(value));
    var sign = SIGNS[currency] || currency;
    var minus = value < 0 ? "\u2212" : "";
    return turkish ? minus + figure + "\u00a0" + sign : minus + sign + figure;
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
      tr.appendChild(cell("td", money(line.amount, estimate.currency), "num"));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    var total = document.createElement("p");
    total.className = "preview-total";
    total.id = "preview-total";
    total.dataset.amount = estimate.total;
    total.textContent = box.dataset.textTotal + ": " + money(estimate.total, estimate.currency);
    var shown = [total];
    if (estimate.approval_needed) {
      var note = cell("p", box.dataset.textApproval, "preview-approval");
      note.id = "preview-approval";
      shown.push(note);
    }
    shown.push(table);
    out.replaceChildren.apply(out, shown);
  }

  function problem(answer) {
    var items = [];
    Object.keys(answer.errors || {}).forEach(function (path) {
      items.push(path + ": " + answer.errors[path].join(" "));
    });
    var p = cell("p", box.dataset.textFix, "muted");
    var list = document.createElement("ul");
    items.forEach(function (text) { list.appendChild(cell("li", text)); });
    out.replaceChildren(p, list);
  }

  function price() {
    var mine = ++asked;
    fetch(box.dataset.api + "?lang=" + encodeURIComponent(box.dataset.lang), {
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
})();
