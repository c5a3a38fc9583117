/*
 * Counterpart picker: type-ahead search of the shared counterparts directory, chosen
 * counterparts shown as removable chips, and "Add a new counterpart" in a dialog.
 *
 * Progressive enhancement of a plain multiple select, which keeps working (and keeps
 * being what the form posts) without JavaScript:
 *
 *   <select multiple name="counterparts" id="id_counterparts" data-counterpart-picker>
 *
 * With JavaScript the select is hidden, its <label for> is moved to a WAI-ARIA 1.2
 * combobox (input + listbox), and every choice or removal is written back to the select's
 * selected options (options missing from the select are added), so the form posts as
 * before. The select's aria-describedby (help text, error) and aria-invalid are copied.
 *
 * Attributes are read from the select first, then from its closest
 * [data-counterpart-field] ancestor (where a template can write them around
 * {{ form.counterparts }}):
 *
 *   data-search-url     required: the type-ahead, {% url 'counterparts:search' %}
 *                       (GET ?q=&type=&exclude_type= -> {"results": [{id, label, type,
 *                       type_label, region}]})
 *   data-create-url     optional: {% url 'counterparts:create' %}; without it there is no
 *                       "Add a new counterpart" button. The dialog's form is fetched from
 *                       it (?fragment=1, HTML rendered and translated by the server) and
 *                       posted to it with fetch (Accept: application/json): 201 with
 *                       {"counterpart": {...}}, or 200 with {"errors", "similar", "html"}
 *                       (the form to show again: errors, or near-identical names).
 *   data-types          optional, comma-separated: counterpart types ranked first (the
 *                       indicator's counterpart_types, e.g. "media,chamber"). Read at each
 *                       search; dispatch "counterpart-types-changed" on the select after
 *                       changing it to refresh the open results.
 *   data-exclude-types  optional, comma-separated: types never offered, e.g. "partner"
 *                       when the form's queryset leaves them out.
 *
 * Strings, to be filled with {% translate %} ({name} and {count} are replaced):
 *
 *   data-label-remove       "Remove {name}"            the chip's button (aria-label)
 *   data-label-chosen       "Chosen counterparts"      the chips list (aria-label)
 *   data-label-results      "{count} results"          announced after a search
 *   data-label-one-result   "1 result"
 *   data-label-no-results   "No counterparts match"
 *   data-label-added        "{name} added"             announced on choosing
 *   data-label-removed      "{name} removed"           announced on removing
 *   data-label-add          "Add a new counterpart"    the button opening the dialog
 *   data-label-failed       "The directory cannot be reached. Try again."
 *   data-label-placeholder  optional placeholder of the search box
 *
 * Keys in the search box: Down/Up move through the results (Alt+Down opens them),
 * Enter chooses, Escape closes the results (or clears the box). The CSRF token is the one
 * in the dialog's form (the server renders it there) or any csrfmiddlewaretoken on the
 * page: the csrftoken cookie is HttpOnly. Plain ES2017, no libraries, no inline script.
 */
(function () {
  "use strict";

  const DEFAULT_LABELS = {
    remove: "Remove {name}",
    chosen: "Chosen counterparts",
    results: "{count} results",
    oneResult: "1 result",
    noResults: "No counterparts match",
    added: "{name} added",
    removed: "{name} removed",
    add: "Add a new counterpart",
    failed: "The directory cannot be reached. Try again.",
    placeholder: "",
  };
  const DEBOUNCE_MS = 200;
  let pickerCount = 0;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function splitList(value) {
    return (value || "")
      .split(",")
      .map(function (s) { return s.trim(); })
      .filter(Boolean);
  }

  function csrfToken(form) {
    const input =
      (form && form.querySelector("input[name=csrfmiddlewaretoken]")) ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") !== -1;
  }

  function enhance(select) {
    if (select.dataset.counterpartPickerReady) return;
    const field = select.closest("[data-counterpart-field]");
    function setting(name) {
      if (select.dataset[name] !== undefined) return select.dataset[name];
      if (field && field.dataset[name] !== undefined) return field.dataset[name];
      return undefined;
    }
    const searchUrl = setting("searchUrl");
    if (!searchUrl) return;
    select.dataset.counterpartPickerReady = "1";
    const createUrl = setting("createUrl");
    const labels = {};
    Object.keys(DEFAULT_LABELS).forEach(function (key) {
      const name = "label" + key.charAt(0).toUpperCase() + key.slice(1);
      const value = setting(name);
      labels[key] = value !== undefined && value !== "" ? value : DEFAULT_LABELS[key];
    });

    pickerCount += 1;
    const base = (select.id || "counterparts") + "-picker" + (pickerCount > 1 ? pickerCount : "");
    const label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;

    // --- the widget's parts --------------------------------------------------------------
    const wrapper = document.createElement("div");
    wrapper.className = "cp-picker";

    const chips = document.createElement("ul");
    chips.className = "cp-picker__chips";
    chips.setAttribute("aria-label", labels.chosen);

    const combo = document.createElement("div");
    combo.className = "cp-picker__combo";

    const input = document.createElement("input");
    input.type = "text";
    input.id = base + "-input";
    input.className = "cp-picker__input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    if (labels.placeholder) input.placeholder = labels.placeholder;
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });

    const listbox = document.createElement("ul");
    listbox.id = base + "-listbox";
    listbox.className = "cp-picker__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    input.setAttribute("aria-controls", listbox.id);

    if (label) {
      if (!label.id) label.id = base + "-label";
      label.htmlFor = input.id;
      listbox.setAttribute("aria-labelledby", label.id);
    }

    const status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    // The button sits beside the search box, where the open results never cover it.
    const row = document.createElement("div");
    row.className = "cp-picker__row";
    combo.appendChild(input);
    combo.appendChild(listbox);
    row.appendChild(combo);
    wrapper.appendChild(chips);
    wrapper.appendChild(row);

    let addButton = null;
    if (createUrl) {
      addButton = document.createElement("button");
      addButton.type = "button";
      addButton.className = "button button--secondary cp-picker__add";
      addButton.textContent = labels.add;
      row.appendChild(addButton);
    }
    wrapper.appendChild(status);

    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.insertAdjacentElement("afterend", wrapper);

    // --- announcements ---------------------------------------------------------------------
    let announceTimer = null;
    function announce(message) {
      // Cleared first so that the same words are announced again.
      status.textContent = "";
      clearTimeout(announceTimer);
      announceTimer = setTimeout(function () { status.textContent = message; }, 50);
    }

    // --- chips: the select's selected options ------------------------------------------------
    function selectedOptions() {
      return Array.prototype.filter.call(select.options, function (o) { return o.selected; });
    }

    function renderChips() {
      chips.textContent = "";
      selectedOptions().forEach(function (option) {
        const item = document.createElement("li");
        item.className = "cp-chip";
        const text = document.createElement("span");
        text.className = "cp-chip__label";
        text.textContent = option.textContent;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "cp-chip__remove";
        remove.setAttribute("aria-label", format(labels.remove, { name: option.textContent }));
        remove.dataset.value = option.value;
        const cross = document.createElement("span");
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "×";
        remove.appendChild(cross);
        item.appendChild(text);
        item.appendChild(remove);
        chips.appendChild(item);
      });
      chips.hidden = chips.children.length === 0;
    }

    function changed() {
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    chips.addEventListener("click", function (event) {
      const button = event.target.closest(".cp-chip__remove");
      if (!button) return;
      const buttons = Array.prototype.slice.call(chips.querySelectorAll(".cp-chip__remove"));
      const index = buttons.indexOf(button);
      const option = Array.prototype.find.call(select.options, function (o) {
        return o.value === button.dataset.value;
      });
      if (!option) return;
      option.selected = false;
      changed();
      renderChips();
      const remaining = chips.querySelectorAll(".cp-chip__remove");
      const next = remaining[Math.min(index, remaining.length - 1)];
      (next || input).focus();
      announce(format(labels.removed, { name: option.textContent }));
    });

    function choose(result) {
      const value = String(result.id);
      let option = Array.prototype.find.call(select.options, function (o) {
        return o.value === value;
      });
      if (!option) {
        option = new Option(result.label, value);
        select.add(option);
      }
      option.selected = true;
      changed();
      renderChips();
      input.value = "";
      close();
      announce(format(labels.added, { name: option.textContent }));
    }

    // --- the listbox ---------------------------------------------------------------------------
    let results = [];
    let active = -1;

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      if (!results.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      const options = listbox.querySelectorAll("[role=option]");
      active = index;
      Array.prototype.forEach.call(options, function (option, i) {
        const on = i === index;
        option.classList.toggle("cp-option--active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
      });
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function renderResults(found) {
      const chosen = selectedOptions().map(function (o) { return o.value; });
      results = found.filter(function (r) { return chosen.indexOf(String(r.id)) === -1; });
      listbox.textContent = "";
      results.forEach(function (result, i) {
        const option = document.createElement("li");
        option.id = listbox.id + "-" + i;
        option.className = "cp-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.index = String(i);
        const name = document.createElement("span");
        name.className = "cp-option__label";
        name.textContent = result.label;
        const meta = document.createElement("span");
        meta.className = "cp-option__meta";
        meta.textContent = [result.type_label, result.region].filter(Boolean).join(" · ");
        option.appendChild(name);
        option.appendChild(meta);
        listbox.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (results.length) {
        if (document.activeElement === input) open();
        announce(
          results.length === 1 ? labels.oneResult : format(labels.results, { count: results.length })
        );
      } else {
        close();
        announce(labels.noResults);
      }
    }

    // --- searching -------------------------------------------------------------------------------
    let timer = null;
    let controller = null;
    let sequence = 0;

    function search() {
      clearTimeout(timer);
      const q = input.value.trim();
      if (controller) controller.abort();
      if (!q) {
        results = [];
        listbox.textContent = "";
        close();
        return;
      }
      const url = new URL(searchUrl, window.location.href);
      url.searchParams.set("q", q);
      splitList(select.dataset.types || setting("types")).forEach(function (t) {
        url.searchParams.append("type", t);
      });
      splitList(setting("excludeTypes")).forEach(function (t) {
        url.searchParams.append("exclude_type", t);
      });
      sequence += 1;
      const mine = sequence;
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch(url.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok || !isJson(response)) throw new Error("search " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (mine !== sequence) return;
          renderResults(data.results || []);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (mine !== sequence) return;
          results = [];
          close();
          announce(labels.failed);
        });
    }

    function searchSoon() {
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    }

    input.addEventListener("input", searchSoon);

    input.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen()) {
            if (results.length) open();
            else if (input.value.trim()) search();
            if (event.altKey) return;
          }
          if (results.length) setActive(active + 1 >= results.length ? 0 : active + 1);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen()) {
            if (results.length) open();
            else return;
          }
          setActive(active <= 0 ? results.length - 1 : active - 1);
          break;
        case "Enter":
          // Never submit the whole activity form from the search box.
          if (isOpen() || input.value.trim()) event.preventDefault();
          if (isOpen() && active >= 0) choose(results[active]);
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            results = [];
            listbox.textContent = "";
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    // Keep the focus in the search box when an option is clicked.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    listbox.addEventListener("click", function (event) {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      choose(results[Number(option.dataset.index)]);
      input.focus();
    });

    // The indicator changed: rank again, now if the user is typing, otherwise on the next key.
    select.addEventListener("counterpart-types-changed", function () {
      results = [];
      listbox.textContent = "";
      close();
      if (input.value.trim() && document.activeElement === input) search();
    });

    renderChips();

    // --- "Add a new counterpart": the server's form in a dialog -----------------------------
    if (!addButton) return;
    let dialog = null;
    let chosenFromDialog = false;

    function dialogUrl() {
      const url = new URL(createUrl, window.location.href);
      url.searchParams.set("fragment", "1");
      const typed = input.value.trim();
      if (typed) url.searchParams.set("name", typed);
      const types = splitList(select.dataset.types || setting("types"));
      if (types.length) url.searchParams.set("type", types[0]);
      splitList(setting("excludeTypes")).forEach(function (t) {
        url.searchParams.append("exclude_type", t);
      });
      return url.toString();
    }

    function ensureDialog() {
      if (dialog) return dialog;
      dialog = document.createElement("dialog");
      dialog.className = "cp-dialog";
      dialog.setAttribute("aria-labelledby", "cp-new-heading");
      // Outside the activity form: forms cannot nest.
      document.body.appendChild(dialog);
      dialog.addEventListener("close", function () {
        (chosenFromDialog ? input : addButton).focus();
        chosenFromDialog = false;
      });
      dialog.addEventListener("click", function (event) {
        const use = event.target.closest("[data-use-counterpart]");
        if (use) {
          event.preventDefault();
          chosenFromDialog = true;
          choose({ id: use.dataset.useCounterpart, label: use.dataset.label || use.textContent });
          dialog.close();
          return;
        }
        if (event.target.closest("[data-dialog-cancel]")) dialog.close();
      });
      dialog.addEventListener("submit", onDialogSubmit);
      return dialog;
    }

    function showInDialog(html) {
      ensureDialog().innerHTML = html;
      const form = dialog.querySelector("form");
      if (!form) return;
      const target =
        dialog.querySelector(".error-summary") ||
        dialog.querySelector("[data-similar]") ||
        form.querySelector("[aria-invalid=true]") ||
        form.querySelector("input:not([type=hidden]), select, textarea");
      if (!dialog.open) dialog.showModal();
      if (target) target.focus();
    }

    function dialogFailed() {
      const form = dialog && dialog.querySelector("form");
      if (!form) {
        announce(labels.failed);
        return;
      }
      let message = form.querySelector(".cp-dialog__failed");
      if (!message) {
        message = document.createElement("p");
        message.className = "field__error cp-dialog__failed";
        message.setAttribute("role", "alert");
        form.insertBefore(message, form.firstChild);
      }
      message.textContent = labels.failed;
    }

    addButton.addEventListener("click", function () {
      close();
      addButton.disabled = true;
      fetch(dialogUrl(), { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error("form " + response.status);
          return response.text();
        })
        .then(showInDialog)
        .catch(function () { announce(labels.failed); })
        .then(function () { addButton.disabled = false; });
    });

    function onDialogSubmit(event) {
      const form = event.target;
      event.preventDefault();
      const submit = form.querySelector("[type=submit]");
      if (submit) submit.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!isJson(response)) throw new Error("add " + response.status);
          return response.json().then(function (data) {
            if (response.status === 201 && data.counterpart) {
              chosenFromDialog = true;
              choose(data.counterpart);
              dialog.close();
            } else if (data.html) {
              showInDialog(data.html);
            } else {
              throw new Error("add " + response.status);
            }
          });
        })
        .catch(function () {
          if (submit) submit.disabled = false;
          dialogFailed();
        });
    }
  }

  document.querySelectorAll("select[data-counterpart-picker]").forEach(enhance);
})();
